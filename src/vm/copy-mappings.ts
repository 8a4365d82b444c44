/**
 * The body of `CursorMut.copyFrom` (fork's copy-on-write copy of a range
 * of mappings), split by how often each part runs: {@link copyRun} is the
 * common page's loop, small and call-free but for `op`; everything else
 * (the first page of a copy, a property that changes, a destination node
 * to make, errors) is done a page at a time by
 * {@link copySegment}, which then hands the run back to the loop.
 *
 * Why two functions and not one (issue 10's fork rows): a loop with a
 * call TurboFan does not inline, even on a branch taken once per copy,
 * lets load elimination carry nothing from one page to the next (the
 * reason the last pass gave, not measured apart); and one function holding
 * both the loop and the rare work (decoder, encoder, checks, `leafNodeFor`,
 * the undo log's growth, all inlined because they run once per node) took
 * TurboFan 140–205 ms to compile under load (measured), which a kernel
 * that forks a few times pays on every fork it makes before that code is
 * ready. {@link copyRun} is 674 bytes of bytecode; with `op`, the
 * `PageProperty`, its checks and `refUntyped` inlined (traced), TurboFan
 * compiled it once, in 14–47 ms under load, and a 64 MiB copy runs at its
 * warm speed from the third copy (main's per-node callback: from the
 * fifth to the eighth). See bench/kernel.bench.ts (`forkFloorCase`).
 *
 * OSTD counterpart: `CursorMut::copy_from`.
 *
 * @module
 */

import { contractViolation } from "../base/contract.js";
import { PAGE_SIZE } from "../frame/page-size.js";
import type { FrameTable } from "../frame/meta.js";
import { CachePolicy, checkCache, checkFlags, PageProperty } from "./page-property.js";
import type { PageTable } from "./page-table.js";
import type { PagingFormat } from "./paging-format.js";
import type { SpaceState } from "./space-state.js";

/** `u32` words in a page-table node. */
const NODE_U32 = PAGE_SIZE / 4;

/** What the first page's property is compared with: no user code can reach it. */
const NOT_READ: unknown = Object.freeze({});

/**
 * One copy's state, carried from page to page and node to node. The loop
 * ({@link copyRun}) reads it into locals once per run and writes back what
 * an undo needs as it goes, so nothing that `op` does between pages (it may
 * call anything) makes the loop reload it.
 */
class CopyState {
  readonly from: PageTable;
  readonly to: PageTable;
  readonly fmt: PagingFormat;
  readonly u32: Uint32Array;
  readonly shared: boolean;
  readonly frames: FrameTable;
  readonly metaFrames: number;
  readonly nframes: number;
  readonly mappedMask: number;
  readonly ppnShift: number;
  readonly ppnHiMask: number;
  readonly ppnHiScale: number;
  /** The property's bits of each half of a leaf entry. */
  readonly propLoMask: number;
  readonly propHiMask: number;
  readonly op: (prop: PageProperty) => void;
  /** Destination page number minus source page number. */
  readonly shift: number;
  /** Whether whole leaf nodes may be shared ({@link shareNode}); the destination's leaf nodes are then congruent to the source's. */
  readonly share: boolean;
  /** The property bits last decoded (-1: none yet) and what they decode to. */
  inLo = -1;
  inHi = -1;
  inFlags = 0;
  inCache: CachePolicy = CachePolicy.Writeback;
  /**
   * The last property `op` left, checked (none yet: a value `op` cannot
   * produce, so the first page's is checked whatever it is), and its
   * encoding's property bits.
   */
  lastFlags: unknown = NOT_READ;
  lastCache: unknown = NOT_READ;
  outLo = 0;
  outHi = 0;
  /**
   * The undo log: source entries rewritten, as records of four numbers
   * (first `u32` index, last, old property bits of `lo`, of `hi`): every
   * mapped entry from the first to the last had those property bits. A run
   * of pages of one property is one record, not one per page.
   */
  readonly log: number[] = [];
  /** Present entries of the source node not met yet (they bound its scan). */
  left = 0;
  /**
   * The run {@link copyRun} is doing: from `u32` index `runFirst` (of the
   * source) to `runLast`, the last page it finished (-1: none, or the run
   * is over and logged), each mapped at `+ runDelta` in node `runNode`.
   * What an undo needs if `op` throws in the middle of a run.
   */
  runFirst = 0;
  runLast = -1;
  runDelta = 0;
  runNode = -1;
  /** Pages the last run mapped. */
  mapped = 0;
  /** Whether any destination node may have been linked (an undo unmaps the range). */
  touched = false;
  /**
   * Source nodes the copy unshared (the source's own copy made before it
   * rewrote them), as pairs: the region's address, the shared node. An
   * undo links the shared node again once the entries are restored.
   */
  readonly unshared: number[] = [];
  /** When {@link copyRun} stopped after calling `op` for its page: what `op` left. */
  opDone = false;
  flags: unknown = undefined;
  cache: unknown = undefined;

