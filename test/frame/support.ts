// Shared helpers for the frame-layer tests: small private memories, precise
// error assertions, and a VmIo suite run against every untyped VM object
// (UFrame, USegment, FrameVec).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  PAGE_SIZE,
  PhysicalMemory,
  VmError,
  VmReader,
  VmWriter,
  f32,
  struct,
  u16,
  u32,
  u64,
  u8,
  i16,
  i64,
  type Infallible,
  type PodOnceType,
  type VmErrorCode,
  type VmIo,
  type VmIoFill,
  type VmIoOnce,
  type MemoryToken,
} from "../../src/index.js";
import { INTERNAL } from "../../src/base/internal-key.js";
import { claimSlot } from "../../src/frame/thread-slots.js";

/**
 * Another thread's view of shared `mem`, simulated on this one: a
 * `PhysicalMemory` object with a thread slot of its own, from a token, as a
 * worker that attached the token would have. What it holds is recorded in
 * its slot; `mem.reclaim(token)` reclaims it as if the thread had exited.
 */
export function otherThread(mem: PhysicalMemory): { memory: PhysicalMemory; token: MemoryToken } {
  const token = mem.share();
  assert.ok(claimSlot(new Int32Array(token.buffer), token.slot, token.nonce));
  return { memory: new PhysicalMemory(undefined, INTERNAL, token.buffer, token.slot, undefined), token };
}

/** A private RAM of `frames` frames (metadata included). */
export function memory(frames: number, opts: { shared?: boolean } = {}): PhysicalMemory {
  return new PhysicalMemory({ size: frames * PAGE_SIZE, ...opts });
}

/** Frames of `mem` that can ever be handed out. */
export function usableFrames(mem: PhysicalMemory): number {
  return mem.size / PAGE_SIZE - mem.reservedFrames();
}

/** Asserts that `fn` throws a `VmError` with `code` and `copied`. */
export function throwsVmError(fn: () => unknown, code: VmErrorCode, copied = 0): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof VmError, `expected a VmError, got ${String(e)}`);
    assert.equal(e.code, code, `VmError code (${e.message})`);
    assert.equal(e.copied, copied, `VmError copied (${e.message})`);
    return true;
  });
}

/** Asserts that `fn` throws a contract violation of class `kind` (never a `VmError`). */
export function throwsContract(fn: () => unknown, kind: typeof TypeError | typeof RangeError): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(!(e instanceof VmError), `expected a ${kind.name}, got VmError ${String(e)}`);
    assert.ok(e instanceof kind, `expected a ${kind.name}, got ${String(e)}`);
    return true;
  });
}

/** Asserts that `fn` throws the `TypeError` of a disposed handle or borrowed memory. */
export function throwsDisposed(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TypeError, `expected a TypeError, got ${String(e)}`);
    assert.equal((e as { code?: unknown }).code, "ERR_USE_AFTER_DISPOSE", `error code (${e.message})`);
    return true;
  });
}

/** Bytes `[0, len)` filled with a position-dependent pattern that never repeats within 251 bytes. */
export function pattern(len: number, seed = 1): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = ((i * 7 + seed * 13) % 251) + 1;
  return b;
}

/** Offsets and lengths that are not non-negative safe integers: number ones are RangeErrors, others TypeErrors. */
export const BAD_NUMBERS: readonly number[] = [NaN, -1, 1.5, Infinity, -Infinity, 2 ** 53, -0.5];
export const BAD_TYPES: readonly unknown[] = [1n, "0", undefined, null, {}, [0], true];

/** An untyped VM object under test. */
export type IoObject = VmIo & VmIoFill & VmIoOnce & { reader(): VmReader<Infallible>; writer(): VmWriter<Infallible>; dispose(): void };

/** Makes the object under test: `pages` pages of fresh (zeroed) memory from `mem`. */
export type IoFactory = (mem: PhysicalMemory, pages: number) => { io: IoObject; size: number };

function snapshot(io: IoObject, size: number): Uint8Array {
  const b = new Uint8Array(size);
  io.readBytes(0, b);
  return b;
}

/**
 * The OSTD `io` ktests and the `VmIo`/`VmIoFill`/`VmIoOnce` contract, run
 * against one kind of untyped VM object.
 */
