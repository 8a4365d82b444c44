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
 * - typed segments (`allocSegmentWith`) have no readers, writers or `VmIo`;
 * - state is private and only vmio makes segments; on shared RAM each
 *   segment's references are one entry of its thread's holdings ledger,
 *   which split and iteration shrink in place (one store) before they record
 *   the references that moved — so a thread killed half-way leaks a
 *   reference, never releases one twice.
 *
 * @module
 */

import { contractViolation, illegalConstructor, invalidType, useAfterDispose } from "../base/contract.js";
import { INTERNAL } from "../base/internal-key.js";
import { checkIndex } from "../base/validate.js";
import type { Infallible } from "../io/fallibility.js";
import { withVmIo, type IoMemory, type MixinBase } from "../io/vm-io.js";
import { newReader, type VmReader } from "../io/vm-reader.js";
import { newWriter, type VmWriter } from "../io/vm-writer.js";
import { adoptFrame, ramIo, type Frame, type UFrame } from "./frame.js";
import type { Holdings } from "./holdings.js";
import { PAGE_SIZE } from "./page-size.js";
import { checkedRamOf, type PhysicalMemory } from "./physical-memory.js";
import type { Ram } from "./ram.js";

/** What `USegment.share()` hands to another thread (a structured-clonable object). */
export interface SegmentToken {
  /** What the token stands for, checked by `attach`. */
  readonly kind: "vmio.USegment";
  /** Identifies the RAM. */
  readonly memory: number;
  /** The segment's first physical address. */
  readonly paddr: number;
  /** The segment's length in frames. */
  readonly nframes: number;
  /** The share ticket in RAM that records what the token stands for and holds its references. */
  readonly ticket: number;
  /** Names this token's use of the ticket, so a copy of an attached token is refused. */
  readonly nonce: number;
}

/**
 * A segment handle's state.
 *
 * @internal
 */
export interface SegmentState {
  readonly ram: Ram;
  /** First frame number. */
  readonly start: number;
  /** Number of frames. */
  readonly count: number;
  readonly untyped: boolean;
  /** The ledger entry of the segment's references (-1 on unshared RAM or when empty). */
  readonly held: number;
  /** True once disposed or consumed. */
  dead: boolean;
  /** True once split or iteration took the references. */
  consumed: boolean;
  /** The segment's memory for VmIo, made on first use. */
  io: IoMemory | undefined;
}

let stateOf: (segment: Segment<unknown>) => SegmentState;
let hasState: (value: object) => boolean;
let makeTyped: (state: SegmentState) => Segment<unknown>;
let makeUntyped: (state: SegmentState) => USegment;

function describeSegment(s: SegmentState): string {
  const what = `${s.untyped ? "USegment" : "Segment"} at 0x${(s.start * PAGE_SIZE).toString(16)}`;
  return s.consumed ? `${what} (consumed by split() or iteration)` : what;
}

/**
 * A handle to a physically contiguous run of frames carrying metadata of type `M`.
 *
 * OSTD counterpart: `ostd::mm::Segment<M>`.
 */
export class Segment<M> implements Disposable, Iterable<Frame<M>> {
  readonly #s: SegmentState;

  static {
    stateOf = (segment) => segment.#s;
    hasState = (value) => #s in value;
    makeTyped = (state) => new Segment(INTERNAL, state);
  }

  /**
   * Segments come from `FrameAllocOptions`, `clone()`, `split()`, `slice()`
   * and `attach()`; a direct call throws `ERR_ILLEGAL_CONSTRUCTOR`.
   */
  protected constructor(key: symbol, state: unknown) {
    if (key !== INTERNAL) illegalConstructor("Segment", "segments come from FrameAllocOptions, clone(), split(), slice() and attach()");
    const s = state as SegmentState;
    this.#s = s;
    s.ram.leaks?.track(this, s.untyped ? "USegment" : "Segment", s.start * PAGE_SIZE, s.count * PAGE_SIZE);
  }

  /** True once disposed or consumed: the memory it lent to readers and writers is gone. @internal */
  get leaseExpired(): boolean {
    return this.#s.dead;
  }

