// The software TLB: the direct-mapped cache itself, and invalidation as seen
// through user readers and writers (unmap, protect, remap, frame reuse,
// dirty tracking, and the epoch that makes other TLBs of a space flush).
import { test } from "node:test";
import assert from "node:assert/strict";
import { FrameAllocOptions, PAGE_SIZE, PageFlags, VmSpace, VmWriter, VmReader, u32, u8 } from "../../src/index.js";
import { NO_VALUE, SpaceState } from "../../src/vm/space-state.js";
import { TLB_ENTRIES, TLB_EXEC, TLB_READ, TLB_WRITE, Tlb, WALK_ENTRIES } from "../../src/vm/tlb.js";
import { disposeAndCheck, fixture, flagsAt, mapAt, mapNew, memory, newFrame, pattern, protectAt, reclaim, throwsVmError, unmapAt, user } from "./support.js";
import { spaceStateOf } from "../../src/vm/vm-space.js";
import { ramOf } from "../../src/frame/physical-memory.js";

/** What slot `s` of `tlb` allows, as TLB_* bits, for page `vpn`. */
function permsOf(tlb: Tlb, vpn: number): number {
  return (tlb.lookup(vpn, TLB_READ) >= 0 ? TLB_READ : 0) | (tlb.lookup(vpn, TLB_WRITE) >= 0 ? TLB_WRITE : 0) | (tlb.lookup(vpn, TLB_EXEC) >= 0 ? TLB_EXEC : 0);
}

const empty = (tlb: Tlb): boolean => tlb.entries.every((t) => t === -1);

test("Tlb: fill caches a translation in slot vpn mod TLB_ENTRIES, one tag per kind of access; invalidate drops only matching tags", () => {
  const tlb = new Tlb();
  assert.equal(TLB_ENTRIES, 1024);
  assert.ok(empty(tlb), "a new TLB is empty");
  tlb.fill(5, 0x9000, TLB_READ);
  assert.equal(tlb.lookup(5, TLB_READ), 0x9000);
  assert.equal(tlb.lookup(5, TLB_WRITE), -1);
  assert.equal(tlb.lookup(5, TLB_EXEC), -1);
  const v = 5 + TLB_ENTRIES * 3;
  tlb.fill(v, 0xa000, TLB_READ | TLB_WRITE); // aliases slot 5: replaces it
  assert.equal(tlb.lookup(5, TLB_READ), -1);
  assert.equal(tlb.tag(5, TLB_READ), v * PAGE_SIZE, "tags are page base addresses");
  assert.equal(tlb.tag(5, TLB_WRITE), v * PAGE_SIZE);
  assert.equal(tlb.tag(5, TLB_EXEC), -1);
  assert.equal(tlb.entries[5 * 4 + 3], 0xa000 - v * PAGE_SIZE, "the delta sits after the slot's three tags");
  assert.equal(permsOf(tlb, v), TLB_READ | TLB_WRITE);
  tlb.fill(v, 0xa000, TLB_READ | TLB_EXEC);
  assert.equal(permsOf(tlb, v), TLB_READ | TLB_EXEC, "a refill replaces every tag of the slot");
  tlb.invalidate(5, 6);
  assert.equal(permsOf(tlb, v), TLB_READ | TLB_EXEC, "an aliased entry for another page survives");
  tlb.invalidate(v, v + 1);
  assert.ok(empty(tlb));
});

test("Tlb: slots are exact for page numbers above 2^32 (no 32-bit truncation of the tag)", () => {
  const tlb = new Tlb();
  const vpn = 0x7_ffff_fffe; // page 0x7fff_ffff_e000
  assert.equal(Tlb.slot(vpn), vpn % TLB_ENTRIES);
  assert.equal(Tlb.slot(2 ** 35 + 7), 7);
  tlb.fill(vpn, 0x5000, TLB_READ | TLB_WRITE | TLB_EXEC);
  assert.equal(tlb.tag(vpn % TLB_ENTRIES, TLB_READ), vpn * PAGE_SIZE);
  assert.equal(tlb.lookup(vpn, TLB_WRITE), 0x5000);
  assert.equal(tlb.lookup(vpn - TLB_ENTRIES, TLB_READ), -1, "a page 4 MiB below, in the same slot, misses");
  assert.equal(tlb.lookup(vpn + 2 ** 20, TLB_READ), -1, "a page 4 GiB above (same low 32 bits of its address) misses");
  tlb.invalidate(vpn - (vpn % TLB_ENTRIES), vpn); // a range that ends just before it
  assert.equal(permsOf(tlb, vpn), TLB_READ | TLB_WRITE | TLB_EXEC);
  tlb.invalidate(vpn, vpn + 1);
  assert.equal(permsOf(tlb, vpn), 0);
});