export function vmIoSuite(kind: string, make: IoFactory, opts: { shared?: boolean } = {}): void {
  describe(`${kind} as VmIo${opts.shared === true ? " (shared RAM)" : ""}`, () => {
    const setup = (pages = 1) => make(memory(64, opts), pages);

    test("fill_zeros_segment: fillZeros(1, 3) zeroes exactly bytes 1..3", () => {
      const { io } = setup();
      io.writeSlice(0, new Uint8Array([1, 2, 3, 4, 5]));
      io.fillZeros(1, 3);
      const out = new Uint8Array(5);
      io.readBytes(0, out);
      assert.deepEqual([...out], [1, 0, 0, 0, 5]);
    });

    test("fillZeros with an offset past the end is InvalidArgs with copied 0 and writes nothing", () => {
      const { io, size } = setup();
      io.writeBytes(0, pattern(size));
      throwsVmError(() => io.fillZeros(size * 2, 3), "InvalidArgs", 0);
      throwsVmError(() => io.fillZeros(size + 1, 0), "InvalidArgs", 0);
      assert.deepEqual(snapshot(io, size), pattern(size));
    });

    test("fillZeros at exactly the end: len 0 succeeds, len > 0 is InvalidArgs with copied 0", () => {
      const { io, size } = setup();
      io.fillZeros(size, 0);
      throwsVmError(() => io.fillZeros(size, 3), "InvalidArgs", 0);
    });

    test("fillZeros running past the end zeroes up to the end, then InvalidArgs with copied = bytes zeroed", () => {
      const { io, size } = setup();
      io.writeBytes(0, pattern(size));
      throwsVmError(() => io.fillZeros(size - 2, 3), "InvalidArgs", 2);
      const after = snapshot(io, size);
      const expected = pattern(size);
      expected[size - 2] = 0;
      expected[size - 1] = 0;
      assert.deepEqual(after, expected);
    });

    test("fillZeros over the whole object", () => {
      const { io, size } = setup(2);
      io.writeBytes(0, pattern(size));
      io.fillZeros(0, size);
      assert.deepEqual(snapshot(io, size), new Uint8Array(size));
    });

    test("write_slice_segment: writeSlice then readBytes gives the same bytes", () => {
      const { io } = setup();
      io.writeSlice(0, new Uint8Array([1, 2, 3, 4, 5]));
      const out = new Uint8Array(5);
      io.readBytes(0, out);
      assert.deepEqual([...out], [1, 2, 3, 4, 5]);
    });

    test("writeSlice/readSlice take any ArrayBufferView and copy exactly its bytes (byteOffset honoured)", () => {
      const { io } = setup();
      const backing = new Uint32Array([0xdead, 0x11223344, 0x55667788, 0xbeef]);
      io.writeSlice(100, backing.subarray(1, 3));
      assert.equal(io.readVal(100, u32), 0x11223344);
      assert.equal(io.readVal(104, u32), 0x55667788);
      assert.equal(io.readVal(108, u32), 0); // nothing beyond the view's bytes
      const dv = new DataView(new ArrayBuffer(16), 4, 8);
      io.readSlice(100, dv);
      assert.equal(dv.getUint32(0, true), 0x11223344);
      assert.equal(dv.getUint32(4, true), 0x55667788);
      const out = new Uint16Array(6);
      io.readSlice(100, out.subarray(1, 5));
      assert.deepEqual([...out], [0, 0x3344, 0x1122, 0x7788, 0x5566, 0]);
    });

    test("read_val_segment: writeSlice(Uint32Array [1, 2, 3]) then readVal(0, u32) === 1 (little-endian)", () => {
      const { io } = setup();
      io.writeSlice(0, new Uint32Array([1, 2, 3]));
      assert.equal(io.readVal(0, u32), 1);
      assert.equal(io.readVal(4, u32), 2);
      assert.equal(io.readVal(8, u32), 3);
      assert.equal(io.readVal(0, u8), 1);
      assert.equal(io.readVal(0, u64), 0x2_0000_0001n);
    });

    test("readVal/writeVal round-trip scalars and structs at unaligned offsets", () => {
      const { io, size } = setup();
      const S = struct({ a: u8, b: u32, c: i64 });
      io.writeVal(3, S, { a: 7, b: 0xfeedface, c: -5n });
      assert.deepEqual(io.readVal(3, S), { a: 7, b: 0xfeedface, c: -5n });
      io.writeVal(size - 2, i16, -2);
      assert.equal(io.readVal(size - 2, i16), -2);
      io.writeVal(size - 4, f32, 1.5);
      assert.equal(io.readVal(size - 4, f32), 1.5);
    });

    test("read_slice_segment: readSlice fills the whole typed array", () => {
      const { io } = setup();
      io.writeBytes(8, new Uint8Array([1, 0, 2, 0, 3, 0, 4, 0]));
      const out = new Uint16Array(4);
      io.readSlice(8, out);
      assert.deepEqual([...out], [1, 2, 3, 4]);
    });

    test("a value, slice or byte range that does not fit is InvalidArgs and touches nothing", () => {
      const { io, size } = setup();
      io.writeBytes(0, pattern(size));
      throwsVmError(() => io.readVal(size - 3, u32), "InvalidArgs");
      throwsVmError(() => io.writeVal(size - 3, u32, 0), "InvalidArgs");
      throwsVmError(() => io.writeVal(size, u8, 0), "InvalidArgs");
      throwsVmError(() => io.writeBytes(size - 4, new Uint8Array(5)), "InvalidArgs");
      throwsVmError(() => io.writeSlice(size - 4, new Uint32Array(2)), "InvalidArgs");
      const out = new Uint8Array(5).fill(9);
      throwsVmError(() => io.readBytes(size - 4, out), "InvalidArgs");
      assert.deepEqual([...out], [9, 9, 9, 9, 9]);
      throwsVmError(() => io.readSlice(size + 1, new Uint8Array(0)), "InvalidArgs");
      assert.deepEqual(snapshot(io, size), pattern(size));
      // Zero-length accesses at the very end are fine.
      io.readBytes(size, new Uint8Array(0));
      io.writeBytes(size, new Uint8Array(0));
    });

    test("read(offset, writer) fills the writer completely and advances it", () => {
      const { io } = setup();
      io.writeBytes(10, pattern(32));
      const buf = new Uint8Array(40);
      const w = VmWriter.from(buf.subarray(4, 36));
      io.read(10, w);
      assert.equal(w.avail(), 0);
      assert.deepEqual(buf.subarray(4, 36), pattern(32));
      assert.deepEqual([...buf.subarray(0, 4)], [0, 0, 0, 0]);
      // A fallible writer is accepted too.
      const buf2 = new Uint8Array(8);
      io.read(10, VmWriter.from(buf2).toFallible());
      assert.deepEqual(buf2, pattern(32).subarray(0, 8));
    });

    test("read(offset, writer) with more room than the object has is InvalidArgs: no short read, nothing copied", () => {
      const { io, size } = setup();
      io.writeBytes(0, pattern(size));
      const buf = new Uint8Array(size + 1);
      const w = VmWriter.from(buf);
      throwsVmError(() => io.read(0, w), "InvalidArgs", 0);
      assert.equal(w.avail(), size + 1);
      assert.deepEqual(buf, new Uint8Array(size + 1));
      const w2 = VmWriter.from(new Uint8Array(16));
      throwsVmError(() => io.read(size - 8, w2), "InvalidArgs", 0);
      assert.equal(w2.avail(), 16);
    });

    test("write(offset, reader) copies all of the reader and advances it; too much is InvalidArgs with nothing written", () => {
      const { io, size } = setup();
      const r = VmReader.from(pattern(64));
      io.write(size - 64, r);
      assert.equal(r.remain(), 0);
      const out = new Uint8Array(64);
      io.readBytes(size - 64, out);
      assert.deepEqual(out, pattern(64));

      io.fillZeros(0, size);
      const big = VmReader.from(pattern(65));
      throwsVmError(() => io.write(size - 64, big), "InvalidArgs", 0);
      assert.equal(big.remain(), 65);
      assert.deepEqual(snapshot(io, size), new Uint8Array(size));
      // A fallible reader is accepted too.
      io.write(0, VmReader.from(new Uint8Array([5, 6])).toFallible());
      assert.equal(io.readVal(0, u16), 0x0605);
    });

    test("untyped reader and writer cover the whole object and see each other's bytes", () => {
      const { io, size } = setup(2);
      const r = io.reader();
      const w = io.writer();
      assert.equal(r.remain(), size);
      assert.equal(w.avail(), size);
      w.skip(size - 3).writeVal(u16, 0xabcd);
      r.skip(size - 3);
      assert.equal(r.readVal(u16), 0xabcd);
      assert.equal(io.readVal(size - 3, u16), 0xabcd);
    });

    test("readOnce/writeOnce at every aligned offset of each size, including the last slot", () => {
      const { io, size } = setup();
      const cases: Array<[PodOnceType<number> | PodOnceType<bigint>, number | bigint]> = [
        [u8, 0xfe],
        [u16, 0xbeef],
        [u32, 0xdeadbeef],
        [u64, 0x0123_4567_89ab_cdefn],
      ];
      for (const [t, v] of cases) {
        for (const offset of [0, t.size, 8 * t.size, size - t.size]) {
          (io.writeOnce as (o: number, t: unknown, v: unknown) => void)(offset, t, v);
          assert.equal(io.readOnce(offset, t as PodOnceType<unknown>), v);
          assert.equal(io.readVal(offset, t as PodOnceType<unknown>), v);
        }
      }
    });

    test("readOnce/writeOnce at a misaligned offset is a RangeError and writes nothing", () => {
      const { io, size } = setup();
      io.writeBytes(0, pattern(size));
      throwsContract(() => io.readOnce(1, u16), RangeError);
      throwsContract(() => io.readOnce(2, u32), RangeError);
      throwsContract(() => io.readOnce(4, u64), RangeError);
      throwsContract(() => io.writeOnce(3, u32, 1), RangeError);
      throwsContract(() => io.writeOnce(12, u64, 1n), RangeError);
      assert.deepEqual(snapshot(io, size), pattern(size));
    });

    test("readOnce/writeOnce of a non-PodOnce type is a TypeError; past the end is InvalidArgs", () => {
      const { io, size } = setup();
      throwsContract(() => io.readOnce(0, f32 as unknown as PodOnceType<number>), TypeError);
      throwsContract(() => io.writeOnce(0, struct({ a: u32 }) as unknown as PodOnceType<{ a: number }>, { a: 1 }), TypeError);
      throwsVmError(() => io.readOnce(size, u32), "InvalidArgs");
      throwsVmError(() => io.writeOnce(size, u8, 1), "InvalidArgs");
    });

    test("an offset + length past 2^53 is VmError Overflow", () => {
      const { io } = setup();
      const max = Number.MAX_SAFE_INTEGER;
      throwsVmError(() => io.readBytes(max, new Uint8Array(1)), "Overflow");
      throwsVmError(() => io.writeBytes(max - 1, new Uint8Array(4)), "Overflow");
      throwsVmError(() => io.readVal(max, u32), "Overflow");
      throwsVmError(() => io.writeVal(max - 2, u64, 1n), "Overflow");
      throwsVmError(() => io.readSlice(max, new Uint16Array(1)), "Overflow");
      throwsVmError(() => io.writeSlice(max, new Uint16Array(1)), "Overflow");
      throwsVmError(() => io.read(max, VmWriter.from(new Uint8Array(2))), "Overflow");
      throwsVmError(() => io.write(max, VmReader.from(new Uint8Array(2))), "Overflow");
      throwsVmError(() => io.readOnce(max - 3, u32), "Overflow");
      // One below the limit does not overflow: it just does not fit.
      throwsVmError(() => io.readBytes(max - 1, new Uint8Array(1)), "InvalidArgs");
    });

    test("bad offsets and lengths are TypeError/RangeError (never VmError) with no side effect", () => {
      const { io, size } = setup();
      io.writeBytes(0, pattern(size));
      const buf = new Uint8Array(4);
      const calls: Array<(x: number) => unknown> = [
        (x) => io.readBytes(x, buf),
        (x) => io.writeBytes(x, new Uint8Array(4)),
        (x) => io.readSlice(x, new Uint16Array(2)),
        (x) => io.writeSlice(x, new Uint16Array(2)),
        (x) => io.readVal(x, u32),
        (x) => io.writeVal(x, u32, 0),
        (x) => io.read(x, VmWriter.from(buf)),
        (x) => io.write(x, VmReader.from(new Uint8Array(4))),
        (x) => io.fillZeros(x, 4),
        (x) => io.fillZeros(0, x),
        (x) => io.readOnce(x, u32),
        (x) => io.writeOnce(x, u32, 0),
      ];
      for (const call of calls) {
        for (const bad of BAD_NUMBERS) throwsContract(() => call(bad), RangeError);
        for (const bad of BAD_TYPES) throwsContract(() => call(bad as number), TypeError);
      }
      assert.deepEqual([...buf], [0, 0, 0, 0]);
      assert.deepEqual(snapshot(io, size), pattern(size));
    });

    test("bad buffers, readers, writers, types and values are TypeError/RangeError with no side effect", () => {
      const { io, size } = setup();
      io.writeBytes(0, pattern(size));
      const notBytes: unknown[] = [[1, 2, 3], new Uint16Array(2), new Uint8ClampedArray(2), new DataView(new ArrayBuffer(2)), new ArrayBuffer(2), "ab", null, undefined, 3];
      for (const b of notBytes) {
        throwsContract(() => io.readBytes(0, b as Uint8Array), TypeError);
        throwsContract(() => io.writeBytes(0, b as Uint8Array), TypeError);
      }
      const notViews: unknown[] = [[1, 2, 3], new ArrayBuffer(2), "ab", null, undefined, { byteLength: 2 }];
      for (const v of notViews) {
        throwsContract(() => io.readSlice(0, v as Uint8Array), TypeError);
        throwsContract(() => io.writeSlice(0, v as Uint8Array), TypeError);
      }
      // Spread copies and Object.create derivatives of real descriptors are not descriptors either.
      const notPod: unknown[] = ["u32", null, undefined, {}, { size: 4, align: 4, name: "u32" }, 4, { ...u32 }, { ...u32, size: 0 }, Object.create(u32), Object.create(u64, { size: { value: 0 } })];
      for (const t of notPod) {
        throwsContract(() => io.readVal(0, t as typeof u32), TypeError);
        throwsContract(() => io.writeVal(0, t as typeof u32, 1), TypeError);
        throwsContract(() => io.readOnce(0, t as typeof u32), TypeError);
        throwsContract(() => io.writeOnce(0, t as typeof u32, 1), TypeError);
      }
      for (const v of [-1, 2 ** 32, 1.5, NaN, "1", 1n, null]) {
        assert.throws(() => io.writeVal(0, u32, v as number), (e: unknown) => (e instanceof TypeError || e instanceof RangeError) && !(e instanceof VmError));
        assert.throws(() => io.writeOnce(0, u32, v as number), (e: unknown) => (e instanceof TypeError || e instanceof RangeError) && !(e instanceof VmError));
      }
      for (const v of [1, "1", 2n ** 64n, -1n]) {
        assert.throws(() => io.writeVal(8, u64, v as bigint), (e: unknown) => (e instanceof TypeError || e instanceof RangeError) && !(e instanceof VmError));
      }
      for (const w of [null, undefined, {}, new Uint8Array(4), VmReader.from(new Uint8Array(4))]) {
        throwsContract(() => io.read(0, w as unknown as VmWriter), TypeError);
      }
      for (const r of [null, undefined, {}, new Uint8Array(4), VmWriter.from(new Uint8Array(4))]) {
        throwsContract(() => io.write(0, r as unknown as VmReader), TypeError);
      }
      assert.deepEqual(snapshot(io, size), pattern(size));
    });
  });
}

