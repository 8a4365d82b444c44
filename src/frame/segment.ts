/**
 * Segment handles: `Segment<M>` and `USegment`, physically contiguous runs
 * of frames.
 *
 * Safety contract, as in OSTD's `ostd::mm::frame::segment`:
 * - a segment holds one reference to each of its frames; `clone()` adds one
 *   to each, `dispose()` drops one from each, and each frame returns to the
 *   allocator when its own last reference is gone;
 * - `split` and iteration consume the segment: its references move into the
 *   new handles, and the old handle is dead afterwards;
 * - a dead handle throws a `TypeError` on every method, a second `dispose()`
 *   included; readers and writers borrow the handle they were made from and
 *   throw once it is dead;
 * - typed segments (`allocSegmentWith`) have no readers, writers or `VmIo`.
 *
 * @module
 */

import { contractViolation, invalidType, useAfterDispose } from "../base/contract.js";
import { checkIndex } from "../base/validate.js";
import type { Infallible } from "../io/fallibility.js";
import { withVmIo, type IoMemory, type MixinBase } from "../io/vm-io.js";
import { newReader, type VmReader } from "../io/vm-reader.js";
import { newWriter, type VmWriter } from "../io/vm-writer.js";
import { Frame, UFrame, newNonce, ramIo, redeem, trackHandle, untrackHandle } from "./frame.js";
import { PAGE_SIZE } from "./page-size.js";
import { FLAG_TYPED, type PhysicalMemory } from "./physical-memory.js";

/** What `USegment.share()` hands to another thread (a structured-clonable object). */
export interface SegmentToken {
  readonly kind: "vmio.USegment";
  /** Identifies the RAM. */
  readonly memory: number;
  readonly paddr: number;
  readonly nframes: number;
  readonly ticket: number;
  readonly nonce: number;
}

/**
 * A handle to a physically contiguous run of frames carrying metadata of type `M`.
 *
 * OSTD counterpart: `ostd::mm::Segment<M>`.
 */
export class Segment<M> implements Disposable, Iterable<Frame<M>> {
  /** @internal */ _mem: PhysicalMemory;
  /** First frame number. @internal */ _start: number;
  /** Number of frames. @internal */ _count: number;
  /** True once disposed or consumed. @internal */ leaseExpired: boolean;
  /** True once split or iteration took the references. @internal */ _consumed: boolean;
  /** The segment's memory for VmIo, made on first use. @internal */ _io: IoMemory | undefined;

  // Segments come from FrameAllocOptions, clone(), split(), slice() and attach(), never from `new`.
  protected constructor(mem: PhysicalMemory, start: number, count: number) {
    this._mem = mem;
    this._start = start;
    this._count = count;
    this.leaseExpired = false;
    this._consumed = false;
    this._io = undefined;
    trackHandle(mem, this, this.constructor.name, start * PAGE_SIZE, count * PAGE_SIZE);
  }

  /**
   * Makes a segment of this class that adopts one reference to each of
   * frames `[start, start + count)`, which the caller already holds.
   *
   * @internal
   */
  static _adopt<T>(
    this: { prototype: T },
    mem: PhysicalMemory,
    start: number,
    count: number,
  ): T {
    return new (this as unknown as new (mem: PhysicalMemory, start: number, count: number) => T)(mem, start, count);
  }

  /** @internal */
  describeLease(): string {
    const what = `${this.constructor.name} at 0x${(this._start * PAGE_SIZE).toString(16)}`;
    return this._consumed ? `${what} (consumed by split() or iteration)` : what;
  }

  /** @internal Throws if this handle is dead. */
  _live(): void {
    if (this.leaseExpired) useAfterDispose(this.describeLease());
  }

