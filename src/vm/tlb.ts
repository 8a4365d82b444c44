/**
 * A software TLB: a direct-mapped cache of translations, one per address
 * space object (so one per thread), laid out for the hit.
 *
 * A slot caches one page: the page's virtual base address once per kind of
 * access (read, write, execute: a tag each), and the number to add to a
 * virtual address of the page to get its physical address. A hit is then
 * one tag load and compare, one load of the delta and one add — integer
 * work, no `Math.floor` and no permission bits to mask (QEMU's softmmu TLB
 * is laid out the same way, `addr_read`/`addr_write`/`addr_code`/`addend`).
 * The four numbers of a slot sit side by side in one array (32 bytes, half
 * a cache line), so that a hit touches one line and a fill on a miss one
 * line too (four arrays made a fill touch four lines: it cost a walk past
 * the TLB's reach about a third of its time). A tag of
 * -1 never matches (page bases are multiples of `PAGE_SIZE`). The write tag
 * is only set once the page's DIRTY bit is, so the first write to a clean
 * page misses and walks the table, which sets DIRTY — as an MMU does. The
 * execute tag is set only for pages whose entry allows execution.
 *
 * The slot of address `va` is `(va >>> 12) & TLB_MASK`, and its first word
 * in {@link Tlb.entries} `(va >>> 10) & TLB_INDEX_MASK`: `>>>` keeps bits
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

/**
 * Number of entries of the page-walk cache: the leaf nodes of 1024 regions
 * of 2 MiB (2 GiB of reach, 16 KiB of arrays).
 */
export const WALK_ENTRIES = 1024;
const WALK_MASK = WALK_ENTRIES - 1;