test("Tlb: invalidating a range of at least TLB_ENTRIES pages flushes everything", () => {
  const tlb = new Tlb();
  for (let v = 0; v < 100; v++) tlb.fill(v * 7 + 3, v * PAGE_SIZE, TLB_READ);
  const flushes = tlb.flushes;
  tlb.invalidate(10_000, 10_000 + TLB_ENTRIES);
  assert.ok(empty(tlb));
  tlb.fill(1, 0, TLB_READ | TLB_WRITE | TLB_EXEC);
  tlb.flush();
  assert.ok(empty(tlb));
  assert.equal(tlb.flushes, flushes + 2, "both flushes counted");
});

test("Tlb: the page-walk cache — invalidating pages drops the 2 MiB regions they touch, a flush drops every region", () => {
  const tlb = new Tlb();
  assert.ok(tlb.walkTags.every((t) => t === -1), "a new cache is empty");
  const slotOf = (vpn: number): number => (vpn >>> 9) & (WALK_ENTRIES - 1);
  for (const first of [1024, 4096, 2 ** 33]) tlb.walkTags[slotOf(first)] = first;
  tlb.invalidate(1535, 1536); // the last page of region 1024
  assert.equal(tlb.walkTags[slotOf(1024)], -1);
  assert.equal(tlb.walkTags[slotOf(4096)], 4096, "another region stays");
  assert.equal(tlb.walkTags[slotOf(2 ** 33)], 2 ** 33, "a region past 2^32 pages stays");
  tlb.invalidate(4095, 4097); // straddles regions 3584 and 4096
  assert.equal(tlb.walkTags[slotOf(4096)], -1);
  tlb.invalidate(2 ** 33 + 600, 2 ** 33 + 601); // the next region: not this one
  assert.equal(tlb.walkTags[slotOf(2 ** 33)], 2 ** 33);
  tlb.flush();
  assert.ok(tlb.walkTags.every((t) => t === -1), "a flush empties it");
});

test("a leaf node freed by an unmap and reused for another region is never walked through a stale page-walk cache entry", () => {
  const f = fixture();
  const { mem, space } = f;
  const a = 0x4000_0000;
  const b = 0x8000_0000; // another 1 GiB region: the same entry index at every level below the root's
  mapNew(space, mem, a, PageFlags.RW, new Uint8Array(4).fill(0x11));
  assert.equal(space.readVal(a, u32), 0x11111111, "the walk cached a's leaf node");
  assert.equal(space.mmu().load32(a), 0x11111111);
  unmapAt(space, a); // the nodes on a's path are empty: unlinked (and kept, zeroed, for reuse)
  mapNew(space, mem, b, PageFlags.RW, new Uint8Array(4).fill(0x22)); // b's path reuses them
  assert.equal(space.readVal(b, u32), 0x22222222);
  throwsVmError(() => space.readVal(a, u32), "PageFault");
  throwsVmError(() => space.mmu().load32(a), "PageFault");
  throwsVmError(() => space.reader(a, 4).readVal(u32), "PageFault");
  disposeAndCheck(f);
});

