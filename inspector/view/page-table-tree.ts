/**
 * The page-table tree as vmio's walk found it in RAM (`VmSpace.walkPageTable`,
 * through the kernel's snapshot): its nodes, level by level, and where each
 * present page's entry is. Pure functions over the snapshot's data: the
 * page and its Node tests share them.
 *
 * @module
 */

import type { PageTableView, PageView, RegionView, TableNodeView } from "../protocol.js";

/** Levels of the table in both of vmio's paging formats (x86-64, Sv48); the root is level 4. */
export const LEVELS = 4;

/** Every node of the tree under `root`, root first, depth first in index order. */
export function nodesOf(root: TableNodeView): TableNodeView[] {
  const out: TableNodeView[] = [];
  const visit = (n: TableNodeView): void => {
    out.push(n);
    for (const e of n.entries) if (e.child !== undefined) visit(e.child);
  };
  visit(root);
  return out;
}

/** Nodes at each level, root first: `[1, level 3, level 2, level 1]`. */
export function nodesPerLevel(table: PageTableView): number[] {
  const counts = new Array<number>(LEVELS).fill(0);
  for (const n of nodesOf(table.root)) counts[LEVELS - n.level] = (counts[LEVELS - n.level] ?? 0) + 1;
  return counts;
}

/** The present pages of `regions` by virtual address: what the kernel read through cursors (the frame's reference count among it). */
export function pagesByAddress(regions: readonly RegionView[]): Map<number, PageView> {
  const out = new Map<number, PageView>();
  for (const r of regions) for (const pg of r.pages) out.set(pg.va, pg);
  return out;
}
