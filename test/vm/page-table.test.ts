// The page table: real PTEs in RAM (x86-64 or Sv48), walked by hand; intermediate
// nodes created on demand and freed when empty; nodes are typed frames that
// nothing else can reach; mapping references; NoMemory rollback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CachePolicy, FrameAllocOptions, PAGE_SIZE, PageFlags, VmError, VmSpace, VmWriter, u8, type UFrame } from "../../src/index.js";
import { FLAG_PAGE_TABLE, FLAG_TYPED } from "../../src/frame/meta.js";
import { framesOf } from "../frame/support.js";
import { ramOf } from "../../src/frame/physical-memory.js";
import { PageTable, TABLE_SPAN, entryIndex } from "../../src/vm/page-table.js";
import {
  disposeAndCheck,
  fixture,
  flagsAt,
  mapAt,
  mapNew,
  memory,
  newFrame,
  pteFrame,
  pteIndex,
  queryAt,
  raw,
  readPte,
  throwsContract,
  throwsVmError,
  unmapAt,
  user,
  walk,
  type RawPte,
} from "./support.js";
import { spaceStateOf } from "../../src/vm/vm-space.js";

const FAR = 0x7fff_ffff_e000; // the last page below MAX_USERSPACE_VADDR

test("after mapping, a hand walk through RAM finds the frame: table entries P|RW|US (Sv48: V), leaf bits as the flags say", () => {
  const f = fixture();
  const { mem, space } = f;
  const root = spaceStateOf(space).table.root;
  const cases: Array<[va: number, flags: number]> = [
    [0x1000, PageFlags.R],
    [0x2000, PageFlags.RW],
    [0x40_0000, PageFlags.RX],
    [0x1_2345_6000, PageFlags.RWX],
    [FAR, PageFlags.RW],
  ];
  for (const [va, flags] of cases) {
    const paddr = mapNew(space, mem, va, flags);
    const { entries, nodes } = walk(mem, root, va);
    assert.equal(entries.length, 4, `walk of 0x${va.toString(16)} reaches the leaf`);
    for (let k = 0; k < 3; k++) {
      const e = entries[k] as { lo: number; hi: number };
      assert.equal(e.lo & raw().tableMask, raw().tableFlags, "table entry: P, RW, US (Sv48: V alone)");
      assert.equal(e.hi >>> 31, 0, "table entry: not NX (Sv48: N clear)");
      assert.equal(pteFrame(e), nodes[k + 1]);
    }
    const leaf = entries[3] as { lo: number; hi: number };
    assert.ok(raw().present(leaf), "P (Sv48: V and R)");
    assert.equal(raw().writable(leaf), (flags & PageFlags.W) !== 0, "RW (Sv48: W)");
    assert.ok(raw().user(leaf), "US (Sv48: U)");
    assert.equal(raw().executable(leaf), (flags & PageFlags.X) !== 0, "not NX (Sv48: X)");
    assert.ok(!raw().accessed(leaf) && !raw().dirty(leaf), "neither accessed nor dirty yet");
    assert.equal(pteFrame(leaf) * PAGE_SIZE, paddr, "the address bits hold the frame number");
  }
  disposeAndCheck(f);
});

test("entryIndex and pteIndex agree: 9 bits per level above the 12-bit page offset", () => {
  for (const va of [0, 0x1000, 0x20_0000, 0x4000_0000, 0x80_0000_0000, FAR, 0x1_2345_6789_a000]) {
    for (const level of [1, 2, 3, 4] as const) {
      assert.equal(entryIndex(10, va, level), 10 * 1024 + pteIndex(va, level) * 2);
    }
  }
  assert.equal(pteIndex(FAR, 4), 255);
  assert.equal(pteIndex(FAR, 1), 510);
  assert.equal(TABLE_SPAN, 2 ** 48);
});