  /** @internal */
  describeLease(): string {
    return describeSegment(this.#s);
  }

  /**
   * Physical address of the first byte.
   *
   * OSTD counterpart: `Segment::start_paddr`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  startPaddr(): number {
    return liveSegment(this).start * PAGE_SIZE;
  }

  /**
   * Physical address just past the last byte.
   *
   * OSTD counterpart: `Segment::end_paddr`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  endPaddr(): number {
    const s = liveSegment(this);
    return (s.start + s.count) * PAGE_SIZE;
  }

  /**
   * Size in bytes.
   *
   * OSTD counterpart: `Segment::size`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  size(): number {
    return liveSegment(this).count * PAGE_SIZE;
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
   * @throws {VmError} `NoMemory` on shared RAM when the thread's ledger needs a page and none is free (nothing changes).
   */
  split(offset: number): [this, this] {
    const s = liveSegment(this);
    checkIndex(offset, "offset");
    const size = s.count * PAGE_SIZE;
    if (offset % PAGE_SIZE !== 0 || offset === 0 || offset >= size) {
      contractViolation(`split offset ${offset} must be a multiple of PAGE_SIZE strictly between 0 and the size (${size})`);
    }
    const k = offset / PAGE_SIZE;
    s.ram.reserveHoldings();
    this.#consume(s);
    // The first half keeps this segment's ledger entry, shrunk; the second gets its own.
    if (s.held >= 0) (s.ram.holdings as Holdings).setSecond(s.held, s.start + k);
    const first = newSegment({ ram: s.ram, start: s.start, count: k, untyped: s.untyped, held: s.held, dead: false, consumed: false, io: undefined });
    return [first as this, adoptSegment(s.ram, s.start + k, s.count - k, s.untyped) as this];
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
   * @throws {VmError} `NoMemory` on shared RAM when the thread's ledger needs a page and none is free.
   */
  slice(start: number, end: number): this {
    const s = liveSegment(this);
    checkIndex(start, "start");
    checkIndex(end, "end");
    const size = s.count * PAGE_SIZE;
    if (start % PAGE_SIZE !== 0 || end % PAGE_SIZE !== 0 || start > end || end > size) {
      contractViolation(`slice [${start}, ${end}) must be page-aligned with start <= end <= size (${size})`);
    }
    const first = s.start + start / PAGE_SIZE;
    const count = (end - start) / PAGE_SIZE;
    s.ram.reserveHoldings();
    s.ram.frames.ref(first, count);
    return adoptSegment(s.ram, first, count, s.untyped) as this;
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
    const s = liveSegment(this);
    this.#consume(s);
    const ram = s.ram;
    const end = s.start + s.count;
    let next = s.start;
    try {
      while (next < end) {
        ram.reserveHoldings();
        const frame = next++;
        // The segment's entry gives the frame up before the frame's own is recorded.
        if (s.held >= 0) (ram.holdings as Holdings).setFirst(s.held, next);
        yield adoptFrame(ram, frame, s.untyped) as Frame<M>;
      }
    } finally {
      ram.dropHolding(s.held);
      if (next < end) ram.frames.unref(next, end - next);
    }
  }

  /**
   * A new handle to the same frames, holding a reference of its own to each.
   *
   * OSTD counterpart: `impl Clone for Segment<M>`.
   *
   * @throws {TypeError} the handle was disposed.
   * @throws {VmError} `NoMemory` on shared RAM when the thread's ledger needs a page and none is free.
   */
  clone(): this {
    const s = liveSegment(this);
    s.ram.reserveHoldings();
    s.ram.frames.ref(s.start, s.count);
    return adoptSegment(s.ram, s.start, s.count, s.untyped) as this;
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
    if (isSegment(this) && stateOf(this).consumed) return;
    const s = liveSegment(this);
    s.dead = true;
    s.ram.leaks?.untrack(this);
    s.ram.dropHolding(s.held);
    s.ram.frames.unref(s.start, s.count);
  }

  /** Same as {@link Segment.dispose}, for `using` declarations. */
  [Symbol.dispose](): void {
    Segment.prototype.dispose.call(this);
  }

  /** Marks the handle dead without touching the references (they move elsewhere). */
  #consume(s: SegmentState): void {
    s.dead = true;
    s.consumed = true;
    s.ram.leaks?.untrack(this);
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
  // The mixin in between takes any arguments: this keeps the constructor's own (protected) signature.
  protected constructor(key: symbol, state: unknown) {
    super(key, state);
  }

  static {
    makeUntyped = (state) => new USegment(INTERNAL, state);
    usegmentIo = (s) => s._ioMemory();
  }

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
    const s = untypedSegment(this, "this");
    const paddr = s.start * PAGE_SIZE;
    return newReader<Infallible>(s.ram.bytes, s.ram.view, null, this, paddr, paddr + s.count * PAGE_SIZE, false);
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
    const s = untypedSegment(this, "this");
    const paddr = s.start * PAGE_SIZE;
    return newWriter<Infallible>(s.ram.bytes, s.ram.view, null, this, paddr, paddr + s.count * PAGE_SIZE, false);
  }

  /**
   * A token that another thread can turn into a handle to this segment with
   * {@link USegment.attach}. The token holds a reference of its own to each
   * frame, handed over by `attach`; it can be attached once (an empty
   * segment's too).
   *
   * @throws {TypeError} the segment's RAM is not shared, or the handle was disposed.
   * @throws {RangeError} too many tokens of this RAM are waiting to be attached.
   */
  share(): SegmentToken {
    const s = untypedSegment(this, "this");
    const ram = s.ram;
    if (!ram.shared) invalidType("this", "a segment of shared RAM ({ shared: true })", "a segment of unshared RAM");
    const { ticket, nonce } = ram.tickets.issue("vmio.USegment", s.start, s.count);
    ram.frames.ref(s.start, s.count);
    return { kind: "vmio.USegment", memory: ram.id, paddr: s.start * PAGE_SIZE, nframes: s.count, ticket, nonce };
  }

  /**
   * The segment of `token` (from {@link USegment.share} on another thread) as
   * a handle on this thread, holding the token's references.
   *
   * @throws {TypeError} `memory` is not a `PhysicalMemory`, or `token` is not a segment token of it.
   * @throws {RangeError} the token was attached already.
   * @throws {VmError} `NoMemory` when this thread's ledger needs a page and none is free (the token stays valid).
   */
  static attach(memory: PhysicalMemory, token: SegmentToken): USegment {
    const ram = checkedRamOf(memory, "memory");
    const nframes = (token as Partial<SegmentToken> | null | undefined)?.nframes;
    if (typeof nframes !== "number" || !Number.isSafeInteger(nframes) || nframes < 0) invalidType("token", "a token from USegment.share()", token);
    ram.reserveHoldings();
    const start = ram.tickets.redeem(ram.id, token, "vmio.USegment", "a token from USegment.share()", nframes);
    return adoptSegment(ram, start, nframes, true) as USegment;
  }

  /** @internal */
  protected _ioMemory(): IoMemory {
    const s = untypedSegment(this, "this");
    return (s.io ??= ramIo(s.ram, this, s.start * PAGE_SIZE, s.count * PAGE_SIZE));
  }
}


function newSegment(state: SegmentState): Segment<unknown> {
  return state.untyped ? makeUntyped(state) : makeTyped(state);
}

/**
 * A new segment adopting one reference to each of frames `[start, start +
 * count)` that the caller holds, recorded in this thread's ledger (the
 * caller reserved an entry before taking the references).
 *
 * @internal
 */
export function adoptSegment(ram: Ram, start: number, count: number, untyped: boolean): Segment<unknown> {
  const held = count > 0 ? ram.holdFrames(start, start + count) : -1;
  return newSegment({ ram, start, count, untyped, held, dead: false, consumed: false, io: undefined });
}

/** The state of `value`, which must be a live segment handle (of either kind). */
function liveSegment(value: unknown, name = "this"): SegmentState {
  if (!isSegment(value)) invalidType(name, "a segment handle", value);
  const s = stateOf(value);
  if (s.dead) useAfterDispose(describeSegment(s));
  return s;
}

/**
 * The state of `value`, which must be a live `USegment`.
 *
 * @throws {TypeError} it is not a segment handle, is typed, or is dead.
 * @internal
 */
export function untypedSegment(value: unknown, name: string): SegmentState {
  const s = liveSegment(value, name);
  if (!s.untyped) invalidType(name, "an untyped segment", "a typed segment");
  return s;
}

/**
 * Whether `value` is a segment handle (typed or not, live or not).
 *
 * @internal
 */
export function isSegment(value: unknown): value is Segment<unknown> {
  return typeof value === "object" && value !== null && hasState(value);
}