  constructor(from: PageTable, to: PageTable, shift: number, op: (prop: PageProperty) => void, share: boolean) {
    this.from = from;
    this.to = to;
    const fmt = from.fmt;
    this.fmt = fmt;
    this.u32 = from.u32;
    const ram = from.ram;
    this.shared = ram.shared;
    this.frames = ram.frames;
    this.metaFrames = ram.metaFrames;
    this.nframes = ram.nframes;
    this.mappedMask = fmt.mappedMask;
    this.ppnShift = fmt.ppnShift;
    this.ppnHiMask = fmt.ppnHiMask;
    this.ppnHiScale = fmt.ppnHiScale;
    this.propLoMask = (1 << fmt.ppnShift) - 1;
    this.propHiMask = ~fmt.ppnHiMask;
    this.shift = shift;
    this.op = op;
    this.share = share && shift % 512 === 0;
  }
}

/**
 * Copies the mappings of `[srcStart, srcStart + len)` of `source` to
 * `dstStart` of `dst`, both in `edit`: `CursorMut.copyFrom`'s body. Every
 * source entry it rewrites is logged first, and every page it maps lies in
 * a range that was empty, so undoing is exact: restore the logged entries
 * (which only gives back permissions: no shootdown) and unmap the
 * destination range (which shoots down whatever another thread may have
 * cached of it meanwhile).
 *
 * Per page it does only what the contract needs: a fresh property for `op`
 * (which may keep it), `op`, one read of `flags` and `cache`. A leaf entry
 * is the frame's bits (`lo` from bit `ppnShift` up, `hi & ppnHiMask`)
 * beside the property's (every other bit), fields the formats keep apart
 * (pte-x86-64.ts, pte-sv48.ts; test/vm/paging-format.test.ts checks it):
 * so an entry is decoded only when its property bits differ from the last
 * page's, and the new entry is the old one's frame bits with the property
 * bits `op` last left, encoded once.
 *
 * With `share` (unshared RAM only), a source leaf node whose whole span is
 * copied, to a congruent destination region with no leaf node, is shared
 * ({@link shareNode}): its rewritten entries are logged as any, and the
 * undo's unmap of the destination drops the share.
 *
 * OSTD counterpart: `CursorMut::copy_from`.
 *
 * @throws {RangeError} the destination holds a mapping.
 * @throws whatever `op` throws, `checkFlags`/`checkCache`, `NoMemory`; nothing changed.
 */
