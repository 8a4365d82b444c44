/**
 * A 4-level page table in frames of a `PhysicalMemory`, in the memory's
 * paging format (`paging-format.ts`: x86-64 or RISC-V Sv48 entries; both
 * have 4 levels of 512 eight-byte entries over 48 bits of address).
 *
 * Safety contract:
 * - every node is a typed frame (flag `FLAG_PAGE_TABLE`): no `VmIo`, reader
 *   or writer can reach it, only this module writes it;
 * - a node's frame-table auxiliary word counts its non-empty entries; a node
 *   whose count drops to zero is unlinked from its parent and freed (the
 *   root stays for the life of the table) — or, on unshared RAM, kept zeroed
 *   for reuse (`frame/node-cache.ts`); scans stop once a node's count of
 *   entries has been met;
 * - a leaf that maps a frame holds one reference to it; the reference is
 *   handed back to the caller on unmap, to be dropped only after stale
 *   translations are gone (TLB invalidation first, then the frame may go);
 * - a leaf only ever maps a live untyped frame: every frame number that
 *   enters a leaf entry — or leaves one to become a handle (`query`) — is
 *   checked by {@link checkUserFrame} where it crosses, so RAM's reserved
 *   frames (its header and frame table) and page-table nodes can never be
 *   mapped into user space, whatever a caller or a callback did before;
 * - a leaf node may be shared by several tables (or twice by one), on
 *   unshared RAM only (`CursorMut.copyFrom`'s `shareNodes`): each level-2
 *   entry linking it holds one reference to the node's frame, so its
 *   reference count is its number of sharers; its entries hold one frame
 *   reference each, whatever the number of sharers. A table changes an
 *   entry of a shared node — or hands out a reference from one — only
 *   after {@link PageTable.unshareLeaf} gave it a private copy; an unmap of
 *   a shared node's whole span only unlinks it and drops one share;
 * - entries are published low word last (for a new entry) and cleared low
 *   word first, so a walker that sees a present low word sees a valid high
 *   word too; on shared RAM the low word is read and written with `Atomics`.
 *
 * Modifications must not run concurrently on one table; the owner (a
 * `VmSpace`) serialises them. Walks may run concurrently with them.
 *
 * @module
 */

import { contractViolation, internalError } from "../base/contract.js";
import { addRun } from "../frame/frame-runs.js";
import { PAGE_SIZE } from "../frame/page-size.js";
import { FLAG_PAGE_TABLE, FLAG_RESERVED, FLAG_TYPED } from "../frame/meta.js";
import { ramOf, type PhysicalMemory } from "../frame/physical-memory.js";
import type { Ram } from "../frame/ram.js";
import type { PageProperty } from "./page-property.js";
import { formatById, type PagingFormat } from "./paging-format.js";
import type { Tlb } from "./tlb.js";

/** Bytes covered by one entry at each level (index = level; level 1 maps 4 KiB pages). */
const SPAN = [0, 2 ** 12, 2 ** 21, 2 ** 30, 2 ** 39] as const;
/** Bytes covered by the whole table: 2^48. */
export const TABLE_SPAN = 2 ** 48;
/** `Uint32Array` words per table node. */
const NODE_WORDS = PAGE_SIZE / 4;

/**
 * The `u32` index of the entry for `va` at `level` in node `node`.
 *
 * @internal
 */
export function entryIndex(node: number, va: number, level: 1 | 2 | 3 | 4): number {
  // `& 511`, not `% 512`: exact for any safe integer (ToInt32 keeps the low bits), and integer work (a floating-point `%` made a walk twice as slow, issue 10).
  return node * NODE_WORDS + (Math.floor(va / SPAN[level]) & 511) * 2;
}

/**
 * Throws unless `frame` may be mapped into user space or handed out as a
 * user frame: a frame of `mem` past its reserved metadata frames, allocated
 * (a reference count of at least one), and untyped (not a page-table node,
 * not a typed frame). vmio keeps this by construction; the check makes the
 * construction's failure loud instead of a mapping of RAM's header.
 *
 * @throws {Error} `ERR_VMIO_INTERNAL`.
 * @internal
 */
