/**
 * One thread's view of one RAM: its buffer, the machine state in it
 * (layout.ts), and this thread's part in sharing it.
 *
 * `PhysicalMemory` is the public face of a `Ram` and keeps it in a private
 * field; the layers below and beside reach it with `ramOf(memory)` from
 * physical-memory.ts, which `index.ts` does not export. Nothing public hands
 * a `Ram` out, so none of what follows can be called from user code.
 *
 * @module
 */

import { lockWord, unlockWord } from "../base/futex-lock.js";
import { FrameAllocator } from "./frame-allocator.js";
import { GracePeriod } from "./grace-period.js";
import { HOLD_FRAMES, Holdings } from "./holdings.js";
import { H_EPOCH, H_HINT, H_ID, H_MAGIC, H_META_FRAMES, H_NFRAMES, H_PAGING, H_VERSION, LAYOUT_VERSION, MAGIC, allocatorBases } from "./layout.js";
import type { LeakTracker } from "./leak-tracking.js";
import { FrameTable } from "./meta.js";
import { NodeCache } from "./node-cache.js";
import type { PhysicalMemory } from "./physical-memory.js";
import { ShareTickets } from "./share-tickets.js";
import { ThreadSlot } from "./thread-slots.js";

/**
 * One thread's view of one RAM.
 *
 * OSTD counterpart: the global state behind `ostd::mm::frame` (the frame
 * metadata region, the frame allocator); the per-thread parts have none.
 *
 * @internal
 */
export class Ram {
  /** The public object of this RAM on this thread. */
  readonly memory: PhysicalMemory;
  /** The whole RAM, indexed by physical address. */
  readonly bytes: Uint8Array;
  /** A `DataView` over the whole RAM, indexed by physical address. */
  readonly view: DataView;
  /** RAM as 32-bit words (page-table entries are read as two halves). */
  readonly u32: Uint32Array;
  /** RAM as signed 32-bit words, for `Atomics` on metadata. */
  readonly i32: Int32Array;
  /** Whether RAM is a `SharedArrayBuffer`. */
  readonly shared: boolean;
  /** Number of frames, reserved ones included. */
  readonly nframes: number;
  /** Number of reserved metadata frames at the start of RAM. */
  readonly metaFrames: number;
  /** Names this RAM in share tokens. */
  readonly id: number;
  /** The paging format of its page tables, by number (paging-name.ts). */
  readonly paging: number;
  readonly allocator: FrameAllocator;
  readonly frames: FrameTable;
  readonly tickets: ShareTickets;
  readonly leaks: LeakTracker | undefined;
  /** This thread's slot (index -1 on unshared RAM): the owner of the locks it takes. */
  readonly thread: ThreadSlot;
  /** This thread's holdings ledger (shared RAM only). */
  readonly holdings: Holdings | null;
  readonly gp: GracePeriod;
  /** Zeroed page-table nodes kept for reuse (unshared RAM only). */
  readonly nodeCache: NodeCache;

  /**
   * This thread's view of `buffer`, whose header is already written (by
   * {@link Ram.format} or another thread), from thread slot `slot`.
   */
  constructor(memory: PhysicalMemory, buffer: ArrayBuffer | SharedArrayBuffer, shared: boolean, slot: number, leaks: LeakTracker | undefined) {
    const i32 = new Int32Array(buffer);
    this.memory = memory;
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this.u32 = new Uint32Array(buffer);
    this.i32 = i32;
    this.shared = shared;
    this.nframes = i32[H_NFRAMES] as number;
    this.metaFrames = i32[H_META_FRAMES] as number;
    this.id = i32[H_ID] as number;
    this.paging = i32[H_PAGING] as number;
    this.allocator = new FrameAllocator(allocatorState(i32, this.nframes, shared));
    this.frames = new FrameTable(i32, this.bytes, this.allocator, shared);
    this.tickets = new ShareTickets(i32);
    this.leaks = leaks;
    this.thread = new ThreadSlot(i32, this.frames, shared ? slot : -1);
    this.holdings = shared ? new Holdings(i32, this.frames, slot) : null;
    this.gp = new GracePeriod(i32, this.frames, this.holdings, shared ? slot : -1);
    this.nodeCache = new NodeCache(this.frames, !shared);
    this.frames.onShortage = shared ? () => this.gp.collect() : () => this.nodeCache.drain();
  }

  /**
   * Writes the header and metadata of new RAM in `buffer`: every frame free
   * but the `metaFrames` that hold the metadata; its page tables use paging
   * format number `paging`.
   */
  static format(buffer: ArrayBuffer | SharedArrayBuffer, nframes: number, metaFrames: number, shared: boolean, paging: number): void {
    const h = new Int32Array(buffer);
    h[H_MAGIC] = MAGIC;
    h[H_VERSION] = LAYOUT_VERSION;
    h[H_NFRAMES] = nframes;
    h[H_META_FRAMES] = metaFrames;
    h[H_ID] = (Math.random() * 0x7fff_ffff) | 0 || 1;
    h[H_PAGING] = paging;
    h[H_EPOCH] = 1;
    const allocator = FrameAllocator.format(allocatorState(h, nframes, shared), metaFrames, nframes);
    new FrameTable(h, new Uint8Array(buffer), allocator, shared).reserve(metaFrames);
  }

  /** Number of free frames: the allocator's, and the cached page-table nodes (free for any use: see node-cache.ts). */
  freeFrames(): number {
    this.gp.collect();
    return this.allocator.freeCount() + this.nodeCache.size;
  }

  /** Takes a lock word of this RAM for this thread (see futex-lock.ts for what it throws). */
  lock(index: number, what: string): void {
    lockWord(this.i32, index, this.thread, what);
  }

  /** Releases a lock word taken by {@link Ram.lock}. */
  unlock(index: number): void {
    unlockWord(this.i32, index, this.thread);
  }

  /**
   * Makes sure `n` holdings can be recorded without allocating; call before
   * taking the references they record (shared RAM; nothing on unshared).
   *
   * @throws {VmError} `NoMemory` for a ledger page; nothing changes.
   */
  reserveHoldings(n = 1): void {
    if (this.holdings !== null) this.holdings.reserve(n);
  }

  /** Records that a handle of this thread holds a reference to each of frames `[start, end)`; returns the entry (-1 unshared). */
  holdFrames(start: number, end: number): number {
    return this.holdings === null ? -1 : this.holdings.record(HOLD_FRAMES, start, end);
  }

  /** Erases a holding (before the references it recorded are dropped). */
  dropHolding(id: number): void {
    if (id >= 0) (this.holdings as Holdings).erase(id);
  }
}

function allocatorState(i32: Int32Array, nframes: number, shared: boolean): ConstructorParameters<typeof FrameAllocator>[0] {
  const { bits, tree, words } = allocatorBases(nframes);
  return { bits: i32.subarray(bits, bits + words.bits), tree: i32.subarray(tree, tree + words.tree), hint: i32, hintIndex: H_HINT, nframes, shared };
}
