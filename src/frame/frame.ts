/**
 * Frame handles: `Frame<M>` (a typed frame carrying metadata) and `UFrame`
 * (an untyped frame whose bytes are readable and writable).
 *
 * Safety contract, as in OSTD's `ostd::mm::frame`:
 * - a handle owns exactly one reference to its frame; `clone()` makes a new
 *   handle with a reference of its own, `dispose()` drops the handle's
 *   reference, and the frame returns to the allocator when its last
 *   reference — handle, segment or page-table mapping — is gone;
 * - a disposed handle is dead: every method on it, including a second
 *   `dispose()`, throws a `TypeError`;
 * - readers and writers made by `reader()`/`writer()` borrow the handle, as
 *   a Rust `VmReader<'a>` borrows the frame: once the handle is disposed
 *   their next access throws, whether or not other handles keep the frame
 *   alive. They never touch a frame after its handle let go of it;
 * - typed frames (`allocFrameWith`) hold kernel data structures such as page
 *   tables. They have no readers, writers or `VmIo`: nothing in this library
 *   reads or writes their bytes on a caller's behalf;
 * - a handle's state is private (`#`): only vmio makes handles (there is no
 *   public constructor), and on shared RAM each handle's reference is
 *   recorded in its thread's holdings ledger, so that reclaiming an exited
 *   worker drops it.
 *
 * JavaScript has no destructors, so a forgotten `dispose()` leaks the frame
 * until the process ends. `using frame = options.allocFrame()` disposes it at
 * the end of the block; `PhysicalMemory`'s `trackLeaks` option reports
 * handles that were garbage-collected without `dispose()`.
 *
 * @module
 */

import { illegalConstructor, invalidType, useAfterDispose } from "../base/contract.js";
import { INTERNAL } from "../base/internal-key.js";
import type { Infallible } from "../io/fallibility.js";
import type { Lease } from "../io/memory-cursor.js";
import { withVmIo, type IoMemory, type MixinBase } from "../io/vm-io.js";
import { newReader, type VmReader } from "../io/vm-reader.js";
import { newWriter, type VmWriter } from "../io/vm-writer.js";
import { PAGE_SIZE } from "./page-size.js";
import { checkedRamOf, type PhysicalMemory } from "./physical-memory.js";
import type { Ram } from "./ram.js";

/** What `UFrame.share()` hands to another thread (a structured-clonable object). */
export interface FrameToken {
  /** What the token stands for, checked by `attach`. */
  readonly kind: "vmio.UFrame";
  /** Identifies the RAM. */
  readonly memory: number;
  /** The frame's physical address. */
  readonly paddr: number;
  /** The share ticket in RAM that records what the token stands for and holds its reference. */
  readonly ticket: number;
  /** Names this token's use of the ticket, so a copy of an attached token is refused. */
  readonly nonce: number;
}

/**
 * A frame handle's state.
 *
 * @internal
 */
export interface FrameState {
  readonly ram: Ram;
  /** Frame number. */
  readonly index: number;
  readonly untyped: boolean;
  /** The ledger entry of the handle's reference (-1 on unshared RAM). */
  readonly held: number;
  /** True once disposed. */
  dead: boolean;
  /** The frame's memory for VmIo, made on first use. */
  io: IoMemory | undefined;
}

/**
 * The `IoMemory` of `size` bytes of RAM at `paddr`, borrowed from `lease`.
 *
 * @internal
 */
export function ramIo(ram: Ram, lease: Lease, paddr: number, size: number): IoMemory {
  return { bytes: ram.bytes, view: ram.view, space: null, lease, base: paddr, size, fallible: false, beyond: "InvalidArgs" };
}

let stateOf: (frame: Frame<unknown>) => FrameState;
let hasState: (value: object) => boolean;
let makeTyped: (state: FrameState) => Frame<unknown>;
let makeUntyped: (state: FrameState) => UFrame;

function describeFrame(s: FrameState): string {
  return `${s.untyped ? "UFrame" : "Frame"} at 0x${(s.index * PAGE_SIZE).toString(16)}`;
}

/**
 * A handle to one frame carrying metadata of type `M`.
 *
 * OSTD counterpart: `ostd::mm::Frame<M>`.
 */