test("a read through a page fills this thread's TLB; unmapping it makes the next read through an existing reader fault", () => {
  const f = fixture();
  const { mem, space } = f;
  mapNew(space, mem, 0x4000, PageFlags.RW, pattern(PAGE_SIZE));
  const r = space.reader(0x4000, PAGE_SIZE);
  assert.equal(r.clone().readVal(u32), new DataView(pattern(4).buffer).getUint32(0, true));
  const slot = Tlb.slot(4);
  assert.equal(spaceStateOf(space).tlb.tag(slot, TLB_READ), 0x4000, "the translation is cached");
  unmapAt(space, 0x4000);
  assert.equal(spaceStateOf(space).tlb.tag(slot, TLB_READ), -1, "unmap dropped it");
  throwsVmError(() => r.clone().readVal(u32), "PageFault");
  const buf = new Uint8Array(8).fill(0xee);
  throwsVmError(() => r.readFallible(VmWriter.from(buf)), "PageFault", 0);
  assert.deepEqual([...buf], new Array(8).fill(0xee));
  assert.equal(r.cursor(), 0x4000);
  disposeAndCheck(f);
});

test("a freed and reused frame is never reached through a stale translation", () => {
  const f = fixture();
  const { mem, space } = f;
  const paddr = mapNew(space, mem, 0x4000, PageFlags.RW, pattern(PAGE_SIZE));
  const r = space.reader(0x4000, 16);
  assert.equal(r.clone().readVal(u8), pattern(1)[0]);
  unmapAt(space, 0x4000); // the mapping held the last reference: the frame is freed
  const secret = reclaim(mem, paddr);
  assert.ok(secret !== undefined, "the freed frame can be allocated again");
  secret.writeBytes(0, new Uint8Array(16).fill(0x99));
  const out = new Uint8Array(16);
  throwsVmError(() => r.readFallible(VmWriter.from(out)), "PageFault", 0);
  assert.deepEqual(out, new Uint8Array(16));
  throwsVmError(() => space.writer(0x4000, 4).writeVal(u32, 1), "PageFault");
  assert.deepEqual(secret.reader().readVal(u32), 0x99999999);
  secret.dispose();
  disposeAndCheck(f);
});

test("protect to read-only: a write through an existing writer faults after a write through it succeeded", () => {
  const f = fixture();
  const { mem, space } = f;
  const paddr = mapNew(space, mem, 0x8000, PageFlags.RW);
  const w = space.writer(0x8000, PAGE_SIZE);
  w.writeVal(u32, 0x11111111);
  assert.equal(permsOf(spaceStateOf(space).tlb, 8), TLB_READ | TLB_WRITE, "writable translation cached");
  protectAt(space, 0x8000, PageFlags.R);
  throwsVmError(() => w.writeVal(u32, 0x22222222), "PageFault");
  throwsVmError(() => w.fillZeros(8), "PageFault", 0);
  assert.equal(w.cursor(), 0x8004);
  assert.equal(ramOf(mem).view.getUint32(paddr + 4, true), 0, "nothing written");
  assert.equal(space.readVal(0x8000, u32), 0x11111111, "still readable");
  disposeAndCheck(f);
});

test("remapping a different frame at the same va: reads see the new frame", () => {
  const f = fixture();
  const { mem, space } = f;
  const one = newFrame(mem, new Uint8Array(PAGE_SIZE).fill(1));
  const two = newFrame(mem, new Uint8Array(PAGE_SIZE).fill(2));
  mapAt(space, 0x6000, one);
  const r = space.reader(0x6000, PAGE_SIZE);
  assert.equal(r.clone().readVal(u8), 1);
  unmapAt(space, 0x6000);
  mapAt(space, 0x6000, two);
  assert.equal(r.clone().readVal(u8), 2);
  const buf = new Uint8Array(PAGE_SIZE);
  assert.equal(r.readFallible(VmWriter.from(buf)), PAGE_SIZE);
  assert.ok(buf.every((b) => b === 2));
  // And writes land in the new frame only.
  space.writeVal(0x6010, u32, 0xabcdef01);
  assert.equal(two.readVal(0x10, u32), 0xabcdef01);
  assert.equal(one.readVal(0x10, u32), 0x01010101);
  one.dispose();
  two.dispose();
  disposeAndCheck(f);
});