/** Every property name (strings and symbols) of `obj` and its prototypes, up to `Object.prototype`. */
export function reachableNames(obj: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = obj; o !== null && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const k of Reflect.ownKeys(o)) names.add(typeof k === "symbol" ? k.toString() : k);
  }
  return [...names].sort();
}

/** What the io layer's VmIo mixin puts on every VM object (vm-io.ts). */
export const VM_IO_NAMES = ["_ioMemory", "_readInto", "_writeFrom", "fillZeros", "read", "readBytes", "readOnce", "readSlice", "readVal", "write", "writeBytes", "writeOnce", "writeSlice", "writeVal"];

/** Internals of the frame layer before issue 8, callable from plain JavaScript; none may be reachable now. */
export const OLD_INTERNALS = [
  "initialize", "retire", "corrupt", "_ram", "_view", "_u32", "_i32", "_allocator", "_metas", "_leaks", "_gp", "_id",
  "_issueTicket", "_redeemTicket", "_allocFrames", "_refFrames", "_unrefFrames", "_refCount", "_generation", "_flags", "_aux",
  "_auxAdd", "_setFlags", "_isFree", "_adopt", "_make", "_mem", "_index", "_start", "_count", "_consumed", "_consume", "_io",
  "_live", "_paddrUntyped", "_frame", "live", "mem", "indices", "space", "io", "zero", "memory",
];

/** Asserts that `obj` exposes nothing but `allowed` and nothing of {@link OLD_INTERNALS}. */
export function exposesOnly(obj: object, allowed: readonly string[]): void {
  const names = reachableNames(obj);
  assert.deepEqual(names.filter((n) => !allowed.includes(n)), [], "reachable names that are not public API");
  assert.deepEqual(names.filter((n) => OLD_INTERNALS.includes(n)), []);
}

/**
 * Calls `fn(start, count)` for each run of `runs` (src/frame/frame-runs.ts:
 * a lone frame `x >= 0` is `(x, 1)`, else `-x` frames from the next
 * element): the tests' own reading of the format, apart from the library's.
 */
export function forEachRun(runs: readonly number[], fn: (start: number, count: number) => void): void {
  for (let k = 0; k < runs.length; k++) {
    const x = runs[k] as number;
    if (x >= 0) fn(x, 1);
    else fn(runs[++k] as number, -x);
  }
}

/** The frame numbers of `runs`, in order (the inverse of `runsOf`). */
export function framesOf(runs: readonly number[]): number[] {
  const frames: number[] = [];
  forEachRun(runs, (start, count) => {
    for (let f = start; f < start + count; f++) frames.push(f);
  });
  return frames;
}