/** Words of {@link Tlb.entries} per slot. */
export const TLB_STRIDE = 4;
/** Word of a slot holding the page's base address when reads are allowed (else -1). */
export const TLB_READ_TAG = 0;
/** Word of a slot holding the page's base address when writes are allowed (else -1). */
export const TLB_WRITE_TAG = 1;
/** Word of a slot holding the page's base address when instruction fetches are allowed (else -1). */
export const TLB_EXEC_TAG = 2;
/** Word of a slot holding the physical minus the virtual address of the page. */
export const TLB_DELTA = 3;
/** `(va >>> 10) & TLB_INDEX_MASK` is the first word of address `va`'s slot (`TLB_MASK << 2`). */
export const TLB_INDEX_MASK = TLB_MASK * TLB_STRIDE;

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
  /**
   * The slots, {@link TLB_STRIDE} words each: the read, write and execute
   * tags (a page's virtual base address, or -1) and the delta. Every word
   * of a flushed slot is -1 (a delta without a tag means nothing).
   */
  readonly entries = new Float64Array(TLB_ENTRIES * TLB_STRIDE).fill(-1);
  /**
   * A view of a whole frame per slot, made the first time a copy takes a
   * whole page through the slot: copying through a cached view saves the
   * ~20 ns of `subarray` per page. The user checks that the view is of the
   * frame it wants ({@link pageAddrs}), so a fill need not touch it. An
   * empty view until then (an array of one kind of element, no holes).
   */
  readonly pages: Uint8Array[] = new Array<Uint8Array>(TLB_ENTRIES).fill(new Uint8Array(0));
  /**
   * The physical address of each slot's view in {@link pages} (its
   * `byteOffset`), or -1 for none; written with the view. The user compares
   * this, not the view's `byteOffset`: optimised code on Node 20 reaches
   * that getter through a generic load IC and a call (about 20 ns, as much
   * as the `subarray` the cache saves; measured).
   */
  readonly pageAddrs = new Float64Array(TLB_ENTRIES).fill(-1);
  /**
   * The page-walk cache (x86's PDE cache, Arm's walk cache): for each slot,
   * the first virtual page number of the 2 MiB region whose leaf node it
   * holds, or -1. A walk past the TLB's reach then costs one load of the
   * leaf entry instead of four dependent loads from RAM. The slot of page
   * `vpn` is `(vpn >>> 9) & (WALK_ENTRIES - 1)`.
   *
   * Safe for the same reason as the TLB: a leaf node leaves the table only
   * in an unmap that covers its region, which invalidates the region's
   * entry here (and, on shared RAM, bumps the epoch, flushing every other
   * thread's cache, before a grace period lets the node be freed).
   */
  readonly walkTags = new Float64Array(WALK_ENTRIES).fill(-1);
  /** The `u32` index of entry 0 of the leaf node of each slot's region. */
  readonly walkNodes = new Float64Array(WALK_ENTRIES);
  /** Whole-TLB flushes so far (epoch changes seen, ends of the space, large invalidations). */
  flushes = 0;

  /** Slot of virtual page `vpn` (exact for any integer below 2^53). */
  static slot(vpn: number): number {
    return vpn & MASK;
  }

  /** Caches a translation of page `vpn` to the frame at `paddr`, allowing `perms` (`TLB_READ | TLB_WRITE | TLB_EXEC`). */
  fill(vpn: number, paddr: number, perms: number): void {
    const k = (vpn & MASK) * TLB_STRIDE;
    const va = vpn * PAGE_SIZE;
    const e = this.entries;
    e[k] = (perms & TLB_READ) !== 0 ? va : -1;
    e[k + 1] = (perms & TLB_WRITE) !== 0 ? va : -1;
    e[k + 2] = (perms & TLB_EXEC) !== 0 ? va : -1;
    e[k + 3] = paddr - va;
  }

  /** The physical address page `vpn` is cached at for an access needing `perm`, or -1. */
  lookup(vpn: number, perm: number): number {
    const slot = vpn & MASK;
    const va = vpn * PAGE_SIZE;
    return this.tag(slot, perm) === va ? (this.entries[slot * TLB_STRIDE + TLB_DELTA] as number) + va : -1;
  }

  /** The tag of slot `slot` for `perm` (`TLB_READ`, `TLB_WRITE` or `TLB_EXEC`): the base address of the page it allows, or -1. */
  tag(slot: number, perm: number): number {
    return this.entries[slot * TLB_STRIDE + (perm === TLB_WRITE ? TLB_WRITE_TAG : perm === TLB_EXEC ? TLB_EXEC_TAG : TLB_READ_TAG)] as number;
  }

  /** Drops every entry. */
  flush(): void {
    this.entries.fill(-1);
    this.walkTags.fill(-1);
    this.flushes++;
  }

  /**
   * Drops the page-walk cache's entry of the 2 MiB region of page `vpn`
   * (its leaf node was replaced by an equal copy: the translations cached
   * stay right).
   */
  forgetLeaf(vpn: number): void {
    const first = vpn - (vpn % 512);
    const s = (first >>> 9) & WALK_MASK;
    if (this.walkTags[s] === first) this.walkTags[s] = -1;
  }

  /** Drops the entries of pages `[firstVpn, endVpn)`, and the page-walk cache's entries of the regions they are in. */
  invalidate(firstVpn: number, endVpn: number): void {
    if (endVpn - firstVpn >= TLB_ENTRIES) {
      this.flush();
      return;
    }
    const e = this.entries;
    for (let vpn = firstVpn; vpn < endVpn; vpn++) {
      const k = (vpn & MASK) * TLB_STRIDE;
      const va = vpn * PAGE_SIZE;
      if (e[k] === va || e[k + 1] === va || e[k + 2] === va) e.fill(-1, k, k + TLB_STRIDE);
    }
    // At most TLB_ENTRIES / 512 + 1 regions (the range is shorter than TLB_ENTRIES pages).
    const walkTags = this.walkTags;
    for (let first = firstVpn - (firstVpn & 511); first < endVpn; first += 512) {
      const s = (first >>> 9) & WALK_MASK;
      if (walkTags[s] === first) walkTags[s] = -1;
    }
  }
}
