// VmSpace.walkPageTable: the picture of the page table matches the entries
// in RAM (read by hand), the mappings (read by cursors) and the node count;
// it honours its range, changes nothing, and refuses what cursors refuse.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CachePolicy, MAX_USERSPACE_VADDR, PAGE_SIZE, PageFlags, VmError, type PageTableEntryInfo, type PageTableNodeInfo } from "../../src/index.js";
import { spaceStateOf } from "../../src/vm/vm-space.js";
import { PAGING, disposeAndCheck, fixture, mapAt, mapNew, newFrame, queryAt, readPte, raw, throwsContract, throwsDisposed, throwsVmError } from "./support.js";

const FAR = 0x7fff_ffff_e000;

/** Every node of the picture, root first. */
function nodesOf(n: PageTableNodeInfo): PageTableNodeInfo[] {
  return [n, ...n.entries.flatMap((e) => (e.child === undefined ? [] : nodesOf(e.child)))];
}

/** Every level-1 entry of the picture. */
function leavesOf(n: PageTableNodeInfo): PageTableEntryInfo[] {
  return n.entries.flatMap((e) => (n.level === 1 ? [e] : e.child === undefined ? [] : leavesOf(e.child)));
}

test("a new space: the root alone, no entries", () => {
  const f = fixture();
  const w = f.space.walkPageTable();
  assert.equal(w.paging, PAGING);
  assert.equal(w.levels, 4);
  assert.deepEqual(w.range, { start: 0, end: MAX_USERSPACE_VADDR });
  assert.equal(w.nodes, 1);
  assert.equal(w.pages, 0);
  assert.equal(w.root.level, 4);
  assert.equal(w.root.frame, spaceStateOf(f.space).table.root);
  assert.equal(w.root.paddr, w.root.frame * PAGE_SIZE);
  assert.equal(w.root.present, 0);
  assert.deepEqual(w.root.entries, []);
  disposeAndCheck(f);
});

test("the picture holds every node and page, the raw entries in RAM, decoded flags and the properties cursors see", () => {
  const f = fixture();
  const cases: Array<[va: number, flags: number]> = [
    [0x1000, PageFlags.R],
    [0x2000, PageFlags.RW],
    [0x40_0000, PageFlags.RX],
    [0x1_2345_6000, PageFlags.RWX],
    [FAR, PageFlags.W], // mapped without R
  ];
  const paddrs = new Map<number, number>();
  for (const [va, flags] of cases) paddrs.set(va, mapNew(f.space, f.mem, va, flags));
  f.space.readBytes(0x2000, new Uint8Array(1)); // sets ACCESSED on one page
  const free = f.mem.freeFrames();
  const w = f.space.walkPageTable();
  assert.equal(w.nodes, spaceStateOf(f.space).table.nodeCount());
  assert.equal(w.pages, cases.length);
  for (const node of nodesOf(w.root)) {
    assert.equal(node.present, node.entries.length, "the whole range: every present entry is in the picture");
    for (const e of node.entries) {
      assert.deepEqual({ lo: e.lo, hi: e.hi }, readPte(f.mem, node.frame, e.index), "the raw halves are the entry in RAM");
      assert.equal(e.va, node.va + e.index * e.span);
      assert.equal(e.span, 2 ** (12 + 9 * (node.level - 1)));
      assert.equal(e.paddr, e.frame * PAGE_SIZE);
      assert.equal(e.frame, raw().frame(e));
      if (node.level > 1) {
        assert.equal(e.child?.frame, e.frame, "a non-leaf entry points at its child node");
        assert.equal(e.child?.level, node.level - 1);
        assert.equal(e.child?.va, e.va);
        assert.equal(e.prop, undefined);
        assert.deepEqual(e.flags, PAGING === "x86-64" ? ["P", "RW", "US"] : ["V"]);
      }
    }
  }
  const leaves = leavesOf(w.root);
  assert.deepEqual(
    leaves.map((e) => e.va),
    cases.map(([va]) => va),
  );
  for (const e of leaves) {
    const q = queryAt(f.space, e.va);
    assert.equal(e.paddr, paddrs.get(e.va));
    assert.deepEqual({ flags: e.prop?.flags, cache: e.prop?.cache }, { flags: q?.flags, cache: q?.cache });
    const flags = e.prop?.flags as number;
    if (PAGING === "x86-64") {
      assert.equal(e.flags.includes("P"), (flags & PageFlags.R) !== 0);
      assert.equal(e.flags.includes("NOACCESS"), (flags & PageFlags.R) === 0);
      assert.equal(e.flags.includes("RW"), (flags & PageFlags.W) !== 0);
      assert.equal(e.flags.includes("NX"), (flags & PageFlags.X) === 0);
      assert.ok(e.flags.includes("US"));
    } else {
      assert.equal(e.flags.includes("V") && e.flags.includes("R"), (flags & PageFlags.R) !== 0);
      assert.equal(e.flags.includes("G"), (flags & PageFlags.R) === 0);
      assert.equal(e.flags.includes("W"), (flags & PageFlags.W) !== 0);
      assert.equal(e.flags.includes("X"), (flags & PageFlags.X) !== 0);
      assert.ok(e.flags.includes("U"));
    }
    assert.equal(e.flags.includes("A"), (flags & PageFlags.ACCESSED) !== 0);
  }
  assert.equal((leaves[1]?.prop?.flags as number) & PageFlags.ACCESSED, PageFlags.ACCESSED, "the page read is ACCESSED");
  // Looking changed nothing: no reference taken, no ACCESSED set.
  assert.equal(f.mem.freeFrames(), free);
  assert.equal(queryAt(f.space, 0x1000)?.flags, PageFlags.R);
  disposeAndCheck(f);
});

