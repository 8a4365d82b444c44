/**
 * Physical RAM frame by frame, for the page's frame map: what each frame
 * holds as far as the kernel's snapshot and vmio say — vmio's metadata
 * (the first `reserved` frames), a user page (with its reference count and
 * every mapping of it the snapshot found), the zero page — and, for every
 * other frame, that it is not mapped in user space: free, or held by the
 * kernel (page-table nodes, address-space control blocks). vmio does not
 * expose which of those two a frame is yet; the map says so rather than
 * guess.
 *
 * @module
 */

import type { FramesView, ProcessView } from "../protocol.js";

/** What a frame holds. */
export type FrameUse = "reserved" | "user" | "shared" | "zero" | "other";

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

/** The frame map of one sample. */
export interface FrameMap {
  /** Frames in RAM (the reserved ones included). */
  readonly frames: number;
  /** vmio's metadata: frames `[0, reserved)`. */
  readonly reserved: number;
  /** Frames mapped in user space, by frame number. */
  readonly mapped: ReadonlyMap<number, MappedFrame>;
  /** The highest frame number that is reserved or mapped. */
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
  const zero = frames.zeroPage === undefined ? -1 : frames.zeroPage / FRAME_SIZE;
  const mapped = new Map<number, MappedFrame>();
  let highest = frames.reserved - 1;
  for (const [n, f] of found) {
    const use = n === zero ? "zero" : f.mappings.length > 1 || f.refs > 1 ? "shared" : "user";
    mapped.set(n, { use, refs: f.refs, mappings: f.mappings });
    if (n > highest) highest = n;
  }
  return { frames: frames.size / FRAME_SIZE, reserved: frames.reserved, mapped, highest };
}

/** What frame `n` of `map` holds. */
export function useOf(map: FrameMap, n: number): FrameUse {
  if (n < map.reserved) return "reserved";
  return map.mapped.get(n)?.use ?? "other";
}