test("the first write to a clean page re-walks the table (a read-only TLB entry) and sets DIRTY", () => {
  const f = fixture();
  const { mem, space } = f;
  mapNew(space, mem, 0x3000, PageFlags.RW);
  space.readVal(0x3000, u8);
  assert.equal(flagsAt(space, 0x3000), PageFlags.RW | PageFlags.ACCESSED);
  assert.equal(permsOf(spaceStateOf(space).tlb, 3), TLB_READ, "a clean page is cached for reads only");
  space.writeVal(0x3001, u8, 7);
  assert.equal(flagsAt(space, 0x3000), PageFlags.RW | PageFlags.ACCESSED | PageFlags.DIRTY);
  assert.equal(permsOf(spaceStateOf(space).tlb, 3), TLB_READ | TLB_WRITE);
  disposeAndCheck(f);
});

test("a read of a dirty page caches a writable translation; clearing DIRTY by protect forces a re-walk that sets it again", () => {
  const f = fixture();
  const { mem, space } = f;
  mapNew(space, mem, 0x3000, PageFlags.RW | PageFlags.DIRTY);
  space.readVal(0x3000, u8);
  assert.equal(permsOf(spaceStateOf(space).tlb, 3), TLB_READ | TLB_WRITE);
  protectAt(space, 0x3000, PageFlags.RW);
  assert.equal(flagsAt(space, 0x3000), PageFlags.RW);
  const w = space.writer(0x3000, 1);
  w.writeVal(u8, 1);
  assert.equal(flagsAt(space, 0x3000), PageFlags.RW | PageFlags.ACCESSED | PageFlags.DIRTY);
  disposeAndCheck(f);
});

test("pages whose page numbers alias in the TLB keep their own translations", () => {
  const f = fixture();
  const { mem, space } = f;
  const a = 0x10_0000;
  const b = a + TLB_ENTRIES * PAGE_SIZE;
  mapNew(space, mem, a, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(0xaa));
  mapNew(space, mem, b, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(0xbb));
  for (let k = 0; k < 4; k++) {
    assert.equal(space.readVal(a + k, u8), 0xaa);
    assert.equal(space.readVal(b + k, u8), 0xbb);
  }
  space.writeVal(a, u8, 1);
  space.writeVal(b, u8, 2);
  assert.equal(space.readVal(a, u8), 1);
  assert.equal(space.readVal(b, u8), 2);
  // A copy that alternates between the two (one reader, one writer).
  const r = space.reader(a, 64);
  const w = space.writer(b + 64, 64);
  assert.equal(r.readFallible(w), 64);
  assert.equal(space.readVal(b + 64, u8), 1);
  disposeAndCheck(f);
});

test("runs merge over physically consecutive frames without skipping a fault or a remap in the middle", () => {
  const f = fixture();
  const { mem, space } = f;
  const seg = new FrameAllocOptions(mem).allocSegment(4); // physically consecutive frames
  seg.writeBytes(0, pattern(4 * PAGE_SIZE));
  {
    using c = space.cursorMut({ start: 0x20000, end: 0x24000 });
    for (const frame of seg) {
      c.map(frame, user(PageFlags.RW));
      frame.dispose();
    }
  }
  const all = new Uint8Array(4 * PAGE_SIZE);
  space.readBytes(0x20000, all); // fills the TLB for all four pages
  assert.deepEqual(all, pattern(4 * PAGE_SIZE));
  unmapAt(space, 0x22000);
  const out = new Uint8Array(4 * PAGE_SIZE).fill(0xee);
  const r = space.reader(0x20000, 4 * PAGE_SIZE);
  throwsVmError(() => r.readFallible(VmWriter.from(out)), "PageFault", 2 * PAGE_SIZE);
  assert.deepEqual(out.subarray(0, 2 * PAGE_SIZE), pattern(2 * PAGE_SIZE));
  assert.ok(out.subarray(2 * PAGE_SIZE).every((b) => b === 0xee));
  mapNew(space, mem, 0x22000, PageFlags.RW, new Uint8Array(PAGE_SIZE).fill(0x42));
  const again = new Uint8Array(4 * PAGE_SIZE);
  space.readBytes(0x20000, again);
  assert.ok(again.subarray(2 * PAGE_SIZE, 3 * PAGE_SIZE).every((b) => b === 0x42));
  assert.deepEqual(again.subarray(3 * PAGE_SIZE), pattern(4 * PAGE_SIZE).subarray(3 * PAGE_SIZE));
  disposeAndCheck(f); // iterating consumed the segment: the mappings held the only references
});

