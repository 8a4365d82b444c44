// Readers and writers over user memory: copies that stop exactly at the first
// inaccessible byte, value accesses that straddle pages, fills, atomics,
// copies between two spaces and within one, and the ACCESSED/DIRTY bits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FrameAllocOptions, PAGE_SIZE, PageFlags, VmReader, VmSpace, VmWriter, array, struct, u16, u32, u64, u8, type PodType, type UFrame } from "../../src/index.js";
import {
  checkMemmove,
  disposeAndCheck,
  fixture,
  flagsAt,
  mapAt,
  mapNew,
  memory,
  newFrame,
  pattern,
  physBytes,
  protectAt,
  queryAt,
  spaceBytes,
  throwsContract,
  throwsVmError,
  unmapAt,
  user,
} from "./support.js";
import { withLyingViewGetters } from "../base/support.js";
import { noWait } from "../base/no-wait.js";
import { waitBounds } from "../../src/base/futex-lock.js";
import { ramOf, type PhysicalMemory } from "../../src/frame/physical-memory.js";
import { SpaceState } from "../../src/vm/space-state.js";
import { TLB_ENTRIES, TLB_READ, TLB_WRITE } from "../../src/vm/tlb.js";
import { spaceStateOf } from "../../src/vm/vm-space.js";

const BASE = 0x10_0000;
const SENTINEL = 0xee;
/** Offsets in a page that catch off-by-one errors at both ends and at word boundaries. */
const OFFSETS = [0, 1, 7, 8, 100, PAGE_SIZE - 8, PAGE_SIZE - 7, PAGE_SIZE - 1];
/** Lengths from 1 byte to a little over 3 pages. */
const LENGTHS = [1, 2, 7, 8, 9, 64, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 2 * PAGE_SIZE, 3 * PAGE_SIZE - 1, 3 * PAGE_SIZE, 3 * PAGE_SIZE + 5];

/** Start addresses to sweep: every offset class in each of the three accessible pages, plus ends flush with a page boundary. */
function starts(len: number): number[] {
  const out: number[] = [];
  for (let page = 0; page < 3; page++) {
    for (const o of OFFSETS) out.push(BASE + page * PAGE_SIZE + o);
    if (len < PAGE_SIZE) out.push(BASE + page * PAGE_SIZE + PAGE_SIZE - len); // ends exactly at the boundary
  }
  return out;
}

/** Bytes the accessible pages hold in the read sweep. */
const CONTENT = pattern(3 * PAGE_SIZE, 5);

test("readFallible stops exactly at the first unmapped byte: count, cursors and destination bytes, for every offset class and length", () => {
  const f = fixture();
  const { mem, space } = f;
  for (let k = 0; k < 3; k++) mapNew(space, mem, BASE + k * PAGE_SIZE, PageFlags.R, CONTENT.subarray(k * PAGE_SIZE, (k + 1) * PAGE_SIZE));
  const fault = BASE + 3 * PAGE_SIZE; // page 3 is unmapped
  let cases = 0;
  for (const len of LENGTHS) {
    for (const start of starts(len)) {
      const expected = Math.min(len, fault - start);
      const buf = new Uint8Array(len + 16).fill(SENTINEL);
      const r = space.reader(start, len);
      const w = VmWriter.from(buf);
      if (expected < len) throwsVmError(() => r.readFallible(w), "PageFault", expected);
      else assert.equal(r.readFallible(w), len);
      const where = `start 0x${start.toString(16)}, len ${len}`;
      assert.equal(r.cursor(), start + expected, `reader cursor, ${where}`);
      assert.equal(r.remain(), len - expected);
      assert.equal(w.avail(), len + 16 - expected, `writer cursor, ${where}`);
      assert.deepEqual(buf.subarray(0, expected), CONTENT.subarray(start - BASE, start - BASE + expected), `copied bytes, ${where}`);
      assert.ok(buf.subarray(expected).every((b) => b === SENTINEL), `bytes after the copied prefix untouched, ${where}`);
      cases++;
    }
  }
  assert.ok(cases > 250);
  disposeAndCheck(f);
});

test("writeFallible stops exactly at the first read-only byte: nothing written to the read-only page, nothing after the fault", () => {
  const f = fixture();
  const { mem, space } = f;
  const ro = pattern(PAGE_SIZE, 9);
  const paddrs: number[] = [];
  for (let k = 0; k < 3; k++) paddrs.push(mapNew(space, mem, BASE + k * PAGE_SIZE, PageFlags.RW));
  const roPaddr = mapNew(space, mem, BASE + 3 * PAGE_SIZE, PageFlags.R, ro);
  const fault = BASE + 3 * PAGE_SIZE;
  const src = pattern(4 * PAGE_SIZE, 3);
  for (const len of LENGTHS) {
    for (const start of starts(len)) {
      for (const pa of paddrs) ramOf(mem).bytes.fill(0, pa, pa + PAGE_SIZE);
      const expected = Math.min(len, fault - start);
      const r = VmReader.from(src.subarray(0, len + 16));
      const w = space.writer(start, len);
      if (expected < len) throwsVmError(() => w.writeFallible(r), "PageFault", expected);
      else assert.equal(w.writeFallible(r), len);
      const where = `start 0x${start.toString(16)}, len ${len}`;
      assert.equal(w.cursor(), start + expected, `writer cursor, ${where}`);
      assert.equal(r.remain(), len + 16 - expected, `reader cursor, ${where}`);
      const now = new Uint8Array(3 * PAGE_SIZE);
      paddrs.forEach((pa, k) => now.set(physBytes(mem, pa), k * PAGE_SIZE));
      const want = new Uint8Array(3 * PAGE_SIZE);
      want.set(src.subarray(0, expected), start - BASE);
      assert.deepEqual(now, want, `memory after the write, ${where}`);
      assert.deepEqual(physBytes(mem, roPaddr), ro, `read-only page untouched, ${where}`);
    }
  }
  disposeAndCheck(f);
});

test("writeFallible into an unmapped page and readFallible from a hole in the middle stop at the page boundary", () => {
  const f = fixture();
  const { mem, space } = f;
  const a = mapNew(space, mem, BASE, PageFlags.RW, pattern(PAGE_SIZE, 1));
  mapNew(space, mem, BASE + 2 * PAGE_SIZE, PageFlags.RW, pattern(PAGE_SIZE, 2)); // BASE + PAGE_SIZE is a hole
  for (const back of [1, 5, 4095, PAGE_SIZE]) {
    const start = BASE + PAGE_SIZE - back;
    const w = space.writer(start, 3 * PAGE_SIZE - (PAGE_SIZE - back));
    throwsVmError(() => w.writeFallible(VmReader.from(new Uint8Array(3 * PAGE_SIZE).fill(back & 0xff))), "PageFault", back);
    assert.equal(w.cursor(), BASE + PAGE_SIZE);
    const buf = new Uint8Array(3 * PAGE_SIZE).fill(SENTINEL);
    const r = space.reader(start, 2 * PAGE_SIZE);
    throwsVmError(() => r.readFallible(VmWriter.from(buf)), "PageFault", back);
    assert.ok(buf.subarray(0, back).every((b) => b === (back & 0xff)));
    assert.ok(buf.subarray(back).every((b) => b === SENTINEL));
  }
  assert.deepEqual(physBytes(mem, queryAt(space, BASE + 2 * PAGE_SIZE)?.paddr as number), pattern(PAGE_SIZE, 2), "the page after the hole was never reached");
  assert.ok(physBytes(mem, a).every((b) => b === (PAGE_SIZE & 0xff)));
  disposeAndCheck(f);
});

