/**
 * Frame metadata: the frame table, one entry per frame of RAM.
 *
 * Safety contract, as in OSTD's `ostd::mm::frame::meta`:
 * - a frame is in use exactly while its reference count is non-zero; the
 *   count counts the handles, segments, page-table mappings and share
 *   tokens that hold it, and is changed with `Atomics` on shared RAM;
 * - the reference that brings the count to zero frees the frame: its
 *   generation changes (so anything that remembered the old generation can
 *   tell the frame was recycled), its flags are cleared, and it goes back to
 *   the allocator — in that order, so a thread that dies half-way leaks the
 *   frame but never frees it twice;
 * - reserved frames (the metadata itself) carry a count that never reaches
 *   zero and are never handed out.
 *
 * Each entry is four words:
 *
 * | word | meaning                                                      |
 * | ---- | ------------------------------------------------------------ |
 * | 0    | reference count                                              |
 * | 1    | generation: bumped each time the frame is freed              |
 * | 2    | flags: typed, reserved, page-table node, ledger page         |
 * | 3    | a word for the frame's owner (a page-table node's entry count) |
 *
 * The metadata *values* of typed frames (`allocFrameWith(meta)`) are
 * JavaScript values and cannot live in shared memory: they are kept per
 * thread, by frame number.
 *
 * @module
 */

import { withCode } from "../base/contract.js";
import { VmError } from "../io/vm-error.js";
import type { FrameAllocator } from "./frame-allocator.js";
import { FRAME_TABLE, FT_WORDS } from "./layout.js";
import { PAGE_SIZE } from "./page-size.js";

const FT_REFS = 0;
const FT_GEN = 1;
const FT_FLAGS = 2;
const FT_AUX = 3;

/** A typed frame (no `VmIo`). */
export const FLAG_TYPED = 1;
/** A metadata frame, never handed out. */
export const FLAG_RESERVED = 2;
/** A page-table node. */
export const FLAG_PAGE_TABLE = 4;
/** A page of a thread's holdings ledger (holdings.ts). */
export const FLAG_LEDGER = 8;

/** Reference count of reserved (metadata) frames: never reaches zero. */
const RESERVED_REFS = 0x4000_0000;

/**
 * The frame table of one RAM, seen from one thread.
 *
 * OSTD counterpart: the `MetaSlot` array of `ostd::mm::frame::meta`.
 *
 * @internal
 */
export class FrameTable {
  readonly #i32: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #allocator: FrameAllocator;
  readonly #shared: boolean;
  /** Metadata values of typed frames, by frame number (this thread's). */
  readonly #metas = new Map<number, unknown>();
  /**
   * Frees what can be freed when an allocation would fail (frames this
   * thread unmapped whose grace period has ended since); returns how many.
   */
  onShortage: () => number = () => 0;

  constructor(i32: Int32Array, bytes: Uint8Array, allocator: FrameAllocator, shared: boolean) {
    this.#i32 = i32;
    this.#bytes = bytes;
    this.#allocator = allocator;
    this.#shared = shared;
  }

  /** Marks frames `[0, metaFrames)` reserved. For new RAM only. */
  reserve(metaFrames: number): void {
    for (let f = 0; f < metaFrames; f++) {
      this.#i32[FRAME_TABLE + FT_WORDS * f + FT_REFS] = RESERVED_REFS;
      this.#i32[FRAME_TABLE + FT_WORDS * f + FT_FLAGS] = FLAG_RESERVED;
    }
  }

  /**
   * Allocates `n` contiguous frames with reference count 1 and `flags`, and
   * returns the first frame number.
   *
   * @throws {VmError} `NoMemory`; nothing changes.
   */
  alloc(n: number, zeroed: boolean, flags: number): number {
    let start = this.#allocator.alloc(n);
    if (start < 0 && this.onShortage() > 0) start = this.#allocator.alloc(n);
    if (start < 0) this.#noMemory(n);
    const ft = this.#i32;
    for (let f = start; f < start + n; f++) {
      const i = FRAME_TABLE + FT_WORDS * f;
      if (this.#shared) {
        Atomics.store(ft, i + FT_FLAGS, flags);
        Atomics.store(ft, i + FT_AUX, 0);
        Atomics.store(ft, i + FT_REFS, 1);
      } else {
        ft[i + FT_FLAGS] = flags;
        ft[i + FT_AUX] = 0;
        ft[i + FT_REFS] = 1;
      }
    }
    if (zeroed) this.#bytes.fill(0, start * PAGE_SIZE, (start + n) * PAGE_SIZE);
    return start;
  }