export function checkUserFrame(ram: Ram, frame: number): void {
  if (
    !(frame >= ram.metaFrames && frame < ram.nframes) ||
    (ram.frames.flags(frame) & (FLAG_TYPED | FLAG_RESERVED)) !== 0 ||
    ram.frames.refCount(frame) < 1
  ) {
    internalError(`frame ${frame} is not a live untyped frame: it cannot be mapped into user space`);
  }
}

/**
 * A 4-level page table.
 *
 * @internal
 */
export class PageTable {
  readonly mem: PhysicalMemory;
  readonly ram: Ram;
  readonly u32: Uint32Array;
  /** Frame number of the root (level-4) node. */
  readonly root: number;
  /** The memory's paging format. */
  readonly fmt: PagingFormat;
  private readonly shared: boolean;
  // The format's masks, held directly for the walks (see paging-format.ts).
  private readonly tableMask: number;
  private readonly tableBits: number;
  private readonly mappedMask: number;
  private readonly ppnShift: number;
  private readonly ppnHiMask: number;
  private readonly ppnHiScale: number;
  /**
   * Whether this table ever linked a shared leaf node (as the source or
   * the destination of a shared copy): the checks for shared nodes on
   * the change paths are skipped while it is false, so tables that never
   * share pay one field load for them.
   */
  mayShare = false;
  /**
   * The TLB whose page-walk cache holds this table's leaf nodes (unshared
   * RAM, where there is one view of a space): an unshare that replaces a
   * leaf node drops the node from it. Set by the owning `SpaceState`.
   */
  walkCache: Tlb | null = null;

  constructor(mem: PhysicalMemory, root: number) {
    this.mem = mem;
    this.ram = ramOf(mem);
    this.u32 = this.ram.u32;
    this.root = root;
    this.shared = this.ram.shared;
    const fmt = formatById(this.ram.paging);
    this.fmt = fmt;
    this.tableMask = fmt.tableMask;
    this.tableBits = fmt.tableBits;
    this.mappedMask = fmt.mappedMask;
    this.ppnShift = fmt.ppnShift;
    this.ppnHiMask = fmt.ppnHiMask;
    this.ppnHiScale = fmt.ppnHiScale;
  }

  /** Whether an entry of a non-leaf node with low word `lo` points to a node. */
  isTable(lo: number): boolean {
    return (lo & this.tableMask) === this.tableBits;
  }

  /** The frame held by the entry at `u32` index `i` whose low word is `lo`. */
  frameAt(i: number, lo: number): number {
    return (lo >>> this.ppnShift) + ((this.u32[i + 1] as number) & this.ppnHiMask) * this.ppnHiScale;
  }

  /**
   * Allocates an empty table (its root node).
   *
   * @throws {VmError} `NoMemory`.
   */
  static create(mem: PhysicalMemory): PageTable {
    return new PageTable(mem, allocNode(ramOf(mem)));
  }

  /** The low word of the entry at `u32` index `i` (with `Atomics` on shared RAM). */
  loadLo(i: number): number {
    return this.shared ? Atomics.load(this.u32, i) : (this.u32[i] as number);
  }

  private publish(i: number, lo: number, hi: number): void {
    this.u32[i + 1] = hi;
    if (this.shared) Atomics.store(this.u32, i, lo);
    else this.u32[i] = lo;
  }

  private clear(i: number): void {
    if (this.shared) Atomics.store(this.u32, i, 0);
    else this.u32[i] = 0;
    this.u32[i + 1] = 0;
  }

  /** `u32` index of the leaf entry for `va`, or -1 when a table on the way is missing. */
  leafIndex(va: number): number {
    // Unrolled, with integer index arithmetic: the walk past the TLB's reach runs this on every miss.
    const vpn = Math.floor(va / PAGE_SIZE);
    // Bits 27–35 of the page number lie past bit 31: a division; bits 18–26 and 9–17 are in the low 32 bits that `>>>` sees exactly.
    let i = this.root * NODE_WORDS + (Math.floor(vpn / 2 ** 27) & 511) * 2;
    let lo = this.loadLo(i);
    if ((lo & this.tableMask) !== this.tableBits) return -1;
    i = this.frameAt(i, lo) * NODE_WORDS + ((vpn >>> 18) & 511) * 2;
    lo = this.loadLo(i);
    if ((lo & this.tableMask) !== this.tableBits) return -1;
    i = this.frameAt(i, lo) * NODE_WORDS + ((vpn >>> 9) & 511) * 2;
    lo = this.loadLo(i);
    if ((lo & this.tableMask) !== this.tableBits) return -1;
    return this.frameAt(i, lo) * NODE_WORDS + (vpn & 511) * 2;
  }