test("a copy of 0 bytes or from an unmapped first byte moves nothing", () => {
  const f = fixture();
  const buf = new Uint8Array(4).fill(SENTINEL);
  assert.equal(f.space.reader(BASE, 0).readFallible(VmWriter.from(buf)), 0);
  const r = f.space.reader(BASE, 4);
  throwsVmError(() => r.readFallible(VmWriter.from(buf)), "PageFault", 0);
  assert.equal(r.cursor(), BASE);
  assert.ok(buf.every((b) => b === SENTINEL));
  // min(remain, avail): a short writer limits the copy, and an unmapped page after it is never touched.
  mapNew(f.space, f.mem, BASE, PageFlags.RW, pattern(PAGE_SIZE));
  const r2 = f.space.reader(BASE + PAGE_SIZE - 4, 100);
  assert.equal(r2.readFallible(VmWriter.from(buf)), 4);
  assert.deepEqual(buf, pattern(PAGE_SIZE).subarray(PAGE_SIZE - 4));
  disposeAndCheck(f);
});

test("small copies on a TLB hit (the word path: up to 128 B between a page and a Uint8Array) are exact at every length and alignment, both ways", () => {
  const f = fixture();
  const { mem, space } = f;
  const content = pattern(PAGE_SIZE, 6);
  const paddr = mapNew(space, mem, BASE, PageFlags.RW, content);
  const buf = new Uint8Array(200);
  const src = pattern(200, 11);
  for (let len = 0; len <= 131; len++) {
    for (const off of [0, 1, 2, 3, 5, 8, 1000, PAGE_SIZE - len]) {
      for (const at of [0, 1, 3, 6]) {
        const where = `len ${len}, page offset ${off}, array offset ${at}`;
        // Read: the page into buf[at, at + len), the rest untouched (the same array each time: its DataView is cached).
        buf.fill(SENTINEL);
        const w = VmWriter.from(buf).skip(at);
        assert.equal(space.reader(BASE + off, len).readFallible(w), len, where);
        assert.equal(w.cursor(), at + len, where);
        assert.deepEqual(buf.subarray(at, at + len), content.subarray(off, off + len), `read bytes, ${where}`);
        assert.ok(buf.subarray(0, at).every((b) => b === SENTINEL) && buf.subarray(at + len).every((b) => b === SENTINEL), `read outside the range, ${where}`);
        // Write: src[at, at + len) into the page, the rest of the page untouched.
        const r = VmReader.from(src).skip(at);
        assert.equal(space.writer(BASE + off, len).writeFallible(r), len, where);
        assert.equal(r.cursor(), at + len, where);
        const want = content.slice();
        want.set(src.subarray(at, at + len), off);
        assert.deepEqual(physBytes(mem, paddr), want, `page after the write, ${where}`);
        ramOf(mem).bytes.set(content, paddr);
      }
    }
  }
  disposeAndCheck(f);
});

test("VmSpace.readBytes/writeBytes on a TLB hit (the VmIo path: words once the array's DataView is made, one set from a whole array) are exact at every length and alignment, both ways", () => {
  const f = fixture();
  const { mem, space } = f;
  const content = pattern(PAGE_SIZE, 6);
  const paddr = mapNew(space, mem, BASE, PageFlags.RW, content);
  const backing = new Uint8Array(200);
  const source = pattern(200, 11);
  for (let len = 0; len <= 131; len++) {
    for (const at of [0, 1, 3, 6]) {
      // One array object per length and array offset, so that the VmIo path remembers it (and makes its view on the 32nd copy).
      const buf = backing.subarray(at, at + len);
      const src = source.subarray(at, at + len);
      for (let k = 0; k < 32; k++) space.readBytes(BASE + k, buf);
      for (const off of [0, 1, 2, 3, 5, 8, 1000, PAGE_SIZE - len]) {
        const where = `len ${len}, page offset ${off}, array offset ${at}`;
        backing.fill(SENTINEL);
        space.readBytes(BASE + off, buf);
        assert.deepEqual(buf, content.subarray(off, off + len), `read bytes, ${where}`);
        assert.ok(backing.subarray(0, at).every((b) => b === SENTINEL) && backing.subarray(at + len).every((b) => b === SENTINEL), `read outside the array, ${where}`);
        space.writeBytes(BASE + off, src);
        const want = content.slice();
        want.set(src, off);
        assert.deepEqual(physBytes(mem, paddr), want, `page after writeBytes, ${where}`);
        ramOf(mem).bytes.set(content, paddr);
        // A writer from a reader over the whole array: the same one set.
        assert.equal(space.writer(BASE + off, len).writeFallible(VmReader.from(src)), len, where);
        assert.deepEqual(physBytes(mem, paddr), want, `page after writeFallible of a whole array, ${where}`);
        ramOf(mem).bytes.set(content, paddr);
      }
    }
  }
  disposeAndCheck(f);
});

test("a small copy from a user page into the frame behind it (the same RAM on both sides) is a memmove, not a word copy", () => {
  const f = fixture();
  const { mem, space } = f;
  const content = pattern(PAGE_SIZE, 8);
  {
    using frame = newFrame(mem, content);
    mapAt(space, BASE, frame, PageFlags.RW);
    for (const [from, to, len] of [
      [0, 1, 64],
      [1, 0, 64],
      [8, 11, 100],
      [100, 97, 7],
    ] as const) {
      ramOf(mem).bytes.set(content, frame.startPaddr());
      assert.equal(space.reader(BASE + from, len).readFallible(frame.writer().skip(to)), len);
      const want = content.slice();
      want.copyWithin(to, from, from + len);
      assert.deepEqual(physBytes(mem, frame.startPaddr()), want, `from ${from} to ${to}, ${len} B`);
    }
  }
  disposeAndCheck(f);
});

/**
 * Copies 64 B of a mapped page into an array (a subarray) 31 times with
 * what `copier(space, buf)` returns — the array is remembered — then a 32nd
 * time, the copy that makes its `DataView`, with `buffer`, `byteOffset` and
 * `byteLength` lying on %TypedArray%.prototype (each getter unmaps the page):
 * no getter may run, and the bytes must land in the array's own range.
 * `copier` does outside the lie what must come before the copy.
 */
function checkViewMadeWithoutGetters(copier: (space: VmSpace, buf: Uint8Array) => () => void): void {
  const f = fixture();
  const { mem, space } = f;
  const data = pattern(PAGE_SIZE, 2);
  mapNew(space, mem, BASE, PageFlags.RW, data);
  assert.equal(space.reader(BASE, 8).readFallible(VmWriter.from(new Uint8Array(8))), 8); // the page is in the TLB
  const backing = new Uint8Array(128).fill(SENTINEL);
  const buf = backing.subarray(32, 96);
  // Remembered, and copied into until the next small copy makes its DataView (the 32nd to ask for it).
  for (let i = 0; i < 31; i++) copier(space, buf)();
  buf.fill(SENTINEL);
  const copy = copier(space, buf);
  const ran = withLyingViewGetters({ buffer: new ArrayBuffer(64), byteOffset: 0, byteLength: 16 }, copy, () => unmapAt(space, BASE));
  assert.equal(ran, 0, "no redefined getter ran");
  assert.deepEqual([...buf], [...data.subarray(0, 64)], "the copy landed in the array's own bytes");
  assert.ok(backing.subarray(0, 32).every((b) => b === SENTINEL) && backing.subarray(96).every((b) => b === SENTINEL), "no byte outside the array was written");
  disposeAndCheck(f);
}

test("a small copy whose destination's DataView is made runs no redefined getter: byteOffset, byteLength and buffer lying on the prototypes change nothing", () => {
  checkViewMadeWithoutGetters((space, buf) => {
    const w = VmWriter.from(buf);
    return () => assert.equal(space.reader(BASE, 64).readFallible(w), 64);
  });
});

test("readBytes's small copy runs no redefined getter when it makes its array's DataView (the 32nd copy): byteOffset, byteLength and buffer lying on the prototypes change nothing", () => {
  checkViewMadeWithoutGetters((space, buf) => () => space.readBytes(BASE, buf));
});

const VALUE_TYPES: Array<[string, PodType<unknown>, unknown]> = [
  ["u16", u16 as PodType<unknown>, 0xbeef],
  ["u32", u32 as PodType<unknown>, 0xdeadbeef],
  ["u64", u64 as PodType<unknown>, 0x0102030405060708n],
  ["struct{u8,u32,u64}", struct({ a: u8, b: u32, c: u64 }) as PodType<unknown>, { a: 1, b: 2, c: 3n }],
  ["array(u8, 13)", array(u8, 13) as PodType<unknown>, Array.from({ length: 13 }, (_, i) => i + 1)],
];