test("another thread's view of the space (its own TLB) flushes when this one unmaps or protects (epoch)", () => {
  const f = fixture();
  const { mem, space } = f;
  mapNew(space, mem, 0x5000, PageFlags.RW);
  const mine = spaceStateOf(space);
  // A second per-thread state over the same table and control block, as a worker would have.
  const other = new SpaceState(mem, mine.table, mine.control);
  const slot = Tlb.slot(5);
  assert.ok(other.translate(5, true) >= 0);
  assert.equal(other.tlb.tag(slot, TLB_READ), 0x5000);
  other.syncTlb();
  assert.equal(other.tlb.tag(slot, TLB_READ), 0x5000, "nothing changed: the entry stays");
  protectAt(space, 0x5000, PageFlags.R);
  other.syncTlb();
  assert.equal(other.tlb.tag(slot, TLB_READ), -1, "protect bumped the epoch: the other TLB flushed");
  assert.equal(other.translate(5, true), -1, "and its re-walk sees the page read-only");
  assert.ok(other.translate(5, false) >= 0);
  unmapAt(space, 0x5000);
  other.syncTlb();
  assert.equal(other.tlb.tag(slot, TLB_READ), -1);
  assert.equal(other.translate(5, false), -1);
  // Mapping alone removes no translation: the epoch does not move.
  const epoch = mine.epoch();
  mapNew(space, mem, 0x5000, PageFlags.R);
  assert.equal(mine.epoch(), epoch);
  disposeAndCheck(f);
});

test("on shared RAM a whole scattered page is at hand (probeRun) only while the view's TLB is in step with the epoch", () => {
  const mem = memory(1 << 20, true);
  const freeBefore = mem.freeFrames();
  const f = { mem, space: new VmSpace(mem), freeBefore };
  f.space.activate();
  const va = 0x5000;
  // Page 1 mapped first: page 0's frame is not physically before it.
  mapNew(f.space, mem, va + PAGE_SIZE, PageFlags.RW);
  mapNew(f.space, mem, va, PageFlags.RW);
  const mine = spaceStateOf(f.space);
  const other = new SpaceState(mem, mine.table, mine.control);
  assert.equal(other.run(va, 2 * PAGE_SIZE, false), PAGE_SIZE);
  assert.equal(other.run(va + PAGE_SIZE, PAGE_SIZE, false), PAGE_SIZE);
  assert.equal(other.probeRun(va, 2 * PAGE_SIZE, false), PAGE_SIZE, "in step: at hand");
  protectAt(f.space, va + PAGE_SIZE, PageFlags.R);
  assert.equal(other.tlb.tag(Tlb.slot(va / PAGE_SIZE), TLB_READ), va, "the other TLB has not synced yet");
  assert.equal(other.probeRun(va, 2 * PAGE_SIZE, false), 0, "the epoch moved: nothing at hand before a sync");
  disposeAndCheck(f);
});

test("another thread's view drops its page-walk cache with its TLB when the epoch moves: a reused leaf node is not walked as the old region's", () => {
  const f = fixture();
  const { mem, space } = f;
  const a = 0x4000_0000;
  const b = 0x8000_0000;
  mapNew(space, mem, a, PageFlags.RW);
  const mine = spaceStateOf(space);
  const other = new SpaceState(mem, mine.table, mine.control);
  assert.ok(other.translate(a / PAGE_SIZE, false) >= 0, "the other view walked a's path and cached its leaf node");
  unmapAt(space, a); // frees a's nodes (this view's caches drop them; the other's only learn through the epoch)
  const paddr = mapNew(space, mem, b, PageFlags.RW);
  other.syncTlb();
  assert.equal(other.translate(a / PAGE_SIZE, false), -1, "a is unmapped, though its old leaf node now maps b");
  assert.equal(other.translate(b / PAGE_SIZE, false), paddr);
  disposeAndCheck(f);
});