  /** The frame and property mapped at page `va`, or undefined. */
  query(va: number): { frame: number; prop: PageProperty } | undefined {
    const i = this.leafIndex(va);
    if (i < 0) return undefined;
    const lo = this.loadLo(i);
    if ((lo & this.mappedMask) === 0) return undefined;
    const hi = this.u32[i + 1] as number;
    return { frame: this.fmt.frameOf(lo, hi), prop: this.fmt.propertyOf(lo, hi) };
  }

  /**
   * Maps page `va` to `frame` with `prop`, taking a reference to the frame
   * and creating tables on the way as needed.
   *
   * @throws {RangeError} the page is already mapped (nothing changes).
   * @throws {VmError} `NoMemory` for a table node (nothing changes).
   */
  map(va: number, frame: number, prop: PageProperty): void {
    checkUserFrame(this.ram, frame);
    const node = this.leafNodeFor(va);
    if (!this.mapIn(node, (Math.floor(va / PAGE_SIZE) & 511) * 2, frame, this.fmt.leafLo(frame, prop), this.fmt.leafHi(frame, prop))) {
      contractViolation(`mapping over an already mapped page at 0x${va.toString(16)}`);
    }
  }

  /**
   * The level-1 node covering page `va`, creating the nodes on the way as
   * needed. A created node is linked (its parent's count raised) but holds
   * no entry yet: the caller maps into it at once, so no empty node stays
   * (a failure after this leaves it to an unmap, which frees empty nodes).
   *
   * @throws {VmError} `NoMemory` for a table node (nothing changes).
   */
  leafNodeFor(va: number): number {
    return this.#nodeFor(va, 1);
  }

