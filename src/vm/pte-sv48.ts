/**
 * RISC-V Sv48 page-table entries, read and written as two 32-bit halves.
 *
 * An entry is 8 bytes, little-endian (RISC-V privileged spec, "Sv48:
 * Page-Based 48-bit Virtual-Memory System"):
 *
 * | bit   | meaning                                                    |
 * | ----- | ---------------------------------------------------------- |
 * | 0 V   | valid                                                      |
 * | 1 R   | readable                                                   |
 * | 2 W   | writable (W without R is reserved)                         |
 * | 3 X   | executable                                                 |
 * | 4 U   | user-accessible (set on every user leaf)                   |
 * | 5 G   | global (never on a user mapping; see "mapped without R")   |
 * | 6 A   | accessed                                                   |
 * | 7 D   | dirty                                                      |
 * | 8–9   | RSW, for software: vmio keeps two cache policies there     |
 * | 10–53 | PPN, the physical page number                              |
 * | 54–60 | reserved, zero                                             |
 * | 61–62 | PBMT (Svpbmt): 0 PMA, 1 NC, 2 IO                           |
 * | 63 N  | Svnapot, zero                                              |
 *
 * A non-leaf entry is V with R = W = X = 0, and (as the spec requires of
 * software) A, D, U and PBMT clear. A leaf has at least R.
 *
 * What vmio adds, within what the spec leaves to software:
 * - **A and D** are set by accesses, the way hardware A/D updating does
 *   (Svadu): a read or write through a leaf sets A, a write sets D, in the
 *   entry, before the translation is cached;
 * - **a page mapped without `R`** (vmio's "mapped but inaccessible", which
 *   faults on every access, the same on both formats) is stored with V = 0
 *   — the hardware ignores every other bit of an invalid entry — and G set
 *   as the marker that the entry still maps its frame, as Linux marks
 *   `PROT_NONE` pages on RISC-V (`_PAGE_PROT_NONE` is `_PAGE_GLOBAL`). Its
 *   W and X bits keep the rest of the property, so it round-trips. (An
 *   entry with V = 1 and R = 0 would be a pointer to a node, or the
 *   reserved W-without-R combination: vmio never writes one.)
 * - **cache policies**: Svpbmt has three memory types. Write-back is PMA,
 *   write-combining NC, uncacheable IO; write-through and write-protected,
 *   which RISC-V lacks, are PMA with RSW = 1 and RSW = 2, so that every
 *   `CachePolicy` round-trips exactly as on x86-64.
 *
 * @module
 */

import { CachePolicy, PageFlags, PageProperty } from "./page-property.js";
import type { PagingFormat } from "./paging-format.js";

export const SV_V = 0x1;
export const SV_R = 0x2;
export const SV_W = 0x4;
export const SV_X = 0x8;
export const SV_U = 0x10;
export const SV_G = 0x20;
export const SV_A = 0x40;
export const SV_D = 0x80;
/** RSW, the two bits for software (8 and 9). */
export const SV_RSW_SHIFT = 8;
export const SV_RSW_MASK = 0x300;
/** PBMT, in the high word (entry bits 61–62). */
export const SV_HI_PBMT_SHIFT = 29;
export const SV_HI_PBMT_MASK = 0x6000_0000;
/** The entry's PPN starts at bit 10: 22 bits in the low word, the rest in the high word. */
const PPN_LO_BITS = 22;
const PPN_LO_SCALE = 2 ** PPN_LO_BITS;
const PPN_HI_MASK = 0x3f_ffff;

const PBMT_PMA = 0;
const PBMT_NC = 1;
const PBMT_IO = 2;

/** Frame number (PPN) held by an entry. */
export function frameOf(lo: number, hi: number): number {
  return (lo >>> 10) + (hi & PPN_HI_MASK) * PPN_LO_SCALE;
}

/** Low word of a non-leaf entry pointing to the next-level node in frame `frame`. */
export function tableLo(frame: number): number {
  return ((frame % PPN_LO_SCALE) * 1024 + SV_V) >>> 0;
}

/** High word of an entry for frame `frame` (its PPN bits 22–43). */
export function addrHi(frame: number): number {
  return Math.floor(frame / PPN_LO_SCALE);
}

