// The page-table tree of a snapshot: every node once, root first, depth
// first in index order; the nodes by level; the pages by address. (That the
// tree is vmio's walk of the real entries is tested with the kernel's
// snapshots, test/kernel/core/kernel.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { nodesOf, nodesPerLevel, pagesByAddress } from "../../../inspector/view/page-table-tree.js";
import type { PageTableView, TableEntryView, TableNodeView } from "../../../inspector/protocol.js";
import { region } from "./fixtures.js";

/** Bytes an entry of a level-`level` node covers: 4 KiB … 512 GiB. */
const span = (level: number) => 2 ** (3 + 9 * level);

function leaf(index: number, base: number): TableEntryView {
  return { index, va: base + index * span(1), span: span(1), flags: ["P", "US", "A"], paddr: (100 + index) * 4096, child: undefined };
}

function table(level: number, paddr: number, va: number, entries: TableEntryView[]): TableNodeView {
  return { level, paddr, va, present: entries.length, entries };
}

function down(index: number, parent: { level: number; va: number }, child: TableNodeView): TableEntryView {
  return { index, va: parent.va + index * span(parent.level), span: span(parent.level), flags: ["P", "RW", "US"], paddr: child.paddr, child };
}

// Two last-level tables under one level-2 table, and one under another branch.
const l1a = table(1, 0x5000, 0, [leaf(16, 0), leaf(17, 0)]);
const l1b = table(1, 0x6000, 2 ** 21, [leaf(0, 2 ** 21)]);
const l2 = table(2, 0x4000, 0, []);
const l2e = { ...l2, entries: [down(0, l2, l1a), down(1, l2, l1b)], present: 2 };
const l1c = table(1, 0x9000, 255 * 2 ** 30 + 511 * 2 ** 21, [leaf(511, 255 * 2 ** 30 + 511 * 2 ** 21)]);
const l2c = table(2, 0x8000, 255 * 2 ** 30, []);
const l2ce = { ...l2c, entries: [down(511, l2c, l1c)], present: 1 };
const l3 = table(3, 0x3000, 0, []);
const l3e = { ...l3, entries: [down(0, l3, l2e), down(255, l3, l2ce)], present: 2 };
const root = table(4, 0x2000, 0, []);
const rootE = { ...root, entries: [down(0, root, l3e)], present: 1 };
const pt: PageTableView = { paging: "x86-64", root: rootE, nodes: 7, pages: 4 };

test("every node once, root first, depth first in index order; the nodes by level", () => {
  assert.deepEqual(nodesOf(pt.root).map((n) => n.paddr), [0x2000, 0x3000, 0x4000, 0x5000, 0x6000, 0x8000, 0x9000]);
  assert.equal(nodesOf(pt.root).length, pt.nodes);
  assert.deepEqual(nodesPerLevel(pt), [1, 1, 2, 3]);
  const lone: PageTableView = { paging: "riscv-sv48", root, nodes: 1, pages: 0 };
  assert.deepEqual(nodesPerLevel(lone), [1, 0, 0, 0], "an empty space: the root alone");
});

test("the pages by address, across regions", () => {
  const byVa = pagesByAddress([region([[0x10000, 20, 1], [0x11000, 21, 2]]), region([[0x200000, 22, 3]])]);
  assert.deepEqual([...byVa.keys()], [0x10000, 0x11000, 0x200000]);
  assert.equal(byVa.get(0x11000)?.refs, 2);
  assert.equal(byVa.get(0x12000), undefined);
});