test("a reader over a disposed space throws a TypeError even with a warm TLB", () => {
  const f = fixture();
  const { mem, space } = f;
  mapNew(space, mem, 0x5000, PageFlags.RW);
  const r = space.reader(0x5000, 8);
  const w = space.writer(0x5000, 8);
  r.clone().readVal(u32);
  w.cloneExclusive().writeVal(u32, 5);
  disposeAndCheck(f);
  assert.throws(() => r.readFallible(VmWriter.from(new Uint8Array(8))), TypeError);
  assert.throws(() => r.readVal(u32), TypeError);
  assert.throws(() => w.writeFallible(VmReader.from(new Uint8Array(8))), TypeError);
  assert.throws(() => w.writeVal(u32, 1), TypeError);
  assert.throws(() => w.fillZeros(1), TypeError);
});

test("valueAt translates a TLB hit and, inline, a walk-cache hit on an entry with nothing to set; everything else is NO_VALUE and left to missValue, which sets the bits", () => {
  const f = fixture();
  const { mem, space } = f;
  const a = 0x4000_0000;
  const b = a + PAGE_SIZE; // same 2 MiB region as a
  const c = a + 2 * PAGE_SIZE;
  mapNew(space, mem, a, PageFlags.RW, new Uint8Array(4).fill(0x11));
  mapNew(space, mem, b, PageFlags.RW, new Uint8Array(4).fill(0x22));
  mapNew(space, mem, c, PageFlags.R, new Uint8Array(4).fill(0x33));
  const state = spaceStateOf(space);
  const slot = (a / PAGE_SIZE) >>> 9 & (WALK_ENTRIES - 1);
  const dropB = (): void => {
    state.tlb.invalidate(b / PAGE_SIZE, b / PAGE_SIZE + 1);
    state.tlb.walkTags[slot] = a / PAGE_SIZE; // keep the region cached
  };
  assert.equal(state.valueAt(a, 4, false), NO_VALUE, "nothing cached yet: left to missValue");
  assert.equal(space.readVal(a, u32), 0x11111111, "a walk from the root caches the region's leaf node");
  const pa = state.valueAt(a, 4, false);
  assert.notEqual(pa, NO_VALUE, "then a TLB hit");
  assert.equal(ramOf(mem).view.getUint32(pa, true), 0x11111111);
  // b's entry still lacks ACCESSED: the walk-cache step leaves it (and every bit) to missValue.
  let { misses } = space.tlbStats();
  assert.equal(state.valueAt(b, 4, false), NO_VALUE);
  assert.equal(flagsAt(space, b), PageFlags.RW, "valueAt sets no bit");
  assert.equal(space.tlbStats().misses, misses, "and counts no walk");
  assert.equal(space.readVal(b, u32), 0x22222222);
  assert.equal(flagsAt(space, b), PageFlags.RW | PageFlags.ACCESSED);
  // Now ready for a read, not for a write (no DIRTY): a read is translated inline, a write is not.
  dropB();
  ({ misses } = space.tlbStats());
  const pb = state.valueAt(b + 8, 4, false);
  assert.notEqual(pb, NO_VALUE, "a walk-cache hit on a ready entry");
  assert.equal(ramOf(mem).view.getUint32(pb - 8, true), 0x22222222);
  assert.equal(space.tlbStats().misses, misses + 1, "counted as one walk");
  assert.ok(state.tlb.lookup(b / PAGE_SIZE, TLB_READ) >= 0, "and cached for reads");
  assert.equal(state.tlb.lookup(b / PAGE_SIZE, TLB_WRITE), -1, "not for writes: DIRTY is not set");
  assert.equal(state.tlb.lookup(b / PAGE_SIZE, TLB_EXEC), -1, "nor for fetches");
  dropB();
  assert.equal(state.valueAt(b, 4, true), NO_VALUE, "a write to a clean page is left to missValue");
  assert.equal(flagsAt(space, b), PageFlags.RW | PageFlags.ACCESSED);
  space.writeVal(b, u32, 9);
  assert.equal(flagsAt(space, b), PageFlags.RW | PageFlags.ACCESSED | PageFlags.DIRTY, "which sets DIRTY");
  dropB();
  assert.notEqual(state.valueAt(b, 4, true), NO_VALUE, "a dirty writable page: a write is translated inline");
  assert.equal(state.tlb.lookup(b / PAGE_SIZE, TLB_WRITE), state.valueAt(b, 4, true), "the page's frame, cached for writes");
  // A read-only page, ACCESSED: reads inline, writes never.
  assert.equal(space.readVal(c, u32), 0x33333333);
  state.tlb.invalidate(c / PAGE_SIZE, c / PAGE_SIZE + 1);
  state.tlb.walkTags[slot] = a / PAGE_SIZE;
  assert.equal(state.valueAt(c, 4, true), NO_VALUE, "no write through a read-only entry");
  throwsVmError(() => space.writeVal(c, u32, 1), "PageFault");
  assert.equal(flagsAt(space, c), PageFlags.R | PageFlags.ACCESSED, "a refused write sets no bit");
  assert.notEqual(state.valueAt(c, 4, false), NO_VALUE);
  // Never across a page, never empty, never a non-user address, whatever the walk cache holds.
  dropB();
  assert.equal(state.valueAt(b + PAGE_SIZE - 2, 4, false), NO_VALUE, "a value across two pages");
  assert.equal(state.valueAt(b, 0, false), NO_VALUE, "an empty value");
  for (const bad of [b + 0.5, b + 2 ** 47, b - 2 ** 53, -b, NaN, Infinity]) assert.equal(state.valueAt(bad, 4, false), NO_VALUE, `${bad}`);
  assert.equal(space.readVal(b, u32), 9);
  space.dispose();
  assert.equal(state.valueAt(b, 4, false), NO_VALUE, "a disposed space translates nothing");
  assert.equal(mem.freeFrames(), f.freeBefore);
});

