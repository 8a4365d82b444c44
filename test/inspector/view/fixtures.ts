// Snapshot data for the view modules' tests.
import type { RegionView } from "../../../inspector/protocol.js";

/** Bytes per page. */
export const P = 4096;

/** A private anonymous region over `[0x10000, 0x100000)` with present pages `[va, frame number, references]`. */
export function region(pages: Array<[va: number, frame: number, refs: number]>): RegionView {
  return {
    start: 0x10000,
    end: 0x100000,
    prot: 3,
    shared: false,
    name: "",
    kind: "anon",
    mapped: pages.length,
    cowShared: 0,
    pages: pages.map(([va, frame, refs]) => ({ va, paddr: frame * P, flags: 3, refs })),
  };
}