  /**
   * Physical address of the first byte.
   *
   * OSTD counterpart: `Segment::start_paddr`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  startPaddr(): number {
    this._live();
    return this._start * PAGE_SIZE;
  }

  /**
   * Physical address just past the last byte.
   *
   * OSTD counterpart: `Segment::end_paddr`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  endPaddr(): number {
    this._live();
    return (this._start + this._count) * PAGE_SIZE;
  }

  /**
   * Size in bytes.
   *
   * OSTD counterpart: `Segment::size`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  size(): number {
    this._live();
    return this._count * PAGE_SIZE;
  }

  /**
   * Splits the segment at byte `offset` into two, consuming it: the
   * references move to the two new segments and this handle is dead.
   *
   * OSTD counterpart: `Segment::split`.
   *
   * @throws {TypeError | RangeError} `offset` is not a non-negative safe integer.
   * @throws {RangeError} `offset` is not page-aligned, or not strictly inside the segment.
   * @throws {TypeError} the handle was disposed.
   */
  split(offset: number): [this, this] {
    this._live();
    checkIndex(offset, "offset");
    const size = this._count * PAGE_SIZE;
    if (offset % PAGE_SIZE !== 0 || offset === 0 || offset >= size) {
      contractViolation(`split offset ${offset} must be a multiple of PAGE_SIZE strictly between 0 and the size (${size})`);
    }
    const k = offset / PAGE_SIZE;
    this._consume();
    return [this._make(this._start, k), this._make(this._start + k, this._count - k)];
  }

  /**
   * A new segment over bytes `[start, end)` of this one, holding a reference
   * of its own to each of those frames; this segment is unaffected.
   *
   * OSTD counterpart: `Segment::slice`.
   *
   * @throws {TypeError | RangeError} `start`/`end` are not non-negative safe integers.
   * @throws {RangeError} `start`/`end` are not page-aligned, or not `start ≤ end ≤ size()`.
   * @throws {TypeError} the handle was disposed.
   */
  slice(start: number, end: number): this {
    this._live();
    checkIndex(start, "start");
    checkIndex(end, "end");
    const size = this._count * PAGE_SIZE;
    if (start % PAGE_SIZE !== 0 || end % PAGE_SIZE !== 0 || start > end || end > size) {
      contractViolation(`slice [${start}, ${end}) must be page-aligned with start <= end <= size (${size})`);
    }
    const first = this._start + start / PAGE_SIZE;
    const count = (end - start) / PAGE_SIZE;
    this._mem._refFrames(first, count);
    return this._make(first, count);
  }

  /**
   * Iterates over the frames, lowest address first, consuming the segment:
   * each frame's reference moves into the yielded handle, which the caller
   * must dispose (`for (using f of segment)` does). If the loop ends early,
   * the frames not yet yielded are released. The segment handle is dead once
   * iteration starts.
   *
   * OSTD counterpart: `impl Iterator for Segment<M>`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  *[Symbol.iterator](): Generator<Frame<M>, void, undefined> {
    this._live();
    this._consume();
    const mem = this._mem;
    const end = this._start + this._count;
    let next = this._start;
    try {
      while (next < end) yield this._frame(next++);
    } finally {
      if (next < end) mem._unrefFrames(next, end - next);
    }
  }

  /**
   * A new handle to the same frames, holding a reference of its own to each.
   *
   * OSTD counterpart: `impl Clone for Segment<M>`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  clone(): this {
    this._live();
    this._mem._refFrames(this._start, this._count);
    return this._make(this._start, this._count);
  }

  /**
   * Drops this handle's reference to each frame; frames whose last
   * reference this was are freed.
   *
   * OSTD counterpart: `impl Drop for Segment<M>`.
   *
   * A handle that `split()` or iteration consumed has nothing left to
   * drop: disposing it does nothing, so `using` works with them.
   *
   * @throws {TypeError} the handle was already disposed.
   */
  dispose(): void {
    if (this._consumed) return;
    this._live();
    this.leaseExpired = true;
    untrackHandle(this._mem, this);
    this._mem._unrefFrames(this._start, this._count);
  }

  /** Same as {@link Segment.dispose}, for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Marks the handle dead without touching the references (they moved elsewhere). @internal */
  _consume(): void {
    this.leaseExpired = true;
    this._consumed = true;
    untrackHandle(this._mem, this);
  }

  /** A frame handle of the matching kind for frame `index`, adopting a reference. @internal */
  protected _frame(index: number): Frame<M> {
    return (Frame as { prototype: Frame<M> } & typeof Frame)._adopt(this._mem, index);
  }