test("readVal/writeVal across a page boundary with the second page unmapped: PageFault, cursor not moved, no byte written", () => {
  const f = fixture();
  const { mem, space } = f;
  const content = pattern(PAGE_SIZE, 4);
  const paddr = mapNew(space, mem, BASE, PageFlags.RW, content);
  for (const [name, t, value] of VALUE_TYPES) {
    for (let k = 1; k < t.size; k++) {
      const at = BASE + PAGE_SIZE - k;
      const r = space.reader(at, t.size);
      throwsVmError(() => r.readVal(t), "PageFault", 0);
      assert.equal(r.cursor(), at, `${name} at -${k}: reader not moved`);
      const w = space.writer(at, t.size);
      throwsVmError(() => w.writeVal(t, value), "PageFault", 0);
      assert.equal(w.cursor(), at, `${name} at -${k}: writer not moved`);
      assert.deepEqual(physBytes(mem, paddr), content, `${name} at -${k}: nothing written to the first page`);
    }
    // A value that fits the first page works, and so does one that straddles once the second page is there.
    const at = BASE + PAGE_SIZE - t.size;
    space.writer(at, t.size).writeVal(t, value);
    assert.deepEqual(space.reader(at, t.size).readVal(t), value);
    ramOf(mem).bytes.set(content, paddr);
  }
  mapNew(space, mem, BASE + PAGE_SIZE, PageFlags.RW);
  for (const [name, t, value] of VALUE_TYPES) {
    for (let k = 1; k < t.size; k++) {
      const at = BASE + PAGE_SIZE - k;
      const w = space.writer(at, t.size + 3);
      w.writeVal(t, value);
      assert.equal(w.cursor(), at + t.size);
      const r = space.reader(at, t.size);
      assert.deepEqual(r.readVal(t), value, `${name} straddling at -${k}`);
      assert.equal(r.cursor(), at + t.size);
    }
  }
  disposeAndCheck(f);
});

test("writeVal straddling onto a read-only page writes no byte to the writable page", () => {
  const f = fixture();
  const { mem, space } = f;
  const content = pattern(PAGE_SIZE, 4);
  const ro = pattern(PAGE_SIZE, 8);
  const paddr = mapNew(space, mem, BASE, PageFlags.RW, content);
  const roPaddr = mapNew(space, mem, BASE + PAGE_SIZE, PageFlags.R, ro);
  for (const [name, t, value] of VALUE_TYPES) {
    for (let k = 1; k < t.size; k++) {
      const w = space.writer(BASE + PAGE_SIZE - k, t.size);
      throwsVmError(() => w.writeVal(t, value), "PageFault", 0);
      assert.equal(w.cursor(), BASE + PAGE_SIZE - k);
      assert.deepEqual(physBytes(mem, paddr), content, `${name} at -${k}`);
      assert.deepEqual(physBytes(mem, roPaddr), ro);
      // Reading the same straddling value works: both pages are readable.
      const expected = new Uint8Array(t.size);
      expected.set(content.subarray(PAGE_SIZE - k));
      expected.set(ro.subarray(0, t.size - k), k);
      const viaVal = space.reader(BASE + PAGE_SIZE - k, t.size).readVal(t);
      const viaBytes = VmReader.from(expected).readVal(t);
      assert.deepEqual(viaVal, viaBytes);
    }
  }
  disposeAndCheck(f);
});

test("readVal/writeVal with the first page unmapped fault at once; InvalidArgs when the value does not fit the range", () => {
  const f = fixture();
  mapNew(f.space, f.mem, BASE + PAGE_SIZE, PageFlags.RW);
  const r = f.space.reader(BASE + PAGE_SIZE - 2, 8);
  throwsVmError(() => r.readVal(u64), "PageFault", 0);
  throwsVmError(() => f.space.writer(BASE + PAGE_SIZE - 2, 8).writeVal(u64, 1n), "PageFault", 0);
  throwsVmError(() => f.space.reader(BASE + PAGE_SIZE, 3).readVal(u32), "InvalidArgs");
  throwsVmError(() => f.space.writer(BASE + PAGE_SIZE, 3).writeVal(u32, 1), "InvalidArgs");
  disposeAndCheck(f);
});

test("fillZeros across a fault: PageFault with the exact count, cursor advanced by it, nothing after it touched", () => {
  const f = fixture();
  const { mem, space } = f;
  const content = pattern(2 * PAGE_SIZE, 6);
  const p0 = mapNew(space, mem, BASE, PageFlags.RW, content.subarray(0, PAGE_SIZE));
  const p1 = mapNew(space, mem, BASE + PAGE_SIZE, PageFlags.RW, content.subarray(PAGE_SIZE));
  const ro = pattern(PAGE_SIZE, 7);
  const p2 = mapNew(space, mem, BASE + 2 * PAGE_SIZE, PageFlags.R, ro);
  for (const len of [1, 8, PAGE_SIZE, 2 * PAGE_SIZE + 1, 3 * PAGE_SIZE]) {
    for (const start of [BASE, BASE + 1, BASE + PAGE_SIZE - 1, BASE + PAGE_SIZE + 7, BASE + 2 * PAGE_SIZE - 1]) {
      ramOf(mem).bytes.set(content.subarray(0, PAGE_SIZE), p0);
      ramOf(mem).bytes.set(content.subarray(PAGE_SIZE), p1);
      const fault = BASE + 2 * PAGE_SIZE;
      const expected = Math.min(len, fault - start);
      const w = space.writer(start, len + 10);
      if (expected < len) throwsVmError(() => w.fillZeros(len), "PageFault", expected);
      else assert.equal(w.fillZeros(len), len);
      assert.equal(w.cursor(), start + expected);
      const now = new Uint8Array(2 * PAGE_SIZE);
      now.set(physBytes(mem, p0), 0);
      now.set(physBytes(mem, p1), PAGE_SIZE);
      const want = content.slice();
      want.fill(0, start - BASE, start - BASE + expected);
      assert.deepEqual(now, want, `fillZeros(${len}) at 0x${start.toString(16)}`);
      assert.deepEqual(physBytes(mem, p2), ro);
    }
  }
  // fillZeros is limited by avail().
  const w = space.writer(BASE, 5);
  assert.equal(w.fillZeros(100), 5);
  assert.equal(w.avail(), 0);
  disposeAndCheck(f);
});

test("atomicLoad and atomicCompareExchange on user memory: work on RW pages, PageFault on unmapped, CAS PageFault on read-only", () => {
  const f = fixture();
  const { mem, space } = f;
  mapNew(space, mem, BASE, PageFlags.RW);
  const roPaddr = mapNew(space, mem, BASE + PAGE_SIZE, PageFlags.R, new Uint8Array(PAGE_SIZE).fill(3));
  space.writeVal(BASE + 8, u32, 41);
  const r = space.reader(BASE + 8, 4);
  const w = space.writer(BASE + 8, 4);
  assert.equal(r.atomicLoad(u32), 41);
  assert.deepEqual(w.atomicCompareExchange(r, u32, 40, 1), [41, false]);
  assert.equal(space.readVal(BASE + 8, u32), 41);
  assert.deepEqual(w.atomicCompareExchange(r, u32, 41, 42), [41, true]);
  assert.equal(r.atomicLoad(u32), 42);
  assert.equal(r.cursor(), BASE + 8, "atomics do not move cursors");
  assert.equal(w.cursor(), BASE + 8);
  // Read-only page: load works, CAS is a write fault even when it would not exchange.
  const rr = space.reader(BASE + PAGE_SIZE, 4);
  const rw = space.writer(BASE + PAGE_SIZE, 4);
  assert.equal(rr.atomicLoad(u32), 0x03030303);
  throwsVmError(() => rw.atomicCompareExchange(rr, u32, 0x03030303, 9), "PageFault", 0);
  throwsVmError(() => rw.atomicCompareExchange(rr, u32, 1, 9), "PageFault", 0);
  assert.deepEqual(physBytes(mem, roPaddr), new Uint8Array(PAGE_SIZE).fill(3));
  // Unmapped page.
  const ur = space.reader(BASE + 2 * PAGE_SIZE, 4);
  const uw = space.writer(BASE + 2 * PAGE_SIZE, 4);
  throwsVmError(() => ur.atomicLoad(u32), "PageFault", 0);
  throwsVmError(() => uw.atomicCompareExchange(ur, u32, 0, 1), "PageFault", 0);
  // Misaligned, or a reader at another address, are contract violations.
  throwsContract(() => space.reader(BASE + 2, 4).atomicLoad(u32), RangeError);
  throwsContract(() => w.atomicCompareExchange(space.reader(BASE + 12, 4), u32, 0, 1), RangeError);
  disposeAndCheck(f);
});