test("a range: only the entries that overlap it, and the nodes on their way", () => {
  const f = fixture();
  for (const va of [0x1000, 0x2000, 0x40_0000, FAR]) mapNew(f.space, f.mem, va);
  const w = f.space.walkPageTable({ start: 0x2000, end: 0x3000 });
  assert.deepEqual(w.range, { start: 0x2000, end: 0x3000 });
  assert.equal(w.nodes, 4);
  assert.equal(w.pages, 1);
  assert.deepEqual(
    leavesOf(w.root).map((e) => e.va),
    [0x2000],
  );
  const level1 = nodesOf(w.root).find((n) => n.level === 1) as PageTableNodeInfo;
  assert.equal(level1.present, 2, "the node's count still says what it holds");
  const w2 = f.space.walkPageTable({ start: 0x20_0000, end: 0x40_0000 });
  assert.equal(w2.pages, 0);
  assert.equal(w2.nodes, 3, "root, level 3, level 2: the level-2 entry for the range is empty");
  disposeAndCheck(f);
});

test("every CachePolicy is decoded to the property the page was mapped with", () => {
  const f = fixture();
  const policies = [CachePolicy.Uncacheable, CachePolicy.WriteCombining, CachePolicy.WriteProtected, CachePolicy.Writethrough, CachePolicy.Writeback];
  policies.forEach((cache, k) => {
    using frame = newFrame(f.mem);
    mapAt(f.space, 0x10000 + k * PAGE_SIZE, frame, PageFlags.RW, cache);
  });
  const leaves = leavesOf(f.space.walkPageTable().root);
  assert.deepEqual(
    leaves.map((e) => e.prop?.cache),
    policies,
  );
  disposeAndCheck(f);
});

test("bad ranges are refused as cursors refuse them; a disposed space throws", () => {
  const f = fixture();
  throwsVmError(() => f.space.walkPageTable({ start: 0x800, end: 0x2000 }), "InvalidArgs");
  throwsVmError(() => f.space.walkPageTable({ start: 0x2000, end: 0x2000 }), "InvalidArgs");
  throwsVmError(() => f.space.walkPageTable({ start: 0, end: MAX_USERSPACE_VADDR + PAGE_SIZE }), "AccessDenied");
  throwsContract(() => f.space.walkPageTable(null as never), TypeError);
  throwsContract(() => f.space.walkPageTable({ start: -1, end: 0x1000 }), RangeError);
  assert.ok(!((f.space.walkPageTable() as unknown) instanceof VmError));
  f.space.dispose();
  throwsDisposed(() => f.space.walkPageTable());
});
