/**
 * A software TLB: a direct-mapped cache of translations, one per address
 * space object (so one per thread), laid out for the hit.
 *
 * A slot caches one page: the page's virtual base address in a tag array
 * per kind of access (read, write, execute), and the number to add to a
 * virtual address of the page to get its physical address. A hit is then
 * one tag load and compare, one load of the delta and one add — integer
 * work, no `Math.floor` and no permission bits to mask (QEMU's softmmu TLB
 * is laid out the same way, `addr_read`/`addr_write`/`addr_code`). A tag of
 * -1 never matches (page bases are multiples of `PAGE_SIZE`). The write tag
 * is only set once the page's DIRTY bit is, so the first write to a clean
 * page misses and walks the table, which sets DIRTY — as an MMU does. The
 * execute tag is set only for pages whose entry allows execution.
 *
 * The slot of address `va` is `(va >>> 12) & TLB_MASK`: `>>>` keeps bits
 * 0–31 of any safe integer exactly, so this is the virtual page number
 * modulo the TLB size for every user address (up to 2^47).
 *
 * Typed arrays, not a `Map` (docs/architecture.md, "Measured rules": a typed-array TLB costs about
 * nothing over a flat table, a `Map` ~39 ns per lookup).
 *
 * Safety contract: whoever changes a mapping invalidates the entries that
 * may hold it (see `VmSpace`) before the frame can be reused.
 *
 * @module
 */

import { PAGE_SIZE as importedPAGE_SIZE } from "../frame/page-size.js";

const PAGE_SIZE = importedPAGE_SIZE;

/** Number of entries: 1024 pages, 4 MiB of reach. */
export const TLB_ENTRIES = 1024;
/** Slot of virtual page `vpn`: `vpn & TLB_MASK` (exact for any integer below 2^53). */
export const TLB_MASK = TLB_ENTRIES - 1;
const MASK = TLB_MASK;

/** Access bits of {@link Tlb.fill}. */
export const TLB_READ = 1;
export const TLB_WRITE = 2;
export const TLB_EXEC = 4;

/**
 * A direct-mapped translation cache.
 *
 * @internal
 */
export class Tlb {
  /** Virtual base address of the page each slot allows reads of, or -1. */
  readonly readTags = new Float64Array(TLB_ENTRIES).fill(-1);
  /** Virtual base address of the page each slot allows writes to, or -1. */
  readonly writeTags = new Float64Array(TLB_ENTRIES).fill(-1);
  /** Virtual base address of the page each slot allows instruction fetches from, or -1. */
  readonly execTags = new Float64Array(TLB_ENTRIES).fill(-1);
  /** Physical minus virtual address of the page in each slot. */
  readonly deltas = new Float64Array(TLB_ENTRIES);
  /**
   * A view of each slot's whole frame, made the first time a copy takes a
   * whole page through the slot: copying through a cached view saves the
   * ~20 ns of `subarray` per page.
   */
  readonly pages: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(TLB_ENTRIES).fill(undefined);
  /** Whole-TLB flushes so far (epoch changes seen, ends of the space, large invalidations). */
  flushes = 0;

  /** Slot of virtual page `vpn` (exact for any integer below 2^53). */
  static slot(vpn: number): number {
    return vpn & MASK;
  }

  /** Caches a translation of page `vpn` to the frame at `paddr`, allowing `perms` (`TLB_READ | TLB_WRITE | TLB_EXEC`). */
  fill(vpn: number, paddr: number, perms: number): void {
    const s = vpn & MASK;
    const va = vpn * PAGE_SIZE;
    const delta = paddr - va;
    // The cached view is of frame `va + delta` of the slot's last read tag: keep it only for the same page and frame.
    if (this.readTags[s] !== va || this.deltas[s] !== delta) this.pages[s] = undefined;
    this.deltas[s] = delta;
    this.readTags[s] = (perms & TLB_READ) !== 0 ? va : -1;
    this.writeTags[s] = (perms & TLB_WRITE) !== 0 ? va : -1;
    this.execTags[s] = (perms & TLB_EXEC) !== 0 ? va : -1;
  }

  /** The physical address page `vpn` is cached at for an access needing `perm`, or -1. */
  lookup(vpn: number, perm: number): number {
    const s = vpn & MASK;
    const tags = perm === TLB_WRITE ? this.writeTags : perm === TLB_EXEC ? this.execTags : this.readTags;
    const va = vpn * PAGE_SIZE;
    return tags[s] === va ? (this.deltas[s] as number) + va : -1;
  }

  /** Drops every entry. */
  flush(): void {
    this.readTags.fill(-1);
    this.writeTags.fill(-1);
    this.execTags.fill(-1);
    this.flushes++;
  }

  /** Drops the entries of pages `[firstVpn, endVpn)`. */
  invalidate(firstVpn: number, endVpn: number): void {
    if (endVpn - firstVpn >= TLB_ENTRIES) {
      this.flush();
      return;
    }
    const r = this.readTags;
    const w = this.writeTags;
    const x = this.execTags;
    for (let vpn = firstVpn; vpn < endVpn; vpn++) {
      const s = vpn & MASK;
      const va = vpn * PAGE_SIZE;
      if (r[s] === va) r[s] = -1;
      if (w[s] === va) w[s] = -1;
      if (x[s] === va) x[s] = -1;
    }
  }
}