test("PageFlags.X clears NX in the leaf (Sv48: sets X); removing X by protect undoes it", () => {
  const f = fixture();
  const root = spaceStateOf(f.space).table.root;
  mapNew(f.space, f.mem, 0x5000, PageFlags.RX);
  assert.equal(raw().executable(walk(f.mem, root, 0x5000).entries[3] as RawPte), true);
  assert.equal(flagsAt(f.space, 0x5000), PageFlags.RX);
  using c = f.space.cursorMut({ start: 0x5000, end: 0x6000 });
  c.protectNext(PAGE_SIZE, (p) => {
    p.flags = PageFlags.R;
  });
  assert.equal(raw().executable(walk(f.mem, root, 0x5000).entries[3] as RawPte), false);
  assert.equal(flagsAt(f.space, 0x5000), PageFlags.R);
  disposeAndCheck(f);
});

test("every CachePolicy round-trips through the PTE", () => {
  const f = fixture();
  const policies = [CachePolicy.Uncacheable, CachePolicy.WriteCombining, CachePolicy.WriteProtected, CachePolicy.Writethrough, CachePolicy.Writeback];
  policies.forEach((cache, k) => {
    using frame = newFrame(f.mem);
    mapAt(f.space, 0x10000 + k * PAGE_SIZE, frame, PageFlags.RW, cache);
  });
  policies.forEach((cache, k) => {
    const q = queryAt(f.space, 0x10000 + k * PAGE_SIZE);
    assert.equal(q?.cache, cache, CachePolicy[cache]);
    assert.equal(q?.flags, PageFlags.RW);
  });
  disposeAndCheck(f);
});

test("intermediate nodes are created on demand and freed when empty: nodeCount back to 1, frames back to the allocator", () => {
  const f = fixture();
  const { mem, space } = f;
  const table = spaceStateOf(space).table;
  assert.equal(table.nodeCount(), 1, "a new space has only its root");
  const free0 = mem.freeFrames();
  mapNew(space, mem, 0x1000);
  assert.equal(table.nodeCount(), 4, "one path of 3 nodes below the root");
  assert.equal(mem.freeFrames(), free0 - 4, "3 nodes + 1 mapped frame");
  mapNew(space, mem, 0x2000);
  assert.equal(table.nodeCount(), 4, "a neighbour shares the path");
  mapNew(space, mem, FAR);
  assert.equal(table.nodeCount(), 7, "a far page needs a path of its own");
  unmapAt(space, 0x1000);
  assert.equal(table.nodeCount(), 7, "the leaf node still holds 0x2000");
  unmapAt(space, 0x2000);
  assert.equal(table.nodeCount(), 4, "the low path is gone");
  assert.equal(readPte(mem, table.root, 0).lo, 0, "the root entry for the low path is cleared");
  unmapAt(space, FAR);
  assert.equal(table.nodeCount(), 1);
  assert.equal(mem.freeFrames(), free0, "every node and frame is free again");
  for (let i = 0; i < 512; i++) assert.deepEqual(readPte(mem, table.root, i), { lo: 0, hi: 0 });
  disposeAndCheck(f);
});

test("unmapping everything with one big unmap frees all intermediate nodes", () => {
  const f = fixture();
  const table = spaceStateOf(f.space).table;
  const vas = [0x1000, 0x20_0000, 0x4000_0000, 0x80_0000_0000, FAR];
  for (const va of vas) mapNew(f.space, f.mem, va);
  assert.equal(table.nodeCount(), 1 + 3 + 1 + 2 + 3 + 3);
  unmapAt(f.space, 0, FAR + PAGE_SIZE);
  assert.equal(table.nodeCount(), 1);
  for (const va of vas) assert.equal(queryAt(f.space, va), undefined);
  disposeAndCheck(f);
});

test("an entry's auxiliary count equals the node's non-empty entries", () => {
  const f = fixture();
  const { mem, space } = f;
  const root = spaceStateOf(space).table.root;
  for (const va of [0x1000, 0x3000, 0x20_0000, 0x4000_0000]) mapNew(space, mem, va);
  const countNonEmpty = (node: number) => {
    let n = 0;
    for (let i = 0; i < 512; i++) if (readPte(mem, node, i).lo !== 0) n++;
    return n;
  };
  const { nodes } = walk(mem, root, 0x1000);
  for (const node of nodes) assert.equal(ramOf(mem).frames.aux(node), countNonEmpty(node), `node ${node}`);
  assert.equal(ramOf(mem).frames.aux(nodes[3] as number), 2, "0x1000 and 0x3000 share the leaf node");
  disposeAndCheck(f);
});

