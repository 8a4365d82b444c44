// VmReader over typed memory: position and range, the OSTD io ktests on the
// reader side, copies, readVal/readOnce/atomicLoad, argument checks, and
// memory that goes away (detached buffers, a grown WebAssembly.Memory); and
// each other kind of reader (frames, a frame) through clone and toFallible.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  FrameAllocOptions,
  FrameVec,
  PhysicalMemory,
  VmError,
  VmReader,
  VmWriter,
  array,
  f32,
  f64,
  i16,
  i32,
  i64,
  i8,
  isize,
  struct,
  u16,
  u32,
  u64,
  u8,
  usize,
  type Infallible,
  type PodOnceType,
} from "../../src/index.js";
import { notCursors } from "./support.js";

type ErrorClass = typeof TypeError | typeof RangeError;

/** Non-negative-safe-integer arguments that must be refused, and how. */
const badNumbers: Array<[unknown, ErrorClass]> = [
  [NaN, RangeError],
  [-1, RangeError],
  [1.5, RangeError],
  [2 ** 53, RangeError],
  [Infinity, RangeError],
  [10n, TypeError],
  ["3", TypeError],
  [null, TypeError],
  [undefined, TypeError],
];

function isVmError(code: string, copied = 0) {
  return (e: unknown): boolean => e instanceof VmError && e.code === code && e.copied === copied;
}

function detach(buffer: ArrayBuffer): void {
  structuredClone(buffer, { transfer: [buffer] });
  assert.equal(buffer.byteLength, 0);
}

// tsconfig has no DOM lib, so WebAssembly is typed here: only what the tests use.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
const WasmMemory = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory };
  }
).WebAssembly.Memory;

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

describe("VmReader.from over typed memory", () => {
  test("a Uint8Array: remain is its length, cursor 0, hasRemain true", () => {
    const r = VmReader.from(new Uint8Array(10));
    assert.equal(r.remain(), 10);
    assert.equal(r.cursor(), 0);
    assert.equal(r.hasRemain(), true);
  });

  test("an empty view: remain 0, hasRemain false, readVal is InvalidArgs", () => {
    const r = VmReader.from(new Uint8Array(0));
    assert.equal(r.remain(), 0);
    assert.equal(r.hasRemain(), false);
    assert.throws(() => r.readVal(u8), isVmError("InvalidArgs"));
  });

  test("addresses are offsets in the view: cursor starts at 0 whatever the view's byteOffset, and only the view's bytes are read", () => {
    const buf = new ArrayBuffer(16);
    new Uint8Array(buf).forEach((_, i, a) => (a[i] = i));
    const r = VmReader.from(new Uint8Array(buf, 5, 3));
    assert.equal(r.cursor(), 0);
    assert.equal(r.remain(), 3);
    const out = new Uint8Array(8);
    assert.equal(r.read(VmWriter.from(out)), 3);
    assert.deepEqual(Array.from(out), [5, 6, 7, 0, 0, 0, 0, 0]);
    assert.equal(r.cursor(), 3);
    assert.equal(r.hasRemain(), false);
  });

  test("two readers over different views of one buffer count addresses from their own view", () => {
    const buf = new ArrayBuffer(16);
    new Uint8Array(buf).forEach((_, i, a) => (a[i] = i));
    const a = VmReader.from(new Uint8Array(buf, 2, 10));
    const b = VmReader.from(new DataView(buf, 6, 6));
    assert.equal(a.cursor(), 0);
    assert.equal(b.cursor(), 0);
    a.skip(4);
    assert.equal(a.cursor(), 4);
    assert.equal(a.readVal(u8), 6, "a's address 4 is buffer offset 6");
    assert.equal(b.readVal(u8), 6, "b's address 0 is buffer offset 6");
    assert.equal(a.cursor(), 5);
    assert.equal(b.cursor(), 1);
    assert.equal(a.clone().cursor(), 5);
    assert.equal(b.toFallible().cursor(), 1);
  });

  test("other typed arrays and DataViews read their own bytes at their own offsets", () => {
    const buf = new ArrayBuffer(64);
    const raw = new Uint8Array(buf);
    raw.forEach((_, i) => (raw[i] = (i * 7 + 1) & 0xff));
    const views: ArrayBufferView[] = [
      new Uint16Array(buf, 2, 3),
      new Int32Array(buf, 8, 2),
      new Float64Array(buf, 16, 2),
      new BigUint64Array(buf, 40, 1),
      new Float32Array(buf, 4, 5),
      new Int8Array(buf, 63, 1),
      new DataView(buf, 3, 5),
      new DataView(buf),
    ];
    for (const view of views) {
      const r = VmReader.from(view);
      assert.equal(r.cursor(), 0, view.constructor.name);
      assert.equal(r.remain(), view.byteLength, view.constructor.name);
      const out = new Uint8Array(view.byteLength);
      assert.equal(r.read(VmWriter.from(out)), view.byteLength);
      assert.deepEqual(out, raw.slice(view.byteOffset, view.byteOffset + view.byteLength), view.constructor.name);
      assert.equal(r.cursor(), view.byteLength, view.constructor.name);
    }
  });

  test("a view over a SharedArrayBuffer reads like one over an ArrayBuffer", () => {
    const sab = new SharedArrayBuffer(8);
    new Uint8Array(sab).set([1, 2, 3, 4, 5, 6, 7, 8]);
    const r = VmReader.from(new Uint8Array(sab, 2, 4));
    assert.equal(r.cursor(), 0);
    assert.equal(r.readVal(u32), 0x06050403);
    assert.equal(r.cursor(), 4);
    assert.equal(r.hasRemain(), false);
  });

  test("anything but an ArrayBufferView is a TypeError", () => {
    const fakes = [
      {},
      [1, 2, 3],
      new ArrayBuffer(4),
      new SharedArrayBuffer(4),
      null,
      undefined,
      "abcd",
      4,
      { buffer: new ArrayBuffer(4), byteOffset: 0, byteLength: 4 },
    ];
    for (const fake of fakes) {
      assert.throws(() => VmReader.from(fake as unknown as Uint8Array), TypeError);
    }
  });

  test("fresh readers and writers over arrays in turn reach each array's own bytes (the shared views are never mixed up)", () => {
    // from() remembers the last two plain arrays and their DataViews: a third
    // array in turn evicts one, and every reader must still see its own bytes.
    const arrays = [0, 1, 2, 3].map((k) => new Uint8Array(16).map((_, i) => k * 16 + i));
    for (let round = 0; round < 3; round++) {
      for (const [k, a] of arrays.entries()) {
        assert.equal(VmReader.from(a).skip(4).readVal(u32), (k * 16 + 4) | ((k * 16 + 5) << 8) | ((k * 16 + 6) << 16) | ((k * 16 + 7) << 24), `array ${k}, round ${round}`);
        VmWriter.from(a).skip(8).writeVal(u8, 0xa0 + k);
        assert.equal(a[8], 0xa0 + k);
        const copy = new Uint8Array(16);
        assert.equal(VmReader.from(a).read(VmWriter.from(copy)), 16);
        assert.deepEqual(copy, a);
      }
    }
  });

  test("a remembered view whose buffer is then detached is refused by from(), and one shrunk out of bounds is empty", () => {
    const buf = new ArrayBuffer(16);
    const view = new Uint8Array(buf);
    VmReader.from(view).readVal(u32); // remembered, with its DataView
    VmWriter.from(view).writeVal(u32, 1);
    detach(buf);
    assert.throws(() => VmReader.from(view), TypeError);
    assert.throws(() => VmWriter.from(view), TypeError);
    const Resizable = ArrayBuffer as unknown as new (size: number, opts: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void };
    const rab = new Resizable(16, { maxByteLength: 32 });
    const fixed = new Uint8Array(rab, 0, 16);
    VmReader.from(fixed).readVal(u32);
    rab.resize(8); // the fixed-length view is now out of bounds: length 0, an empty range (never the 16 bytes remembered)
    assert.equal(VmReader.from(fixed).remain(), 0);
    assert.equal(VmWriter.from(fixed).avail(), 0);
    rab.resize(16);
    assert.equal(VmReader.from(fixed).remain(), 16);
  });

  test("a view over an already detached buffer is a TypeError", () => {
    const buf = new ArrayBuffer(16);
    const views: ArrayBufferView[] = [new Uint8Array(buf, 4, 4), new Uint8Array(buf), new DataView(buf, 4), new Int32Array(buf)];
    detach(buf);
    for (const view of views) {
      assert.throws(() => VmReader.from(view), TypeError, view.constructor.name);
    }
  });
});