test("valueAt's common miss takes the frame number from the entry's low word: an entry with frame bits in its high word (no RAM vmio makes has such frames) is left to missValue, which reads both words", () => {
  const f = fixture();
  const { mem, space } = f;
  const a = 0x4000_0000;
  const b = a + PAGE_SIZE; // same 2 MiB region as a
  mapNew(space, mem, a, PageFlags.RW, new Uint8Array(4).fill(0x11));
  const pb = mapNew(space, mem, b, PageFlags.RW, new Uint8Array(4).fill(0x22));
  const state = spaceStateOf(space);
  const u32a = ramOf(mem).u32;
  const slot = (a / PAGE_SIZE) >>> 9 & (WALK_ENTRIES - 1);
  const dropB = (): void => {
    state.tlb.invalidate(b / PAGE_SIZE, b / PAGE_SIZE + 1);
    state.tlb.walkTags[slot] = a / PAGE_SIZE; // keep the region cached
  };
  assert.equal(space.readVal(a, u32), 0x11111111);
  assert.equal(space.readVal(b, u32), 0x22222222, "b's entry now has nothing to set for a read");
  const i = state.table.leafIndex(b);
  const hi = u32a[i + 1] as number;
  const fmt = state.table.fmt;
  assert.equal(hi & fmt.ppnHiMask, 0, "a frame of RAM of at most 4 GiB has no frame bits in the high word");
  dropB();
  assert.equal(state.valueAt(b + 8, 4, false), pb + 8, "translated inline from the low word");
  // The lowest frame bit of the high word: the frame 2^20 (x86-64) or 2^22 (Sv48) frames further on.
  const far = fmt.ppnHiMask & -fmt.ppnHiMask;
  u32a[i + 1] = (hi | far) >>> 0;
  dropB();
  const { misses } = space.tlbStats();
  assert.equal(state.valueAt(b + 8, 4, false), NO_VALUE, "left to missValue");
  assert.equal(space.tlbStats().misses, misses, "counted as no walk");
  assert.equal(state.tlb.lookup(b / PAGE_SIZE, TLB_READ), -1, "and not cached");
  assert.equal(state.missValue(b + 8, 4, false), state.table.frameAt(i, u32a[i] as number) * PAGE_SIZE + 8, "missValue reads both words");
  assert.equal(state.missValue(b + 8, 4, false), pb + 8 + fmt.ppnHiScale * far * PAGE_SIZE);
  u32a[i + 1] = hi;
  dropB();
  assert.equal(state.valueAt(b + 8, 4, false), pb + 8);
  assert.equal(space.readVal(b, u32), 0x22222222);
  disposeAndCheck(f);
});