test("table nodes are typed page-table frames with one reference that no allocation, query or UFrame can reach", () => {
  const f = fixture();
  const { mem, space } = f;
  const root = spaceStateOf(space).table.root;
  const vas = [0x1000, 0x20_0000, FAR];
  for (const va of vas) mapNew(space, mem, va);
  const nodes = new Set<number>();
  for (const va of vas) for (const n of walk(mem, root, va).nodes) nodes.add(n);
  assert.equal(nodes.size, spaceStateOf(space).table.nodeCount());
  for (const n of nodes) {
    assert.notEqual(ramOf(mem).frames.flags(n) & FLAG_PAGE_TABLE, 0, `node ${n} is a page-table frame`);
    assert.notEqual(ramOf(mem).frames.flags(n) & FLAG_TYPED, 0, `node ${n} is typed`);
    assert.equal(ramOf(mem).frames.refCount(n), 1);
    assert.equal(ramOf(mem).frames.isFree(n), false);
  }
  const ctrl = spaceStateOf(space).control.frame;
  assert.notEqual(ramOf(mem).frames.flags(ctrl) & FLAG_TYPED, 0, "the control block is a typed frame too");
  // Queries hand out the mapped frames only.
  for (const va of vas) assert.ok(!nodes.has((queryAt(space, va) as { paddr: number }).paddr / PAGE_SIZE));
  // Allocating every free frame never hands out a node or the control block.
  const taken: UFrame[] = [];
  const opts = new FrameAllocOptions(mem);
  for (;;) {
    try {
      taken.push(opts.allocFrame());
    } catch (e) {
      assert.ok(e instanceof VmError && e.code === "NoMemory");
      break;
    }
  }
  for (const fr of taken) {
    const idx = fr.startPaddr() / PAGE_SIZE;
    assert.ok(!nodes.has(idx) && idx !== ctrl, `frame ${idx} is not a table node`);
  }
  for (const fr of taken) fr.dispose();
  // The PTEs were not disturbed by all that allocation.
  for (const va of vas) assert.equal(walk(mem, root, va).entries.length, 4);
  disposeAndCheck(f);
});

test("a typed frame (e.g. a table node) cannot be mapped: TypeError, nothing changes", () => {
  const f = fixture();
  const typed = new FrameAllocOptions(f.mem).allocFrameWith("meta");
  using c = f.space.cursorMut({ start: 0x1000, end: 0x2000 });
  throwsContract(() => c.map(typed as unknown as UFrame, user(PageFlags.RW)), TypeError);
  assert.equal(c.virtAddr(), 0x1000);
  assert.equal(spaceStateOf(f.space).table.nodeCount(), 1);
  assert.equal(typed.referenceCount(), 1);
  typed.dispose();
  disposeAndCheck(f);
});

test("mapping over a mapped page is a RangeError that changes neither the PTEs, the nodes nor the reference counts", () => {
  const f = fixture();
  const { mem, space } = f;
  const a = newFrame(mem);
  const b = newFrame(mem);
  mapAt(space, 0x7000, a, PageFlags.R);
  const before = walk(mem, spaceStateOf(space).table.root, 0x7000);
  const free = mem.freeFrames();
  using c = space.cursorMut({ start: 0x7000, end: 0x8000 });
  throwsContract(() => c.map(b, user(PageFlags.RW)), RangeError, /mapping over an already mapped page/);
  assert.deepEqual(walk(mem, spaceStateOf(space).table.root, 0x7000), before);
  assert.equal(c.virtAddr(), 0x7000, "the cursor did not move");
  assert.equal(a.referenceCount(), 2);
  assert.equal(b.referenceCount(), 1);
  assert.equal(mem.freeFrames(), free);
  assert.equal(queryAt(space, 0x7000)?.paddr, a.startPaddr());
  a.dispose();
  b.dispose();
  disposeAndCheck(f);
});