export function copyMappings(
  source: SpaceState,
  srcStart: number,
  dst: SpaceState,
  dstStart: number,
  len: number,
  op: (prop: PageProperty) => void,
  share: boolean,
): void {
  const from = source.table;
  const to = dst.table;
  if (to.findMapped(dstStart, dstStart + len) >= 0) {
    contractViolation(`copyFrom: [0x${dstStart.toString(16)}, 0x${(dstStart + len).toString(16)}) holds mapped pages`);
  }
  const c = new CopyState(from, to, (dstStart - srcStart) / PAGE_SIZE, op, share);
  try {
    from.forEachLeafNode(srcStart, srcStart + len, (node, base, first, last) => copyNode(c, node, base, first, last));
  } catch (e) {
    undo(c);
    if (c.touched) dst.unmap(dstStart, dstStart + len);
    // After the destination let go of the nodes it shared: a copy the source took may be one.
    reshare(c);
    throw e;
  }
  if (c.log.length > 0) source.narrowed(srcStart, srcStart + len);
}

/**
 * Puts back the source entries a failed copy rewrote and counts the pages
 * an interrupted run mapped in its destination node (the unmap that undoes
 * the copy is bounded by the count). A run's pages are the mapped entries
 * from its first to its last finished one: the entries between were empty
 * or unmapped, which the copy skips and leaves as they are.
 */
function undo(c: CopyState): void {
  const from = c.from;
  const u32 = c.u32;
  const mappedMask = c.mappedMask;
  if (c.runLast >= 0) {
    let n = 0;
    for (let i = c.runFirst; i <= c.runLast; i += 2) if ((from.loadLo(i + c.runDelta) & mappedMask) !== 0) n++;
    c.frames.auxAdd(c.runNode, n);
    if (((c.inLo ^ c.outLo) | (c.inHi ^ c.outHi)) !== 0) c.log.push(c.runFirst, c.runLast, c.inLo, c.inHi);
  }
  const log = c.log;
  for (let k = log.length - 4; k >= 0; k -= 4) {
    const pLo = log[k + 2] as number;
    const pHi = log[k + 3] as number;
    for (let i = log[k] as number, last = log[k + 1] as number; i <= last; i += 2) {
      const lo = from.loadLo(i);
      if ((lo & mappedMask) === 0) continue;
      from.rewrite(i, ((lo & ~c.propLoMask) | pLo) >>> 0, (((u32[i + 1] as number) & c.ppnHiMask) | pHi) >>> 0);
    }
  }
}

/** Links back each shared node the source took its own copy of: the copies' entries are the nodes' again ({@link undo}). */
function reshare(c: CopyState): void {
  const unshared = c.unshared;
  for (let k = 0; k < unshared.length; k += 2) c.from.reshareLeaf(unshared[k] as number, unshared[k + 1] as number);
}

/**
 * Copies entries `[first, last]` of source leaf node `node` (covering from
 * `base`): to one destination node, or two when the copy's page numbers
 * are not aligned to 512 alike.
 */
function copyNode(c: CopyState, node: number, base: number, first: number, last: number): void {
  if (c.share && first === 0 && last === 511 && c.to.leafIndex(base + c.shift * PAGE_SIZE) < 0) {
    shareNode(c, node, base);
    return;
  }
  // Its entries may be rewritten (by op's results): the source's own copy of a shared node first.
  if (c.from.mayShare && c.frames.refCount(node) > 1) node = unshareSource(c, node, base);
  c.left = c.frames.aux(node);
  // The destination page of entry 0 of this node, and its slot in its node.
  const page0 = base / PAGE_SIZE + c.shift;
  const off = page0 % 512;
  const split = 512 - off;
  if (first < split) copySegment(c, node, first, Math.min(last, split - 1), page0);
  if (last >= split && c.left > 0) copySegment(c, node, Math.max(first, split), last, page0);
}

/** Gives the source its own copy of shared leaf node `node` (covering from `base`), recorded for an undo; returns the copy. */
function unshareSource(c: CopyState, node: number, base: number): number {
  const copy = c.from.unshareLeaf(base);
  c.unshared.push(base, node);
  return copy;
}

