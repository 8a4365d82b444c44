// The copy engine (internal): copyBytes' overlap handling around the
// small-copy threshold, memcpyFallible/memsetFallible on direct memory, and
// — through a fake paged MemorySpace — fallible copies that stop exactly at
// the first faulting byte.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { VmError, type Fallible, type Infallible } from "../../src/index.js";
import { copyBytes, memcpyFallible, memsetFallible } from "../../src/io/copy.js";
import { MemorySpace } from "../../src/io/memory-space.js";
import type { Lease } from "../../src/io/memory-cursor.js";
import { VmReader, newReader } from "../../src/io/vm-reader.js";
import { VmWriter, newWriter } from "../../src/io/vm-writer.js";
import { u16, u32, u64 } from "../../src/pod/scalars.js";
import { struct } from "../../src/pod/struct.js";

/** The reference: C's memmove on a plain array. */
function memmove(bytes: number[], dst: number, src: number, n: number): number[] {
  const out = bytes.slice();
  const chunk = bytes.slice(src, src + n);
  for (let i = 0; i < n; i++) out[dst + i] = chunk[i] as number;
  return out;
}

function pattern(length: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 13 + seed * 101 + 7) & 0xff);
}

const sizes = [0, 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 34, 63, 64, 65, 200];
const shifts = [1, 2, 3, 8, 16, 31, 32, 33, 100];

describe("copyBytes", () => {
  test("within one array, overlapping in both directions, is a memmove at every size around the threshold", () => {
    for (const n of sizes) {
      for (const shift of shifts) {
        for (const forward of [true, false]) {
          const length = n + shift + 4;
          const buf = pattern(length);
          const before = Array.from(buf);
          const [d, s] = forward ? [2 + shift, 2] : [2, 2 + shift];
          copyBytes(buf, d, d, buf, s, s, n);
          assert.deepEqual(Array.from(buf), memmove(before, d, s, n), `n=${n} shift=${shift} forward=${forward}`);
        }
      }
    }
  });

  for (const kind of ["ArrayBuffer", "SharedArrayBuffer"] as const) {
    test(`between two overlapping views of one ${kind}, in both directions, is a memmove`, () => {
      for (const n of sizes) {
        for (const shift of shifts) {
          for (const forward of [true, false]) {
            const length = n + shift + 8;
            const backing = kind === "ArrayBuffer" ? new ArrayBuffer(length) : new SharedArrayBuffer(length);
            const whole = new Uint8Array(backing);
            whole.set(pattern(length, n));
            const before = Array.from(whole);
            const [dOff, sOff] = forward ? [3 + shift, 3] : [3, 3 + shift];
            // Views that start at different offsets, so their indices differ from the addresses.
            const dView = new Uint8Array(backing, 1);
            const sView = new Uint8Array(backing, 2);
            copyBytes(dView, dOff - 1, dOff, sView, sOff - 2, sOff, n);
            assert.deepEqual(Array.from(whole), memmove(before, dOff, sOff, n), `n=${n} shift=${shift} forward=${forward}`);
          }
        }
      }
    });
  }

  test("between separate buffers copies exactly n bytes and nothing else", () => {
    for (const n of sizes) {
      const src = pattern(n + 10, 3);
      const dst = new Uint8Array(n + 10).fill(0xee);
      copyBytes(dst, 4, 4, src, 5, 5, n);
      const expected = new Array(n + 10).fill(0xee);
      for (let i = 0; i < n; i++) expected[4 + i] = src[5 + i];
      assert.deepEqual(Array.from(dst), expected, `n=${n}`);
    }
  });
});