test("a reader made while A is active and a writer made while B is active copy between the two spaces, stopping exactly at a fault", () => {
  const mem = memory();
  const free0 = mem.freeFrames();
  const a = new VmSpace(mem);
  const b = new VmSpace(mem);
  const data = pattern(3 * PAGE_SIZE, 11);
  for (let k = 0; k < 3; k++) mapNew(a, mem, BASE + k * PAGE_SIZE, PageFlags.R, data.subarray(k * PAGE_SIZE, (k + 1) * PAGE_SIZE));
  const dst = 0x80_0000;
  mapNew(b, mem, dst, PageFlags.RW);
  mapNew(b, mem, dst + PAGE_SIZE, PageFlags.RW); // dst + 2 pages is unmapped in b
  a.activate();
  const r = a.reader(BASE + 100, 3 * PAGE_SIZE - 100);
  b.activate();
  const w = b.writer(dst + 50, 3 * PAGE_SIZE);
  throwsVmError(() => r.readFallible(w), "PageFault", 2 * PAGE_SIZE - 50);
  assert.equal(r.cursor(), BASE + 100 + 2 * PAGE_SIZE - 50);
  assert.equal(w.cursor(), dst + 2 * PAGE_SIZE);
  const got = new Uint8Array(2 * PAGE_SIZE - 50);
  b.readBytes(dst + 50, got);
  assert.deepEqual(got, data.subarray(100, 100 + 2 * PAGE_SIZE - 50));
  assert.equal(b.readVal(dst, u8), 0);
  // The other way: writeFallible from b into a's read-only pages faults at once.
  const wa = (a.activate(), a.writer(BASE, 16));
  b.activate();
  throwsVmError(() => wa.writeFallible(b.reader(dst + 50, 16)), "PageFault", 0);
  // And a source fault in a: a hole at BASE + 3 pages.
  a.activate();
  const r2 = a.reader(BASE + 3 * PAGE_SIZE - 10, 20);
  b.activate();
  throwsVmError(() => r2.readFallible(b.writer(dst, 20)), "PageFault", 10);
  a.dispose();
  b.dispose();
  assert.equal(mem.freeFrames(), free0);
});

/** A space with `pages` pages at BASE, on frames that are physically scattered (every other frame) or consecutive. */
function overlapFixture(consecutive: boolean, pages: number) {
  const f = fixture();
  const { mem, space } = f;
  if (consecutive) {
    const seg = new FrameAllocOptions(mem).allocSegment(pages);
    using c = space.cursorMut({ start: BASE, end: BASE + pages * PAGE_SIZE });
    for (const frame of seg) {
      c.map(frame, user(PageFlags.RW));
      frame.dispose();
    }
  } else {
    const spacers = [];
    for (let k = 0; k < pages; k++) {
      mapNew(space, mem, BASE + k * PAGE_SIZE, PageFlags.RW);
      spacers.push(newFrame(mem)); // keeps the mapped frames apart
    }
    for (const s of spacers) s.dispose();
  }
  return f;
}

/** Overlapping copies within one space: [from, to, len] as offsets from BASE. */
const OVERLAP_DOWN: ReadonlyArray<readonly [number, number, number]> = [
  [100, 0, 3 * PAGE_SIZE],
  [5, 4, 2 * PAGE_SIZE + 17],
  [30, 10, 20],
  [PAGE_SIZE + 5, PAGE_SIZE - 3, PAGE_SIZE + 40],
  [0, 0, 4 * PAGE_SIZE],
];
const OVERLAP_UP: ReadonlyArray<readonly [number, number, number]> = [
  [0, 100, 3 * PAGE_SIZE],
  [0, 1, 2 * PAGE_SIZE + 17],
  [10, 30, 20],
  [PAGE_SIZE - 3, PAGE_SIZE + 5, PAGE_SIZE + 40],
];

function checkOverlappingCopies(consecutive: boolean, cases: ReadonlyArray<readonly [number, number, number]>): void {
  const pages = 4;
  const f = overlapFixture(consecutive, pages);
  const { space } = f;
  const size = pages * PAGE_SIZE;
  for (const [from, to, len] of cases) {
    const init = pattern(size, from + to);
    space.writeBytes(BASE, init);
    const r = space.reader(BASE + from, len);
    const w = space.writer(BASE + to, len);
    assert.equal(r.readFallible(w), len);
    const want = init.slice();
    want.set(init.subarray(from, from + len), to);
    const now = new Uint8Array(size);
    space.readBytes(BASE, now);
    const diff = now.findIndex((b, k) => b !== want[k]);
    assert.equal(diff, -1, `copy ${len} bytes from +${from} to +${to}: first wrong byte at +${diff}`);
  }
  disposeAndCheck(f);
}

for (const consecutive of [false, true]) {
  const frames = consecutive ? "physically consecutive" : "scattered";
  test(`an overlapping copy down within one space is a memmove (${frames} frames)`, () => checkOverlappingCopies(consecutive, OVERLAP_DOWN));
  test(`an overlapping copy up within one space is a memmove, whatever the frames' physical placement (${frames} frames)`, () =>
    checkOverlappingCopies(consecutive, OVERLAP_UP),
  );
}

test("two virtual pages mapping one frame: a copy between them sees one memory", () => {
  const f = fixture();
  const frame = newFrame(f.mem, pattern(PAGE_SIZE));
  mapAt(f.space, BASE, frame);
  mapAt(f.space, BASE + 5 * PAGE_SIZE, frame);
  f.space.reader(BASE + 200, 100).readFallible(f.space.writer(BASE + 5 * PAGE_SIZE + 1000, 100));
  const want = pattern(PAGE_SIZE);
  want.copyWithin(1000, 200, 300);
  assert.deepEqual(physBytes(f.mem, frame.startPaddr()), want);
  frame.dispose();
  disposeAndCheck(f);
});

test("ACCESSED/DIRTY: a read sets ACCESSED only, a write sets both; a failed access sets neither", () => {
  const f = fixture();
  const { mem, space } = f;
  mapNew(space, mem, BASE, PageFlags.RW);
  mapNew(space, mem, BASE + PAGE_SIZE, PageFlags.RW);
  mapNew(space, mem, BASE + 2 * PAGE_SIZE, PageFlags.R);
  const A = PageFlags.ACCESSED;
  const D = PageFlags.DIRTY;
  assert.equal(flagsAt(space, BASE), PageFlags.RW);
  space.reader(BASE, 1).readVal(u8);
  assert.equal(flagsAt(space, BASE), PageFlags.RW | A);
  assert.equal(flagsAt(space, BASE + PAGE_SIZE), PageFlags.RW, "the next page was not touched");
  space.writer(BASE + PAGE_SIZE, 1).writeVal(u8, 1);
  assert.equal(flagsAt(space, BASE + PAGE_SIZE), PageFlags.RW | A | D);
  assert.equal(flagsAt(space, BASE), PageFlags.RW | A, "a write elsewhere does not dirty this page");
  throwsVmError(() => space.writer(BASE + 2 * PAGE_SIZE, 1).writeVal(u8, 1), "PageFault");
  assert.equal(flagsAt(space, BASE + 2 * PAGE_SIZE), PageFlags.R, "a write fault sets nothing");
  space.readVal(BASE + 2 * PAGE_SIZE, u8);
  assert.equal(flagsAt(space, BASE + 2 * PAGE_SIZE), PageFlags.R | A);
  disposeAndCheck(f);
});

