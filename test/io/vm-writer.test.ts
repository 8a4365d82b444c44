// VmWriter over typed memory: position and range, the OSTD io ktests on the
// writer side, writeVal/writeOnce/fillZeros, atomicCompareExchange, and
// argument checks (a refused call changes nothing).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FrameAllocOptions, FrameVec, PAGE_SIZE, PhysicalMemory, VmError, VmReader, VmWriter, i8, struct, u16, u32, u64, u8, type Infallible, type UFrame } from "../../src/index.js";
import { notCursors } from "./support.js";

type ErrorClass = typeof TypeError | typeof RangeError;

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

function isContractError(error: ErrorClass) {
  return (e: unknown): boolean => e instanceof error && !(e instanceof VmError);
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

describe("VmWriter.from over typed memory", () => {
  test("a Uint8Array: avail is its length, cursor 0, hasAvail true", () => {
    const w = VmWriter.from(new Uint8Array(10));
    assert.equal(w.avail(), 10);
    assert.equal(w.cursor(), 0);
    assert.equal(w.hasAvail(), true);
    assert.equal(VmWriter.from(new Uint8Array(0)).hasAvail(), false);
  });

  test("addresses are offsets in the view (cursor starts at 0) and writes stay inside the view", () => {
    const buf = new ArrayBuffer(12);
    const raw = new Uint8Array(buf).fill(0xee);
    const w = VmWriter.from(new Uint16Array(buf, 4, 2));
    assert.equal(w.cursor(), 0);
    assert.equal(w.avail(), 4);
    assert.equal(w.fillZeros(100), 4);
    assert.equal(w.cursor(), 4);
    assert.throws(() => w.writeVal(u8, 1), isVmError("InvalidArgs"));
    assert.deepEqual(Array.from(raw), [0xee, 0xee, 0xee, 0xee, 0, 0, 0, 0, 0xee, 0xee, 0xee, 0xee]);
  });

  test("other typed arrays and DataViews write their own bytes", () => {
    const buf = new ArrayBuffer(32);
    const raw = new Uint8Array(buf);
    const views: ArrayBufferView[] = [new Int32Array(buf, 8, 2), new Float64Array(buf, 16, 1), new DataView(buf, 3, 3), new BigInt64Array(buf, 24, 1)];
    for (const view of views) {
      raw.fill(0);
      const w = VmWriter.from(view);
      assert.equal(w.cursor(), 0);
      const src = Uint8Array.from({ length: view.byteLength }, (_, i) => i + 1);
      assert.equal(w.write(VmReader.from(src)), view.byteLength);
      assert.deepEqual(raw.slice(view.byteOffset, view.byteOffset + view.byteLength), src, view.constructor.name);
      assert.equal(
        raw.reduce((n, b) => n + (b !== 0 ? 1 : 0), 0),
        view.byteLength,
        `${view.constructor.name}: nothing written outside`,
      );
    }
  });

  test("a view over a SharedArrayBuffer", () => {
    const sab = new SharedArrayBuffer(8);
    const w = VmWriter.from(new Uint8Array(sab, 4));
    assert.equal(w.cursor(), 0);
    w.writeVal(u32, 0x04030201);
    assert.equal(w.cursor(), 4);
    assert.deepEqual(Array.from(new Uint8Array(sab)), [0, 0, 0, 0, 1, 2, 3, 4]);
  });

  test("anything but an ArrayBufferView is a TypeError", () => {
    for (const fake of [{}, [0, 0], new ArrayBuffer(4), new SharedArrayBuffer(4), null, undefined, "ab", 2]) {
      assert.throws(() => VmWriter.from(fake as unknown as Uint8Array), TypeError);
    }
  });

  test("a view over an already detached buffer is a TypeError", () => {
    const buf = new ArrayBuffer(8);
    const views: ArrayBufferView[] = [new Uint8Array(buf), new Uint8Array(buf, 2, 2), new DataView(buf), new Uint16Array(buf)];
    structuredClone(buf, { transfer: [buf] });
    for (const view of views) assert.throws(() => VmWriter.from(view), TypeError, view.constructor.name);
  });
});

describe("position and range", () => {
  test("limit shrinks avail, returns the writer, and never grows it", () => {
    const w = VmWriter.from(new Uint8Array(10));
    assert.equal(w.limit(4), w);
    assert.equal(w.avail(), 4);
    w.limit(9);
    assert.equal(w.avail(), 4);
    w.skip(4);
    assert.equal(w.hasAvail(), false);
    w.limit(10);
    assert.equal(w.avail(), 0);
  });

  test("skip(n) with n > avail() is a RangeError and does not move the cursor", () => {
    const w = VmWriter.from(new Uint8Array(5));
    assert.equal(w.skip(2), w);
    assert.throws(() => w.skip(4), isContractError(RangeError));
    assert.equal(w.cursor(), 2);
    w.skip(3);
    assert.equal(w.avail(), 0);
  });

  test("cloneExclusive writes at the same position without moving the original", () => {
    const buf = new Uint8Array(6);
    const w = VmWriter.from(buf);
    w.skip(1);
    const c = w.cloneExclusive();
    assert.equal(c.cursor(), 1);
    assert.equal(c.avail(), 5);
    c.writeVal(u16, 0x0201);
    c.limit(1);
    assert.equal(w.cursor(), 1);
    assert.equal(w.avail(), 5);
    assert.deepEqual(Array.from(buf), [0, 1, 2, 0, 0, 0]);
    w.writeVal(u8, 9);
    assert.deepEqual(Array.from(buf), [0, 9, 2, 0, 0, 0]);
    assert.equal(c.cursor(), 3);
  });

  test("toFallible gives a writer at the same position that moves independently", () => {
    const buf = new Uint8Array(4);
    const w = VmWriter.from(buf).limit(3);
    w.skip(1);
    const f = w.toFallible();
    assert.equal(f.cursor(), 1);
    assert.equal(f.avail(), 2);
    f.writeVal(u8, 5);
    assert.equal(w.cursor(), 1);
    assert.equal(f.fillZeros(10), 1);
    assert.equal(f.hasAvail(), false);
    w.writeVal(u8, 6);
    assert.deepEqual(Array.from(buf), [0, 6, 0, 0]);
  });

  for (const [bad, error] of badNumbers) {
    test(`limit, skip and fillZeros with ${String(bad)} are a ${error.name} with no side effect`, () => {
      const buf = new Uint8Array(8).fill(0xee);
      const w = VmWriter.from(buf);
      w.skip(2);
      assert.throws(() => w.limit(bad as number), error);
      assert.throws(() => w.skip(bad as number), error);
      assert.throws(() => w.fillZeros(bad as number), error);
      assert.throws(() => w.toFallible().fillZeros(bad as number), error);
      assert.equal(w.cursor(), 2);
      assert.equal(w.avail(), 6);
      assert.ok(buf.every((b) => b === 0xee));
    });
  }
});

describe("OSTD io ktests, writer side", () => {
  test("write_beyond_buffer: writeVal(u32) into 3 bytes is VmError InvalidArgs and writes nothing", () => {
    const buffer = new Uint8Array(3);
    const writer = VmWriter.from(buffer);
    assert.throws(() => writer.writeVal(u32, 0xdeadbeef), isVmError("InvalidArgs"));
    assert.equal(writer.cursor(), 0);
    assert.deepEqual(Array.from(buffer), [0, 0, 0]);
  });

  test("fill_zeros: fillZeros(10) on 8 bytes of 0x7f returns 8, leaves avail 0 and zeroes them all", () => {
    const buffer = new Uint8Array(8).fill(0x7f);
    const writer = VmWriter.from(buffer);
    assert.equal(writer.fillZeros(10), 8);
    assert.equal(writer.avail(), 0);
    assert.deepEqual(Array.from(buffer), [0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test("skip_write: skip(2) then writeVal lands at offset 2", () => {
    const buffer = new Uint8Array(5);
    const writer = VmWriter.from(buffer);
    writer.skip(2);
    assert.equal(writer.avail(), 3);
    writer.writeVal(u8, 42);
    assert.deepEqual(Array.from(buffer), [0, 0, 42, 0, 0]);
  });

  test("limit_write: the 4th writeVal(u8) on limit(3) is InvalidArgs and writes nothing", () => {
    const buffer = new Uint8Array(5);
    const writer = VmWriter.from(buffer);
    writer.limit(3);
    assert.equal(writer.avail(), 3);
    writer.writeVal(u8, 10);
    writer.writeVal(u8, 20);
    writer.writeVal(u8, 30);
    assert.throws(() => writer.writeVal(u8, 40), isVmError("InvalidArgs"));
    assert.deepEqual(Array.from(buffer), [10, 20, 30, 0, 0]);
    assert.equal(writer.cursor(), 3);
  });

  test("write_val: 1u32, 2u32, 3u32 are written back to back", () => {
    const buffer = new Uint8Array(12);
    const writer = VmWriter.from(buffer);
    for (const v of [1, 2, 3]) writer.writeVal(u32, v);
    assert.deepEqual(Array.from(buffer), [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]);
  });

  test("write_fallible: writeFallible between fallible writer and reader copies everything", () => {
    const buffer = new Uint8Array(5);
    const writer = VmWriter.from(buffer).toFallible();
    const reader = VmReader.from(bytes(1, 2, 3, 4, 5)).toFallible();
    assert.equal(writer.writeFallible(reader), 5);
    assert.deepEqual(Array.from(buffer), [1, 2, 3, 4, 5]);
  });

  test("partial_write_fallible: a 3-byte writer takes 3 of 5 bytes", () => {
    const buffer = new Uint8Array(3);
    const writer = VmWriter.from(buffer).toFallible();
    const reader = VmReader.from(bytes(1, 2, 3, 4, 5)).toFallible();
    assert.equal(writer.writeFallible(reader), 3);
    assert.deepEqual(Array.from(buffer), [1, 2, 3]);
    assert.equal(reader.remain(), 2);
    assert.equal(reader.cursor(), 3);
  });

  for (const kind of ["ArrayBuffer", "SharedArrayBuffer"] as const) {
    test(`atomic_compare_exchange on an ${kind}: the OSTD sequence ends with 300`, () => {
      const backing = kind === "ArrayBuffer" ? new ArrayBuffer(4) : new SharedArrayBuffer(4);
      const buffer = new Uint8Array(backing);
      const reader = VmReader.from(buffer).toFallible();
      const writer = VmWriter.from(buffer).toFallible();
      assert.deepEqual(writer.atomicCompareExchange(reader, u32, 0, 100), [0, true]);
      assert.deepEqual(writer.atomicCompareExchange(reader, u32, 100, 200), [100, true]);
      assert.deepEqual(writer.atomicCompareExchange(reader, u32, 300, 400), [200, false]);
      assert.deepEqual(writer.atomicCompareExchange(reader, u32, 200, 300), [200, true]);
      assert.deepEqual(writer.atomicCompareExchange(reader, u32, 200, 400), [300, false]);
      assert.equal(reader.atomicLoad(u32), 300);
      assert.equal(reader.cursor(), 0);
      assert.equal(writer.cursor(), 0);
      assert.deepEqual(Array.from(buffer), [44, 1, 0, 0]);
    });
  }
});

describe("write and writeFallible", () => {
  test("write on a fallible writer or from a fallible reader is a TypeError from plain JS, with no side effect", () => {
    const dst = new Uint8Array(3);
    const fw = VmWriter.from(dst).toFallible() as unknown as VmWriter<Infallible>;
    const r = VmReader.from(bytes(1, 2, 3));
    assert.throws(() => fw.write(r), TypeError);
    const w = VmWriter.from(dst);
    const fr = VmReader.from(bytes(1, 2, 3)).toFallible() as unknown as VmReader<Infallible>;
    assert.throws(() => w.write(fr), TypeError);
    assert.equal(fw.cursor(), 0);
    assert.equal(w.cursor(), 0);
    assert.equal(r.cursor(), 0);
    assert.equal(fr.cursor(), 0);
    assert.deepEqual(Array.from(dst), [0, 0, 0]);
  });

  test("writeFallible accepts fallible and infallible readers", () => {
    for (const fallible of [false, true]) {
      const dst = new Uint8Array(2);
      const r = fallible ? VmReader.from(bytes(1, 2)).toFallible() : VmReader.from(bytes(1, 2));
      assert.equal(VmWriter.from(dst).writeFallible(r), 2);
      assert.equal(VmWriter.from(new Uint8Array(2)).toFallible().writeFallible(VmReader.from(bytes(1, 2))), 2);
      assert.deepEqual(Array.from(dst), [1, 2]);
    }
  });

  test("a source that is not a VmReader is a TypeError with no side effect", () => {
    const w = VmWriter.from(new Uint8Array(3));
    // A proxy of a reader, and an object inheriting from one, are not readers
    // either; telling them apart runs none of their traps.
    const { fakes, traps } = notCursors(VmReader.from(bytes(1, 2, 3)), [bytes(1, 2, 3), VmWriter.from(new Uint8Array(3)), { remain: () => 3 }]);
    for (const fake of fakes) {
      assert.throws(() => w.write(fake as unknown as VmReader<Infallible>), TypeError);
      assert.throws(() => w.writeFallible(fake as unknown as VmReader<Infallible>), TypeError);
    }
    assert.equal(w.cursor(), 0);
    assert.deepEqual(traps, []);
  });
});

describe("writeVal", () => {
  test("needs no alignment and advances by the type's size", () => {
    const buf = new Uint8Array(7);
    const w = VmWriter.from(buf);
    w.writeVal(u8, 0xaa);
    w.writeVal(u32, 0x04030201);
    w.writeVal(u16, 0x0605);
    assert.equal(w.avail(), 0);
    assert.deepEqual(Array.from(buf), [0xaa, 1, 2, 3, 4, 5, 6]);
  });

  test("never writes past the writer's end, even when the buffer continues", () => {
    const buf = new Uint8Array(8).fill(0xee);
    const w = VmWriter.from(buf.subarray(0, 6)).skip(3);
    assert.throws(() => w.writeVal(u32, 0), isVmError("InvalidArgs"));
    const limited = VmWriter.from(buf).limit(7);
    assert.throws(() => limited.writeVal(u64, 0n), isVmError("InvalidArgs"));
    assert.ok(buf.every((b) => b === 0xee));
    assert.equal(w.cursor(), 3);
    assert.equal(limited.cursor(), 0);
  });

  test("an invalid value is refused before the room check and writes nothing", () => {
    const buf = new Uint8Array(2).fill(0xee);
    const w = VmWriter.from(buf);
    assert.throws(() => w.writeVal(u8, 300), isContractError(RangeError));
    assert.throws(() => w.writeVal(u64, 1 as unknown as bigint), isContractError(TypeError));
    assert.throws(() => w.writeVal(struct({ a: u8 }), null as unknown as { a: number }), isContractError(TypeError));
    assert.equal(w.cursor(), 0);
    assert.ok(buf.every((b) => b === 0xee));
  });
});

describe("writeOnce", () => {
  test("stores one value and advances by its size", () => {
    const buf = new Uint8Array(8);
    const w = VmWriter.from(buf);
    w.writeOnce(u16, 0x0201);
    w.writeOnce(u16, 0x0403);
    w.writeOnce(u32, 0x08070605);
    assert.deepEqual(Array.from(buf), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test("a misaligned cursor is a RangeError and writes nothing", () => {
    const buf = new Uint8Array(16);
    const w = VmWriter.from(buf).skip(1);
    assert.throws(() => w.writeOnce(u16, 1), isContractError(RangeError));
    assert.throws(() => w.writeOnce(u32, 1), RangeError);
    assert.throws(() => w.writeOnce(u64, 1n), RangeError);
    w.writeOnce(i8, -1);
    assert.throws(() => VmWriter.from(new Uint8Array(buf.buffer, 2, 8)).writeOnce(u32, 1), RangeError);
    assert.deepEqual(Array.from(buf), [0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test("alignment is where the byte really is in its buffer: a view at byteOffset 1 is aligned at address 3 for u32", () => {
    const buf = new Uint8Array(16);
    const w = VmWriter.from(buf.subarray(1, 13));
    assert.equal(w.cursor(), 0);
    assert.throws(() => w.writeOnce(u16, 1), isContractError(RangeError));
    assert.throws(() => w.writeOnce(u32, 1), RangeError);
    w.writeOnce(u8, 0xaa);
    assert.equal(w.cursor(), 1);
    assert.throws(() => w.writeOnce(u32, 1), RangeError, "address 1 is buffer offset 2");
    w.writeOnce(u16, 0xccbb);
    assert.equal(w.cursor(), 3);
    w.writeOnce(u32, 0x44332211);
    // Address 7 is buffer offset 8 (8-aligned), but only 5 bytes are left.
    assert.throws(() => w.writeOnce(u64, 1n), isVmError("InvalidArgs"));
    w.writeOnce(u32, 0x88776655);
    assert.equal(w.avail(), 1);
    assert.deepEqual(Array.from(buf), [0, 0xaa, 0xbb, 0xcc, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0, 0, 0, 0]);
  });

  test("fewer bytes than the type's size is VmError InvalidArgs and writes nothing", () => {
    const buf = new Uint8Array(8);
    const w = VmWriter.from(buf).limit(6).skip(4);
    assert.throws(() => w.writeOnce(u32, 0xffffffff), isVmError("InvalidArgs"));
    assert.ok(buf.every((b) => b === 0));
  });

  test("an invalid value is a TypeError or RangeError and writes nothing", () => {
    const buf = new Uint8Array(8);
    const w = VmWriter.from(buf);
    assert.throws(() => w.writeOnce(u32, -1), isContractError(RangeError));
    assert.throws(() => w.writeOnce(u32, 0.5), RangeError);
    assert.throws(() => w.writeOnce(u32, "1" as unknown as number), TypeError);
    assert.throws(() => w.writeOnce(u64, 1 as unknown as bigint), TypeError);
    assert.equal(w.cursor(), 0);
    assert.ok(buf.every((b) => b === 0));
  });

  test("on a fallible writer it is a TypeError from plain JS", () => {
    const buf = new Uint8Array(8);
    const w = VmWriter.from(buf).toFallible() as unknown as VmWriter<Infallible>;
    assert.throws(() => w.writeOnce(u32, 1), TypeError);
    assert.equal(w.cursor(), 0);
    assert.ok(buf.every((b) => b === 0));
  });
});

describe("fillZeros", () => {
  test("fills min(len, avail) bytes, advances, and touches nothing else", () => {
    const buf = new Uint8Array(10).fill(0xee);
    const w = VmWriter.from(buf.subarray(2, 8));
    assert.equal(w.fillZeros(0), 0);
    assert.equal(w.cursor(), 0);
    assert.equal(w.fillZeros(3), 3);
    assert.equal(w.cursor(), 3);
    assert.equal(w.fillZeros(2 ** 53 - 1), 3);
    assert.equal(w.hasAvail(), false);
    assert.equal(w.fillZeros(1), 0);
    assert.deepEqual(Array.from(buf), [0xee, 0xee, 0, 0, 0, 0, 0, 0, 0xee, 0xee]);
  });

  test("on a fallible writer over typed memory it fills like an infallible one", () => {
    const buf = new Uint8Array(4).fill(1);
    const w = VmWriter.from(buf).toFallible();
    assert.equal(w.fillZeros(8), 4);
    assert.ok(buf.every((b) => b === 0));
  });
});

describe("atomicCompareExchange", () => {
  for (const kind of ["ArrayBuffer", "SharedArrayBuffer"] as const) {
    test(`works with infallible readers and writers, and with a reader through another view of the same ${kind} at the same byte`, () => {
      const buf = kind === "ArrayBuffer" ? new ArrayBuffer(16) : new SharedArrayBuffer(16);
      const w = VmWriter.from(new Uint8Array(buf, 8, 8));
      // Different view, different address (4), same byte of the buffer (8).
      const r = VmReader.from(new DataView(buf, 4, 12)).skip(4);
      assert.deepEqual(w.atomicCompareExchange(r, u32, 0, 0xffffffff), [0, true]);
      assert.deepEqual(w.atomicCompareExchange(r, u32, 0, 1), [0xffffffff, false]);
      assert.deepEqual(Array.from(new Uint8Array(buf, 8, 4)), [0xff, 0xff, 0xff, 0xff]);
      assert.equal(w.cursor(), 0);
      assert.equal(r.cursor(), 4);
      assert.equal(r.atomicLoad(u32), 0xffffffff);
    });

    test(`a reader through another view of the same ${kind} at the same address but another byte is a RangeError`, () => {
      const buf = kind === "ArrayBuffer" ? new ArrayBuffer(16) : new SharedArrayBuffer(16);
      // Both cursors are at address 0, but of views that start at 8 and at 4.
      const w = VmWriter.from(new Uint8Array(buf, 8, 8));
      const r = VmReader.from(new Uint8Array(buf, 4, 12));
      assert.equal(w.cursor(), r.cursor());
      assert.throws(() => w.atomicCompareExchange(r, u32, 0, 1), isContractError(RangeError));
      // And a reader whose address differs but lands on another byte too.
      assert.throws(() => w.atomicCompareExchange(r.clone().skip(8), u32, 0, 1), isContractError(RangeError));
      assert.ok(new Uint8Array(buf).every((b) => b === 0));
    });
  }

  test("a reader at a different address is a RangeError and exchanges nothing", () => {
    const buf = new Uint8Array(8);
    const w = VmWriter.from(buf);
    const r = VmReader.from(buf).skip(4);
    assert.throws(() => w.atomicCompareExchange(r, u32, 0, 1), isContractError(RangeError));
    assert.ok(buf.every((b) => b === 0));
  });

  test("a reader at the same address of another buffer is a RangeError", () => {
    const a = new Uint8Array(4);
    const b = new Uint8Array(4);
    assert.throws(() => VmWriter.from(a).atomicCompareExchange(VmReader.from(b), u32, 0, 1), RangeError);
    assert.ok(a.every((x) => x === 0));
  });

  test("a misaligned address is a RangeError", () => {
    const buf = new Uint8Array(12);
    const w = VmWriter.from(buf).skip(2);
    const r = VmReader.from(buf).skip(2);
    assert.throws(() => w.atomicCompareExchange(r, u32, 0, 1), isContractError(RangeError));
    assert.ok(buf.every((b) => b === 0));
  });

  test("alignment is judged where the word really is: address 0 of a view at byteOffset 2 is misaligned, address 2 is not", () => {
    for (const backing of [new ArrayBuffer(12), new SharedArrayBuffer(12)]) {
      const view = new Uint8Array(backing, 2, 10);
      assert.throws(() => VmWriter.from(view).atomicCompareExchange(VmReader.from(view), u32, 0, 1), isContractError(RangeError));
      const w = VmWriter.from(view).skip(2);
      const r = VmReader.from(view).skip(2);
      assert.deepEqual(w.atomicCompareExchange(r, u32, 0, 0x01020304), [0, true]);
      assert.deepEqual(Array.from(new Uint8Array(backing)), [0, 0, 0, 0, 4, 3, 2, 1, 0, 0, 0, 0]);
    }
  });

  test("fewer than 4 bytes on either side is VmError InvalidArgs", () => {
    const buf = new Uint8Array(8);
    assert.throws(
      () => VmWriter.from(buf).limit(3).atomicCompareExchange(VmReader.from(buf), u32, 0, 1),
      isVmError("InvalidArgs"),
    );
    assert.throws(
      () => VmWriter.from(buf).atomicCompareExchange(VmReader.from(buf).limit(3), u32, 0, 1),
      isVmError("InvalidArgs"),
    );
    assert.ok(buf.every((b) => b === 0));
  });

  test("bad arguments are a TypeError or RangeError with no side effect", () => {
    const buf = new Uint8Array(4);
    const w = VmWriter.from(buf);
    const r = VmReader.from(buf);
    for (const fake of [null, {}, buf, w]) {
      assert.throws(() => w.atomicCompareExchange(fake as unknown as VmReader<Infallible>, u32, 0, 1), TypeError);
    }
    assert.throws(() => w.atomicCompareExchange(r, u16 as unknown as typeof u32, 0, 1), TypeError);
    assert.throws(() => w.atomicCompareExchange(r, u32, -1, 1), RangeError);
    assert.throws(() => w.atomicCompareExchange(r, u32, 0, 2 ** 32), RangeError);
    assert.throws(() => w.atomicCompareExchange(r, u32, 0, 1.5), RangeError);
    assert.throws(() => w.atomicCompareExchange(r, u32, 0n as unknown as number, 1), TypeError);
    assert.throws(() => w.atomicCompareExchange(r, u32, 0, "1" as unknown as number), TypeError);
    assert.ok(buf.every((b) => b === 0));
    assert.equal(w.cursor(), 0);
    assert.equal(r.cursor(), 0);
  });
});

describe("a writer's state is unreachable (issue 8)", () => {
  test("no own properties, only the API on the prototype, and no public constructor", () => {
    const w = VmWriter.from(new Uint8Array(8));
    assert.deepEqual(Reflect.ownKeys(w), []);
    assert.deepEqual(Object.getOwnPropertyNames(VmWriter.prototype).sort(), [
      "atomicCompareExchange",
      "avail",
      "cloneExclusive",
      "constructor",
      "cursor",
      "fillZeros",
      "hasAvail",
      "limit",
      "skip",
      "toFallible",
      "write",
      "writeFallible",
      "writeOnce",
      "writeVal",
    ]);
    assert.throws(
      () => new (VmWriter as unknown as new (...a: unknown[]) => unknown)(Symbol("vmio.internal"), new Uint8Array(8), null, null, null, 0, 1e9, false),
      (e: unknown) => e instanceof TypeError && (e as { code?: unknown }).code === "ERR_ILLEGAL_CONSTRUCTOR",
    );
  });

  test("writeVal into a resizable buffer shrunk below the view is a TypeError with ERR_DETACHED_BUFFER, and writes nothing", () => {
    type Resizable = ArrayBuffer & { resize(n: number): void };
    const rab = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => Resizable)(16, { maxByteLength: 16 });
    const w = VmWriter.from(new Uint8Array(rab, 0, 16));
    w.writeVal(u32, 1);
    rab.resize(4);
    assert.throws(() => w.writeVal(u32, 2), (e: unknown) => e instanceof TypeError && (e as { code?: unknown }).code === "ERR_DETACHED_BUFFER");
    assert.deepEqual(new Uint8Array(rab), Uint8Array.from([1, 0, 0, 0]));
  });
});

describe("writeVal reads the value once, before it checks the memory (issue 8)", () => {
  const S = struct({ a: u32, b: u64 });

  /** A value whose fields count their reads; `onRead` runs at the first read of `a`. */
  function counting(onRead: () => void = () => {}): { value: { a: number; b: bigint }; reads: { a: number; b: number } } {
    const reads = { a: 0, b: 0 };
    const value = {
      get a(): number {
        if (reads.a++ === 0) onRead();
        return 7;
      },
      get b(): bigint {
        reads.b++;
        return 9n;
      },
    };
    return { value, reads };
  }

  test("every field getter runs exactly once, through a writer and through a frame's VmIo", () => {
    const mem = new PhysicalMemory({ size: 1 << 20 });
    using frame = new FrameAllocOptions(mem).allocFrame();
    const typed = counting();
    VmWriter.from(new Uint8Array(16)).writeVal(S, typed.value);
    assert.deepEqual(typed.reads, { a: 1, b: 1 });
    const viaFrame = counting();
    frame.writer().writeVal(S, viaFrame.value);
    assert.deepEqual(viaFrame.reads, { a: 1, b: 1 });
    const viaIo = counting();
    frame.writeVal(8, S, viaIo.value);
    assert.deepEqual(viaIo.reads, { a: 1, b: 1 });
    assert.deepEqual(frame.readVal(8, S), { a: 7, b: 9n });
  });

  test("a getter that disposes the target frame: ERR_USE_AFTER_DISPOSE, and the frame's next owner is untouched", () => {
    const mem = new PhysicalMemory({ size: 1 << 20 });
    const opts = new FrameAllocOptions(mem);
    for (const via of ["writer", "vmio"] as const) {
      const frame = opts.allocFrame();
      const w = frame.writer();
      let next: UFrame | undefined;
      const { value } = counting(() => {
        frame.dispose();
        // The freed frame is handed out again at once (the allocator reuses it).
        next = opts.allocFrame();
        next.writeBytes(0, new Uint8Array(PAGE_SIZE).fill(0x5a));
      });
      assert.throws(
        () => (via === "writer" ? w.writeVal(S, value) : frame.writeVal(0, S, value)),
        (e: unknown) => e instanceof TypeError && (e as { code?: unknown }).code === "ERR_USE_AFTER_DISPOSE",
      );
      const bytes = new Uint8Array(PAGE_SIZE);
      (next as UFrame).readBytes(0, bytes);
      assert.ok(bytes.every((b) => b === 0x5a), `${via}: nothing landed in the next owner's frame`);
      (next as UFrame).dispose();
    }
  });
});

// A writer keeps its memory, what it borrows and its fallibility in one
// field, as a reader does: the lease of a direct infallible writer (the one
// kind with bytes of its own), the space of a fallible one, a record for
// any other kind. Each kind, and what `cloneExclusive` and `toFallible`
// make of it, must behave as before.
describe("every kind of writer keeps its memory, lease and fallibility", () => {
  const PAGE = 4096;
  const mem = (): PhysicalMemory => new PhysicalMemory({ size: 16 * PAGE });
  const disposed = (e: unknown): boolean => e instanceof TypeError && (e as { code?: string }).code === "ERR_USE_AFTER_DISPOSE";
  const detached = (e: unknown): boolean => e instanceof TypeError && (e as { code?: string }).code === "ERR_DETACHED_BUFFER";

  test("a writer over frames (a FrameVec, infallible) writes across them with write, writeVal, writeOnce and fillZeros; its toFallible refuses write and writeOnce and copies with writeFallible", () => {
    const opts = new FrameAllocOptions(mem());
    const a = opts.allocFrame();
    const b = opts.allocFrame();
    const vec = new FrameVec([a, b]);
    a.dispose();
    b.dispose();
    const w = vec.writer().skip(PAGE - 2);
    assert.equal(w.cloneExclusive().write(VmReader.from(bytes(0x11, 0x22, 0x33, 0x44))), 4);
    const check = new Uint8Array(4);
    vec.reader().skip(PAGE - 2).read(VmWriter.from(check));
    assert.deepEqual([...check], [0x11, 0x22, 0x33, 0x44]);
    assert.equal(w.cursor(), PAGE - 2, "the clone moved, not the writer");
    w.writeVal(u32, 0xa1b2c3d4);
    vec.reader().skip(PAGE - 2).read(VmWriter.from(check));
    assert.deepEqual([...check], [0xd4, 0xc3, 0xb2, 0xa1]);
    vec.writer().skip(PAGE + 4).writeOnce(u32, 0x01020304);
    assert.equal(vec.reader().skip(PAGE + 4).readVal(u32), 0x01020304);
    assert.equal(vec.writer().skip(PAGE - 1).limit(2).fillZeros(8), 2);
    vec.reader().skip(PAGE - 2).read(VmWriter.from(check));
    assert.deepEqual([...check], [0xd4, 0, 0, 0xa1]);
    const f = vec.writer().skip(PAGE - 2).toFallible() as unknown as VmWriter<Infallible>;
    assert.throws(() => f.write(VmReader.from(bytes(9, 9, 9, 9))), TypeError);
    assert.throws(() => f.cloneExclusive().write(VmReader.from(bytes(9, 9, 9, 9))), TypeError);
    assert.throws(() => VmReader.from(bytes(9, 9, 9, 9)).read(f), TypeError);
    assert.throws(() => f.writeOnce(u8, 9), TypeError);
    assert.equal(f.cursor(), PAGE - 2);
    vec.reader().skip(PAGE - 2).read(VmWriter.from(check));
    assert.deepEqual([...check], [0xd4, 0, 0, 0xa1], "nothing written by what was refused");
    assert.equal(f.writeFallible(VmReader.from(bytes(5, 6, 7, 8))), 4);
    vec.reader().skip(PAGE - 2).read(VmWriter.from(check));
    assert.deepEqual([...check], [5, 6, 7, 8]);
    assert.equal(VmReader.from(bytes(1, 2)).readFallible(vec.writer().skip(PAGE - 1).toFallible()), 2);
    assert.equal(vec.reader().skip(PAGE - 1).readVal(u16), 0x0201);
    vec.dispose();
    assert.throws(() => w.writeVal(u8, 1), disposed);
  });

  test("a writer over a frame (direct, with a lease): its toFallible and clone check the lease, refuse write, and copy with writeFallible; once the frame is disposed no write of any kind lands", () => {
    const frame = new FrameAllocOptions(mem()).allocFrame();
    const w = frame.writer();
    const f = w.toFallible();
    const g = f.cloneExclusive();
    assert.throws(() => (f as unknown as VmWriter<Infallible>).write(VmReader.from(bytes(1, 2, 3, 4))), TypeError);
    assert.throws(() => VmReader.from(bytes(1, 2, 3, 4)).read(f as unknown as VmWriter<Infallible>), TypeError);
    assert.equal(g.writeFallible(VmReader.from(bytes(0xef, 0xbe, 0xad, 0xde))), 4);
    assert.equal(frame.readVal(0, u32), 0xdeadbeef);
    f.skip(4).writeVal(u32, 0x01020304);
    assert.equal(frame.readVal(4, u32), 0x01020304);
    assert.equal(w.cloneExclusive().skip(8).write(VmReader.from(bytes(7, 7))), 2);
    assert.equal(frame.readVal(8, u16), 0x0707);
    assert.equal(f.cloneExclusive().fillZeros(2), 2);
    assert.equal(frame.readVal(8, u16), 0);
    assert.equal(frame.readVal(4, u32), 0x01020304);
    const atomic = frame.writer().skip(12).toFallible();
    assert.deepEqual(atomic.atomicCompareExchange(frame.reader().skip(12), u32, 0, 5), [0, true]);
    assert.equal(frame.readVal(12, u32), 5);
    const held = [w, f, g, w.cloneExclusive(), f.cloneExclusive(), f.toFallible()];
    const positions = held.map((c) => c.cursor());
    frame.dispose();
    for (const [i, c] of held.entries()) {
      assert.throws(() => c.writeVal(u8, 1), disposed);
      assert.throws(() => c.writeFallible(VmReader.from(bytes(1))), disposed);
      assert.throws(() => VmReader.from(bytes(1)).readFallible(c), disposed);
      assert.throws(() => c.fillZeros(1), disposed);
      assert.equal(c.cursor(), positions[i]);
    }
    assert.throws(() => w.write(VmReader.from(bytes(1))), disposed);
    assert.throws(() => VmReader.from(bytes(1)).read(w), disposed);
  });

  test("a writer over a segment (direct, with a lease) takes copies both ways at its position; once the segment is disposed no copy either way, into it or a clone, moves a byte", () => {
    const opts = new FrameAllocOptions(mem());
    const seg = opts.allocSegment(2);
    const frame = opts.allocFrame();
    for (let i = 0; i < 16; i++) frame.writeVal(i, u8, i + 1);
    const into = seg.writer().skip(PAGE - 8);
    assert.equal(frame.reader().limit(16).read(into), 16);
    assert.equal(into.cursor() - seg.startPaddr(), PAGE + 8);
    const out = new Uint8Array(16);
    seg.readBytes(PAGE - 8, out);
    assert.deepEqual([...out], [...Array(16).keys()].map((i) => i + 1));
    const w = seg.writer().skip(3);
    assert.equal(w.write(VmReader.from(out)), 16);
    assert.equal(w.cursor() - seg.startPaddr(), 19);
    const back = new Uint8Array(16);
    seg.readBytes(3, back);
    assert.deepEqual([...back], [...out]);
    const held = seg.writer().skip(100).limit(16);
    const clone = held.cloneExclusive();
    seg.dispose();
    for (const c of [held, clone]) {
      const src = new Uint8Array(16).fill(0xee);
      const r = VmReader.from(src);
      assert.throws(() => c.write(r), disposed);
      assert.throws(() => r.read(c), disposed);
      assert.throws(() => c.write(frame.reader()), disposed);
      assert.throws(() => frame.reader().read(c), disposed);
      assert.equal(c.cursor() - 100, held.cursor() - 100);
      assert.equal(r.cursor(), 0);
    }
    frame.dispose();
  });

  // A direct fallible writer keeps its bytes (and their view) in its record.
  test("a fallible writer over typed memory writes values, skips, clones, fills and copies; refuses write and writeOnce; a detached buffer is a TypeError", () => {
    const buffer = new ArrayBuffer(24);
    const all = new Uint8Array(buffer);
    const f = VmWriter.from(new Uint8Array(buffer, 4, 16)).skip(1).toFallible();
    assert.equal(f.cursor(), 1);
    assert.equal(f.avail(), 15);
    f.writeVal(u8, 5);
    f.writeVal(u32, 0x09080706);
    f.cloneExclusive().writeVal(u16, 0x0b0a);
    f.toFallible().skip(2).writeVal(u64, 0x11100f0e0d0c0b0an);
    assert.deepEqual([...all.subarray(5, 20)], [5, 6, 7, 8, 9, 0x0a, 0x0b, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11]);
    assert.throws(() => (f as unknown as VmWriter<Infallible>).write(VmReader.from(bytes(1, 2))), TypeError);
    assert.throws(() => (f as unknown as VmWriter<Infallible>).writeOnce(u8, 1), TypeError);
    assert.throws(() => VmReader.from(bytes(1, 2)).read(f as unknown as VmWriter<Infallible>), TypeError);
    assert.equal(f.cursor(), 6, "nothing written by what was refused");
    assert.equal(all[10], 0x0a);
    assert.equal(f.cloneExclusive().writeFallible(VmReader.from(bytes(0xa0, 0xa1)).toFallible()), 2);
    assert.deepEqual([...all.subarray(10, 12)], [0xa0, 0xa1]);
    assert.equal(VmReader.from(bytes(0xb0, 0xb1)).readFallible(f.cloneExclusive().skip(2)), 2);
    assert.deepEqual([...all.subarray(12, 14)], [0xb0, 0xb1]);
    assert.equal(f.cloneExclusive().skip(4).fillZeros(100), 6);
    assert.deepEqual([...all.subarray(14, 24)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const aligned = VmWriter.from(new Uint8Array(buffer, 4, 16)).skip(4).toFallible();
    assert.deepEqual(aligned.atomicCompareExchange(VmReader.from(new Uint8Array(buffer, 4, 16)).skip(4), u32, 0xa1a00908, 7), [0xa1a00908, true]);
    assert.deepEqual([...all.subarray(8, 12)], [7, 0, 0, 0]);
    const cold = VmWriter.from(new Uint8Array(buffer, 4, 16)).toFallible();
    structuredClone(buffer, { transfer: [buffer] });
    for (const c of [f, cold, f.cloneExclusive(), cold.toFallible()]) {
      const before = c.cursor();
      assert.throws(() => c.writeVal(u32, 1), detached);
      assert.throws(() => c.writeFallible(VmReader.from(bytes(1))), detached);
      assert.throws(() => c.fillZeros(1), detached);
      assert.equal(c.cursor(), before);
    }
  });
});