describe("memcpyFallible and memsetFallible on direct memory", () => {
  test("memcpyFallible copies len bytes between the cursors, returns len, and moves neither cursor", () => {
    for (const n of sizes) {
      const src = pattern(n + 6, 5);
      const dst = new Uint8Array(n + 6).fill(0xee);
      const r = VmReader.from(src).skip(2);
      const w = VmWriter.from(dst).skip(3);
      assert.equal(memcpyFallible(w, r, n), n);
      assert.equal(r.cursor(), 2);
      assert.equal(w.cursor(), 3);
      const expected = new Array(n + 6).fill(0xee);
      for (let i = 0; i < n; i++) expected[3 + i] = src[2 + i];
      assert.deepEqual(Array.from(dst), expected, `n=${n}`);
    }
  });

  test("memcpyFallible between overlapping cursors on one buffer is a memmove", () => {
    for (const n of sizes) {
      for (const shift of [1, 5, 32, 40]) {
        for (const forward of [true, false]) {
          const buf = pattern(n + shift + 2, 9);
          const before = Array.from(buf);
          const [d, s] = forward ? [1 + shift, 1] : [1, 1 + shift];
          const r = VmReader.from(buf).skip(s);
          const w = VmWriter.from(buf).skip(d);
          assert.equal(memcpyFallible(w, r, n), n);
          assert.deepEqual(Array.from(buf), memmove(before, d, s, n), `n=${n} shift=${shift} forward=${forward}`);
        }
      }
    }
  });

  test("memsetFallible zeroes len bytes at the cursor, returns len, and does not move it", () => {
    for (const n of sizes) {
      const buf = new Uint8Array(n + 4).fill(0xee);
      const w = VmWriter.from(buf).skip(2);
      assert.equal(memsetFallible(w, n), n);
      assert.equal(w.cursor(), 2);
      const expected = new Array(n + 4).fill(0xee);
      for (let i = 0; i < n; i++) expected[2 + i] = 0;
      assert.deepEqual(Array.from(buf), expected, `n=${n}`);
    }
  });

  test("a detached buffer on either side is a TypeError for any non-zero length", () => {
    const gone = new ArrayBuffer(64);
    const r = VmReader.from(new Uint8Array(gone));
    const w = VmWriter.from(new Uint8Array(gone));
    structuredClone(gone, { transfer: [gone] });
    const live = new Uint8Array(64).fill(0xee);
    for (const n of [1, 32, 33, 64]) {
      assert.throws(() => memcpyFallible(VmWriter.from(live), r, n), TypeError);
      assert.throws(() => memcpyFallible(w, VmReader.from(live), n), TypeError);
      assert.throws(() => memsetFallible(w, n), TypeError);
    }
    assert.ok(live.every((b) => b === 0xee));
  });

  test("an expired lease makes every access a TypeError", () => {
    const lease: Lease & { leaseExpired: boolean } = { leaseExpired: false, describeLease: () => "test lease" };
    const ram = pattern(32);
    const r = newReader<Infallible>(ram, 0, null, null, lease, 0, 32, false);
    const w = newWriter<Infallible>(ram, 0, null, null, lease, 16, 32, false);
    assert.equal(r.clone().readVal(u32), new DataView(ram.buffer).getUint32(0, true));
    lease.leaseExpired = true;
    const out = new Uint8Array(8);
    assert.throws(() => r.read(VmWriter.from(out)), TypeError);
    assert.throws(() => r.readVal(u32), TypeError);
    assert.throws(() => r.readOnce(u32), TypeError);
    assert.throws(() => w.writeVal(u32, 1), TypeError);
    assert.throws(() => w.fillZeros(4), TypeError);
    assert.throws(() => memsetFallible(w, 4), TypeError);
    assert.ok(out.every((b) => b === 0));
    assert.deepEqual(ram, pattern(32));
  });
});

/**
 * A user-space stand-in: `pages[i]` maps virtual page i to a frame of `ram`
 * (or to nothing), read-only or writable. Frames are deliberately not in
 * virtual order, so every page is its own run.
 */
class PagedSpace extends MemorySpace {
  readonly shared = false;
  readonly ram: Uint8Array;
  private readonly ramView: DataView;
  /** When set, a fault on this page parks this error instead of reporting a plain fault. */
  handlerError: unknown = undefined;
  handlerPage = -1;

  constructor(
    readonly pageSize: number,
    readonly pages: ReadonlyArray<{ frame: number | null; writable: boolean }>,
  ) {
    super();
    const frames = pages.reduce((m, p) => Math.max(m, (p.frame ?? -1) + 1), 0);
    this.ram = pattern(frames * pageSize, 42);
    this.ramView = new DataView(this.ram.buffer);
  }

  run(addr: number, len: number, write: boolean): number {
    const page = Math.floor(addr / this.pageSize);
    const entry = this.pages[page];
    if (entry === undefined || entry.frame === null || (write && !entry.writable)) {
      this.faultAddr = addr;
      this.faultWrite = write;
      if (page === this.handlerPage) {
        this.pendingError = this.handlerError;
        this.hasPendingError = true;
      }
      return 0;
    }
    const offset = addr - page * this.pageSize;
    this.runBytes = this.ram;
    this.runView = this.ramView;
    this.runOffset = entry.frame * this.pageSize + offset;
    return Math.min(len, this.pageSize - offset);
  }

