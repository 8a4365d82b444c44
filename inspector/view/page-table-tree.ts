/**
 * The page-table tree of an address space, as far as its leaf entries tell:
 * each present page's entry (read through vmio cursors by the kernel's
 * snapshot) sits in a last-level table, which hangs from one entry of each
 * level above, chosen by the address's index bits — 4 levels of 512
 * entries, 9 bits each above the 12-bit page offset, in both of vmio's
 * paging formats (x86-64 and Sv48).
 *
 * What this cannot show is where the upper nodes are in RAM and their own
 * entries' bits: that needs a read-only walk of the page table, which vmio
 * does not expose yet. The page says so beside the tree.
 *
 * @module
 */

import type { PageView } from "../protocol.js";

/** Levels of the table; the root is level 4, leaf entries are in level-1 tables. */
export const LEVELS = 4;

/** Entries in one node. */
export const ENTRIES = 512;

/** The lowest address bit a level's index uses: 12 for level 1 … 39 for level 4. */
export function levelShift(level: number): number {
  return 12 + 9 * (level - 1);
}

/** The index of `va` in a level-`level` node. */
export function indexAt(va: number, level: number): number {
  // Addresses reach 2^47: arithmetic, not 32-bit bit operations.
  return Math.floor(va / 2 ** levelShift(level)) % ENTRIES;
}

/** One node of the tree: the entries of a table at `level` that lead to present pages. */
export interface TreeNode {
  readonly level: number;
  /** Its index in the parent (0 for the root). */
  readonly index: number;
  /** The first address it covers. */
  readonly base: number;
  /** Bytes it covers: 2^(shift + 9). */
  readonly span: number;
  /** Its children with present pages, by index (levels 2–4). */
  readonly children: TreeNode[];
  /** The present pages' entries (level 1 only), in address order. */
  readonly entries: PageView[];
}

function node(level: number, index: number, base: number): TreeNode {
  return { level, index, base, span: 2 ** (levelShift(level) + 9), children: [], entries: [] };
}

/** The tree over `pages` (any order; each address once). */
export function treeFromPages(pages: Iterable<PageView>): TreeNode {
  const root = node(LEVELS, 0, 0);
  const sorted = [...pages].sort((a, b) => a.va - b.va);
  for (const pg of sorted) {
    let n = root;
    for (let level = LEVELS - 1; level >= 1; level--) {
      const index = indexAt(pg.va, level + 1);
      // Sorted input: a child, when it exists, is the last one added.
      let child = n.children[n.children.length - 1];
      if (child === undefined || child.index !== index) {
        child = node(level, index, n.base + index * 2 ** levelShift(level + 1));
        n.children.push(child);
      }
      n = child;
    }
    n.entries.push(pg);
  }
  return root;
}

/** Tables in the tree at each level, root first: how many nodes at least the page table holds. */
export function nodesPerLevel(root: TreeNode): number[] {
  const counts = new Array<number>(LEVELS).fill(0);
  const visit = (n: TreeNode): void => {
    counts[LEVELS - n.level] = (counts[LEVELS - n.level] ?? 0) + 1;
    n.children.forEach(visit);
  };
  visit(root);
  return counts;
}
