/**
 * A paging format: how page-table entries are encoded.
 *
 * vmio's page tables have the same shape on every format it knows (4 levels
 * of 512 eight-byte entries over a 48-bit virtual address space; x86-64's
 * 4-level paging and RISC-V's Sv48 agree on that), so a format is only the
 * encoding of one entry. The page-table code walks and edits nodes through
 * the format object of its `PhysicalMemory`, chosen once when the memory is
 * made; the TLB and everything above see frame numbers, permissions and
 * `PageProperty` values, never raw entry bits.
 *
 * An entry is read and written as two 32-bit halves (`lo`: bits 0–31, `hi`:
 * bits 32–63), never as a `bigint` (docs/architecture.md, "Measured rules"). The hot paths (the
 * translation walk) test bits through the numeric masks below, which V8
 * keeps as plain integer operations; the methods are for the colder code
 * (mapping, protecting, decoding).
 *
 * OSTD counterpart: `PagingConstsTrait` (the shape) and
 * `PageTableEntryTrait` (the encoding).
 *
 * @module
 */

import { internalError } from "../base/contract.js";
import { PAGING_NAMES, type PagingName } from "../frame/paging-name.js";
import type { PageProperty } from "./page-property.js";
import { X86_64 } from "./pte-x86-64.js";
import { SV48 } from "./pte-sv48.js";

/**
 * The encoding of page-table entries of one paging format.
 *
 * @internal
 */
export interface PagingFormat {
  readonly name: PagingName;
  /** An entry of a non-leaf node points to a next-level node iff `(lo & tableMask) === tableBits`. */
  readonly tableMask: number;
  readonly tableBits: number;
  /** A leaf entry maps a frame (accessible or not) iff `(lo & mappedMask) !== 0`. */
  readonly mappedMask: number;
  /** A leaf entry allows reads iff `(lo & readMask) === readMask`. */
  readonly readMask: number;
  /** The bit of `lo` that allows writes (on a readable leaf). */
  readonly writeBit: number;
  /** The bit of `lo` that an access sets (ACCESSED). */
  readonly accessedBit: number;
  /** The bit of `lo` that a write sets (DIRTY). */
  readonly dirtyBit: number;
  /** A leaf allows instruction fetch iff `(lo & execLoMask) === execLoMask && (hi & execHiMask) === 0`. */
  readonly execLoMask: number;
  readonly execHiMask: number;
  /** Frame number of an entry: `(lo >>> ppnShift) + (hi & ppnHiMask) * ppnHiScale`. */
  readonly ppnShift: number;
  readonly ppnHiMask: number;
  readonly ppnHiScale: number;
  /** The frame an entry (leaf or not) holds. */
  frameOf(lo: number, hi: number): number;
  /** The halves of a non-leaf entry pointing to the node in `frame`. */
  tableLo(frame: number): number;
  tableHi(frame: number): number;
  /** The halves of a user leaf mapping `frame` with `prop`. */
  leafLo(frame: number, prop: PageProperty): number;
  leafHi(frame: number, prop: PageProperty): number;
  /** The property a mapped leaf encodes (an exact round trip of `leafLo`/`leafHi`). */
  propertyOf(lo: number, hi: number): PageProperty;
  /** Whether a leaf allows instruction fetch. */
  isExecutable(lo: number, hi: number): boolean;
  /** The architectural names of the bits set in an entry (for display), e.g. `["P", "RW", "US", "NX"]`. */
  flagNames(lo: number, hi: number, leaf: boolean): string[];
}

const FORMATS: readonly PagingFormat[] = [X86_64, SV48];

/**
 * The format numbered `id` in a RAM header.
 *
 * @internal
 */
export function formatById(id: number): PagingFormat {
  const f = FORMATS[id];
  if (f === undefined || f.name !== PAGING_NAMES[id]) internalError(`unknown paging format ${id} in the RAM header`);
  return f;
}