/**
 * Shares source leaf node `node` (covering from `base`, all of it in the
 * copy) with the destination: `op` runs on each mapped page in order and
 * its result is written into the node in place (logged for an undo, a run
 * of pages changed alike as one record), then the destination's region
 * links the node. Per page: a decode and `op` only when the property
 * bits differ from those `op` last ran on in this node (a run of pages
 * alike takes its answer: `shareNodes` asks `op` to depend on the
 * property alone), an encode when its result differs from the last one,
 * a store when the entry changes — no frame
 * reference, no destination entry. A node the source already shares with another table
 * is shared further as it is while `op` changes nothing; before the first
 * entry it changes, the source takes its own copy (the other sharers must
 * not see the change), and that copy is what the destination shares.
 * Unshared RAM only: plain loads and stores.
 */
function shareNode(c: CopyState, node: number, base: number): void {
  const u32 = c.u32;
  const mappedMask = c.mappedMask;
  const propLoMask = c.propLoMask;
  const propHiMask = c.propHiMask;
  const ppnHiMask = c.ppnHiMask;
  const op = c.op;
  // The decoder's and encoder's last answers, in locals for the loop (what op does cannot change them), written back at the end.
  let inLo = c.inLo;
  let inHi = c.inHi;
  let inFlags = c.inFlags;
  let inCache = c.inCache;
  let lastFlags = c.lastFlags;
  let lastCache = c.lastCache;
  let outLo = c.outLo;
  let outHi = c.outHi;
  // Whether op has run in this node: from then on outLo/outHi are its answer for inLo/inHi, so the next
  // pages with those bits take it without a call (shareNodes asks op to depend on the property alone).
  let ran = false;
  let own = c.frames.refCount(node) === 1;
  let at = node * NODE_U32;
  let left = c.frames.aux(node);
  // The `u32` index of the last mapped entry when it was rewritten and ends the log's top record, else -1.
  let logged = -1;
  for (let i = 0; i < NODE_U32 && left > 0; i += 2) {
    const lo = u32[at + i] as number;
    if (lo === 0) continue;
    left--;
    if ((lo & mappedMask) === 0) continue;
    const hi = u32[at + i + 1] as number;
    const bitsLo = lo & propLoMask;
    const bitsHi = hi & propHiMask;
    if (!ran || bitsLo !== inLo || bitsHi !== inHi) {
      const decoded = c.fmt.propertyOf(lo, hi);
      inFlags = decoded.flags;
      inCache = decoded.cache;
      inLo = bitsLo;
      inHi = bitsHi;
      const prop = new PageProperty(inFlags, inCache);
      op(prop);
      // Read once each, as snapshotProperty does: a getter runs once.
      const flags: unknown = prop.flags;
      const cache: unknown = prop.cache;
      if (flags !== lastFlags || cache !== lastCache) {
        checkFlags(flags, "prop.flags");
        checkCache(cache, "prop.cache");
        const encoded = new PageProperty(flags, cache);
        outLo = c.fmt.leafLo(0, encoded);
        outHi = c.fmt.leafHi(0, encoded);
        lastFlags = flags;
        lastCache = cache;
      }
      ran = true;
    }
    const newLo = ((lo & ~propLoMask) | outLo) >>> 0;
    const newHi = ((hi & ppnHiMask) | outHi) >>> 0;
    if (newLo === lo && newHi === hi) {
      logged = -1;
      continue;
    }
    if (!own) {
      // Before the first entry of this node that changes: nothing of it is logged yet.
      node = unshareSource(c, node, base);
      at = node * NODE_U32;
      own = true;
    }
    logged = logRewrite(c.log, at + i, bitsLo, bitsHi, logged);
    u32[at + i + 1] = newHi;
    u32[at + i] = newLo;
  }
  c.inLo = inLo;
  c.inHi = inHi;
  c.inFlags = inFlags;
  c.inCache = inCache;
  c.lastFlags = lastFlags;
  c.lastCache = lastCache;
  c.outLo = outLo;
  c.outHi = outHi;
  // Set first: the link may make nodes above it, which an undo's unmap frees.
  c.touched = true;
  c.to.shareLeaf(base + c.shift * PAGE_SIZE, node, c.from);
}