describe("position and range", () => {
  test("reading moves the cursor and shrinks remain", () => {
    const r = VmReader.from(new Uint8Array(6));
    r.readVal(u16);
    assert.equal(r.cursor(), 2);
    assert.equal(r.remain(), 4);
    r.readVal(u32);
    assert.equal(r.remain(), 0);
    assert.equal(r.hasRemain(), false);
  });

  test("limit shrinks the range, returns the reader, and never grows it", () => {
    const r = VmReader.from(new Uint8Array(10));
    assert.equal(r.limit(6), r);
    assert.equal(r.remain(), 6);
    r.limit(100);
    assert.equal(r.remain(), 6);
    r.skip(2).limit(10);
    assert.equal(r.remain(), 4);
    r.limit(0);
    assert.equal(r.remain(), 0);
    assert.equal(r.hasRemain(), false);
    assert.equal(r.cursor(), 2);
  });

  test("skip advances the cursor and returns the reader", () => {
    const r = VmReader.from(bytes(1, 2, 3, 4));
    assert.equal(r.skip(0), r);
    assert.equal(r.skip(3), r);
    assert.equal(r.readVal(u8), 4);
  });

  test("skip(n) with n > remain() is a RangeError and does not move the cursor", () => {
    const r = VmReader.from(new Uint8Array(5)).limit(3);
    assert.throws(() => r.skip(4), (e: unknown) => e instanceof RangeError && !(e instanceof VmError));
    assert.equal(r.cursor(), 0);
    r.skip(3);
    assert.throws(() => r.skip(1), RangeError);
    assert.equal(r.cursor(), 3);
  });

  test("clone starts at the same position and moves independently", () => {
    const r = VmReader.from(bytes(1, 2, 3, 4, 5, 6));
    r.skip(1);
    const c = r.clone();
    assert.equal(c.cursor(), 1);
    assert.equal(c.remain(), 5);
    assert.equal(c.readVal(u8), 2);
    c.limit(1);
    assert.equal(r.cursor(), 1);
    assert.equal(r.remain(), 5);
    r.skip(2);
    assert.equal(c.cursor(), 2);
    assert.equal(c.remain(), 1);
    assert.equal(r.readVal(u8), 4);
  });

  test("toFallible gives a reader at the same position that moves independently", () => {
    const r = VmReader.from(bytes(1, 2, 3, 4)).limit(3);
    r.skip(1);
    const f = r.toFallible();
    assert.equal(f.cursor(), 1);
    assert.equal(f.remain(), 2);
    assert.equal(f.readVal(u8), 2);
    assert.equal(r.cursor(), 1);
    assert.equal(r.readVal(u8), 2);
    assert.equal(f.readVal(u8), 3);
    assert.equal(f.hasRemain(), false);
  });

  test("skip checks its argument before the room left (reader and writer): an index's error first, then ERR_CONTRACT", () => {
    const code = (c: string) => (e: unknown) => (e as { code?: unknown }).code === c;
    for (const make of [(b: Uint8Array) => VmReader.from(b), (b: Uint8Array) => VmWriter.from(b)]) {
      const c = make(new Uint8Array(4));
      assert.throws(() => c.skip(5.5), code("ERR_OUT_OF_RANGE"));
      assert.throws(() => c.skip(2 ** 60), code("ERR_OUT_OF_RANGE"));
      assert.throws(() => c.skip(-Infinity), code("ERR_OUT_OF_RANGE"));
      assert.throws(() => c.skip("5" as unknown as number), code("ERR_INVALID_ARG_TYPE"));
      assert.throws(() => c.skip(5), code("ERR_CONTRACT"));
      assert.equal(c.skip(-0).cursor(), 0);
      assert.equal(c.skip(4).cursor(), 4);
      assert.throws(() => c.skip(1), code("ERR_CONTRACT"));
      assert.equal(c.skip(0).cursor(), 4);
    }
  });

  for (const [bad, error] of badNumbers) {
    test(`limit(${String(bad)}) and skip(${String(bad)}) are a ${error.name} with no side effect`, () => {
      const r = VmReader.from(new Uint8Array(8));
      r.skip(2);
      assert.throws(() => r.limit(bad as number), error);
      assert.throws(() => r.skip(bad as number), error);
      assert.equal(r.cursor(), 2);
      assert.equal(r.remain(), 6);
    });
  }
});

