/**
 * Page properties: access flags and cache policy of a mapping.
 *
 * @module
 */

import { invalidType, outOfRange } from "../base/contract.js";

/**
 * Access flags of a mapped page. `ACCESSED` and `DIRTY` are set by accesses,
 * the way the MMU sets them: a read or write through a page sets `ACCESSED`,
 * a write also sets `DIRTY`.
 *
 * OSTD counterpart: `ostd::mm::PageFlags`.
 */
export const PageFlags = Object.freeze({
  /** Readable. On x86-64 every present page is readable; a page mapped without `R` faults on every access. */
  R: 1,
  /** Writable. */
  W: 2,
  /** Executable (clears the NX bit). */
  X: 4,
  /** `R | W`. */
  RW: 3,
  /** `R | X`. */
  RX: 5,
  /** `R | W | X`. */
  RWX: 7,
  /** Set by the first access since the flag was last cleared. */
  ACCESSED: 8,
  /** Set by the first write since the flag was last cleared. */
  DIRTY: 16,
} as const);

/** All bits that {@link PageFlags} defines. */
export const PAGE_FLAGS_MASK = 31;

/**
 * Cache policy of a mapping. vmio keeps it exactly (it round-trips through
 * the page-table entry) but, having no caches, does not act on it.
 *
 * OSTD counterpart: `ostd::mm::CachePolicy`.
 */
export enum CachePolicy {
  /** Uncached (x86 UC: PCD + PWT). */
  Uncacheable,
  /** Write-combining (x86 PAT entry 4). */
  WriteCombining,
  /** Write-protected (x86 PAT entry 5). */
  WriteProtected,
  /** Write-through (x86 PWT). */
  Writethrough,
  /** Write-back, the normal policy (x86 PAT entry 0). */
  Writeback,
}

/**
 * The flags and cache policy of a mapping.
 *
 * OSTD counterpart: `ostd::mm::PageProperty`.
 */
export class PageProperty {
  /** A combination of {@link PageFlags}. */
  flags: number;
  /** The cache policy. */
  cache: CachePolicy;

  /**
   * @throws {TypeError | RangeError} `flags` is not an integer combination of
   *   `PageFlags`, or `cache` is not a `CachePolicy`.
   */
  constructor(flags: number, cache: CachePolicy) {
    checkFlags(flags, "flags");
    checkCache(cache, "cache");
    this.flags = flags;
    this.cache = cache;
  }

  /**
   * Properties of a user-space mapping.
   *
   * OSTD counterpart: `PageProperty::new_user`.
   *
   * @throws {TypeError | RangeError} as the constructor.
   */
  static newUser(flags: number, cache: CachePolicy): PageProperty {
    return new PageProperty(flags, cache);
  }

  /** A copy of this property. */
  clone(): PageProperty {
    return new PageProperty(this.flags, this.cache);
  }

  /** Whether `other` has the same flags and cache policy. */
  equals(other: PageProperty): boolean {
    return other instanceof PageProperty && other.flags === this.flags && other.cache === this.cache;
  }
}

/**
 * Checks a `PageFlags` combination.
 *
 * @internal
 */
export function checkFlags(flags: unknown, name: string): asserts flags is number {
  if (typeof flags !== "number") invalidType(name, "a combination of PageFlags (a number)", flags);
  if (!Number.isInteger(flags) || flags < 0 || flags > PAGE_FLAGS_MASK) {
    outOfRange(name, `a combination of PageFlags (an integer in [0, ${PAGE_FLAGS_MASK}])`, flags);
  }
}

/**
 * Checks a `CachePolicy`.
 *
 * @internal
 */
export function checkCache(cache: unknown, name: string): asserts cache is CachePolicy {
  if (typeof cache !== "number") invalidType(name, "a CachePolicy", cache);
  if (!Number.isInteger(cache) || cache < CachePolicy.Uncacheable || cache > CachePolicy.Writeback) {
    outOfRange(name, "a CachePolicy", cache);
  }
}

/**
 * A caller's `PageProperty`, read once: `flags` and `cache` are each read
 * exactly once (whatever getters or proxies stand behind them), checked, and
 * copied into a new frozen `PageProperty` that no caller holds. Everything
 * past the API boundary works on the copy, so no user code runs in the
 * middle of a mapping change.
 *
 * @throws {TypeError} `prop` is not a `PageProperty`.
 * @throws {TypeError | RangeError} its flags or cache policy are invalid.
 * @internal
 */
export function snapshotProperty(prop: unknown, name: string): PageProperty {
  if (!(prop instanceof PageProperty)) invalidType(name, "a PageProperty", prop);
  const flags: unknown = prop.flags;
  const cache: unknown = prop.cache;
  checkFlags(flags, `${name}.flags`);
  checkCache(cache, `${name}.cache`);
  return Object.freeze(new PageProperty(flags, cache));
}