/**
 * Logs the rewrite of entry `k` (old property bits `oldLo`/`oldHi`) for an
 * undo: the top record grows to `k` when `logged` (the entry it ends with)
 * was the last mapped entry met and had the same old bits; else a new
 * record. Returns `k`, the new `logged`.
 */
function logRewrite(log: number[], k: number, oldLo: number, oldHi: number, logged: number): number {
  const top = log.length - 4;
  if (logged >= 0 && log[top + 2] === oldLo && log[top + 3] === oldHi) log[top + 1] = k;
  else log.push(k, k, oldLo, oldHi);
  return k;
}

/**
 * Copies entries `[first, last]` of source leaf node `node`, all of whose
 * pages go to one destination node (entry `idx` is the copy's page
 * `page0 + idx`). The common page goes through {@link copyRun}; this does
 * the page it stops at, with every check and call, then resumes it.
 */
function copySegment(c: CopyState, node: number, first: number, last: number, page0: number): void {
  const from = c.from;
  const to = c.to;
  const fmt = c.fmt;
  const at = node * NODE_U32;
  const end = at + last * 2;
  // The destination node, once a page is mapped into it, and the `u32`
  // index of its entry for source entry 0 minus the source node's.
  let dnode = -1;
  let delta = 0;
  let i = at + first * 2;
  while (i <= end && c.left > 0) {
    if (dnode >= 0) {
      c.runNode = dnode;
      c.runDelta = delta;
      c.runFirst = i;
      i = copyRun(c, i, end, delta);
      if (c.mapped > 0) c.frames.auxAdd(dnode, c.mapped);
      if (!(i <= end && c.left > 0)) break;
    }
    // Entry `i`, all of it but what copyRun already did (`op`, when `c.opDone`).
    const lo = from.loadLo(i);
    const hi = c.u32[i + 1] as number;
    if (lo === 0) {
      i += 2;
      continue;
    }
    if ((lo & c.mappedMask) === 0) {
      c.left--;
      i += 2;
      continue;
    }
    let flags: unknown;
    let cache: unknown;
    if (c.opDone) {
      c.opDone = false;
      flags = c.flags;
      cache = c.cache;
    } else {
      if ((lo & c.propLoMask) !== c.inLo || (hi & c.propHiMask) !== c.inHi) {
        const decoded = fmt.propertyOf(lo, hi);
        c.inFlags = decoded.flags;
        c.inCache = decoded.cache;
        c.inLo = lo & c.propLoMask;
        c.inHi = hi & c.propHiMask;
      }
      const prop = new PageProperty(c.inFlags, c.inCache);
      c.op(prop);
      // Read once each, as snapshotProperty does: a getter runs once.
      flags = prop.flags;
      cache = prop.cache;
    }
    if (flags !== c.lastFlags || cache !== c.lastCache) {
      checkFlags(flags, "prop.flags");
      checkCache(cache, "prop.cache");
      const encoded = new PageProperty(flags, cache);
      c.outLo = fmt.leafLo(0, encoded);
      c.outHi = fmt.leafHi(0, encoded);
      c.lastFlags = flags;
      c.lastCache = cache;
    }
    const newLo = ((lo & ~c.propLoMask) | c.outLo) >>> 0;
    const newHi = ((hi & c.ppnHiMask) | c.outHi) >>> 0;
    if (newLo !== lo || newHi !== hi) {
      c.log.push(i, i, lo & c.propLoMask, hi & c.propHiMask);
      from.rewrite(i, newLo, newHi);
    }
    const idx = (i - at) / 2;
    const slot = (page0 + idx) % 512;
    if (dnode < 0) {
      // Set before leafNodeFor: it may link nodes that an undo must free.
      c.touched = true;
      dnode = to.leafNodeFor((page0 + idx) * PAGE_SIZE);
      delta = dnode * NODE_U32 + slot * 2 - i;
    }
    if (!to.mapIn(dnode, slot * 2, (lo >>> c.ppnShift) + (hi & c.ppnHiMask) * c.ppnHiScale, newLo, newHi)) {
      contractViolation(`copyFrom: page 0x${((page0 + idx) * PAGE_SIZE).toString(16)} of the destination was mapped while op ran`);
    }
    c.left--;
    i += 2;
  }
}