  #noMemory(n: number): never {
    throw new VmError("NoMemory", `no run of ${n} free frame${n === 1 ? "" : "s"} (the longest is ${this.#allocator.longestRun()})`);
  }

  /** Adds one reference to each of frames `[start, start + n)`. */
  ref(start: number, n: number): void {
    const ft = this.#i32;
    for (let f = start; f < start + n; f++) {
      const i = FRAME_TABLE + FT_WORDS * f + FT_REFS;
      if (this.#shared) Atomics.add(ft, i, 1);
      else ft[i] = (ft[i] as number) + 1;
    }
  }

  /**
   * Adds one reference to frame `f` if it is a live untyped frame (a
   * reference count of at least one; neither typed nor reserved) and returns
   * true; otherwise changes nothing and returns false. `checkUserFrame`'s
   * test and {@link ref} in one pass over the frame's words, for a batch map
   * (fork's copy-on-write mapping checks and references every page).
   */
  refUntyped(f: number): boolean {
    const ft = this.#i32;
    const i = FRAME_TABLE + FT_WORDS * f;
    if (this.#shared) {
      if ((Atomics.load(ft, i + FT_FLAGS) & (FLAG_TYPED | FLAG_RESERVED)) !== 0) return false;
      const refs = Atomics.load(ft, i + FT_REFS);
      if (refs < 1 || refs === RESERVED_REFS) return false;
      Atomics.add(ft, i + FT_REFS, 1);
    } else {
      if (((ft[i + FT_FLAGS] as number) & (FLAG_TYPED | FLAG_RESERVED)) !== 0) return false;
      const refs = ft[i + FT_REFS] as number;
      if (refs < 1 || refs === RESERVED_REFS) return false;
      ft[i + FT_REFS] = refs + 1;
    }
    return true;
  }

  /**
   * Drops one reference from each of frames `[start, start + n)`; frames
   * whose count reaches zero are freed, in runs (a whole segment is returned
   * with one bitmap update per word).
   *
   * @throws {Error} a count was already zero: vmio's own bookkeeping is broken
   *   (`ERR_VMIO_INTERNAL`); nothing more is dropped.
   */
  unref(start: number, n: number): void {
    const ft = this.#i32;
    let runStart = -1;
    for (let f = start; f < start + n; f++) {
      const i = FRAME_TABLE + FT_WORDS * f;
      let before: number;
      if (this.#shared) before = Atomics.sub(ft, i + FT_REFS, 1);
      else ft[i + FT_REFS] = (before = ft[i + FT_REFS] as number) - 1;
      if (before === 1) {
        this.#retire(f);
        if (runStart < 0) runStart = f;
      } else {
        if (runStart >= 0) this.#allocator.free(runStart, f - runStart);
        runStart = -1;
        if (before <= 0) corrupt(f, before);
      }
    }
    if (runStart >= 0) this.#allocator.free(runStart, start + n - runStart);
  }

  /** Clears the metadata of a frame whose last reference is gone (it is still marked allocated). */
  #retire(f: number): void {
    const i = FRAME_TABLE + FT_WORDS * f;
    const ft = this.#i32;
    if (this.#shared) {
      Atomics.add(ft, i + FT_GEN, 1);
      Atomics.store(ft, i + FT_FLAGS, 0);
    } else {
      ft[i + FT_GEN] = (ft[i + FT_GEN] as number) + 1;
      ft[i + FT_FLAGS] = 0;
    }
    if (this.#metas.size !== 0) this.#metas.delete(f);
  }

  /** Reference count of frame `f` (0 for reserved frames). */
  refCount(f: number): number {
    const refs = Atomics.load(this.#i32, FRAME_TABLE + FT_WORDS * f + FT_REFS);
    return refs === RESERVED_REFS ? 0 : refs;
  }

  /** Generation of frame `f`: changes each time the frame is freed. */
  generation(f: number): number {
    return Atomics.load(this.#i32, FRAME_TABLE + FT_WORDS * f + FT_GEN);
  }

  /** Flags of frame `f`. */
  flags(f: number): number {
    return Atomics.load(this.#i32, FRAME_TABLE + FT_WORDS * f + FT_FLAGS);
  }

  /** Sets flag bits of frame `f`. */
  setFlags(f: number, flags: number): void {
    Atomics.or(this.#i32, FRAME_TABLE + FT_WORDS * f + FT_FLAGS, flags);
  }

  /** The owner's word of frame `f`. */
  aux(f: number): number {
    const i = FRAME_TABLE + FT_WORDS * f + FT_AUX;
    return this.#shared ? Atomics.load(this.#i32, i) : (this.#i32[i] as number);
  }

  /** Adds `delta` to the owner's word of frame `f` and returns the new value. */
  auxAdd(f: number, delta: number): number {
    const i = FRAME_TABLE + FT_WORDS * f + FT_AUX;
    if (this.#shared) return Atomics.add(this.#i32, i, delta) + delta;
    return (this.#i32[i] = (this.#i32[i] as number) + delta);
  }

  /** Whether frame `f` is free in the allocator. */
  isFree(f: number): boolean {
    return this.#allocator.isFree(f);
  }

  /** The metadata value of typed frame `f` on this thread. */
  meta(f: number): unknown {
    return this.#metas.get(f);
  }

  /** Sets the metadata value of typed frame `f` (until it is freed). */
  setMeta(f: number, value: unknown): void {
    this.#metas.set(f, value);
  }

  /** Forgets the metadata value of frame `f`. */
  deleteMeta(f: number): void {
    this.#metas.delete(f);
  }
}

function corrupt(f: number, before: number): never {
  throw withCode(new Error(`vmio internal error: frame ${f} had reference count ${before} when a reference was dropped`), "ERR_VMIO_INTERNAL");
}