test("NoMemory while creating table nodes rolls back: no node leaked, no reference taken, the page stays unmapped", () => {
  const f = fixture();
  const { mem, space } = f;
  const frame = newFrame(mem);
  // Leave exactly two free frames: a new path needs three nodes.
  const hog: UFrame[] = [];
  const opts = new FrameAllocOptions(mem);
  while (mem.freeFrames() > 2) hog.push(opts.allocFrame());
  const table = spaceStateOf(space).table;
  using c = space.cursorMut({ start: 0x1000, end: 0x2000 });
  throwsVmError(() => c.map(frame, user(PageFlags.RW)), "NoMemory");
  assert.equal(mem.freeFrames(), 2, "the two nodes made before the failure were freed");
  assert.equal(table.nodeCount(), 1);
  assert.equal(frame.referenceCount(), 1);
  assert.equal(c.virtAddr(), 0x1000);
  assert.equal(queryAt(space, 0x1000), undefined);
  for (let i = 0; i < 512; i++) assert.deepEqual(readPte(mem, table.root, i), { lo: 0, hi: 0 });
  // With room, the same map succeeds.
  (hog.pop() as UFrame).dispose();
  c.map(frame, user(PageFlags.RW));
  assert.equal(frame.referenceCount(), 2);
  assert.equal(table.nodeCount(), 4);
  for (const h of hog) h.dispose();
  frame.dispose();
  disposeAndCheck(f);
});

test("VmSpace creation with no room for the root or the control block is NoMemory and leaks nothing", () => {
  const mem = memory(64 * PAGE_SIZE);
  const opts = new FrameAllocOptions(mem);
  const hog: UFrame[] = [];
  while (mem.freeFrames() > 1) hog.push(opts.allocFrame());
  throwsVmError(() => new VmSpace(mem), "NoMemory");
  assert.equal(mem.freeFrames(), 1);
  (hog.pop() as UFrame).dispose();
  const space = new VmSpace(mem);
  assert.equal(mem.freeFrames(), 0);
  space.dispose();
  assert.equal(mem.freeFrames(), 2);
  for (const h of hog) h.dispose();
});

test("PageTable directly: map takes a reference; unmap hands frames back in address order and frees empty nodes", () => {
  const mem = memory();
  const free0 = mem.freeFrames();
  const table = PageTable.create(mem);
  const frames = [newFrame(mem), newFrame(mem), newFrame(mem)];
  const vas = [0x3000, 0x20_0000 - PAGE_SIZE, 0x20_0000]; // the last two straddle a level-2 boundary
  frames.forEach((fr, k) => table.map(vas[k] as number, fr.startPaddr() / PAGE_SIZE, user(PageFlags.RW)));
  for (const fr of frames) assert.equal(fr.referenceCount(), 2);
  assert.equal(table.query(0x3000)?.frame, (frames[0] as UFrame).startPaddr() / PAGE_SIZE);
  assert.equal(table.query(0x4000), undefined);
  assert.equal(table.query(0x40_0000), undefined, "no node on the way");
  assert.equal(table.findMapped(0, TABLE_SPAN / 2), 0x3000);
  assert.equal(table.findMapped(0x4000, TABLE_SPAN / 2), 0x20_0000 - PAGE_SIZE);
  assert.equal(table.findMapped(0x20_1000, TABLE_SPAN / 2), -1);
  const runs: number[] = [];
  assert.equal(table.unmap(0, 0x40_0000, runs), 3);
  const released = framesOf(runs);
  const mapped = new Set(frames.map((fr) => fr.startPaddr() / PAGE_SIZE));
  assert.deepEqual(
    released.filter((r) => mapped.has(r)),
    frames.map((fr) => fr.startPaddr() / PAGE_SIZE),
    "each mapped frame is handed back once, in address order",
  );
  assert.equal(table.nodeCount(), 1);
  // The references came back to the caller (with, possibly, the unlinked nodes): drop them.
  for (const r of released) ramOf(mem).frames.unref(r, 1);
  for (const fr of frames) {
    assert.equal(fr.referenceCount(), 1);
    fr.dispose();
  }
  table.destroy();
  assert.equal(mem.freeFrames(), free0);
});

