/**
 * A small cache of zeroed page-table nodes, so that mapping and unmapping a
 * lone page does not free three nodes and allocate (and zero) them again
 * each time (issue 10: 4.3 µs per map + unmap, most of it allocator work).
 *
 * Safety contract: a cached node is a typed page-table frame with one
 * reference (the cache's), every entry zero and a present count of zero —
 * exactly what a fresh node is — so handing it out is the same as
 * allocating one. Only unshared RAM caches: there a node unlinked from a
 * table can be walked by no one (one thread, and walks never interleave
 * with changes), while on shared RAM it must wait for a grace period.
 * Cached frames are free for every purpose that counts: `freeFrames()`
 * counts them, and an allocation that finds no free frame empties the cache
 * first (`onShortage`), so the cache never makes an allocation fail.
 *
 * OSTD counterpart: none (OSTD allocates each node from its frame
 * allocator); Linux keeps per-CPU page caches (`pcp` lists) for the same reason.
 *
 * @module
 */

import type { FrameTable } from "./meta.js";

/** Nodes kept at most: one 4-level path takes 3 below the root, a few paths fit. */
const CAPACITY = 16;

/**
 * One thread's cache of zeroed page-table nodes of one RAM.
 *
 * @internal
 */
export class NodeCache {
  readonly #frames: FrameTable;
  readonly #enabled: boolean;
  readonly #nodes: number[] = [];

  constructor(frames: FrameTable, enabled: boolean) {
    this.#frames = frames;
    this.#enabled = enabled;
  }

  /** Number of nodes cached. */
  get size(): number {
    return this.#nodes.length;
  }

  /** A cached node (the caller takes over its reference), or -1 when there is none. */
  take(): number {
    const nodes = this.#nodes;
    return nodes.length === 0 ? -1 : (nodes.pop() as number);
  }

  /**
   * Keeps `node` — a page-table node whose entries are all zero and which
   * no table links any more, handed over with its one reference — and
   * returns true; false (the caller keeps the reference) when the cache is
   * full or RAM is shared.
   */
  put(node: number): boolean {
    if (!this.#enabled || this.#nodes.length >= CAPACITY) return false;
    this.#nodes.push(node);
    return true;
  }

  /** Frees every cached node; returns how many. */
  drain(): number {
    const nodes = this.#nodes;
    const n = nodes.length;
    for (const f of nodes) this.#frames.unref(f, 1);
    nodes.length = 0;
    return n;
  }
}