/**
 * The common page's loop, from `u32` index `i` to `end` of a source leaf
 * node, each page to `u32` index `i + delta` of the destination node
 * `c.runNode`: a present, mapped entry whose property bits are the ones
 * last decoded and whose frame fits the low word, `op` leaving the
 * property it left last, the destination entry empty and the frame a
 * live untyped one. It stops at the first page that is not such a page
 * (after `op`, if it called it: `c.opDone`) and returns its index. No call
 * but `op`, and per page one store outside the page tables (`c.runLast`,
 * what an undo needs if `op` throws): the run's pages all had one property
 * and get one, so the undo log takes one record per run, when it ends.
 */
function copyRun(c: CopyState, i: number, end: number, delta: number): number {
  const u32 = c.u32;
  const shared = c.shared;
  const frames = c.frames;
  const metaFrames = c.metaFrames;
  const nframes = c.nframes;
  const mappedMask = c.mappedMask;
  const ppnShift = c.ppnShift;
  const ppnHiMask = c.ppnHiMask;
  const propLoMask = c.propLoMask;
  const propHiMask = c.propHiMask;
  const op = c.op;
  const inLo = c.inLo;
  const inHi = c.inHi;
  const inFlags = c.inFlags;
  const inCache = c.inCache;
  const lastFlags = c.lastFlags;
  const lastCache = c.lastCache;
  const outLo = c.outLo;
  const outHi = c.outHi;
  // Whether this run rewrites its source entries: all of them or none (one property in, one out).
  const changed = ((inLo ^ outLo) | (inHi ^ outHi)) !== 0;
  const first = i;
  let last = -1;
  let left = c.left;
  let mapped = 0;
  let opDone = false;
  let flags: unknown;
  let cache: unknown;
  for (; i <= end && left > 0; i += 2) {
    const lo = shared ? Atomics.load(u32, i) : (u32[i] as number);
    if (lo === 0) continue;
    if ((lo & mappedMask) === 0) {
      left--;
      continue;
    }
    const hi = u32[i + 1] as number;
    if ((lo & propLoMask) !== inLo || (hi & propHiMask) !== inHi || (hi & ppnHiMask) !== 0) break;
    const prop = new PageProperty(inFlags, inCache);
    op(prop);
    // Read once each, as snapshotProperty does: a getter runs once.
    flags = prop.flags;
    cache = prop.cache;
    opDone = true;
    if (flags !== lastFlags || cache !== lastCache) break;
    const newLo = ((lo & ~propLoMask) | outLo) >>> 0;
    const newHi = ((hi & ppnHiMask) | outHi) >>> 0;
    const d = i + delta;
    if (((shared ? Atomics.load(u32, d) : (u32[d] as number)) & mappedMask) !== 0) break;
    const frame = lo >>> ppnShift;
    if (!(frame >= metaFrames && frame < nframes && frames.refUntyped(frame))) break;
    opDone = false;
    if (changed) {
      u32[i + 1] = newHi;
      if (shared) Atomics.store(u32, i, newLo);
      else u32[i] = newLo;
    }
    u32[d + 1] = newHi;
    if (shared) Atomics.store(u32, d, newLo);
    else u32[d] = newLo;
    c.runLast = last = i;
    mapped++;
    left--;
  }
  if (changed && last >= 0) c.log.push(first, last, inLo, inHi);
  c.runLast = -1;
  c.mapped = mapped;
  c.left = left;
  c.opDone = opDone;
  c.flags = flags;
  c.cache = cache;
  return i;
}