test("PageTable.unmap hands frames back as runs: consecutive frames of a leaf node merge; address order kept", () => {
  const mem = memory();
  const table = PageTable.create(mem);
  using seg = new FrameAllocOptions(mem).allocSegment(4);
  using lone = newFrame(mem);
  const g = lone.startPaddr() / PAGE_SIZE;
  const f = seg.startPaddr() / PAGE_SIZE;
  assert.notEqual(g + 1, f, "the lone frame does not precede the segment");
  // Address order: g, then f … f + 3 across a 2 MiB boundary (two leaf nodes) and a gap.
  table.map(0x2_0000, g, user(PageFlags.RW));
  [0x1f_e000, 0x1f_f000, 0x20_0000, 0x30_0000].forEach((va, k) => table.map(va, f + k, user(PageFlags.R)));
  const runs: number[] = [];
  assert.equal(table.unmap(0, 0x40_0000, runs), 5);
  assert.equal(ramOf(mem).nodeCache.size, 4, "the unlinked nodes went to the node cache, not to the runs");
  // Leaf node 0: g, then f and f + 1 (a run); leaf node 1: f + 2 and f + 3 (another).
  assert.deepEqual(runs, [g, -2, f, -2, f + 2]);
  assert.deepEqual(framesOf(runs), [g, f, f + 1, f + 2, f + 3]);
  for (const r of framesOf(runs)) ramOf(mem).frames.unref(r, 1);
  for (const frame of [g, f, f + 1, f + 2, f + 3]) assert.equal(ramOf(mem).frames.refCount(frame), 1, `frame ${frame}: the handle's reference alone`);
  table.destroy();
});

test("PageTable.findMapped searches across level-4 boundaries and skips empty subtrees", () => {
  const mem = memory();
  const table = PageTable.create(mem);
  using fr = newFrame(mem);
  const va = 2 ** 39 * 3 + 0x5000;
  table.map(va, fr.startPaddr() / PAGE_SIZE, user(PageFlags.R));
  assert.equal(table.findMapped(0, 2 ** 47), va);
  assert.equal(table.findMapped(va, va + PAGE_SIZE), va);
  assert.equal(table.findMapped(va + PAGE_SIZE, 2 ** 47), -1);
  assert.equal(table.findMapped(0, va), -1);
  const runs: number[] = [];
  table.unmap(0, 2 ** 47, runs);
  for (const r of framesOf(runs)) ramOf(mem).frames.unref(r, 1);
  assert.equal(table.nodeCount(), 1);
  table.destroy();
});

test("a page mapped without R is in the table (query shows it) but every access faults", () => {
  const f = fixture();
  const { mem, space } = f;
  mapNew(space, mem, 0x9000, PageFlags.W, new Uint8Array(PAGE_SIZE).fill(0x5a));
  mapNew(space, mem, 0xa000, 0);
  assert.equal(flagsAt(space, 0x9000), PageFlags.W);
  assert.equal(flagsAt(space, 0xa000), 0);
  const leaf = walk(mem, spaceStateOf(space).table.root, 0x9000).entries[3] as { lo: number };
  assert.equal(leaf.lo & 1, 0, "not present to the MMU");
  for (const va of [0x9000, 0xa000]) {
    throwsVmError(() => space.reader(va, 1).readFallible(VmWriter.from(new Uint8Array(1))), "PageFault", 0);
    throwsVmError(() => space.writer(va, 1).fillZeros(1), "PageFault", 0);
    throwsVmError(() => space.readBytes(va + 100, new Uint8Array(4)), "PageFault", 0);
  }
  assert.equal(flagsAt(space, 0x9000), PageFlags.W, "no ACCESSED bit from the failed accesses");
  using c = space.cursorMut({ start: 0x9000, end: 0xa000 });
  c.protectNext(PAGE_SIZE, (p) => {
    p.flags = PageFlags.RW;
  });
  assert.equal(space.readVal(0x9000, u8), 0x5a, "adding R makes the same frame readable");
  disposeAndCheck(f);
});