describe("OSTD io ktests, reader side", () => {
  test("read_write_u32: a u32 written by writeVal reads back with readVal", () => {
    const buffer = new Uint8Array(4);
    VmWriter.from(buffer).writeVal(u32, 0xdeadbeef);
    assert.equal(VmReader.from(buffer).readVal(u32), 0xdeadbeef);
  });

  test("read_write_slice: write then read a whole slice", () => {
    const data = bytes(1, 2, 3, 4, 5);
    const buffer = new Uint8Array(5);
    const writer = VmWriter.from(buffer);
    assert.equal(writer.write(VmReader.from(data)), 5);
    const readBuffer = new Uint8Array(5);
    assert.equal(VmReader.from(buffer).read(VmWriter.from(readBuffer)), 5);
    assert.deepEqual(readBuffer, data);
  });

  test("read_write_struct: a struct written by writeVal reads back with readVal", () => {
    const S = struct({ a: u32, b: u64 });
    const buffer = new Uint8Array(16);
    VmWriter.from(buffer).writeVal(S, { a: 0x12345678, b: 0x1234567890abcdefn });
    assert.deepEqual(VmReader.from(buffer).readVal(S), { a: 0x12345678, b: 0x1234567890abcdefn });
  });

  test("read_beyond_buffer: readVal(u32) from 3 bytes is VmError InvalidArgs and does not move", () => {
    const reader = VmReader.from(new Uint8Array(3));
    assert.throws(() => reader.readVal(u32), isVmError("InvalidArgs"));
    assert.equal(reader.cursor(), 0);
    assert.equal(reader.remain(), 3);
  });

  test("skip_read: skip(2) then read the remaining 3 bytes", () => {
    const reader = VmReader.from(bytes(1, 2, 3, 4, 5));
    reader.skip(2);
    assert.equal(reader.remain(), 3);
    const buffer = new Uint8Array(3);
    reader.read(VmWriter.from(buffer));
    assert.deepEqual(Array.from(buffer), [3, 4, 5]);
  });

  test("limit_read: limit(3) reads only the first 3 bytes", () => {
    const reader = VmReader.from(bytes(1, 2, 3, 4, 5));
    reader.limit(3);
    assert.equal(reader.remain(), 3);
    const buffer = new Uint8Array(5);
    assert.equal(reader.read(VmWriter.from(buffer)), 3);
    assert.deepEqual(Array.from(buffer), [1, 2, 3, 0, 0]);
  });

  test("read_write_once: a u64 written by writeOnce reads back with readOnce", () => {
    const buffer = new Uint8Array(8);
    const writer = VmWriter.from(buffer);
    writer.writeOnce(u64, 0x1234567890abcdefn);
    assert.equal(writer.avail(), 0);
    const reader = VmReader.from(buffer);
    assert.equal(reader.readOnce(u64), 0x1234567890abcdefn);
    assert.equal(reader.remain(), 0);
  });

  test("read_write_fallible: readFallible between fallible reader and writer copies everything", () => {
    const data = bytes(1, 2, 3, 4, 5);
    const buffer = new Uint8Array(5);
    const reader = VmReader.from(data).toFallible();
    const writer = VmWriter.from(buffer).toFallible();
    assert.equal(reader.readFallible(writer), 5);
    assert.deepEqual(buffer, data);
    assert.equal(reader.remain(), 0);
    assert.equal(writer.avail(), 0);
  });

  test("partial_read_fallible: a limit(3) reader into a 5-byte writer returns 3", () => {
    const reader = VmReader.from(bytes(1, 2, 3, 4, 5)).toFallible();
    reader.limit(3);
    const buffer = new Uint8Array(5);
    const writer = VmWriter.from(buffer).toFallible();
    assert.equal(reader.readFallible(writer), 3);
    assert.deepEqual(Array.from(buffer), [1, 2, 3, 0, 0]);
    assert.equal(writer.avail(), 2);
    assert.equal(writer.cursor(), 3);
  });

  test("atomic_load: loads 0x01010101, then 0x02020202 after skip(4); the cursor does not move", () => {
    const buffer = bytes(1, 1, 1, 1, 2, 2, 2, 2);
    const reader = VmReader.from(buffer).toFallible();
    assert.equal(reader.atomicLoad(u32), 0x01010101);
    assert.equal(reader.cursor(), 0);
    reader.skip(4);
    assert.equal(reader.atomicLoad(u32), 0x02020202);
    assert.equal(reader.cursor(), 4);
    assert.equal(reader.remain(), 4);
  });
});

describe("read and readFallible", () => {
  const cases: Array<[number, number]> = [
    [5, 3],
    [3, 5],
    [4, 4],
    [0, 4],
    [4, 0],
    [0, 0],
    [100, 70],
  ];
  for (const [remain, avail] of cases) {
    test(`copy min(remain, avail) bytes and advance both (remain ${remain}, avail ${avail})`, () => {
      for (const op of ["read", "readFallible", "write", "writeFallible"] as const) {
        const src = Uint8Array.from({ length: remain }, (_, i) => i + 1);
        const dst = new Uint8Array(avail + 2).fill(0xee);
        const r = VmReader.from(src);
        const w = VmWriter.from(dst).limit(avail);
        const n = Math.min(remain, avail);
        const got =
          op === "read" ? r.read(w) : op === "readFallible" ? r.readFallible(w) : op === "write" ? w.write(r) : w.writeFallible(r);
        assert.equal(got, n, op);
        assert.equal(r.cursor(), n, op);
        assert.equal(w.cursor(), n, op);
        assert.equal(r.remain(), remain - n, op);
        assert.equal(w.avail(), avail - n, op);
        assert.deepEqual(Array.from(dst.subarray(0, n)), Array.from(src.subarray(0, n)), op);
        assert.ok(dst.subarray(n).every((b) => b === 0xee), op);
      }
    });
  }

  test("readFallible accepts fallible and infallible writers from either kind of reader", () => {
    for (const readerFallible of [false, true]) {
      for (const writerFallible of [false, true]) {
        const dst = new Uint8Array(3);
        const base = VmReader.from(bytes(7, 8, 9));
        const r = readerFallible ? base.toFallible() : base;
        const w = writerFallible ? VmWriter.from(dst).toFallible() : VmWriter.from(dst);
        assert.equal(r.readFallible(w), 3);
        assert.deepEqual(Array.from(dst), [7, 8, 9]);
      }
    }
  });

  test("read on a fallible reader or into a fallible writer is a TypeError from plain JS, with no side effect", () => {
    const src = bytes(1, 2, 3);
    const dst = new Uint8Array(3);
    const fr = VmReader.from(src).toFallible() as unknown as VmReader<Infallible>;
    const w = VmWriter.from(dst);
    assert.throws(() => fr.read(w), TypeError);
    const r = VmReader.from(src);
    const fw = VmWriter.from(dst).toFallible() as unknown as VmWriter<Infallible>;
    assert.throws(() => r.read(fw), TypeError);
    assert.equal(fr.cursor(), 0);
    assert.equal(r.cursor(), 0);
    assert.equal(w.cursor(), 0);
    assert.equal(fw.cursor(), 0);
    assert.deepEqual(Array.from(dst), [0, 0, 0]);
  });

  test("a destination that is not a VmWriter is a TypeError with no side effect", () => {
    const r = VmReader.from(bytes(1, 2, 3));
    // A proxy of a writer, and an object inheriting from one, are not writers
    // either; telling them apart runs none of their traps.
    const { fakes, traps } = notCursors(VmWriter.from(new Uint8Array(3)), [new Uint8Array(3), VmReader.from(new Uint8Array(3)), { avail: () => 3 }]);
    for (const fake of fakes) {
      assert.throws(() => r.read(fake as unknown as VmWriter<Infallible>), TypeError);
      assert.throws(() => r.readFallible(fake as unknown as VmWriter<Infallible>), TypeError);
    }
    assert.equal(r.cursor(), 0);
    assert.deepEqual(traps, []);
  });

  test("a small copy at an offset between overlapping views of one buffer is a memmove, both ways", () => {
    for (let n = 1; n <= 33; n++) {
      for (const shift of [-15, -9, -5, -1, 1, 3, 16]) {
        const buf = Uint8Array.from({ length: 80 }, (_, i) => i);
        const model = Array.from(buf);
        // Source bytes [10 + 2, 10 + 2 + n) move to [20 + shift + 2 …): the
        // reader starts 2 bytes into its view, so the copy is part of it.
        const from = 12;
        const to = 20 + shift + 2;
        model.copyWithin(to, from, from + n);
        const r = VmReader.from(buf.subarray(10, 10 + 2 + n)).skip(2);
        const w = VmWriter.from(buf.subarray(20 + shift)).skip(2);
        assert.equal(r.read(w), n);
        assert.deepEqual(Array.from(buf), model, `n = ${n}, shift = ${shift}`);
      }
    }
  });

  test("reading from a buffer into itself through two views is a memmove", () => {
    const buf = Uint8Array.from({ length: 80 }, (_, i) => i);
    const expected = Array.from(buf);
    expected.splice(10, 60, ...expected.slice(0, 60));
    assert.equal(VmReader.from(buf.subarray(0, 60)).read(VmWriter.from(buf.subarray(10))), 60);
    assert.deepEqual(Array.from(buf), expected);
  });
});

