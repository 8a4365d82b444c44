/**
 * Physical RAM frame by frame, for the page's frame map: what each frame
 * holds as far as the kernel's snapshot and vmio say — vmio's metadata
 * (the first `reserved` frames), a page-table node (from vmio's walk of
 * each address space), a user page (with its reference count and every
 * mapping of it the snapshot found), the zero page — and, for every other
 * frame, that it is neither: free, or held by the kernel otherwise
 * (address-space control blocks). vmio does not say which of those two a
 * frame is; the map says so rather than guess.
 *
 * @module
 */

import type { FramesView, ProcessView } from "../protocol.js";
import { nodesOf } from "./page-table-tree.js";

/** What a frame holds. */
export type FrameUse = "reserved" | "table" | "user" | "shared" | "zero" | "other";

/** One mapping of a frame: which process maps it where. */
export interface Mapping {
  readonly pid: number;
  readonly va: number;
}

/** A frame that some address space maps. */
export interface MappedFrame {
  readonly use: "user" | "shared" | "zero";
  /** vmio's reference count. */
  readonly refs: number;
  /** The mappings the snapshot found, by process then address. */
  readonly mappings: readonly Mapping[];
}

/** A frame that holds a page-table node. */
export interface TableFrame {
  readonly pid: number;
  readonly level: number;
  /** The first virtual address the node covers. */
  readonly va: number;
}

/** The frame map of one sample. */
export interface FrameMap {
  /** Frames in RAM (the reserved ones included). */
  readonly frames: number;
  /** vmio's metadata: frames `[0, reserved)`. */
  readonly reserved: number;
  /** Frames mapped in user space, by frame number. */
  readonly mapped: ReadonlyMap<number, MappedFrame>;
  /** Frames holding page-table nodes, by frame number. */
  readonly tables: ReadonlyMap<number, TableFrame>;
  /** The highest frame number that is reserved, a page-table node or mapped. */
  readonly highest: number;
}

/** Bytes per frame. */
export const FRAME_SIZE = 4096;

/** The frame map of `processes` over `frames`. */
export function frameMap(processes: readonly ProcessView[], frames: FramesView): FrameMap {
  const found = new Map<number, { refs: number; mappings: Mapping[] }>();
  for (const p of processes) {
    for (const r of p.regions) {
      for (const pg of r.pages) {
        const n = pg.paddr / FRAME_SIZE;
        const f = found.get(n);
        if (f === undefined) found.set(n, { refs: pg.refs, mappings: [{ pid: p.pid, va: pg.va }] });
        else f.mappings.push({ pid: p.pid, va: pg.va });
      }
    }
  }
  const tables = new Map<number, TableFrame>();
  for (const p of processes) {
    if (p.pageTable === undefined) continue;
    for (const node of nodesOf(p.pageTable.root)) tables.set(node.paddr / FRAME_SIZE, { pid: p.pid, level: node.level, va: node.va });
  }
  const zero = frames.zeroPage === undefined ? -1 : frames.zeroPage / FRAME_SIZE;
  const mapped = new Map<number, MappedFrame>();
  let highest = frames.reserved - 1;
  for (const [n, f] of found) {
    const use = n === zero ? "zero" : f.mappings.length > 1 || f.refs > 1 ? "shared" : "user";
    mapped.set(n, { use, refs: f.refs, mappings: f.mappings });
    if (n > highest) highest = n;
  }
  for (const n of tables.keys()) if (n > highest) highest = n;
  return { frames: frames.size / FRAME_SIZE, reserved: frames.reserved, mapped, tables, highest };
}

/** What frame `n` of `map` holds. */
export function useOf(map: FrameMap, n: number): FrameUse {
  if (n < map.reserved) return "reserved";
  if (map.tables.has(n)) return "table";
  return map.mapped.get(n)?.use ?? "other";
}