test("a miss through the page-walk cache (SpaceState.missValue) sets ACCESSED and DIRTY only on the page it reaches, caches writes only once DIRTY, and never translates a non-user address", () => {
  const f = fixture();
  const { mem, space } = f;
  const a = 0x4000_0000;
  const b = a + PAGE_SIZE; // same 2 MiB region: its leaf node comes from the walk cache
  const c = a + 2 * PAGE_SIZE;
  mapNew(space, mem, a, PageFlags.RW, new Uint8Array(4).fill(0x11));
  mapNew(space, mem, b, PageFlags.RW, new Uint8Array(4).fill(0x22));
  mapNew(space, mem, c, PageFlags.R, new Uint8Array(4).fill(0x33));
  const state = spaceStateOf(space);
  assert.equal(space.readVal(a, u32), 0x11111111, "a walk from the root caches the region's leaf node");
  assert.equal(state.tlb.walkTags[(a / PAGE_SIZE) >>> 9 & (WALK_ENTRIES - 1)], a / PAGE_SIZE, "the walk cache holds a's region");
  assert.equal(flagsAt(space, b), PageFlags.RW, "b not reached yet: no bit set");
  const misses = space.tlbStats().misses;
  assert.equal(space.readVal(b, u32), 0x22222222, "b: a walk-cache hit on an entry with ACCESSED still to set");
  assert.equal(space.tlbStats().misses, misses + 1, "one walk, counted once");
  assert.equal(flagsAt(space, b), PageFlags.RW | PageFlags.ACCESSED);
  assert.equal(flagsAt(space, c), PageFlags.R, "c untouched");
  assert.equal(state.tlb.lookup(b / PAGE_SIZE, TLB_WRITE), -1, "a clean page is not cached for writes");
  state.tlb.invalidate(b / PAGE_SIZE, b / PAGE_SIZE + 1);
  state.tlb.walkTags[(a / PAGE_SIZE) >>> 9 & (WALK_ENTRIES - 1)] = a / PAGE_SIZE; // keep the region cached
  space.writeVal(b, u32, 7);
  assert.equal(flagsAt(space, b), PageFlags.RW | PageFlags.ACCESSED | PageFlags.DIRTY, "a write sets DIRTY");
  assert.ok(state.tlb.lookup(b / PAGE_SIZE, TLB_WRITE) >= 0, "then the page is cached for writes");
  state.tlb.invalidate(b / PAGE_SIZE, b / PAGE_SIZE + 1);
  state.tlb.walkTags[(a / PAGE_SIZE) >>> 9 & (WALK_ENTRIES - 1)] = a / PAGE_SIZE;
  assert.equal(space.readVal(b, u32), 7, "a ready entry: the flat miss, no bit to set");
  assert.ok(state.tlb.lookup(b / PAGE_SIZE, TLB_WRITE) >= 0, "a dirty writable page is cached for writes by a read miss");
  throwsVmError(() => space.writeVal(c, u32, 1), "PageFault");
  assert.equal(flagsAt(space, c), PageFlags.R, "a refused write sets no bit");
  // Not user addresses, whatever the walk cache holds: the general path says why.
  assert.throws(() => space.readVal(a + 0.5, u32), RangeError);
  throwsVmError(() => space.readVal(a + 2 ** 47, u32), "AccessDenied");
  assert.throws(() => space.readVal(-a, u32), RangeError);
  disposeAndCheck(f);
});