  /**
   * The level-`stop` node covering page `va` (1: the leaf node; 2: the node
   * that links it), creating the nodes on the way as needed; the leaf node
   * this table shares with another is replaced by its own copy first (it is
   * about to change). A created node is linked (its parent's count raised)
   * and holds no entry yet.
   *
   * @throws {VmError} `NoMemory` for a table node or a copy (nothing changes).
   */
  #nodeFor(va: number, stop: 1 | 2): number {
    const ram = this.ram;
    const fmt = this.fmt;
    let node = this.root;
    const created: Array<[parent: number, index: number, child: number]> = [];
    for (let level = 4 as 1 | 2 | 3 | 4; level > stop; level--) {
      const i = entryIndex(node, va, level);
      const lo = this.loadLo(i);
      if ((lo & this.tableMask) === this.tableBits) {
        node = this.frameAt(i, lo);
        // The leaf node is about to change: this table's own copy first.
        if (level === 2 && this.mayShare && ram.frames.refCount(node) > 1) node = this.#unshare(i, node, va);
        continue;
      }
      let child: number;
      try {
        child = allocNode(ram);
      } catch (e) {
        for (let k = created.length - 1; k >= 0; k--) {
          const [parent, index] = created[k] as [number, number, number];
          this.clear(index);
          ram.frames.auxAdd(parent, -1);
        }
        // Another thread may be walking the nodes just unlinked.
        ram.gp.retire(created.map(([, , made]) => made));
        throw e;
      }
      this.publish(i, fmt.tableLo(child), fmt.tableHi(child));
      ram.frames.auxAdd(node, 1);
      created.push([node, i, child]);
      node = child;
    }
    return node;
  }

  /**
   * Maps the page of entry `slot` (its `u32` offset in the node: twice the
   * entry number) of level-1 node `node` ({@link leafNodeFor}) to `frame`,
   * with the leaf entry halves `lo`/`hi` (`fmt.leafLo`/`leafHi` of `frame`),
   * taking a reference to the frame. Returns false, changing nothing, when
   * that page is already mapped. The batch form of {@link map}: a caller
   * mapping a run of pages walks once per node, and its per-page work is
   * integer arithmetic (no address, which would be a double past 2^31).
   *
   * `frame` is checked as {@link checkUserFrame} does, fused with taking
   * the reference.
   *
   * @throws {Error} `ERR_VMIO_INTERNAL`: `frame` is not a live untyped frame (nothing changes).
   */
  mapIn(node: number, slot: number, frame: number, lo: number, hi: number): boolean {
    const i = node * NODE_WORDS + slot;
    if ((this.loadLo(i) & this.mappedMask) !== 0) return false;
    const ram = this.ram;
    if (!(frame >= ram.metaFrames && frame < ram.nframes && ram.frames.refUntyped(frame))) {
      checkUserFrame(ram, frame); // throws, saying why
      internalError(`frame ${frame} is not a live untyped frame: it cannot be mapped into user space`);
    }
    this.publish(i, lo, hi);
    ram.frames.auxAdd(node, 1);
    return true;
  }

  /**
   * Unmaps every page in `[start, end)` and unlinks tables that become
   * empty. Adds the frame of each unmapped page, and each unlinked table
   * node, to `released`, as runs of consecutive frames (`frame/frame-runs.ts`,
   * in the order met): the caller owns those references and
   * drops them once no thread can be using a stale translation or walking
   * the old nodes. Returns the number of pages unmapped. A shared leaf
   * node the range covers whole is only unlinked, dropping this table's
   * share (O(1): its present entries count as pages unmapped, none is
   * added to `released`); one it covers in part and maps pages in is
   * unshared first ({@link PageTable.unshareLeaf}).
   *
   * @throws {VmError} `NoMemory` for the private copy of a shared node at
   *   an end of the range (no mapping changes).
   */
  unmap(start: number, end: number, released: number[]): number {
    if (this.mayShare) {
      // Only the nodes at the two ends can be covered in part: this
      // table's own copies of them first, before anything changes (an
      // unmap cannot fail halfway). Nodes covered whole are unlinked.
      this.#unshareEdge(start, start, end);
      this.#unshareEdge(end - PAGE_SIZE, start, end);
    }
    return this.unmapIn(this.root, 4, 0, start, end, released);
  }

  /**
   * Unshares the leaf node covering page `va` when it is shared, `[start,
   * end)` covers it in part and maps a page in that part.
   *
   * @throws {VmError} `NoMemory` for the copy.
   */
  #unshareEdge(va: number, start: number, end: number): void {
    const region = va - (va % SPAN[2]);
    const from = Math.max(start, region);
    const to = Math.min(end, region + SPAN[2]);
    if ((from === region && to === region + SPAN[2]) || !this.sharedLeaf(va) || this.findMapped(from, to) < 0) return;
    this.unshareLeaf(va);
  }

  /**
   * Unmaps `[start, end)` below `node` (at `level`, covering from `base`).
   * A node's present-entry count bounds the scan: once every present entry
   * of the node has been met, the rest of the range is empty, so a sparse
   * unmap costs what is mapped, not 512 entries per node.
   */
  private unmapIn(node: number, level: number, base: number, start: number, end: number, released: number[]): number {
    const span = SPAN[level as 1 | 2 | 3 | 4];
    const frames = this.ram.frames;
    const first = Math.max(0, Math.floor((start - base) / span));
    const last = Math.min(511, Math.floor((end - 1 - base) / span));
    if (level === 1) return this.#unmapLeaf(node, first, last, released);
    let left = frames.aux(node);
    let pages = 0;
    for (let idx = first; idx <= last && left > 0; idx++) {
      const i = node * NODE_WORDS + idx * 2;
      const lo = this.loadLo(i);
      if (lo === 0) continue;
      left--;
      if ((lo & this.tableMask) !== this.tableBits) continue;
      const child = this.frameAt(i, lo);
      const childBase = base + idx * span;
      if (level === 2 && this.mayShare && frames.refCount(child) > 1) {
        if (start <= childBase && childBase + span <= end) {
          // The whole node goes from this table: unlink it and drop this
          // table's share; the last sharer unmaps its pages. Its count of
          // entries stands for the pages (the caller shoots the range down).
          pages += frames.aux(child);
          this.clear(i);
          frames.auxAdd(node, -1);
          frames.unref(child, 1);
          continue;
        }
        // A node the range covers in part: `unmap` unshared it first if
        // that part maps anything, so this unmaps nothing from it.
      }
      pages += this.unmapIn(child, level - 1, childBase, Math.max(start, childBase), Math.min(end, childBase + span), released);
      if (frames.aux(child) === 0) {
        this.clear(i);
        frames.auxAdd(node, -1);
        // Every entry of the child is zero: it may be reused as is.
        // A lone frame of the runs (frame/frame-runs.ts) is its number.
        if (!this.ram.nodeCache.put(child)) released.push(child);
      }
    }
    return pages;
  }

  /**
   * Unmaps entries `[first, last]` of level-1 node `node`: {@link unmapIn}'s
   * innermost loop, in integer index arithmetic, with the node's count
   * lowered once at the end (no walker reads the count; only changes do,
   * and none runs meanwhile). Exit unmaps a whole process this way. The
   * run of physically consecutive frames being met is kept in two locals
   * and added to `released` when it ends: per page of a run, no store but
   * the entry's (a list of every frame number grew by copying, and was
   * walked again to find the runs).
   */
  #unmapLeaf(node: number, first: number, last: number, released: number[]): number {
    const frames = this.ram.frames;
    const mask = this.mappedMask;
    const u32 = this.u32;
    const shared = this.shared;
    const ppnShift = this.ppnShift;
    const ppnHiMask = this.ppnHiMask;
    let left = frames.aux(node);
    let pages = 0;
    let run = -1;
    let count = 0;
    const at = node * NODE_WORDS;
    for (let i = at + first * 2, end = at + last * 2; i <= end && left > 0; i += 2) {
      const lo = shared ? Atomics.load(u32, i) : (u32[i] as number);
      if (lo === 0) continue;
      left--;
      if ((lo & mask) === 0) continue;
      const hi = u32[i + 1] as number;
      // A frame with bits in `hi` (none has: RAM is at most 4 GiB) is a double; every other an int32.
      const frame = (hi & ppnHiMask) === 0 ? lo >>> ppnShift : this.frameAt(i, lo);
      if (frame === run + count) count++;
      else {
        if (count > 0) addRun(released, run, count);
        run = frame;
        count = 1;
      }
      if (shared) Atomics.store(u32, i, 0);
      else u32[i] = 0;
      u32[i + 1] = 0;
      pages++;
    }
    if (count > 0) addRun(released, run, count);
    if (pages > 0) frames.auxAdd(node, -pages);
    return pages;
  }

  /**
   * The `u32` index of the level-2 entry for `va` when it links a leaf
   * node, else -1.
   */
  #leafLink(va: number): number {
    let node = this.root;
    for (let level = 4 as 2 | 3 | 4; ; level--) {
      const i = entryIndex(node, va, level);
      const lo = this.loadLo(i);
      if ((lo & this.tableMask) !== this.tableBits) return -1;
      if (level === 2) return i;
      node = this.frameAt(i, lo);
    }
  }

  /** Whether the leaf node covering `va` is shared with another table (or with another range of this one). */
  sharedLeaf(va: number): boolean {
    if (!this.mayShare) return false;
    const i = this.#leafLink(va);
    return i >= 0 && this.ram.frames.refCount(this.frameAt(i, this.loadLo(i))) > 1;
  }

  /**
   * Makes the leaf node covering `va` this table's own, if it is shared
   * ({@link PageTable.shareLeaf}): returns the leaf node (a private copy
   * when it was shared), or -1 when there is none or this table never
   * shared a node (a table that never did has only its own).
   *
   * @throws {VmError} `NoMemory` for the copy (nothing changes).
   */
  unshareLeaf(va: number): number {
    if (!this.mayShare) return -1;
    const i = this.#leafLink(va);
    if (i < 0) return -1;
    const node = this.frameAt(i, this.loadLo(i));
    return this.ram.frames.refCount(node) > 1 ? this.#unshare(i, node, va) : node;
  }

  /**
   * Gives this table a private copy of shared leaf node `node`, linked
   * from the level-2 entry at `u32` index `link` (covering `va`): the
   * entries copied, one reference taken to each mapped frame (the copy's
   * entries hold them), the link pointed at the copy, one share of `node`
   * dropped (it stays with its other sharers), and `node` dropped from
   * this table's page-walk cache. The translations are the same, so no
   * TLB entry goes stale. Returns the copy.
   *
   * OSTD counterpart: none (OSTD does not share page-table nodes); Linux
   * unshares a hugetlb PMD (`huge_pmd_unshare`), On-Demand-Fork copies a
   * shared PTE table on its first write.
   *
   * @throws {VmError} `NoMemory` for the copy (nothing changes).
   */
  #unshare(link: number, node: number, va: number): number {
    const ram = this.ram;
    const frames = ram.frames;
    const copy = allocNode(ram);
    const u32 = this.u32;
    const from = node * NODE_WORDS;
    const to = copy * NODE_WORDS;
    u32.copyWithin(to, from, from + NODE_WORDS);
    const count = frames.aux(node);
    let left = count;
    for (let i = from; left > 0 && i < from + NODE_WORDS; i += 2) {
      const lo = u32[i] as number;
      if (lo === 0) continue;
      left--;
      if ((lo & this.mappedMask) !== 0) frames.ref(this.frameAt(i, lo), 1);
    }
    frames.auxAdd(copy, count);
    this.publish(link, this.fmt.tableLo(copy), this.fmt.tableHi(copy));
    frames.unref(node, 1);
    this.walkCache?.forgetLeaf(Math.floor(va / PAGE_SIZE));
    return copy;
  }

  /**
   * Undoes {@link PageTable.unshareLeaf} of the region at `va`, whose old
   * node `node` its other sharers still link: this table links `node`
   * again and frees its copy, dropping the copy's frame references (none
   * reaches zero: `node` holds one to each). The copy's entries must be
   * those of `node` again (a failed copy restored them).
   */
  reshareLeaf(va: number, node: number): void {
    const link = this.#leafLink(va);
    const copy = this.frameAt(link, this.loadLo(link));
    const frames = this.ram.frames;
    frames.ref(node, 1);
    this.publish(link, this.fmt.tableLo(node), this.fmt.tableHi(node));
    this.walkCache?.forgetLeaf(Math.floor(va / PAGE_SIZE));
    const released: number[] = [];
    this.#unmapLeaf(copy, 0, 511, released);
    // Whatever #unmapLeaf leaves (entries present but not mapped) goes too: a node is freed or cached zeroed.
    this.u32.fill(0, copy * NODE_WORDS, (copy + 1) * NODE_WORDS);
    frames.auxAdd(copy, -frames.aux(copy));
    if (!this.ram.nodeCache.put(copy)) released.push(copy);
    this.ram.gp.retireRuns(released);
  }

  /**
   * Links leaf node `node` (of another table, or of another 2 MiB of this
   * one) as this table's leaf node for the 2 MiB region at `va`, which
   * has none, creating the nodes above as needed: the two then share it,
   * and `node`'s reference count is raised by one for this link.
   *
   * @throws {VmError} `NoMemory` for a node above (nothing changes).
   * @throws {Error} `ERR_VMIO_INTERNAL`: this table has a leaf node there.
   */
  shareLeaf(va: number, node: number, from: PageTable): void {
    if (this.shared) internalError("page-table nodes are shared on unshared RAM only");
    const parent = this.#nodeFor(va, 2);
    const i = entryIndex(parent, va, 2);
    if (this.loadLo(i) !== 0) internalError(`the region at 0x${va.toString(16)} has a leaf node: it cannot share another`);
    this.ram.frames.ref(node, 1);
    this.publish(i, this.fmt.tableLo(node), this.fmt.tableHi(node));
    this.ram.frames.auxAdd(parent, 1);
    this.mayShare = true;
    from.mayShare = true;
  }

  /** The first mapped page in `[start, end)`, or -1. */
  findMapped(start: number, end: number): number {
    return this.findIn(this.root, 4, 0, start, end);
  }

  private findIn(node: number, level: number, base: number, start: number, end: number): number {
    const span = SPAN[level as 1 | 2 | 3 | 4];
    const first = Math.max(0, Math.floor((start - base) / span));
    const last = Math.min(511, Math.floor((end - 1 - base) / span));
    if (level === 1) return this.findLeaf(node, base, first, last);
    for (let idx = first; idx <= last; idx++) {
      const i = node * NODE_WORDS + idx * 2;
      const lo = this.loadLo(i);
      if (lo === 0) continue;
      const entryBase = base + idx * span;
      if ((lo & this.tableMask) !== this.tableBits) continue;
      const found = this.findIn(this.frameAt(i, lo), level - 1, entryBase, Math.max(start, entryBase), Math.min(end, entryBase + span));
      if (found >= 0) return found;
    }
    return -1;
  }

  /** The first mapped page among entries `[first, last]` of level-1 node `node` (covering from `base`), or -1: a tight scan. */
  private findLeaf(node: number, base: number, first: number, last: number): number {
    const u32 = this.u32;
    const mask = this.mappedMask;
    const at = node * NODE_WORDS;
    const end = at + last * 2;
    if (this.shared) {
      for (let i = at + first * 2; i <= end; i += 2) if ((Atomics.load(u32, i) & mask) !== 0) return base + ((i - at) >>> 1) * PAGE_SIZE;
    } else {
      for (let i = at + first * 2; i <= end; i += 2) if (((u32[i] as number) & mask) !== 0) return base + ((i - at) >>> 1) * PAGE_SIZE;
    }
    return -1;
  }

  /**
   * Calls `visit(node, base, first, last)` for each level-1 node holding
   * entries of `[start, end)`, in address order: entries `first` to `last`
   * of `node` (covering from `base`) are that node's part of the range.
   * `visit` may rewrite those entries (not clear them) and map pages of
   * other tables; nothing may change this table's nodes meanwhile. Each
   * upper node's scan stops once its present entries have all been met.
   */
  forEachLeafNode(start: number, end: number, visit: (node: number, base: number, first: number, last: number) => void): void {
    this.#leafNodesIn(this.root, 4, 0, start, end, visit);
  }

  #leafNodesIn(node: number, level: number, base: number, start: number, end: number, visit: (node: number, base: number, first: number, last: number) => void): void {
    const span = SPAN[level as 1 | 2 | 3 | 4];
    const first = Math.max(0, Math.floor((start - base) / span));
    const last = Math.min(511, Math.floor((end - 1 - base) / span));
    if (level === 1) {
      visit(node, base, first, last);
      return;
    }
    let left = this.ram.frames.aux(node);
    for (let idx = first; idx <= last && left > 0; idx++) {
      const i = node * NODE_WORDS + idx * 2;
      const lo = this.loadLo(i);
      if (lo === 0) continue;
      left--;
      if ((lo & this.tableMask) !== this.tableBits) continue;
      const entryBase = base + idx * span;
      this.#leafNodesIn(this.frameAt(i, lo), level - 1, entryBase, Math.max(start, entryBase), Math.min(end, entryBase + span), visit);
    }
  }

  /** Writes the leaf entry at `u32` index `i` (a mapped page's, found by a walk) with new halves. */
  rewrite(i: number, lo: number, hi: number): void {
    this.publish(i, lo, hi);
  }

  /**
   * Rewrites the property of mapped page `va`, which maps `frame`.
   *
   * @throws {Error} `ERR_VMIO_INTERNAL` when `va` does not map `frame` (nothing changes).
   */
  reprotect(va: number, frame: number, prop: PageProperty): void {
    const i = this.leafIndex(va);
    const lo = i < 0 ? 0 : this.loadLo(i);
    if ((lo & this.mappedMask) === 0 || this.frameAt(i, lo) !== frame) {
      internalError(`page 0x${va.toString(16)} no longer maps frame ${frame}: its mapping changed during protectNext`);
    }
    checkUserFrame(this.ram, frame);
    this.publish(i, this.fmt.leafLo(frame, prop), this.fmt.leafHi(frame, prop));
  }

  /** Number of table nodes, the root included (walks the tree; for tests and statistics). */
  nodeCount(): number {
    const count = (node: number, level: number): number => {
      if (level === 1) return 1;
      let n = 1;
      for (let idx = 0; idx < 512; idx++) {
        const i = node * NODE_WORDS + idx * 2;
        const lo = this.loadLo(i);
        if (this.isTable(lo)) n += count(this.frameAt(i, lo), level - 1);
      }
      return n;
    };
    return count(this.root, 4);
  }

  /** Frees the root; the table must be empty (unmap everything first). */
  destroy(): void {
    if (!this.ram.nodeCache.put(this.root)) this.ram.frames.unref(this.root, 1);
  }
}

/** A zeroed node: a cached one if there is one (node-cache.ts), else a new frame. */
function allocNode(ram: Ram): number {
  const cached = ram.nodeCache.take();
  return cached >= 0 ? cached : ram.frames.alloc(1, true, FLAG_TYPED | FLAG_PAGE_TABLE);
}
