/**
 * x86-64 page-table entries, read and written as two 32-bit halves.
 *
 * An entry is 8 bytes, little-endian: the low word holds the flag bits and
 * bits 12–31 of the physical address, the high word bits 32–51 of the
 * address and, in bit 31, NX. Reading the halves as two `Uint32Array`
 * elements costs ~14 ns per 4-level walk where `BigUint64Array` costs
 * 2–2.5× more (docs/architecture.md, "Measured rules"), so no `bigint` is ever involved.
 *
 * | bit (low word) | meaning                                     |
 * | -------------- | ------------------------------------------- |
 * | 0 P            | present                                     |
 * | 1 RW           | writable                                    |
 * | 2 US           | user-accessible (set on every user mapping) |
 * | 3 PWT, 4 PCD   | cache policy (with PAT)                     |
 * | 5 A, 6 D       | accessed, dirty (set by accesses)           |
 * | 7 PAT          | cache policy (4 KiB leaf entries)           |
 * | 9 (available)  | vmio: mapped but inaccessible (no `R`)      |
 * | 12–31          | physical address bits 12–31                 |
 *
 * High word: bits 0–19 are physical address bits 32–51, bit 31 is NX.
 *
 * @module
 */

import { CachePolicy, PageFlags, PageProperty } from "./page-property.js";
import type { PagingFormat } from "./paging-format.js";

export const PTE_P = 0x1;
export const PTE_RW = 0x2;
export const PTE_US = 0x4;
export const PTE_PWT = 0x8;
export const PTE_PCD = 0x10;
export const PTE_A = 0x20;
export const PTE_D = 0x40;
export const PTE_PAT = 0x80;
/** Software bit: a leaf that maps a frame but allows no access (a page mapped without `R`). */
export const PTE_NOACCESS = 0x200;
/** NX, in the high word. */
export const PTE_HI_NX = 0x8000_0000;

const CACHE_BITS = PTE_PWT | PTE_PCD | PTE_PAT;

/** True when a leaf's low word maps a frame (accessible or not). */
export function isMapped(lo: number): boolean {
  return (lo & (PTE_P | PTE_NOACCESS)) !== 0;
}

/** Frame number held by an entry. */
export function frameOf(lo: number, hi: number): number {
  return (lo >>> 12) + (hi & 0xf_ffff) * 0x10_0000;
}

/** Low word of an entry pointing to the next-level table in frame `frame`. */
export function tableLo(frame: number): number {
  return ((frame % 0x10_0000) * 4096 + (PTE_P | PTE_RW | PTE_US)) >>> 0;
}

/** High word of an entry pointing to frame `frame` (leaf or table), without NX. */
export function addrHi(frame: number): number {
  return Math.floor(frame / 0x10_0000);
}

function cacheBits(cache: CachePolicy): number {
  switch (cache) {
    case CachePolicy.Writeback:
      return 0;
    case CachePolicy.Writethrough:
      return PTE_PWT;
    case CachePolicy.Uncacheable:
      return PTE_PCD | PTE_PWT;
    case CachePolicy.WriteCombining:
      return PTE_PAT;
    case CachePolicy.WriteProtected:
      return PTE_PAT | PTE_PWT;
  }
}

function cacheOf(lo: number): CachePolicy {
  switch (lo & CACHE_BITS) {
    case PTE_PWT:
      return CachePolicy.Writethrough;
    case PTE_PCD | PTE_PWT:
      return CachePolicy.Uncacheable;
    case PTE_PAT:
      return CachePolicy.WriteCombining;
    case PTE_PAT | PTE_PWT:
      return CachePolicy.WriteProtected;
    default:
      return CachePolicy.Writeback;
  }
}

/** Low word of a user leaf mapping `frame` with `prop`. */
export function leafLo(frame: number, prop: PageProperty): number {
  const f = prop.flags;
  let bits = PTE_US | cacheBits(prop.cache);
  bits |= (f & PageFlags.R) !== 0 ? PTE_P : PTE_NOACCESS;
  if ((f & PageFlags.W) !== 0) bits |= PTE_RW;
  if ((f & PageFlags.ACCESSED) !== 0) bits |= PTE_A;
  if ((f & PageFlags.DIRTY) !== 0) bits |= PTE_D;
  return ((frame % 0x10_0000) * 4096 + bits) >>> 0;
}

/** High word of a user leaf mapping `frame` with `prop`. */
export function leafHi(frame: number, prop: PageProperty): number {
  return (addrHi(frame) | ((prop.flags & PageFlags.X) !== 0 ? 0 : PTE_HI_NX)) >>> 0;
}

/** The property a leaf entry encodes. */
export function propertyOf(lo: number, hi: number): PageProperty {
  let flags = 0;
  if ((lo & PTE_P) !== 0) flags |= PageFlags.R;
  if ((lo & PTE_RW) !== 0) flags |= PageFlags.W;
  if ((hi & PTE_HI_NX) === 0) flags |= PageFlags.X;
  if ((lo & PTE_A) !== 0) flags |= PageFlags.ACCESSED;
  if ((lo & PTE_D) !== 0) flags |= PageFlags.DIRTY;
  return new PageProperty(flags, cacheOf(lo));
}

/** Whether a leaf allows instruction fetch: present and not NX. */
export function isExecutable(lo: number, hi: number): boolean {
  return (lo & PTE_P) !== 0 && (hi & PTE_HI_NX) === 0;
}

const LO_NAMES: ReadonlyArray<[bit: number, name: string]> = [
  [PTE_P, "P"],
  [PTE_RW, "RW"],
  [PTE_US, "US"],
  [PTE_PWT, "PWT"],
  [PTE_PCD, "PCD"],
  [PTE_A, "A"],
  [PTE_D, "D"],
  [PTE_PAT, "PAT"],
  [PTE_NOACCESS, "NOACCESS"],
];

/** The names of the bits set in an entry (bit 7 is PS, not PAT, in a non-leaf entry). */
export function flagNames(lo: number, hi: number, leaf: boolean): string[] {
  const names: string[] = [];
  for (const [bit, name] of LO_NAMES) if ((lo & bit) !== 0) names.push(!leaf && bit === PTE_PAT ? "PS" : name);
  if ((hi & PTE_HI_NX) !== 0) names.push("NX");
  return names;
}

/**
 * The x86-64 paging format.
 *
 * OSTD counterpart: `ostd::arch::x86::mm::{PagingConsts, PageTableEntry}`.
 *
 * @internal
 */
export const X86_64: PagingFormat = Object.freeze({
  name: "x86-64",
  tableMask: PTE_P,
  tableBits: PTE_P,
  mappedMask: PTE_P | PTE_NOACCESS,
  readMask: PTE_P,
  writeBit: PTE_RW,
  accessedBit: PTE_A,
  dirtyBit: PTE_D,
  execLoMask: PTE_P,
  execHiMask: PTE_HI_NX,
  ppnShift: 12,
  ppnHiMask: 0xf_ffff,
  ppnHiScale: 0x10_0000,
  frameOf,
  tableLo,
  tableHi: addrHi,
  leafLo,
  leafHi,
  propertyOf,
  isExecutable,
  flagNames,
});