  /** The model: the byte at a virtual address, or undefined when it faults. */
  byteAt(addr: number): number | undefined {
    const page = Math.floor(addr / this.pageSize);
    const entry = this.pages[page];
    if (entry === undefined || entry.frame === null) return undefined;
    return this.ram[entry.frame * this.pageSize + (addr - page * this.pageSize)];
  }

  reader(start: number, end: number): VmReader<Fallible> {
    return newReader<Fallible>(null, 0, null, this, null, start, end, true);
  }

  writer(start: number, end: number): VmWriter<Fallible> {
    return newWriter<Fallible>(null, 0, null, this, null, start, end, true);
  }
}

const P = 16;
// Virtual pages 0..4: frames 3, 0, (hole), 1, 2 — page 3 is read-only.
function makeSpace(): PagedSpace {
  return new PagedSpace(P, [
    { frame: 3, writable: true },
    { frame: 0, writable: true },
    { frame: null, writable: false },
    { frame: 1, writable: false },
    { frame: 2, writable: true },
  ]);
}

function isPageFault(copied: number) {
  return (e: unknown): boolean => e instanceof VmError && e.code === "PageFault" && e.copied === copied;
}

describe("fallible copies through a paged memory space", () => {
  test("memcpyFallible from a space stops exactly at the first unmapped byte", () => {
    const space = makeSpace();
    const dst = new Uint8Array(40).fill(0xee);
    const n = memcpyFallible(VmWriter.from(dst), space.reader(5, 45), 40);
    assert.equal(n, 2 * P - 5);
    for (let i = 0; i < n; i++) assert.equal(dst[i], space.byteAt(5 + i));
    assert.ok(dst.subarray(n).every((b) => b === 0xee));
  });

  test("readFallible throws PageFault with copied, and both cursors advance by copied", () => {
    const space = makeSpace();
    const dst = new Uint8Array(40).fill(0xee);
    const r = space.reader(5, 45);
    const w = VmWriter.from(dst);
    assert.throws(() => r.readFallible(w), isPageFault(27));
    assert.equal(r.cursor(), 32);
    assert.equal(w.cursor(), 27);
    assert.equal(r.remain(), 13);
    assert.ok(dst.subarray(27).every((b) => b === 0xee));
    assert.equal(space.faultAddr, 32);
    assert.equal(space.faultWrite, false);
  });

  test("writeFallible into a read-only page or a hole faults at its first byte and writes nothing", () => {
    const space = makeSpace();
    const before = Array.from(space.ram);
    const src = pattern(30, 8);
    for (const start of [3 * P, 3 * P + 5, 2 * P, 2 * P + 15]) {
      const r = VmReader.from(src);
      const w = space.writer(start, 5 * P);
      assert.throws(() => w.writeFallible(r), isPageFault(0), `start ${start}`);
      assert.equal(w.cursor(), start);
      assert.equal(r.cursor(), 0);
    }
    assert.deepEqual(Array.from(space.ram), before);
    const w = space.writer(P + 3, 2 * P);
    assert.equal(w.writeFallible(VmReader.from(src)), P - 3);
    for (let i = 0; i < P - 3; i++) assert.equal(space.byteAt(P + 3 + i), src[i]);
  });

  test("writeFallible from a writable page into a read-only page reports the bytes before it", () => {
    const space = new PagedSpace(P, [
      { frame: 0, writable: true },
      { frame: 1, writable: false },
    ]);
    const frame1 = Array.from(space.ram.subarray(P, 2 * P));
    const w = space.writer(P - 6, 2 * P);
    const src = pattern(20, 4);
    const r = VmReader.from(src);
    assert.throws(() => w.writeFallible(r), (e: unknown) => isPageFault(6)(e) && space.faultWrite && space.faultAddr === P);
    assert.equal(w.cursor(), P);
    assert.equal(r.cursor(), 6);
    for (let i = 0; i < 6; i++) assert.equal(space.byteAt(P - 6 + i), src[i]);
    assert.deepEqual(Array.from(space.ram.subarray(P, 2 * P)), frame1);
  });

  test("fillZeros on a fallible writer stops at a fault with copied, having advanced by it", () => {
    const space = new PagedSpace(P, [
      { frame: 1, writable: true },
      { frame: 0, writable: true },
      { frame: 2, writable: false },
    ]);
    const w = space.writer(4, 3 * P);
    assert.throws(() => w.fillZeros(100), isPageFault(2 * P - 4));
    assert.equal(w.cursor(), 2 * P);
    for (let a = 4; a < 2 * P; a++) assert.equal(space.byteAt(a), 0);
    assert.notEqual(space.byteAt(2 * P), 0);
    assert.equal(memsetFallible(space.writer(0, P), P), P);
  });

  test("a copy between two ranges of one space reads each run before asking for the next", () => {
    const space = new PagedSpace(P, [
      { frame: 2, writable: true },
      { frame: 0, writable: true },
      { frame: 3, writable: true },
      { frame: 1, writable: true },
    ]);
    const expected = Array.from({ length: 20 }, (_, i) => space.byteAt(3 + i));
    const r = space.reader(3, 23);
    const w = space.writer(2 * P + 5, 4 * P);
    assert.equal(r.readFallible(w), 20);
    assert.deepEqual(
      Array.from({ length: 20 }, (_, i) => space.byteAt(2 * P + 5 + i)),
      expected,
    );
  });

  test("a fault handler's exception is rethrown after both cursors advanced by the bytes copied", () => {
    const space = makeSpace();
    const boom = new Error("handler failed");
    space.handlerPage = 2;
    space.handlerError = boom;
    const r = space.reader(P + 8, 3 * P);
    const w = VmWriter.from(new Uint8Array(32));
    assert.throws(() => r.readFallible(w), (e: unknown) => e === boom);
    assert.equal(r.cursor(), 2 * P);
    assert.equal(w.cursor(), 8);
    assert.equal(space.hasPendingError, false);
  });
});