test("ACCESSED/DIRTY: a copy marks exactly the pages it touched", () => {
  const f = fixture();
  const { mem, space } = f;
  const pages = 6;
  for (let k = 0; k < pages; k++) mapNew(space, mem, BASE + k * PAGE_SIZE, PageFlags.RW);
  const A = PageFlags.ACCESSED;
  const D = PageFlags.DIRTY;
  // Read [page 1 + 10, page 3 + 1): pages 1, 2 and 3.
  space.readBytes(BASE + PAGE_SIZE + 10, new Uint8Array(2 * PAGE_SIZE - 9));
  assert.deepEqual(
    Array.from({ length: pages }, (_, k) => flagsAt(space, BASE + k * PAGE_SIZE)),
    [PageFlags.RW, PageFlags.RW | A, PageFlags.RW | A, PageFlags.RW | A, PageFlags.RW, PageFlags.RW],
  );
  // Write pages 2..4 (ending exactly at page 5's start).
  space.fillZeros(BASE + 2 * PAGE_SIZE, 3 * PAGE_SIZE);
  assert.deepEqual(
    Array.from({ length: pages }, (_, k) => flagsAt(space, BASE + k * PAGE_SIZE)),
    [PageFlags.RW, PageFlags.RW | A, PageFlags.RW | A | D, PageFlags.RW | A | D, PageFlags.RW | A | D, PageFlags.RW],
  );
  disposeAndCheck(f);
});

test("ACCESSED/DIRTY: protect clears them, the next access sets them again (the TLB re-walks)", () => {
  const f = fixture();
  const { mem, space } = f;
  mapNew(space, mem, BASE, PageFlags.RW);
  const A = PageFlags.ACCESSED;
  const D = PageFlags.DIRTY;
  const w = space.writer(BASE, PAGE_SIZE);
  const r = space.reader(BASE, PAGE_SIZE);
  for (let round = 0; round < 3; round++) {
    w.cloneExclusive().writeVal(u32, round);
    assert.equal(flagsAt(space, BASE), PageFlags.RW | A | D);
    protectAt(space, BASE, PageFlags.RW);
    assert.equal(flagsAt(space, BASE), PageFlags.RW);
    assert.equal(r.clone().readVal(u32), round);
    assert.equal(flagsAt(space, BASE), PageFlags.RW | A, "a read after the clear sets ACCESSED only");
    w.cloneExclusive().writeVal(u8, round);
    assert.equal(flagsAt(space, BASE), PageFlags.RW | A | D, "the first write to the clean page sets DIRTY");
    protectAt(space, BASE, PageFlags.RW);
  }
  disposeAndCheck(f);
});

test("readers and writers are fallible over user memory: infallible-only methods throw TypeError", () => {
  const f = fixture();
  mapNew(f.space, f.mem, BASE);
  const r = f.space.reader(BASE, 8) as unknown as VmReader<never>;
  const w = f.space.writer(BASE, 8) as unknown as VmWriter<never>;
  const ri = r as unknown as { read(w: unknown): number; readOnce(t: unknown): unknown };
  const wi = w as unknown as { write(r: unknown): number; writeOnce(t: unknown, v: unknown): void };
  throwsContract(() => ri.read(VmWriter.from(new Uint8Array(8))), TypeError);
  throwsContract(() => ri.readOnce(u32), TypeError);
  throwsContract(() => wi.write(VmReader.from(new Uint8Array(8))), TypeError);
  throwsContract(() => wi.writeOnce(u32, 1), TypeError);
  disposeAndCheck(f);
});

test("limit, skip and clone on user readers and writers never reach outside their range", () => {
  const f = fixture();
  const { mem, space } = f;
  const p = mapNew(space, mem, BASE, PageFlags.RW, pattern(PAGE_SIZE));
  const r = space.reader(BASE + 10, 100).limit(20);
  assert.equal(r.remain(), 20);
  r.skip(5);
  const c = r.clone();
  const buf = new Uint8Array(64).fill(SENTINEL);
  assert.equal(r.readFallible(VmWriter.from(buf)), 15);
  assert.deepEqual(buf.subarray(0, 15), pattern(PAGE_SIZE).subarray(15, 30));
  assert.equal(buf[15], SENTINEL);
  assert.equal(c.remain(), 15, "the clone did not move");
  throwsContract(() => c.skip(16), RangeError);
  const w = space.writer(BASE + 100, 50).limit(3);
  assert.equal(w.fillZeros(10), 3);
  const want = pattern(PAGE_SIZE);
  want.fill(0, 100, 103);
  assert.deepEqual(physBytes(mem, p), want);
  disposeAndCheck(f);
});

test("atomicCompareExchange with a reader of another space at the same address is a RangeError", () => {
  const mem = memory();
  const a = new VmSpace(mem);
  const b = new VmSpace(mem);
  mapNew(a, mem, BASE, PageFlags.RW);
  mapNew(b, mem, BASE, PageFlags.RW);
  a.activate();
  const ra = a.reader(BASE, 4);
  b.activate();
  const wb = b.writer(BASE, 4);
  throwsContract(() => wb.atomicCompareExchange(ra, u32, 0, 1), RangeError);
  assert.equal(b.readVal(BASE, u32), 0);
  throwsContract(() => wb.atomicCompareExchange(VmReader.from(new Uint8Array(4)), u32, 0, 1), RangeError);
  a.dispose();
  b.dispose();
});

// ---- issue 8, defect 1: an upward overlapping copy within one space is exact ----

test("memmove up through a copy-on-write destination page whose source pages were physically adjacent is exact", () => {
  const f = fixture();
  const { mem, space } = f;
  const seg = new FrameAllocOptions(mem).allocSegment(2);
  const frames = [...seg];
  (frames[0] as UFrame).writeBytes(0, pattern(PAGE_SIZE, 1));
  (frames[1] as UFrame).writeBytes(0, pattern(PAGE_SIZE, 2));
  mapAt(space, BASE, frames[0] as UFrame, PageFlags.RW);
  mapAt(space, BASE + PAGE_SIZE, frames[1] as UFrame, PageFlags.R);
  for (const frame of frames) frame.dispose();
  const opts = new FrameAllocOptions(mem);
  let cow = 0;
  space.setPageFaultHandler((fault) => {
    // The README tour's copy-on-write: a private copy of a read-only page.
    const page = Math.floor(fault.address / PAGE_SIZE) * PAGE_SIZE;
    using c = space.cursorMut({ start: page, end: page + PAGE_SIZE });
    const item = c.query().item;
    if (item === undefined || !fault.write) return false;
    using old = item.frame;
    using copy = opts.allocFrame();
    old.reader().read(copy.writer());
    c.unmap(PAGE_SIZE);
    c.jump(page);
    c.map(copy, user(PageFlags.RW));
    cow++;
    return true;
  });
  // The source is one merged run of two adjacent frames (TLB warm) until the handler replaces one.
  const warm = () => void space.reader(BASE, 2 * PAGE_SIZE).readFallible(VmWriter.from(new Uint8Array(2 * PAGE_SIZE)));
  assert.equal(checkMemmove(space, BASE + PAGE_SIZE - 16, BASE + PAGE_SIZE - 15, 33, BASE, BASE + 2 * PAGE_SIZE, warm), 33);
  assert.equal(cow, 1);
  disposeAndCheck(f);
});