describe("readVal", () => {
  test("needs no alignment and advances by the type's size", () => {
    const r = VmReader.from(bytes(0xaa, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    r.skip(1);
    assert.equal(r.readVal(u32), 0x04030201);
    assert.equal(r.cursor(), 5);
    assert.equal(r.readVal(u8), 5);
    assert.deepEqual(r.readVal(array(u8, 4)), [6, 7, 8, 9]);
  });

  test("reads from a view at a non-zero offset with that view's bytes", () => {
    const buf = new ArrayBuffer(12);
    new Uint8Array(buf).set([9, 9, 9, 1, 0, 0, 0, 2, 0, 0, 0, 9]);
    const r = VmReader.from(new DataView(buf, 3, 8));
    assert.equal(r.readVal(u32), 1);
    assert.equal(r.readVal(i32), 2);
    assert.throws(() => r.readVal(u8), isVmError("InvalidArgs"));
  });

  test("a short read is InvalidArgs even when the underlying buffer has more bytes", () => {
    const buf = new Uint8Array(16);
    const r = VmReader.from(buf.subarray(0, 6)).skip(4);
    assert.throws(() => r.readVal(u32), isVmError("InvalidArgs"));
    assert.equal(r.cursor(), 4);
    const limited = VmReader.from(buf).limit(7);
    assert.throws(() => limited.readVal(u64), isVmError("InvalidArgs"));
  });
});

describe("readOnce", () => {
  test("advances by the type's size", () => {
    const r = VmReader.from(bytes(1, 0, 2, 0, 3, 0, 0, 0));
    assert.equal(r.readOnce(u16), 1);
    assert.equal(r.readOnce(u16), 2);
    assert.equal(r.readOnce(u32), 3);
    assert.equal(r.remain(), 0);
  });

  test("a cursor not aligned to the type's size is a RangeError and does not move", () => {
    const r = VmReader.from(new Uint8Array(16));
    r.skip(2);
    assert.throws(() => r.readOnce(u32), (e: unknown) => e instanceof RangeError && !(e instanceof VmError));
    assert.throws(() => r.readOnce(u64), RangeError);
    assert.equal(r.cursor(), 2);
    assert.equal(r.readOnce(u16), 0);
    r.skip(1);
    assert.throws(() => r.readOnce(i16), RangeError);
    assert.equal(r.readOnce(i8), 0);
  });

  test("alignment is where the byte really is in its buffer, not its address in the view", () => {
    const buf = new ArrayBuffer(24);
    new Uint8Array(buf).forEach((_, i, a) => (a[i] = i));
    // A view at byteOffset 1: its address 0 is misaligned for u16/u32, its address 3 is 4-aligned.
    const odd = VmReader.from(new Uint8Array(buf, 1, 16));
    assert.equal(odd.cursor(), 0);
    assert.throws(() => odd.readOnce(u16), (e: unknown) => e instanceof RangeError && !(e instanceof VmError));
    assert.throws(() => odd.readOnce(u32), RangeError);
    assert.equal(odd.cursor(), 0);
    assert.equal(odd.readOnce(u8), 1);
    odd.skip(2);
    assert.equal(odd.cursor(), 3);
    assert.equal(odd.clone().readOnce(u32), 0x07060504, "address 3 is buffer offset 4");
    assert.throws(() => odd.clone().readOnce(u64), RangeError);
    odd.skip(4);
    assert.equal(odd.readOnce(u64), 0x0f0e0d0c0b0a0908n, "address 7 is buffer offset 8");
    // A view at byteOffset 4: address 0 is 4- but not 8-aligned.
    assert.doesNotThrow(() => VmReader.from(new Uint8Array(buf, 4, 8)).readOnce(u32));
    assert.throws(() => VmReader.from(new Uint8Array(buf, 4, 8)).readOnce(u64), RangeError);
    assert.equal(VmReader.from(new Uint8Array(buf, 4, 12)).skip(4).readOnce(u64), 0x0f0e0d0c0b0a0908n);
    // A DataView at byteOffset 2: u16 at address 0, u32 only from address 2.
    const dv = VmReader.from(new DataView(buf, 2, 8));
    assert.equal(dv.clone().readOnce(u16), 0x0302);
    assert.throws(() => dv.clone().readOnce(u32), RangeError);
    assert.equal(dv.skip(2).readOnce(u32), 0x07060504);
  });

  test("fewer bytes than the type's size is VmError InvalidArgs", () => {
    const r = VmReader.from(new Uint8Array(8)).limit(6);
    r.skip(4);
    assert.throws(() => r.readOnce(u32), isVmError("InvalidArgs"));
    assert.equal(r.cursor(), 4);
  });

  test("f32, f64, a struct or an array is a TypeError (not PodOnce) and does not move", () => {
    const r = VmReader.from(new Uint8Array(16));
    for (const t of [f32, f64, struct({ a: u32 }), array(u32, 1)]) {
      assert.throws(() => r.readOnce(t as unknown as PodOnceType<unknown>), TypeError);
    }
    assert.equal(r.cursor(), 0);
  });

  test("on a fallible reader it is a TypeError from plain JS", () => {
    const r = VmReader.from(new Uint8Array(8)).toFallible() as unknown as VmReader<Infallible>;
    assert.throws(() => r.readOnce(u32), TypeError);
    assert.equal(r.cursor(), 0);
  });
});

describe("readOnce and writeOnce on a SharedArrayBuffer", () => {
  const widths: Array<[string, PodOnceType<number | bigint>, number | bigint, number[]]> = [
    ["u8", u8, 0xab, [0xab]],
    ["i8", i8, -2, [0xfe]],
    ["u16", u16, 0xabcd, [0xcd, 0xab]],
    ["i16", i16, -2, [0xfe, 0xff]],
    ["u32", u32, 0x89abcdef, [0xef, 0xcd, 0xab, 0x89]],
    ["i32", i32, -2, [0xfe, 0xff, 0xff, 0xff]],
    ["u64", u64, 0x0123456789abcdefn, [0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01]],
    ["i64", i64, -2n, [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ["usize", usize, 2n ** 64n - 1n, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ["isize", isize, -(2n ** 63n), [0, 0, 0, 0, 0, 0, 0, 0x80]],
  ] as Array<[string, PodOnceType<number | bigint>, number | bigint, number[]]>;

  for (const [name, t, value, le] of widths) {
    test(`${name}: writeOnce stores little-endian bytes and readOnce loads them back`, () => {
      const sab = new SharedArrayBuffer(32);
      const raw = new Uint8Array(sab);
      const size = le.length;
      // At the second aligned slot of a view that starts at a non-zero offset.
      const view = new Uint8Array(sab, 8, 24);
      const w = VmWriter.from(view);
      w.skip(size);
      w.writeOnce(t, value);
      assert.equal(w.cursor(), 2 * size);
      assert.deepEqual(Array.from(raw.subarray(8 + size, 8 + 2 * size)), le);
      assert.ok(raw.subarray(0, 8 + size).every((b) => b === 0));
      assert.ok(raw.subarray(8 + 2 * size).every((b) => b === 0));
      const r = VmReader.from(view);
      r.skip(size);
      assert.equal(r.readOnce(t), value);
      assert.equal(r.cursor(), 2 * size);
      if (size > 1) {
        assert.throws(() => VmReader.from(new Uint8Array(sab, 1, 16)).readOnce(t), RangeError);
        assert.throws(() => VmWriter.from(new Uint8Array(sab, 1, 16)).writeOnce(t, value), RangeError);
        // Address size - 1 of a view at byteOffset 1 is aligned.
        const off = new Uint8Array(sab, 1, 24);
        const w1 = VmWriter.from(off).skip(size - 1);
        w1.writeOnce(t, value);
        assert.equal(w1.cursor(), 2 * size - 1);
        assert.deepEqual(Array.from(raw.subarray(size, 2 * size)), le);
        assert.equal(VmReader.from(off).skip(size - 1).readOnce(t), value);
      }
    });
  }

  test("a growable SharedArrayBuffer: readOnce and writeOnce reach bytes added by growth", () => {
    const Growable = SharedArrayBuffer as unknown as new (size: number, opts: { maxByteLength: number }) => SharedArrayBuffer & { grow(n: number): void };
    const sab = new Growable(8, { maxByteLength: 64 });
    assert.equal(VmReader.from(new Uint8Array(sab)).readOnce(u64), 0n);
    sab.grow(32);
    const w = VmWriter.from(new Uint8Array(sab, 16, 16));
    w.writeOnce(u64, 5n);
    w.writeOnce(u32, 7);
    const r = VmReader.from(new Uint8Array(sab, 16));
    assert.equal(r.readOnce(u64), 5n);
    assert.equal(r.readOnce(u32), 7);
    assert.deepEqual(Array.from(new Uint8Array(sab, 16, 12)), [5, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0]);
  });

  test("readOnce sees a value stored with Atomics by someone else", () => {
    const sab = new SharedArrayBuffer(16);
    Atomics.store(new Int32Array(sab), 1, -5);
    const r = VmReader.from(new Uint8Array(sab)).skip(4);
    assert.equal(r.readOnce(i32), -5);
  });
});

describe("atomicLoad", () => {
  test("works on infallible readers and on a SharedArrayBuffer", () => {
    assert.equal(VmReader.from(bytes(4, 3, 2, 1)).atomicLoad(u32), 0x01020304);
    const sab = new SharedArrayBuffer(8);
    Atomics.store(new Uint32Array(sab), 1, 0xcafef00d);
    const r = VmReader.from(new Uint8Array(sab)).skip(4);
    assert.equal(r.atomicLoad(u32), 0xcafef00d);
    assert.equal(r.cursor(), 4);
  });

  test("a misaligned cursor is a RangeError; alignment is where the word really is in its buffer", () => {
    const r = VmReader.from(new Uint8Array(8)).toFallible().skip(2);
    assert.throws(() => r.atomicLoad(u32), RangeError);
    assert.equal(r.cursor(), 2);
    const buf = new ArrayBuffer(12);
    new DataView(buf).setUint32(4, 0xabcdef01, true);
    const view = VmReader.from(new Uint8Array(buf, 2, 8));
    assert.throws(() => view.atomicLoad(u32), RangeError, "address 0 is buffer offset 2");
    assert.equal(view.skip(2).atomicLoad(u32), 0xabcdef01, "address 2 is buffer offset 4");
    const sab = new SharedArrayBuffer(12);
    Atomics.store(new Uint32Array(sab), 2, 0x12345678);
    const shared = VmReader.from(new Uint8Array(sab, 1, 11));
    assert.throws(() => shared.atomicLoad(u32), RangeError);
    assert.equal(shared.skip(7).atomicLoad(u32), 0x12345678);
  });

  test("fewer than 4 bytes remaining is VmError InvalidArgs", () => {
    const r = VmReader.from(new Uint8Array(8)).toFallible().skip(4).limit(3);
    assert.throws(() => r.atomicLoad(u32), isVmError("InvalidArgs"));
  });

  test("any type but u32 is a TypeError", () => {
    const r = VmReader.from(new Uint8Array(8));
    for (const t of [u16, i32, u64, u8]) {
      assert.throws(() => r.atomicLoad(t as unknown as typeof u32), TypeError);
    }
  });
});

describe("memory that goes away", () => {
  // Every access that would touch memory throws a TypeError: never a 0, an
  // empty result, a VmError, or a value read from a stale copy.
  function assertAllAccessesThrow(r: VmReader<Infallible>, w: VmWriter<Infallible>, label: string): void {
    const liveSrc = VmReader.from(bytes(1, 2, 3, 4));
    const liveDst = new Uint8Array(4);
    const rc = r.cursor();
    const wc = w.cursor();
    assert.throws(() => r.read(VmWriter.from(liveDst)), TypeError, `${label}: read`);
    assert.throws(() => r.readFallible(VmWriter.from(liveDst)), TypeError, `${label}: readFallible`);
    assert.throws(() => r.toFallible().readFallible(VmWriter.from(liveDst)), TypeError, `${label}: fallible readFallible`);
    assert.throws(() => r.readVal(u32), TypeError, `${label}: readVal`);
    assert.throws(() => r.readVal(u8), TypeError, `${label}: readVal(u8)`);
    assert.throws(() => r.readOnce(u32), TypeError, `${label}: readOnce`);
    assert.throws(() => r.atomicLoad(u32), TypeError, `${label}: atomicLoad`);
    assert.throws(() => w.write(liveSrc), TypeError, `${label}: write`);
    assert.throws(() => w.writeFallible(liveSrc), TypeError, `${label}: writeFallible`);
    assert.throws(() => w.writeVal(u32, 1), TypeError, `${label}: writeVal`);
    assert.throws(() => w.writeOnce(u32, 1), TypeError, `${label}: writeOnce`);
    assert.throws(() => w.fillZeros(4), TypeError, `${label}: fillZeros`);
    assert.throws(() => w.toFallible().fillZeros(4), TypeError, `${label}: fallible fillZeros`);
    assert.throws(() => w.atomicCompareExchange(r, u32, 0, 1), TypeError, `${label}: atomicCompareExchange`);
    assert.equal(r.cursor(), rc, `${label}: reader cursor`);
    assert.equal(w.cursor(), wc, `${label}: writer cursor`);
    assert.equal(liveSrc.cursor(), 0, `${label}: other reader cursor`);
    assert.deepEqual(Array.from(liveDst), [0, 0, 0, 0], `${label}: other writer's memory`);
  }

  test("a detached buffer: every access throws TypeError (before any access)", () => {
    const buf = new ArrayBuffer(16);
    const r = VmReader.from(new Uint8Array(buf));
    const w = VmWriter.from(new Uint8Array(buf));
    detach(buf);
    assertAllAccessesThrow(r, w, "fresh");
    assert.equal(r.remain(), 16);
  });

  test("a detached buffer: every access throws TypeError (after earlier accesses)", () => {
    const buf = new ArrayBuffer(32);
    const r = VmReader.from(new Uint8Array(buf, 4, 24));
    const w = VmWriter.from(new Uint8Array(buf, 4, 24));
    // Warm every path that caches something about the buffer.
    w.writeVal(u32, 7);
    w.writeOnce(u32, 7);
    w.fillZeros(4);
    r.readVal(u32);
    r.readOnce(u32);
    r.atomicLoad(u32);
    r.read(VmWriter.from(new Uint8Array(4)));
    // The views start at byte 4: their addresses are offsets from there.
    assert.equal(r.cursor(), 12);
    assert.equal(w.cursor(), 12);
    const r2 = r.clone();
    const w2 = w.cloneExclusive();
    detach(buf);
    assertAllAccessesThrow(r, w, "warm");
    assertAllAccessesThrow(r2, w2, "warm clones");
  });

  test("a detached buffer detached with ArrayBuffer.prototype.transfer, where available", (t) => {
    const buf = new ArrayBuffer(8);
    const transfer = (buf as { transfer?: () => ArrayBuffer }).transfer;
    if (typeof transfer !== "function") return t.skip("no ArrayBuffer.prototype.transfer in this runtime");
    const r = VmReader.from(new Uint8Array(buf));
    const w = VmWriter.from(new Uint8Array(buf));
    transfer.call(buf);
    assertAllAccessesThrow(r, w, "transfer");
  });

  test("the other side of a copy is not changed when one side is detached", () => {
    const buf = new ArrayBuffer(8);
    const src = VmReader.from(new Uint8Array(buf));
    detach(buf);
    const dst = new Uint8Array(8).fill(0xee);
    const w = VmWriter.from(dst);
    assert.throws(() => src.read(w), TypeError);
    assert.equal(w.cursor(), 0);
    assert.ok(dst.every((b) => b === 0xee));
  });

  test("a resizable ArrayBuffer shrunk below the range: accesses to the missing bytes are contract errors, never values", () => {
    // ES2024 resizable buffers are not in the ES2022 lib: typed locally.
    const Resizable = ArrayBuffer as unknown as new (size: number, opts: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void };
    const rab = new Resizable(16, { maxByteLength: 32 });
    const r = VmReader.from(new Uint8Array(rab, 0, 16));
    const warm = VmReader.from(new Uint8Array(rab, 0, 16));
    warm.readVal(u8);
    const w = VmWriter.from(new Uint8Array(rab, 0, 16));
    rab.resize(4);
    const contractError = (e: unknown): boolean => (e instanceof TypeError || e instanceof RangeError) && !(e instanceof VmError);
    const out = new Uint8Array(16);
    assert.throws(() => r.read(VmWriter.from(out)), contractError);
    assert.throws(() => r.clone().skip(8).readVal(u32), contractError);
    assert.throws(() => warm.clone().skip(7).readVal(u32), contractError);
    assert.throws(() => r.clone().skip(8).readOnce(u32), contractError);
    assert.throws(() => w.cloneExclusive().skip(8).writeVal(u32, 1), contractError);
    assert.throws(() => w.fillZeros(16), contractError);
    assert.ok(out.every((b) => b === 0));
    assert.equal(r.cursor(), 0);
    assert.equal(w.cursor(), 0);
  });

  test("a WebAssembly.Memory: readers over its buffer work until it grows, then throw TypeError", () => {
    const mem = new WasmMemory({ initial: 1, maximum: 4 });
    const r = VmReader.from(new Uint8Array(mem.buffer));
    const w = VmWriter.from(new Uint8Array(mem.buffer));
    assert.equal(r.remain(), 65536);
    w.writeVal(u32, 0xfeedface);
    assert.equal(r.readVal(u32), 0xfeedface);
    const cold = VmReader.from(new Uint8Array(mem.buffer, 8, 8));
    const coldW = VmWriter.from(new Uint8Array(mem.buffer, 8, 8));
    mem.grow(1);
    assertAllAccessesThrow(r, w, "grown");
    assertAllAccessesThrow(cold, coldW, "grown, never accessed");
    const fresh = VmReader.from(new Uint8Array(mem.buffer));
    assert.equal(fresh.remain(), 2 * 65536);
    assert.equal(fresh.readVal(u32), 0xfeedface);
  });

  test("a shared WebAssembly.Memory: readers keep reading their old range after growth", () => {
    const mem = new WasmMemory({ initial: 1, maximum: 2, shared: true });
    const r = VmReader.from(new Uint8Array(mem.buffer));
    VmWriter.from(new Uint8Array(mem.buffer)).writeOnce(u32, 42);
    mem.grow(1);
    assert.equal(r.clone().readOnce(u32), 42);
    assert.equal(r.atomicLoad(u32), 42);
    assert.equal(r.remain(), 65536);
  });
});

describe("a reader's state is unreachable (issue 8)", () => {
  test("no own properties, only the API on the prototype, and no public constructor", () => {
    const r = VmReader.from(new Uint8Array(8));
    assert.deepEqual(Reflect.ownKeys(r), []);
    assert.deepEqual(Object.getOwnPropertyNames(VmReader.prototype).sort(), [
      "atomicLoad",
      "clone",
      "constructor",
      "cursor",
      "hasRemain",
      "limit",
      "read",
      "readFallible",
      "readOnce",
      "readVal",
      "remain",
      "skip",
      "toFallible",
    ]);
    assert.throws(
      () => new (VmReader as unknown as new (...a: unknown[]) => unknown)(Symbol("vmio.internal"), new Uint8Array(8), null, null, null, 0, 1e9, false),
      (e: unknown) => e instanceof TypeError && (e as { code?: unknown }).code === "ERR_ILLEGAL_CONSTRUCTOR",
    );
  });

  test("a Proxy is refused without running its traps; a Uint8Array subclass is read through the built-in getters", () => {
    const bytes = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    let traps = 0;
    const proxy = new Proxy(bytes, {
      get(target, key) {
        traps++;
        return Reflect.get(target, key);
      },
      getPrototypeOf(target) {
        traps++;
        return Reflect.getPrototypeOf(target);
      },
    });
    assert.throws(() => VmReader.from(proxy), (e: unknown) => e instanceof TypeError && (e as { code?: unknown }).code === "ERR_INVALID_ARG_TYPE");
    assert.equal(traps, 0);
    class Liar extends Uint8Array {
      override get length(): number {
        return 2; // claims 2 bytes; the view has 8
      }
    }
    const liar = new Liar(8).fill(4);
    const r = VmReader.from(liar);
    assert.equal(r.remain(), 8, "the real length, not the getter's");
    const out = new Uint8Array(8);
    assert.equal(r.read(VmWriter.from(out)), 8);
    assert.deepEqual(out, new Uint8Array(8).fill(4));
  });

  test("readVal on a detached buffer is a TypeError with ERR_DETACHED_BUFFER (not the DataView's own error)", () => {
    const ab = new ArrayBuffer(16);
    const r = VmReader.from(new Uint8Array(ab));
    assert.equal(r.readVal(u32), 0); // the DataView is made
    structuredClone(ab, { transfer: [ab] });
    assert.throws(() => r.readVal(u32), (e: unknown) => e instanceof TypeError && (e as { code?: unknown }).code === "ERR_DETACHED_BUFFER");
  });
});

describe("fresh readers and writers share what they learnt about the same bytes (the DataView, the plain-Uint8Array check)", () => {
  test("values read and written through fresh readers/writers over the same and alternating buffers are right", () => {
    const a = new Uint8Array(64);
    const b = new Uint8Array(64).fill(0xff);
    const sub = b.subarray(8, 24);
    for (let i = 0; i < 8; i++) {
      VmWriter.from(a).skip(i * 4).writeVal(u32, 0x01020304 + i);
      assert.equal(VmReader.from(a).skip(i * 4).readVal(u32), 0x01020304 + i);
      assert.equal(VmReader.from(b).skip((i % 2) * 4).readVal(u32), 0xffffffff);
      VmWriter.from(sub).writeVal(u32, i);
      assert.equal(VmReader.from(sub).readVal(u32), i, "a subarray has a view of its own (offset 0 = its first byte)");
      assert.equal(VmReader.from(b).skip(8).readVal(u32), i);
      assert.equal(VmReader.from(a).read(VmWriter.from(b.subarray(32))), 32, "copies between them still copy");
      assert.equal(VmReader.from(b).skip(32).readVal(u32), 0x01020304);
    }
  });

  test("a buffer detached after a reader was made over it: fresh readers and writers over it throw TypeError, old ones too", () => {
    const buf = new ArrayBuffer(16);
    const bytes = new Uint8Array(buf);
    const r = VmReader.from(bytes);
    assert.equal(r.clone().readVal(u32), 0);
    VmWriter.from(bytes).writeVal(u32, 7);
    structuredClone(buf, { transfer: [buf] });
    assert.throws(() => VmReader.from(bytes), TypeError);
    assert.throws(() => VmWriter.from(bytes), TypeError);
    assert.throws(() => r.readVal(u32), TypeError);
  });

  test("a length-tracking view over a resizable buffer: a fresh reader sees the current length, never a stale one", () => {
    const Resizable = ArrayBuffer as unknown as new (size: number, opts: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void };
    const buf = new Resizable(8, { maxByteLength: 32 });
    const bytes = new Uint8Array(buf);
    assert.equal(VmReader.from(bytes).remain(), 8);
    VmWriter.from(bytes).skip(4).writeVal(u32, 9);
    buf.resize(32);
    const r = VmReader.from(bytes);
    assert.equal(r.remain(), 32);
    assert.equal(r.skip(28).readVal(u32), 0, "a view over the grown bytes");
    buf.resize(4);
    assert.equal(VmReader.from(bytes).remain(), 4);
    assert.equal(VmReader.from(bytes).readVal(u32), 0);
    assert.throws(() => VmReader.from(bytes).skip(5), RangeError);
    assert.throws(() => VmReader.from(bytes).skip(1).readVal(u32), VmError);
  });
});

// A reader keeps its memory, what it borrows and its fallibility in one
// field: the lease of a direct infallible reader, the space of a fallible
// one, a record for any other kind. Each kind, and what `clone` and
// `toFallible` make of it, must behave as before.
describe("every kind of reader keeps its memory, lease and fallibility", () => {
  const PAGE = 4096;
  const mem = (): PhysicalMemory => new PhysicalMemory({ size: 16 * PAGE });

  test("a reader over frames (a FrameVec, infallible): read copies; its toFallible refuses read and readOnce, and copies with readFallible; clone keeps each kind", () => {
    const opts = new FrameAllocOptions(mem());
    const a = opts.allocFrame();
    const b = opts.allocFrame();
    a.writeVal(PAGE - 2, u16, 0x2211);
    b.writeVal(0, u16, 0x4433);
    const vec = new FrameVec([a, b]);
    a.dispose();
    b.dispose();
    const out = new Uint8Array(4);
    assert.equal(vec.reader().skip(PAGE - 2).clone().read(VmWriter.from(out)), 4);
    assert.deepEqual([...out], [0x11, 0x22, 0x33, 0x44]);
    const f = vec.reader().skip(PAGE - 2).toFallible() as unknown as VmReader<Infallible>;
    const before = new Uint8Array(4);
    assert.throws(() => f.read(VmWriter.from(before)), TypeError);
    assert.throws(() => f.clone().read(VmWriter.from(before)), TypeError);
    assert.throws(() => f.readOnce(u8), TypeError);
    assert.deepEqual([...before], [0, 0, 0, 0], "nothing moved");
    assert.equal(f.cursor(), PAGE - 2);
    const got = new Uint8Array(4);
    assert.equal(f.readFallible(VmWriter.from(got)), 4);
    assert.deepEqual([...got], [0x11, 0x22, 0x33, 0x44]);
    assert.equal(vec.reader().skip(PAGE - 2).toFallible().readVal(u32), 0x44332211);
    assert.equal(vec.reader().readOnce(u8), 0);
    vec.dispose();
  });

  test("a reader over a frame (direct, with a lease): its toFallible and clone check the lease, refuse read, and copy with readFallible", () => {
    const frame = new FrameAllocOptions(mem()).allocFrame();
    frame.writeVal(0, u32, 0xdeadbeef);
    const r = frame.reader();
    const f = r.toFallible();
    const g = f.clone();
    assert.throws(() => (f as unknown as VmReader<Infallible>).read(VmWriter.from(new Uint8Array(4))), TypeError);
    const got = new Uint8Array(4);
    assert.equal(g.readFallible(VmWriter.from(got)), 4);
    assert.deepEqual([...got], [0xef, 0xbe, 0xad, 0xde]);
    assert.equal(f.readVal(u32), 0xdeadbeef);
    assert.equal(r.clone().read(VmWriter.from(new Uint8Array(4))), 4);
    frame.dispose();
    for (const c of [r, f, g, r.clone(), f.clone()]) {
      assert.throws(() => c.readVal(u8), (e: unknown) => e instanceof TypeError && (e as { code?: string }).code === "ERR_USE_AFTER_DISPOSE");
      assert.throws(() => c.readFallible(VmWriter.from(new Uint8Array(1))), (e: unknown) => e instanceof TypeError && (e as { code?: string }).code === "ERR_USE_AFTER_DISPOSE");
    }
  });

  // A direct infallible reader (typed memory, a frame's, a segment's) is the
  // one kind with bytes of its own, whose lease `read` and the reader's side
  // of `write` pass as they are: the lease must still be checked both ways.
  test("a reader over a segment (direct, with a lease) copies both ways at its position; once the segment is disposed no copy either way, from it or a clone, moves a byte", () => {
    const opts = new FrameAllocOptions(mem());
    const seg = opts.allocSegment(2);
    const frame = opts.allocFrame();
    for (let i = 0; i < 16; i++) seg.writeVal(PAGE - 8 + i, u8, i + 1);
    const into = frame.writer().skip(3);
    assert.equal(seg.reader().skip(PAGE - 8).limit(16).read(into), 16);
    assert.equal(into.cursor() - frame.startPaddr(), 19);
    const out = new Uint8Array(16);
    frame.readBytes(3, out);
    assert.deepEqual([...out], [...Array(16).keys()].map((i) => i + 1));
    const typed = new Uint8Array(16);
    const r = seg.reader().skip(PAGE - 8);
    assert.equal(VmWriter.from(typed).write(r), 16);
    assert.deepEqual([...typed], [...out]);
    assert.equal(r.cursor() - seg.startPaddr(), PAGE + 8);
    const held = seg.reader().skip(PAGE - 8).limit(16);
    const clone = held.clone();
    seg.dispose();
    const disposed = (e: unknown): boolean => e instanceof TypeError && (e as { code?: string }).code === "ERR_USE_AFTER_DISPOSE";
    for (const c of [held, clone]) {
      const before = c.cursor();
      const dst = new Uint8Array(16).fill(0xee);
      const w = VmWriter.from(dst);
      assert.throws(() => c.read(w), disposed);
      assert.throws(() => w.write(c), disposed);
      assert.throws(() => c.read(frame.writer()), disposed);
      assert.throws(() => frame.writer().write(c), disposed);
      assert.equal(c.cursor(), before);
      assert.equal(w.cursor(), 0);
      assert.ok(dst.every((b) => b === 0xee));
    }
    frame.readBytes(3, out);
    assert.deepEqual([...out], [...Array(16).keys()].map((i) => i + 1), "the frame is as it was");
    frame.dispose();
  });

  // A direct fallible reader keeps its bytes (and their view) in its record.
  test("a fallible reader over typed memory reads values, skips, clones and copies; refuses read and readOnce; a detached buffer is a TypeError", () => {
    const buffer = new ArrayBuffer(24);
    const all = new Uint8Array(buffer);
    for (let i = 0; i < 24; i++) all[i] = i;
    const f = VmReader.from(new Uint8Array(buffer, 4, 16)).skip(1).toFallible();
    assert.equal(f.cursor(), 1);
    assert.equal(f.remain(), 15);
    assert.equal(f.readVal(u8), 5);
    assert.equal(f.readVal(u32), 0x09080706);
    assert.equal(f.clone().readVal(u16), 0x0b0a);
    assert.equal(f.toFallible().readVal(u64), 0x11100f0e0d0c0b0an);
    assert.throws(() => (f as unknown as VmReader<Infallible>).read(VmWriter.from(new Uint8Array(4))), TypeError);
    assert.throws(() => (f as unknown as VmReader<Infallible>).readOnce(u8), TypeError);
    assert.throws(() => VmWriter.from(new Uint8Array(4)).write(f as unknown as VmReader<Infallible>), TypeError);
    assert.equal(f.cursor(), 6, "nothing read by what was refused");
    const got = new Uint8Array(4);
    assert.equal(VmWriter.from(got).toFallible().writeFallible(f.clone()), 4);
    assert.deepEqual([...got], [10, 11, 12, 13]);
    assert.equal(VmReader.from(new Uint8Array(buffer, 4, 16)).skip(4).toFallible().atomicLoad(u32), 0x0b0a0908);
    const cold = VmReader.from(new Uint8Array(buffer, 4, 16)).toFallible();
    detach(buffer);
    const detached = (e: unknown): boolean => e instanceof TypeError && (e as { code?: string }).code === "ERR_DETACHED_BUFFER";
    for (const c of [f, cold, f.clone(), cold.toFallible()]) {
      const before = c.cursor();
      assert.throws(() => c.readVal(u32), detached);
      assert.throws(() => c.readFallible(VmWriter.from(new Uint8Array(1))), detached);
      assert.equal(c.cursor(), before);
    }
  });

  test("a fallible reader over typed memory copies into an overlapping view of the same buffer as memmove does", () => {
    for (const [from, to] of [
      [0, 1],
      [1, 0],
      [0, 3],
    ] as const) {
      const buffer = new ArrayBuffer(16);
      const all = new Uint8Array(buffer);
      for (let i = 0; i < 16; i++) all[i] = i + 1;
      const expected = [...all];
      expected.splice(to, 8, ...all.slice(from, from + 8));
      const src = new Uint8Array(buffer, from, 8);
      const dst = new Uint8Array(buffer, to, 8);
      assert.equal(VmReader.from(src).toFallible().readFallible(VmWriter.from(dst).toFallible()), 8);
      assert.deepEqual([...all], expected, `from ${from} to ${to}`);
    }
  });
});