export class Frame<M> implements Disposable {
  readonly #s: FrameState;

  static {
    stateOf = (frame) => frame.#s;
    hasState = (value) => #s in value;
    makeTyped = (state) => new Frame(INTERNAL, state);
  }

  /**
   * Handles come from `FrameAllocOptions`, `clone()`, segments and
   * `attach()`; a direct call throws `ERR_ILLEGAL_CONSTRUCTOR`.
   */
  protected constructor(key: symbol, state: unknown) {
    if (key !== INTERNAL) illegalConstructor("Frame", "frames come from FrameAllocOptions, clone(), segments and attach()");
    const s = state as FrameState;
    this.#s = s;
    s.ram.leaks?.track(this, s.untyped ? "UFrame" : "Frame", s.index * PAGE_SIZE, PAGE_SIZE);
  }

  /** True once disposed: the memory it lent to readers and writers is gone. @internal */
  get leaseExpired(): boolean {
    return this.#s.dead;
  }

  /** @internal */
  describeLease(): string {
    return describeFrame(this.#s);
  }

  /**
   * Physical address of the frame.
   *
   * OSTD counterpart: `Frame::start_paddr` (`paddr` in newer versions).
   *
   * @throws {TypeError} the handle was disposed.
   */
  startPaddr(): number {
    return liveFrame(this).index * PAGE_SIZE;
  }

  /**
   * Size of the frame in bytes: `PAGE_SIZE`.
   *
   * OSTD counterpart: `Frame::size`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  size(): number {
    liveFrame(this);
    return PAGE_SIZE;
  }

  /**
   * Number of references to the frame: handles, segments and page-table mappings.
   *
   * OSTD counterpart: `Frame::reference_count`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  referenceCount(): number {
    const s = liveFrame(this);
    return s.ram.frames.refCount(s.index);
  }

  /**
   * The frame's metadata (`undefined` for untyped frames).
   *
   * OSTD counterpart: `Frame::meta`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  meta(): M {
    const s = liveFrame(this);
    return s.ram.frames.meta(s.index) as M;
  }

  /**
   * A new handle to the same frame, holding a reference of its own.
   *
   * OSTD counterpart: `impl Clone for Frame<M>`.
   *
   * @throws {TypeError} the handle was disposed.
   * @throws {VmError} `NoMemory` on shared RAM when its thread's ledger needs a page and none is free.
   */
  clone(): this {
    const s = liveFrame(this);
    s.ram.reserveHoldings();
    s.ram.frames.ref(s.index, 1);
    return adoptFrame(s.ram, s.index, s.untyped) as this;
  }

  /**
   * Drops this handle's reference; the frame is freed if it was the last.
   *
   * OSTD counterpart: `impl Drop for Frame<M>`.
   *
   * @throws {TypeError} the handle was already disposed.
   */
  dispose(): void {
    const s = liveFrame(this);
    s.dead = true;
    s.ram.leaks?.untrack(this);
    s.ram.dropHolding(s.held);
    s.ram.frames.unref(s.index, 1);
  }

  /** Same as {@link Frame.dispose}, for `using` declarations. */
  [Symbol.dispose](): void {
    Frame.prototype.dispose.call(this);
  }
}

/** The memory of a `UFrame`, for its VmIo methods (set in the class body, where `_ioMemory` is reachable). */
let uframeIo: (f: UFrame) => IoMemory;

/**
 * A handle to one untyped frame: plain bytes, readable and writable through
 * readers, writers and {@link VmIo}.
 *
 * OSTD counterpart: `ostd::mm::UFrame` (`Frame<dyn AnyUFrameMeta>`).
 */
export class UFrame extends withVmIo(Frame<undefined> as typeof Frame<undefined> & MixinBase, (f) => uframeIo(f as UFrame)) {
  // The mixin in between takes any arguments: this keeps the constructor's own (protected) signature.
  protected constructor(key: symbol, state: unknown) {
    super(key, state);
  }

  static {
    makeUntyped = (state) => new UFrame(INTERNAL, state);
    uframeIo = (f) => f._ioMemory();
  }