  /** @internal */
  private _make(start: number, count: number): this {
    const Ctor = this.constructor as unknown as { _adopt(mem: PhysicalMemory, start: number, count: number): Segment<M> };
    return Ctor._adopt(this._mem, start, count) as this;
  }
}

/** The memory of a `USegment`, for its VmIo methods (set in the class body, where `_ioMemory` is reachable). */
let usegmentIo: (s: USegment) => IoMemory;

/**
 * A handle to a physically contiguous run of untyped frames: plain bytes,
 * readable and writable through readers, writers and {@link VmIo}.
 *
 * OSTD counterpart: `ostd::mm::USegment` (`Segment<dyn AnyUFrameMeta>`).
 */
export class USegment extends withVmIo(Segment<undefined> as typeof Segment<undefined> & MixinBase, (s) => usegmentIo(s as USegment)) implements Iterable<UFrame> {
  /**
   * Iterates over the frames as {@link UFrame}s, consuming the segment (see
   * {@link Segment}'s iterator).
   */
  override [Symbol.iterator](): Generator<UFrame, void, undefined> {
    return super[Symbol.iterator]() as Generator<UFrame, void, undefined>;
  }

  /**
   * An infallible reader over the whole segment. It borrows this handle:
   * after `dispose()`, `split()` or iteration its next access throws.
   *
   * OSTD counterpart: `USegment::reader`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  reader(): VmReader<Infallible> {
    const paddr = this._paddrUntyped();
    const mem = this._mem;
    return newReader<Infallible>(mem._ram, mem._view, null, this, paddr, paddr + this._count * PAGE_SIZE, false);
  }

  /**
   * An infallible writer over the whole segment. It borrows this handle:
   * after `dispose()`, `split()` or iteration its next access throws.
   *
   * OSTD counterpart: `USegment::writer`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  writer(): VmWriter<Infallible> {
    const paddr = this._paddrUntyped();
    const mem = this._mem;
    return newWriter<Infallible>(mem._ram, mem._view, null, this, paddr, paddr + this._count * PAGE_SIZE, false);
  }

  /**
   * A token that another thread can turn into a handle to this segment with
   * {@link USegment.attach}. The token holds a reference of its own to each
   * frame, handed over by `attach`; it can be attached once.
   *
   * @throws {TypeError} the segment's RAM is not shared, or the handle was disposed.
   * @throws {RangeError} too many tokens of this RAM are waiting to be attached.
   */
  share(): SegmentToken {
    const paddr = this._paddrUntyped();
    const mem = this._mem;
    if (!mem._shared) invalidType("this", "a segment of shared RAM ({ shared: true })", "a segment of unshared RAM");
    const nonce = newNonce();
    const ticket = mem._issueTicket(nonce, 2, this._start, this._count);
    mem._refFrames(this._start, this._count);
    return { kind: "vmio.USegment", memory: mem._id, paddr, nframes: this._count, ticket, nonce };
  }

  /**
   * The segment of `token` (from {@link USegment.share} on another thread) as
   * a handle on this thread, holding the token's references.
   *
   * @throws {TypeError} `token` is not a segment token of `memory`.
   * @throws {RangeError} the token was attached already.
   */
  static attach(memory: PhysicalMemory, token: SegmentToken): USegment {
    if (token == null || !Number.isSafeInteger(token.nframes) || token.nframes <= 0) invalidType("token", "a token from USegment.share()", token);
    const paddr = redeem(memory, token, "vmio.USegment", "a token from USegment.share()", token.nframes);
    return USegment._adopt(memory, paddr / PAGE_SIZE, token.nframes);
  }

  /** @internal */
  protected override _frame(index: number): UFrame {
    return UFrame._adopt(this._mem, index);
  }

  /** @internal */
  _paddrUntyped(): number {
    this._live();
    if (this._count > 0 && (this._mem._flags(this._start) & FLAG_TYPED) !== 0) {
      invalidType("this", "an untyped segment", "a typed segment");
    }
    return this._start * PAGE_SIZE;
  }

  /** @internal */
  protected _ioMemory(): IoMemory {
    if (this.leaseExpired) this._live();
    return (this._io ??= ramIo(this._mem, this, this._paddrUntyped(), this._count * PAGE_SIZE));
  }

  static {
    usegmentIo = (s) => s._ioMemory();
  }
}