test("memmove up over more than a TLB's worth (1024) of physically contiguous pages, no handler, is exact", () => {
  const f = fixture(8 << 20);
  const { mem, space } = f;
  const n = 1030;
  const seg = new FrameAllocOptions(mem).allocSegment(n);
  {
    using c = space.cursorMut({ start: BASE, end: BASE + n * PAGE_SIZE });
    for (const frame of seg) {
      c.map(frame, user(PageFlags.RW));
      frame.dispose();
    }
  }
  // Written through the space: DIRTY set, so writes merge adjacent pages into one run too.
  space.writeBytes(BASE, pattern(n * PAGE_SIZE, 5));
  for (const shift of [1, 4097]) {
    // A warm TLB holding the first 1024 pages: the first run merges all of them.
    const warm = () => void spaceBytes(space, BASE, 1024 * PAGE_SIZE);
    assert.equal(checkMemmove(space, BASE, BASE + shift, n * PAGE_SIZE - shift, BASE, BASE + n * PAGE_SIZE, warm), n * PAGE_SIZE - shift);
  }
  disposeAndCheck(f);
});

test("memmove up where the fault handler write-protects an earlier destination page is exact, and asks once per faulting byte", () => {
  const f = fixture();
  const { mem, space } = f;
  for (let k = 0; k < 3; k++) mapNew(space, mem, BASE + k * PAGE_SIZE, PageFlags.RW, pattern(PAGE_SIZE, k + 1));
  const calls: string[] = [];
  space.setPageFaultHandler((fault) => {
    calls.push(`${fault.address.toString(16)}:${fault.write}`);
    const page = Math.floor(fault.address / PAGE_SIZE) * PAGE_SIZE;
    if (page !== BASE + 3 * PAGE_SIZE) return false;
    mapNew(space, mem, page, PageFlags.RW, pattern(PAGE_SIZE, 4));
    protectAt(space, BASE, PageFlags.R);
    return true;
  });
  // The source is pages 0-2, the destination runs 8 bytes into page 3: the handler runs for that
  // write, after bytes landed in page 0. They stay, and count.
  const len = 3 * PAGE_SIZE - 8;
  assert.equal(checkMemmove(space, BASE + 8, BASE + 16, len, BASE, BASE + 3 * PAGE_SIZE), len);
  assert.deepEqual(calls, [`${(BASE + 3 * PAGE_SIZE).toString(16)}:true`]);
  // Once more: now page 0 is read-only, so the copy stops at its first byte, and the handler is asked once.
  calls.length = 0;
  assert.equal(checkMemmove(space, BASE + 8, BASE + 16, len, BASE, BASE + 4 * PAGE_SIZE), 0);
  assert.deepEqual(calls, [`${(BASE + 16).toString(16)}:true`]);
  disposeAndCheck(f);
});

test("memmove up that faults part-way stops at the first fault in order, with every byte before it in place and nothing after it", () => {
  const f = fixture();
  const { mem, space } = f;
  // Pages 0 and 1 mapped, 2 not: the source runs into the hole at page 2.
  mapNew(space, mem, BASE, PageFlags.RW, pattern(PAGE_SIZE, 1));
  mapNew(space, mem, BASE + PAGE_SIZE, PageFlags.RW, pattern(PAGE_SIZE, 2));
  const copied = checkMemmove(space, BASE + 100, BASE + 200, 2 * PAGE_SIZE, BASE, BASE + 2 * PAGE_SIZE);
  assert.equal(copied, 2 * PAGE_SIZE - 200, "the destination ends first (page 2 is a hole): a write fault");
  const read = checkMemmove(space, BASE + PAGE_SIZE + 100, BASE + PAGE_SIZE + 101, PAGE_SIZE, BASE, BASE + 2 * PAGE_SIZE);
  assert.equal(read, PAGE_SIZE - 101, "the bytes before the hole moved");
  disposeAndCheck(f);
});

// ---- issue 8, defect 3: a struct value's getters run once, before translation ----

test("writeVal of a struct whose getter unmaps the target page: PageFault, nothing written anywhere, getters read once (unshared and shared RAM)", () => {
  for (const shared of [false, true]) {
    const mem = memory(1 << 20, shared);
    const free = mem.freeFrames();
    const space = new VmSpace(mem);
    space.activate();
    const paddr = mapNew(space, mem, BASE, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(0x33));
    const S = struct({ a: u32, b: u64 });
    const reads = { a: 0, b: 0 };
    let next: UFrame | undefined;
    const value = {
      get a(): number {
        if (reads.a++ === 0) {
          unmapAt(space, BASE);
          next = new FrameAllocOptions(mem).allocFrame();
          next.writeBytes(0, new Uint8Array(PAGE_SIZE).fill(0x44));
        }
        return 1;
      },
      get b(): bigint {
        reads.b++;
        return 2n;
      },
    };
    // A wait for this thread's own access would last the retire bound, made
    // seconds long so that load cannot pass for one (test/base/no-wait.ts).
    const savedRetire = waitBounds.retireMs;
    waitBounds.retireMs = 10_000;
    let took: number;
    try {
      const t0 = performance.now();
      for (const write of [() => space.writeVal(BASE + 8, S, value), () => space.writer(BASE + 8, 16).writeVal(S, value)]) {
        reads.a = 0;
        reads.b = 0;
        throwsVmError(write, "PageFault", 0);
        assert.deepEqual(reads, { a: 1, b: 1 });
        const bytes = new Uint8Array(PAGE_SIZE);
        (next as UFrame).readBytes(0, bytes);
        assert.ok(bytes.every((b) => b === 0x44), `nothing landed in the frame's next owner (shared: ${shared}, paddr 0x${paddr.toString(16)})`);
        (next as UFrame).dispose();
        mapNew(space, mem, BASE, PageFlags.RW);
      }
      took = performance.now() - t0;
    } finally {
      waitBounds.retireMs = savedRetire;
    }
    assert.ok(noWait(took, 10_000), `no wait for this thread's own access (${took.toFixed(0)} ms)`);
    space.dispose();
    assert.equal(mem.freeFrames(), free);
  }
});

// Runs past the TLB's reach: pages merged from the page table's leaf entries.

/**
 * `n` pages at `va` mapped to physically consecutive frames (a segment),
 * with `flags` for each page (`flagsOf(k)`), and a second view of the space
 * with a TLB of its own, cold, as a thread that never touched them has.
 */
function contiguous(f: { mem: PhysicalMemory; space: VmSpace }, va: number, n: number, flagsOf: (k: number) => number = () => PageFlags.RW) {
  const seg = new FrameAllocOptions(f.mem).allocSegment(n);
  const paddr = seg.startPaddr();
  {
    using c = f.space.cursorMut({ start: va, end: va + n * PAGE_SIZE });
    let k = 0;
    for (const frame of seg) {
      c.map(frame, user(flagsOf(k++)));
      frame.dispose();
    }
  }
  const mine = spaceStateOf(f.space);
  return { paddr, cold: () => new SpaceState(f.mem, mine.table, mine.control) };
}

for (const shape of [
  { what: "within one leaf node", va: BASE, n: 40 },
  { what: "across leaf nodes", va: 0x20_0000 - 20 * PAGE_SIZE, n: 600 },
]) {
  test(`a run past the TLB's reach merges physically contiguous pages from the page table, ${shape.what}`, () => {
    const f = fixture(8 << 20);
    const { va, n } = shape;
    const { paddr, cold } = contiguous(f, va, n);
    const len = n * PAGE_SIZE;
    // Untouched pages (no ACCESSED): each run stops after its first page, whose walk marks it.
    const first = cold();
    assert.equal(first.run(va + 8, len - 8, false), PAGE_SIZE - 8);
    assert.equal(flagsAt(f.space, va + PAGE_SIZE), PageFlags.RW, "merging set no bit on the next page");
    f.space.writeBytes(va, pattern(len, 3));
    const s = cold();
    assert.equal(s.run(va + 8, len - 8, false), len - 8, "one run for the whole read");
    assert.equal(s.runOffset, paddr + 8);
    assert.equal(cold().run(va, len, true), len, "one run for the whole write (every page DIRTY)");
    assert.equal(cold().run(va + 8, 3 * PAGE_SIZE, false), 3 * PAGE_SIZE, "a run ends where the access does");
    // A page's worth from mid-page: one run over two pages, never the first page's cached whole-page view.
    const half = cold();
    half.run(va, PAGE_SIZE, false);
    assert.equal(half.run(va + 2048, PAGE_SIZE, false), PAGE_SIZE);
    assert.equal(half.runSlice, null);
    assert.equal(half.runOffset, paddr + 2048);
    for (const at of [0, 2048, PAGE_SIZE - 1]) {
      spaceStateOf(f.space).tlb.flush();
      f.space.readVal(va, u8);
      assert.deepEqual(spaceBytes(f.space, va + at, PAGE_SIZE), pattern(len, 3).subarray(at, at + PAGE_SIZE), `a page's worth at ${at}`);
    }
    assert.deepEqual(spaceBytes(f.space, va, len), pattern(len, 3));
    disposeAndCheck(f);
  });
}

