// The page-table tree grouped from leaf entries, against a reference model:
// every page sits once under the path its index bits name, in address
// order, and the nodes per level are the distinct address prefixes.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ENTRIES, LEVELS, indexAt, levelShift, nodesPerLevel, treeFromPages, type TreeNode } from "../../../inspector/view/page-table-tree.js";
import type { PageView } from "../../../inspector/protocol.js";

const PAGE = 4096;
const TOP = 2 ** 47;

function page(va: number): PageView {
  return { va, paddr: (va / PAGE) % 1000 * PAGE, flags: 1, refs: 1 };
}

/** Every leaf entry with the indices of the path to it, root first. */
function leaves(n: TreeNode, path: number[] = []): Array<{ path: number[]; va: number }> {
  if (n.level === 1) return n.entries.map((e) => ({ path, va: e.va }));
  return n.children.flatMap((c) => {
    assert.ok(c.level === n.level - 1);
    assert.equal(c.base, n.base + c.index * c.span, "a child covers its slice of the parent");
    assert.ok(c.index >= 0 && c.index < ENTRIES);
    return leaves(c, [...path, c.index]);
  });
}

test("index bits: 9 per level above the 12-bit offset", () => {
  assert.deepEqual([1, 2, 3, 4].map(levelShift), [12, 21, 30, 39]);
  const va = 0x3ff7eff000;
  assert.deepEqual([4, 3, 2, 1].map((l) => indexAt(va, l)), [0, 255, 447, 255]);
  assert.equal(indexAt(TOP - PAGE, 4), 255);
  assert.equal(indexAt(TOP - PAGE, 1), 511);
});

test("every page is found once, under its own path, in address order; nodes per level are the distinct prefixes", () => {
  const vaArb = fc.integer({ min: 0, max: TOP / PAGE - 1 }).map((n) => n * PAGE);
  // Clustered addresses too, so that nodes are shared.
  const clustered = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2047 })).map(([hi, lo]) => hi * 2 ** 39 + lo * PAGE);
  fc.assert(
    fc.property(fc.uniqueArray(fc.oneof(vaArb, clustered), { maxLength: 200 }), (vas) => {
      const root = treeFromPages(vas.map(page)); // in the order fast-check made them: any order
      assert.equal(root.level, LEVELS);
      const found = leaves(root);
      assert.deepEqual(found.map((f) => f.va), [...vas].sort((a, b) => a - b));
      for (const f of found) assert.deepEqual(f.path, [4, 3, 2].map((l) => indexAt(f.va, l)));
      const prefixes = (level: number) => new Set(vas.map((va) => Math.floor(va / 2 ** (levelShift(level) + 9)))).size;
      assert.deepEqual(nodesPerLevel(root), [1, prefixes(3), prefixes(2), prefixes(1)]);
    }),
    { seed: 0x7ab1e, numRuns: 200 },
  );
});