/** Low word of a user leaf mapping `frame` with `prop`. */
export function leafLo(frame: number, prop: PageProperty): number {
  const f = prop.flags;
  let bits = SV_U;
  bits |= (f & PageFlags.R) !== 0 ? SV_V | SV_R : SV_G;
  if ((f & PageFlags.W) !== 0) bits |= SV_W;
  if ((f & PageFlags.X) !== 0) bits |= SV_X;
  if ((f & PageFlags.ACCESSED) !== 0) bits |= SV_A;
  if ((f & PageFlags.DIRTY) !== 0) bits |= SV_D;
  if (prop.cache === CachePolicy.Writethrough) bits |= 1 << SV_RSW_SHIFT;
  else if (prop.cache === CachePolicy.WriteProtected) bits |= 2 << SV_RSW_SHIFT;
  return ((frame % PPN_LO_SCALE) * 1024 + bits) >>> 0;
}

/** High word of a user leaf mapping `frame` with `prop`. */
export function leafHi(frame: number, prop: PageProperty): number {
  const pbmt = prop.cache === CachePolicy.WriteCombining ? PBMT_NC : prop.cache === CachePolicy.Uncacheable ? PBMT_IO : PBMT_PMA;
  return (addrHi(frame) | (pbmt << SV_HI_PBMT_SHIFT)) >>> 0;
}

function cacheOf(lo: number, hi: number): CachePolicy {
  switch ((hi & SV_HI_PBMT_MASK) >>> SV_HI_PBMT_SHIFT) {
    case PBMT_NC:
      return CachePolicy.WriteCombining;
    case PBMT_IO:
      return CachePolicy.Uncacheable;
  }
  switch ((lo & SV_RSW_MASK) >>> SV_RSW_SHIFT) {
    case 1:
      return CachePolicy.Writethrough;
    case 2:
      return CachePolicy.WriteProtected;
    default:
      return CachePolicy.Writeback;
  }
}

/** The property a leaf entry encodes. */
export function propertyOf(lo: number, hi: number): PageProperty {
  let flags = 0;
  if ((lo & (SV_V | SV_R)) === (SV_V | SV_R)) flags |= PageFlags.R;
  if ((lo & SV_W) !== 0) flags |= PageFlags.W;
  if ((lo & SV_X) !== 0) flags |= PageFlags.X;
  if ((lo & SV_A) !== 0) flags |= PageFlags.ACCESSED;
  if ((lo & SV_D) !== 0) flags |= PageFlags.DIRTY;
  return new PageProperty(flags, cacheOf(lo, hi));
}

/** Whether a leaf allows instruction fetch: valid and X (a valid leaf is readable too). */
export function isExecutable(lo: number): boolean {
  return (lo & (SV_V | SV_X)) === (SV_V | SV_X);
}

const NAMES: ReadonlyArray<[bit: number, name: string]> = [
  [SV_V, "V"],
  [SV_R, "R"],
  [SV_W, "W"],
  [SV_X, "X"],
  [SV_U, "U"],
  [SV_G, "G"],
  [SV_A, "A"],
  [SV_D, "D"],
];

/** The names of the bits set in an entry, with the RSW and PBMT fields when not zero. */
export function flagNames(lo: number, hi: number): string[] {
  const names: string[] = [];
  for (const [bit, name] of NAMES) if ((lo & bit) !== 0) names.push(name);
  const rsw = (lo & SV_RSW_MASK) >>> SV_RSW_SHIFT;
  if (rsw !== 0) names.push(`RSW=${rsw}`);
  const pbmt = (hi & SV_HI_PBMT_MASK) >>> SV_HI_PBMT_SHIFT;
  if (pbmt !== 0) names.push(pbmt === PBMT_NC ? "PBMT=NC" : pbmt === PBMT_IO ? "PBMT=IO" : `PBMT=${pbmt}`);
  return names;
}

/**
 * The RISC-V Sv48 paging format.
 *
 * OSTD counterpart: `ostd::arch::riscv::mm::{PagingConsts, PageTableEntry}`.
 *
 * @internal
 */
export const SV48: PagingFormat = Object.freeze({
  name: "riscv-sv48",
  tableMask: SV_V | SV_R | SV_W | SV_X,
  tableBits: SV_V,
  mappedMask: SV_V | SV_G,
  readMask: SV_V | SV_R,
  writeBit: SV_W,
  accessedBit: SV_A,
  dirtyBit: SV_D,
  execLoMask: SV_V | SV_X,
  execHiMask: 0,
  ppnShift: 10,
  ppnHiMask: PPN_HI_MASK,
  ppnHiScale: PPN_LO_SCALE,
  frameOf,
  tableLo,
  tableHi: addrHi,
  leafLo,
  leafHi,
  propertyOf,
  isExecutable,
  flagNames,
});