test("a run past the TLB's reach leaves cached what a walk of each page would: its last TLB_ENTRIES pages, for the access, each merged page counted as a miss", () => {
  const f = fixture(16 << 20);
  const n = TLB_ENTRIES + 300;
  // Across leaf nodes, from mid-page to mid-page: the run's page count is rounded up.
  const va = 0x20_0000 - 20 * PAGE_SIZE;
  const { paddr, cold } = contiguous(f, va, n);
  f.space.writeBytes(va, pattern(n * PAGE_SIZE, 6));
  for (const write of [false, true]) {
    const s = cold();
    const len = n * PAGE_SIZE - 8 - 100;
    assert.equal(s.run(va + 8, len, write), len, "one run");
    assert.equal(s.misses, n, "the first page's walk and every merged page");
    assert.equal(s.hits, 0);
    for (let k = 0; k < n; k++) {
      const vpn = va / PAGE_SIZE + k;
      // An earlier page's slot holds the page TLB_ENTRIES after it, as after a walk of each page in turn.
      const want = k >= n - TLB_ENTRIES ? paddr + k * PAGE_SIZE : -1;
      assert.equal(s.tlb.lookup(vpn, TLB_READ), want, `page ${k} (write: ${write})`);
      assert.equal(s.tlb.lookup(vpn, TLB_WRITE), want, `page ${k}: every page DIRTY, writes cached too`);
    }
  }
  disposeAndCheck(f);
});

test("a run from the page table ends at an entry with frame bits in its high word (no RAM vmio makes has such frames), whose low word alone names the next frame", () => {
  const f = fixture(4 << 20);
  const { cold } = contiguous(f, BASE, 6);
  f.space.writeBytes(BASE, pattern(6 * PAGE_SIZE, 2));
  const u32a = ramOf(f.mem).u32;
  const table = spaceStateOf(f.space).table;
  const i = table.leafIndex(BASE + 3 * PAGE_SIZE);
  const hi = u32a[i + 1] as number;
  // The lowest frame bit of the high word: the frame 2^20 (x86-64) or 2^22 (Sv48) frames further on.
  u32a[i + 1] = (hi | (table.fmt.ppnHiMask & -table.fmt.ppnHiMask)) >>> 0;
  assert.equal(cold().run(BASE, 6 * PAGE_SIZE, false), 3 * PAGE_SIZE);
  u32a[i + 1] = hi;
  assert.equal(cold().run(BASE, 6 * PAGE_SIZE, false), 6 * PAGE_SIZE);
  disposeAndCheck(f);
});

test("a run from the page table stops at an unmapped page, and a copy there faults at its first byte", () => {
  const f = fixture(4 << 20);
  const { cold } = contiguous(f, BASE, 6);
  unmapAt(f.space, BASE + 4 * PAGE_SIZE);
  f.space.writeBytes(BASE, pattern(4 * PAGE_SIZE, 2));
  assert.equal(cold().run(BASE, 6 * PAGE_SIZE, false), 4 * PAGE_SIZE);
  spaceStateOf(f.space).tlb.flush();
  const dst = new Uint8Array(6 * PAGE_SIZE).fill(SENTINEL);
  const r = f.space.reader(BASE, 6 * PAGE_SIZE);
  throwsVmError(() => r.readFallible(VmWriter.from(dst)), "PageFault", 4 * PAGE_SIZE);
  assert.deepEqual(dst.subarray(0, 4 * PAGE_SIZE), pattern(4 * PAGE_SIZE, 2));
  assert.ok(dst.subarray(4 * PAGE_SIZE).every((b) => b === SENTINEL));
  disposeAndCheck(f);
});

test("a write run from the page table stops at a read-only page mid-run: nothing written to it, no bit set on it", () => {
  const f = fixture(4 << 20);
  const { cold } = contiguous(f, BASE, 6, (k) => (k === 3 ? PageFlags.R : PageFlags.RW));
  f.space.writeBytes(BASE, new Uint8Array(3 * PAGE_SIZE));
  f.space.writeBytes(BASE + 4 * PAGE_SIZE, new Uint8Array(2 * PAGE_SIZE));
  const before = spaceBytes(f.space, BASE + 3 * PAGE_SIZE, PAGE_SIZE);
  assert.equal(flagsAt(f.space, BASE + 3 * PAGE_SIZE), PageFlags.R | PageFlags.ACCESSED);
  assert.equal(cold().run(BASE + 1, 6 * PAGE_SIZE - 1, true), 3 * PAGE_SIZE - 1);
  assert.equal(cold().run(BASE, 6 * PAGE_SIZE, false), 6 * PAGE_SIZE, "reads merge over it");
  spaceStateOf(f.space).tlb.flush();
  const w = f.space.writer(BASE + 1, 6 * PAGE_SIZE - 1);
  throwsVmError(() => w.writeFallible(VmReader.from(pattern(6 * PAGE_SIZE - 1, 4))), "PageFault", 3 * PAGE_SIZE - 1);
  assert.deepEqual(spaceBytes(f.space, BASE + 1, 3 * PAGE_SIZE - 1), pattern(3 * PAGE_SIZE - 1, 4));
  assert.deepEqual(spaceBytes(f.space, BASE + 3 * PAGE_SIZE, PAGE_SIZE), before);
  assert.equal(flagsAt(f.space, BASE + 3 * PAGE_SIZE), PageFlags.R | PageFlags.ACCESSED);
  disposeAndCheck(f);
});

test("a run from the page table stops at a frame that is not physically next, and the copy goes on exactly", () => {
  const f = fixture(4 << 20);
  const { paddr, cold } = contiguous(f, BASE, 6);
  // Page 2 remapped to another frame (allocated while the segment's frame is still mapped).
  const frame = newFrame(f.mem);
  unmapAt(f.space, BASE + 2 * PAGE_SIZE);
  mapAt(f.space, BASE + 2 * PAGE_SIZE, frame, PageFlags.RW);
  f.space.writeBytes(BASE, pattern(6 * PAGE_SIZE, 6));
  const s = cold();
  assert.equal(s.run(BASE, 6 * PAGE_SIZE, false), 2 * PAGE_SIZE);
  assert.equal(s.runOffset, paddr);
  assert.equal(cold().run(BASE + 3 * PAGE_SIZE, 3 * PAGE_SIZE, true), 3 * PAGE_SIZE);
  spaceStateOf(f.space).tlb.flush();
  assert.deepEqual(spaceBytes(f.space, BASE, 6 * PAGE_SIZE), pattern(6 * PAGE_SIZE, 6));
  frame.dispose();
  disposeAndCheck(f);
});