  /**
   * An infallible reader over the whole frame. It borrows this handle: after
   * `dispose()` its next access throws.
   *
   * OSTD counterpart: `UFrame::reader` (`VmReader<'_, Infallible>`).
   *
   * @throws {TypeError} the handle was disposed.
   */
  reader(): VmReader<Infallible> {
    const s = untypedFrame(this, "this");
    const paddr = s.index * PAGE_SIZE;
    return newReader<Infallible>(s.ram.bytes, s.ram.view, null, this, paddr, paddr + PAGE_SIZE, false);
  }

  /**
   * An infallible writer over the whole frame. It borrows this handle: after
   * `dispose()` its next access throws.
   *
   * OSTD counterpart: `UFrame::writer` (`VmWriter<'_, Infallible>`).
   *
   * @throws {TypeError} the handle was disposed.
   */
  writer(): VmWriter<Infallible> {
    const s = untypedFrame(this, "this");
    const paddr = s.index * PAGE_SIZE;
    return newWriter<Infallible>(s.ram.bytes, s.ram.view, null, this, paddr, paddr + PAGE_SIZE, false);
  }

  /**
   * A token that another thread can turn into a handle to this frame with
   * {@link UFrame.attach}. The token holds a reference of its own, handed
   * over by `attach`; it can be attached once.
   *
   * @throws {TypeError} the frame's RAM is not shared, or the handle was disposed.
   * @throws {RangeError} too many tokens of this RAM are waiting to be attached.
   */
  share(): FrameToken {
    const s = untypedFrame(this, "this");
    const ram = s.ram;
    if (!ram.shared) invalidType("this", "a frame of shared RAM ({ shared: true })", "a frame of unshared RAM");
    const { ticket, nonce } = ram.tickets.issue("vmio.UFrame", s.index, 1);
    ram.frames.ref(s.index, 1);
    return { kind: "vmio.UFrame", memory: ram.id, paddr: s.index * PAGE_SIZE, ticket, nonce };
  }

  /**
   * The frame of `token` (from {@link UFrame.share} on another thread) as a
   * handle on this thread, holding the token's reference.
   *
   * @throws {TypeError} `memory` is not a `PhysicalMemory`, or `token` is not a frame token of it.
   * @throws {RangeError} the token was attached already.
   * @throws {VmError} `NoMemory` when this thread's ledger needs a page and none is free (the token stays valid).
   */
  static attach(memory: PhysicalMemory, token: FrameToken): UFrame {
    const ram = checkedRamOf(memory, "memory");
    ram.reserveHoldings();
    return adoptUFrame(ram, ram.tickets.redeem(ram.id, token, "vmio.UFrame", "a token from UFrame.share()", 1));
  }

  /** @internal */
  protected _ioMemory(): IoMemory {
    const s = untypedFrame(this, "this");
    return (s.io ??= ramIo(s.ram, this, s.index * PAGE_SIZE, PAGE_SIZE));
  }
}


/**
 * A new handle adopting one reference to frame `index` that the caller
 * holds, recorded in this thread's ledger (the caller reserved an entry with
 * `ram.reserveHoldings()` before taking the reference).
 *
 * @internal
 */
export function adoptFrame(ram: Ram, index: number, untyped: boolean): Frame<unknown> {
  const state: FrameState = { ram, index, untyped, held: ram.holdFrames(index, index + 1), dead: false, io: undefined };
  return untyped ? makeUntyped(state) : makeTyped(state);
}

/**
 * {@link adoptFrame} for an untyped frame.
 *
 * @internal
 */
export function adoptUFrame(ram: Ram, index: number): UFrame {
  return adoptFrame(ram, index, true) as UFrame;
}

/** The state of `value`, which must be a live frame handle (of either kind). */
function liveFrame(value: unknown, name = "this"): FrameState {
  if (typeof value !== "object" || value === null || !hasState(value)) invalidType(name, "a frame handle", value);
  const s = stateOf(value as Frame<unknown>);
  if (s.dead) useAfterDispose(describeFrame(s));
  return s;
}

/**
 * The state of `value`, which must be a live `UFrame`.
 *
 * @throws {TypeError} it is not a frame handle, is typed, or was disposed.
 * @internal
 */
export function untypedFrame(value: unknown, name: string): FrameState {
  const s = liveFrame(value, name);
  if (!s.untyped) invalidType(name, "an untyped frame", "a typed frame");
  return s;
}