test("by construction, no reserved frame, page-table node or free frame ever enters a leaf entry (ERR_VMIO_INTERNAL, nothing changes)", () => {
  const f = fixture();
  const { mem, space } = f;
  const state = spaceStateOf(space);
  const table = state.table;
  const isInternal = (e: unknown): boolean => e instanceof Error && (e as { code?: unknown }).code === "ERR_VMIO_INTERNAL";
  const prop = user(PageFlags.RW);
  const free = mem.freeFrames();
  // Frame 0 (RAM's header), the last reserved frame, the root node, a free frame, one past the end.
  let freeFrame = mem.reservedFrames();
  while (!ramOf(mem).frames.isFree(freeFrame)) freeFrame++;
  for (const frame of [0, mem.reservedFrames() - 1, table.root, freeFrame, ramOf(mem).nframes]) {
    assert.throws(() => table.map(0x7000, frame, prop), isInternal, `frame ${frame}`);
  }
  assert.equal(mem.freeFrames(), free, "no node was made on the way");
  assert.equal(walk(mem, table.root, 0x7000).entries.length, 1, "the walk stops at the root: nothing was linked");
  // The batch form (mapIn, fork's path) checks every frame the same way, fused with taking the reference.
  mapNew(space, mem, 0x6000, PageFlags.RW);
  const node = table.leafNodeFor(0x7000);
  const refsOfRoot = ramOf(mem).frames.refCount(table.root);
  while (!ramOf(mem).frames.isFree(freeFrame)) freeFrame++;
  for (const frame of [0, mem.reservedFrames() - 1, table.root, freeFrame, ramOf(mem).nframes]) {
    assert.throws(() => table.mapIn(node, 7 * 2, frame, 0, 0), isInternal, `mapIn frame ${frame}`);
  }
  assert.equal(ramOf(mem).frames.refCount(table.root), refsOfRoot, "no reference taken");
  assert.equal(readPte(mem, node, 7).lo, 0, "nothing written");
  unmapAt(space, 0x6000);
  // reprotect refuses to rewrite an entry that no longer maps the frame it was given.
  const paddr = mapNew(space, mem, 0x7000, PageFlags.RW);
  assert.throws(() => table.reprotect(0x7000, paddr / PAGE_SIZE + 1, prop), isInternal);
  assert.throws(() => table.reprotect(0x8000, paddr / PAGE_SIZE, prop), isInternal);
  assert.equal(flagsAt(space, 0x7000), PageFlags.RW);
  disposeAndCheck(f);
});

test("emptied nodes are kept for reuse on unshared RAM: the next path reuses them, they count as free, and any allocation may take them", () => {
  const f = fixture();
  const { mem, space } = f;
  const table = spaceStateOf(space).table;
  const free0 = mem.freeFrames();
  mapNew(space, mem, 0x1000);
  const path = walk(mem, table.root, 0x1000).nodes;
  unmapAt(space, 0x1000);
  assert.equal(table.nodeCount(), 1);
  assert.equal(ramOf(mem).nodeCache.size, 3, "the three emptied nodes are cached");
  assert.equal(mem.freeFrames(), free0, "cached nodes count as free");
  assert.equal(mem.usedFrames() + mem.freeFrames() + mem.reservedFrames(), mem.size / PAGE_SIZE);
  for (const n of path.slice(1)) for (let i = 0; i < 512; i++) assert.deepEqual(readPte(mem, n, i), { lo: 0, hi: 0 }, "a cached node is zero");
  // A far page needs a path of its own: it is made of the cached nodes.
  mapNew(space, mem, FAR);
  assert.deepEqual(new Set(walk(mem, table.root, FAR).nodes.slice(1)), new Set(path.slice(1)));
  assert.equal(ramOf(mem).nodeCache.size, 0);
  unmapAt(space, FAR);
  // Every free frame can be allocated, the cached nodes included.
  const n = mem.freeFrames();
  const opts = new FrameAllocOptions(mem);
  const hog: UFrame[] = [];
  while (hog.length < n) hog.push(opts.allocFrame());
  throwsVmError(() => opts.allocFrame(), "NoMemory");
  assert.equal(ramOf(mem).nodeCache.size, 0, "the allocation that found no free frame took the cached nodes");
  for (const h of hog) h.dispose();
  disposeAndCheck(f);
});

test("shared RAM caches no node: an unlinked node waits for a grace period and goes back to the allocator", () => {
  const mem = memory(1 << 20, true);
  const space = new VmSpace(mem);
  const free0 = mem.freeFrames();
  mapNew(space, mem, 0x1000);
  unmapAt(space, 0x1000);
  assert.equal(ramOf(mem).nodeCache.size, 0);
  assert.equal(mem.freeFrames(), free0);
  assert.equal(ramOf(mem).allocator.freeCount(), free0);
  space.dispose();
});