describe("values through a paged memory space", () => {
  test("readVal of a value that straddles two mapped pages gathers it", () => {
    const space = makeSpace();
    const r = space.reader(P - 2, 2 * P);
    const expected = [0, 1, 2, 3].reduce((v, i) => v + (space.byteAt(P - 2 + i) as number) * 2 ** (8 * i), 0);
    assert.equal(r.readVal(u32), expected);
    assert.equal(r.cursor(), P + 2);
  });

  test("readVal of a value that straddles into a hole is PageFault and does not move", () => {
    const space = makeSpace();
    const r = space.reader(2 * P - 4, 3 * P);
    assert.throws(() => r.readVal(u64), isPageFault(0));
    assert.equal(r.cursor(), 2 * P - 4);
    assert.equal(r.readVal(u32), new DataView(space.ram.buffer).getUint32(P - 4, true));
  });

  test("writeVal of a value that straddles into a read-only page is PageFault and writes nothing", () => {
    const space = new PagedSpace(P, [
      { frame: 0, writable: true },
      { frame: 1, writable: false },
    ]);
    const before = Array.from(space.ram);
    const w = space.writer(P - 4, 2 * P);
    assert.throws(() => w.writeVal(u64, 2n ** 64n - 1n), isPageFault(0));
    assert.throws(() => w.writeVal(struct({ a: u32, b: u16 }), { a: 1, b: 2 }), isPageFault(0));
    assert.equal(w.cursor(), P - 4);
    assert.deepEqual(Array.from(space.ram), before);
  });

  test("writeVal of a value that straddles two writable pages writes both parts", () => {
    const space = makeSpace();
    const w = space.writer(P - 1, 2 * P);
    w.writeVal(u16, 0xbbaa);
    assert.equal(space.byteAt(P - 1), 0xaa);
    assert.equal(space.byteAt(P), 0xbb);
    assert.equal(w.cursor(), P + 1);
  });

  test("atomicLoad on an unmapped page is PageFault", () => {
    const space = makeSpace();
    assert.throws(() => space.reader(2 * P, 3 * P).atomicLoad(u32), isPageFault(0));
    assert.equal(space.reader(P, 2 * P).atomicLoad(u32), new DataView(space.ram.buffer).getUint32(0, true));
  });

  test("atomicCompareExchange on a read-only page is PageFault (a write access)", () => {
    const space = makeSpace();
    const before = Array.from(space.ram);
    const w = space.writer(3 * P, 4 * P);
    const r = space.reader(3 * P, 4 * P);
    const current = r.atomicLoad(u32);
    assert.throws(() => w.atomicCompareExchange(r, u32, current, 1), isPageFault(0));
    assert.deepEqual(Array.from(space.ram), before);
  });
});