test("a whole-page run hands out its TLB slot's cached view only while that view is of the page's frame: another page of the slot, a remap", () => {
  const f = fixture(4 << 20);
  const s = spaceStateOf(f.space);
  // Two pages in one TLB slot (1024 pages apart), each with an unmapped page after it: a run of two pages ends after one.
  const a = BASE;
  const b = BASE + 1024 * PAGE_SIZE;
  const pa = mapNew(f.space, f.mem, a, PageFlags.RW, pattern(PAGE_SIZE, 1));
  const pb = mapNew(f.space, f.mem, b, PageFlags.RW, pattern(PAGE_SIZE, 2));
  const page = (va: number, paddr: number, seed: number, what: string): Uint8Array => {
    assert.equal(s.run(va, 2 * PAGE_SIZE, false), PAGE_SIZE, what);
    const view = s.runSlice;
    assert.ok(view !== null, `${what}: a whole-page view`);
    assert.equal(view.byteOffset, paddr, `${what}: a view of the page's frame`);
    assert.equal(view.length, PAGE_SIZE);
    assert.deepEqual(view, pattern(PAGE_SIZE, seed), what);
    return view;
  };
  const first = page(a, pa, 1, "page a");
  assert.equal(page(a, pa, 1, "page a again"), first, "the cached view, not a new one");
  page(b, pb, 2, "page b, in a's slot");
  page(a, pa, 1, "page a after b");
  // The same page, remapped to another frame (allocated while the first is still mapped).
  const c = newFrame(f.mem, pattern(PAGE_SIZE, 3));
  unmapAt(f.space, a);
  mapAt(f.space, a, c, PageFlags.RW);
  assert.notEqual(c.startPaddr(), pa);
  page(a, c.startPaddr(), 3, "page a remapped");
  c.dispose();
  // A copy through the API sees the same: each page's bytes, then a fault at the unmapped page after it.
  const dst = new Uint8Array(2 * PAGE_SIZE);
  throwsVmError(() => f.space.reader(b, 2 * PAGE_SIZE).readFallible(VmWriter.from(dst)), "PageFault", PAGE_SIZE);
  assert.deepEqual(dst.subarray(0, PAGE_SIZE), pattern(PAGE_SIZE, 2));
  throwsVmError(() => f.space.reader(a, 2 * PAGE_SIZE).readFallible(VmWriter.from(dst)), "PageFault", PAGE_SIZE);
  assert.deepEqual(dst.subarray(0, PAGE_SIZE), pattern(PAGE_SIZE, 3));
  disposeAndCheck(f);
});

test("probeRun answers a whole scattered page exactly as run does, and 0 wherever run has work to do or would answer otherwise", () => {
  const f = fixture(4 << 20);
  const s = spaceStateOf(f.space);
  // Pages 1 and 2 physically next to each other, page 0 in a frame of its own after them, page 3 unmapped.
  const { paddr: seg } = contiguous(f, BASE + PAGE_SIZE, 2);
  const lone = mapNew(f.space, f.mem, BASE, PageFlags.RW, pattern(PAGE_SIZE, 4));
  assert.notEqual(lone + PAGE_SIZE, seg, "page 0's frame is not physically before page 1's");
  // Before anything is cached: nothing at hand.
  assert.equal(s.probeRun(BASE, 3 * PAGE_SIZE, false), 0);
  spaceBytes(f.space, BASE, 3 * PAGE_SIZE);
  f.space.writeBytes(BASE, pattern(3 * PAGE_SIZE, 5));
  const same = (addr: number, len: number, write: boolean, what: string): void => {
    const hits = s.hits;
    const got = s.probeRun(addr, len, write);
    assert.equal(got, PAGE_SIZE, what);
    const [offset, slice] = [s.runOffset, s.runSlice];
    assert.equal(s.hits, hits + 1, `${what}: one hit`);
    assert.equal(s.run(addr, len, write), got, `${what}: run's length`);
    assert.equal(s.runOffset, offset, `${what}: run's offset`);
    assert.equal(s.runSlice, slice, `${what}: run's view`);
    assert.equal(s.hits, hits + 2, `${what}: run counted one hit too`);
  };
  same(BASE, 3 * PAGE_SIZE, false, "read of page 0, page 1 in another frame");
  same(BASE, PAGE_SIZE + 1, true, "write of page 0");
  assert.deepEqual(s.runSlice, pattern(3 * PAGE_SIZE, 5).subarray(0, PAGE_SIZE));
  const none: Array<[number, number, boolean, string]> = [
    [BASE, PAGE_SIZE, false, "one page's worth (probe's case)"],
    [BASE + 8, 2 * PAGE_SIZE, false, "not page-aligned"],
    [BASE + PAGE_SIZE, 2 * PAGE_SIZE, false, "the next page is physically next (run merges)"],
    [BASE + 2 * PAGE_SIZE, 2 * PAGE_SIZE, false, "the next page is not cached (unmapped)"],
  ];
  for (const [addr, len, write, what] of none) {
    const hits = s.hits;
    assert.equal(s.probeRun(addr, len, write), 0, what);
    assert.equal(s.hits, hits, `${what}: no hit counted`);
  }
  assert.equal(s.run(BASE + PAGE_SIZE, 2 * PAGE_SIZE, false), 2 * PAGE_SIZE, "run merges pages 1 and 2");
  // Page 2, physically next to page 1, no longer cached: run merges it from the page table.
  s.tlb.flush();
  f.space.readVal(BASE + PAGE_SIZE, u8);
  assert.equal(s.probeRun(BASE + PAGE_SIZE, 2 * PAGE_SIZE, false), 0, "the next page, physically next, is not cached");
  assert.equal(s.run(BASE + PAGE_SIZE, 2 * PAGE_SIZE, false), 2 * PAGE_SIZE, "run merges pages 1 and 2 from the table");
  // Page 0 read-only: no write through it, a read still at hand; page 0's slot taken by another page: nothing.
  protectAt(f.space, BASE, PageFlags.R);
  spaceBytes(f.space, BASE, 2 * PAGE_SIZE);
  assert.equal(s.probeRun(BASE, 2 * PAGE_SIZE, true), 0, "a write to a read-only page");
  same(BASE, 2 * PAGE_SIZE, false, "read of read-only page 0");
  // Page 0's slot taken by page 1024 (whose whole-page run leaves its view in the slot): nothing at hand.
  mapNew(f.space, f.mem, BASE + 1024 * PAGE_SIZE, PageFlags.RW);
  mapNew(f.space, f.mem, BASE + 1025 * PAGE_SIZE, PageFlags.RW);
  spaceBytes(f.space, BASE + 1024 * PAGE_SIZE, 2 * PAGE_SIZE);
  assert.equal(s.probeRun(BASE, 2 * PAGE_SIZE, false), 0, "the slot holds another page");
  // Pages 0 and 1 cached again by value reads, which leave the slot's view alone: still nothing, until run makes the view.
  f.space.readVal(BASE, u8);
  f.space.readVal(BASE + PAGE_SIZE, u8);
  assert.equal(s.probeRun(BASE, 2 * PAGE_SIZE, false), 0, "the slot's view is of another frame");
  assert.equal(s.run(BASE, 2 * PAGE_SIZE, false), PAGE_SIZE);
  assert.equal(s.runSlice?.byteOffset, lone);
  same(BASE, 2 * PAGE_SIZE, false, "read of page 0 once its view is made again");
  disposeAndCheck(f);
});

test("a copy between spaces that faults on the destination marks no source page past the fault (merging sets no bit)", () => {
  const f = fixture(4 << 20);
  contiguous(f, BASE, 4);
  f.space.readVal(BASE, u8);
  const dstSpace = new VmSpace(f.mem);
  mapNew(dstSpace, f.mem, BASE, PageFlags.RW);
  const r = f.space.reader(BASE, 4 * PAGE_SIZE);
  dstSpace.activate();
  const w = dstSpace.writer(BASE, 4 * PAGE_SIZE);
  throwsVmError(() => r.readFallible(w), "PageFault", PAGE_SIZE);
  const A = PageFlags.ACCESSED;
  assert.deepEqual(
    [0, 1, 2, 3].map((k) => flagsAt(f.space, BASE + k * PAGE_SIZE)),
    // Page 1 was translated for the read that the destination's fault stopped (as a CPU's load before a faulting store); pages 2 and 3 never.
    [PageFlags.RW | A, PageFlags.RW | A, PageFlags.RW, PageFlags.RW],
  );
  dstSpace.dispose();
  f.space.activate();
  disposeAndCheck(f);
});
