/**
 * A software TLB: a direct-mapped cache of translations, one per address
 * space object (so one per thread).
 *
 * An entry maps a virtual page number to the physical address of its frame
 * and the accesses it allows: bit 1 read, bit 2 write. An entry only allows
 * writes once the page's DIRTY bit is set, so the first write to a clean
 * page misses and walks the table, which sets DIRTY — as an MMU does.
 * Entries are plain typed arrays (DESIGN.md: a typed-array TLB costs about
 * nothing over a flat table, a `Map` ~39 ns per lookup).
 *
 * Safety contract: whoever changes a mapping invalidates the entries that
 * may hold it (see `VmSpace`) before the frame can be reused.
 *
 * @module
 */

/** Number of entries: 1024 pages, 4 MiB of reach. */
export const TLB_ENTRIES = 1024;
/** Slot of virtual page `vpn`: `vpn & TLB_MASK` (exact for any integer below 2^53). */
export const TLB_MASK = TLB_ENTRIES - 1;
const MASK = TLB_MASK;

/** Access bits of an entry. */
export const TLB_READ = 1;
export const TLB_WRITE = 2;

/**
 * A direct-mapped translation cache.
 *
 * @internal
 */
export class Tlb {
  /** Virtual page number cached in each slot, or -1. */
  readonly tags = new Float64Array(TLB_ENTRIES).fill(-1);
  /** Physical address of the frame in each slot. */
  readonly paddrs = new Float64Array(TLB_ENTRIES);
  /** Allowed accesses (`TLB_READ | TLB_WRITE`) in each slot. */
  readonly perms = new Uint8Array(TLB_ENTRIES);
  /**
   * A view of each slot's whole frame, made the first time a copy takes a
   * whole page through the slot: copying through a cached view saves the
   * ~20 ns of `subarray` per page.
   */
  readonly pages: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(TLB_ENTRIES).fill(undefined);

  /** Slot of virtual page `vpn` (exact for any integer below 2^53). */
  static slot(vpn: number): number {
    return vpn & MASK;
  }

  /** Caches a translation. */
  fill(vpn: number, paddr: number, perms: number): void {
    const s = vpn & MASK;
    this.tags[s] = vpn;
    if (this.paddrs[s] !== paddr) this.pages[s] = undefined;
    this.paddrs[s] = paddr;
    this.perms[s] = perms;
  }

  /** Drops every entry. */
  flush(): void {
    this.tags.fill(-1);
  }

  /** Drops the entries of pages `[firstVpn, endVpn)`. */
  invalidate(firstVpn: number, endVpn: number): void {
    if (endVpn - firstVpn >= TLB_ENTRIES) {
      this.flush();
      return;
    }
    const tags = this.tags;
    for (let vpn = firstVpn; vpn < endVpn; vpn++) {
      const s = vpn & MASK;
      if (tags[s] === vpn) tags[s] = -1;
    }
  }
}
