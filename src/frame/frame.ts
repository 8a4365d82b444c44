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
 *   reads or writes their bytes on a caller's behalf.
 *
 * JavaScript has no destructors, so a forgotten `dispose()` leaks the frame
 * until the process ends. `using frame = options.allocFrame()` disposes it at
 * the end of the block; `PhysicalMemory`'s `trackLeaks` option reports
 * handles that were garbage-collected without `dispose()`.
 *
 * @module
 */

import { contractViolation, useAfterDispose, invalidType } from "../base/contract.js";
import type { Infallible } from "../io/fallibility.js";
import { type Lease } from "../io/memory-cursor.js";
import { implementVmIo, type IoMemory, type VmIo, type VmIoFill, type VmIoOnce } from "../io/vm-io.js";
import { newReader, type VmReader } from "../io/vm-reader.js";
import { newWriter, type VmWriter } from "../io/vm-writer.js";
import { PAGE_SIZE } from "./page-size.js";
import { FLAG_TYPED, PhysicalMemory, ramOf } from "./physical-memory.js";
import type { Ram } from "./ram.js";

/** What `UFrame.share()` hands to another thread (a structured-clonable object). */
export interface FrameToken {
  readonly kind: "vmio.UFrame";
  /** Identifies the RAM. */
  readonly memory: number;
  readonly paddr: number;
  readonly ticket: number;
  readonly nonce: number;
}

/**
 * A random non-zero 31-bit number for a share ticket.
 *
 * @internal
 */
export function newNonce(): number {
  return ((Math.random() * 0x7fff_fffe) | 0) + 1;
}

/**
 * Checks a share token against `memory` and redeems its ticket; returns its `paddr`.
 *
 * @throws {TypeError} not a token of that kind for that memory.
 * @throws {RangeError} redeemed already.
 * @internal
 */
export function redeem(
  memory: PhysicalMemory,
  token: { kind: string; memory: number; paddr: number; ticket: number; nonce: number },
  kind: string,
  expected: string,
  count: number,
): number {
  if (!(memory instanceof PhysicalMemory)) invalidType("memory", "a PhysicalMemory", memory);
  const t = token as Partial<typeof token> | null | undefined;
  if (t == null || t.kind !== kind || typeof t.paddr !== "number" || typeof t.ticket !== "number" || typeof t.nonce !== "number") {
    invalidType("token", expected, token);
  }
  if (t.memory !== memory._id) invalidType("token", `${expected} of this PhysicalMemory`, token);
  if (!memory._redeemTicket(t.ticket, t.nonce, TOKEN_KINDS[kind] ?? 0, t.paddr / PAGE_SIZE, count)) {
    contractViolation("this share token was attached already, or altered (a token can be attached once, as it was made)");
  }
  return t.paddr;
}

/**
 * Codes of the token kinds in share tickets.
 *
 * @internal
 */
export const TOKEN_KINDS: Readonly<Record<string, number>> = { "vmio.UFrame": 1, "vmio.USegment": 2, "vmio.VmSpace": 3 };

/**
 * The `IoMemory` of `size` bytes of RAM at `paddr`, borrowed from `lease`.
 *
 * @internal
 */
export function ramIo(mem: PhysicalMemory, lease: Lease, paddr: number, size: number): IoMemory {
  return { bytes: mem._ram, view: mem._view, space: null, lease, base: paddr, size, fallible: false, beyond: "InvalidArgs" };
}

/**
 * Registers a new handle with the leak tracker, if the memory has one.
 *
 * @internal
 */
export function trackHandle(mem: PhysicalMemory, handle: object, kind: string, paddr: number, size: number): void {
  const leaks = mem._leaks;
  if (leaks !== undefined) leaks.register(handle, { kind, paddr, size, stack: new Error("allocated here").stack }, handle);
}

/**
 * Unregisters a handle that was disposed properly.
 *
 * @internal
 */
export function untrackHandle(mem: PhysicalMemory, handle: object): void {
  mem._leaks?.unregister(handle);
}

/**
 * A handle to one frame carrying metadata of type `M`.
 *
 * OSTD counterpart: `ostd::mm::Frame<M>`.
 */
export class Frame<M> implements Disposable {
  /** @internal */ _mem: PhysicalMemory;
  /** @internal */ _index: number;
  /** True once disposed (or consumed). @internal */ leaseExpired: boolean;
  /** The frame's memory for VmIo, made on first use. @internal */ _io: IoMemory | undefined;

  // Handles come from FrameAllocOptions, clone(), segments and attach(), never from `new`.
  protected constructor(mem: PhysicalMemory, index: number) {
    this._mem = mem;
    this._index = index;
    this.leaseExpired = false;
    this._io = undefined;
    trackHandle(mem, this, this.constructor.name, index * PAGE_SIZE, PAGE_SIZE);
  }

  /**
   * Makes a handle of this class that adopts one reference to frame `index`
   * which the caller already holds.
   *
   * @internal
   */
  static _adopt<T>(this: { prototype: T }, mem: PhysicalMemory, index: number): T {
    return new (this as unknown as new (mem: PhysicalMemory, index: number) => T)(mem, index);
  }

  /** @internal */
  describeLease(): string {
    return `${this.constructor.name} at 0x${(this._index * PAGE_SIZE).toString(16)}`;
  }

  /** @internal Throws if this handle is dead. */
  _live(): void {
    if (this.leaseExpired) useAfterDispose(this.describeLease());
  }

  /**
   * Physical address of the frame.
   *
   * OSTD counterpart: `Frame::start_paddr` (`paddr` in newer versions).
   *
   * @throws {TypeError} the handle was disposed.
   */
  startPaddr(): number {
    this._live();
    return this._index * PAGE_SIZE;
  }

  /**
   * Size of the frame in bytes: `PAGE_SIZE`.
   *
   * OSTD counterpart: `Frame::size`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  size(): number {
    this._live();
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
    this._live();
    return this._mem._refCount(this._index);
  }

  /**
   * The frame's metadata (`undefined` for untyped frames).
   *
   * OSTD counterpart: `Frame::meta`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  meta(): M {
    this._live();
    return this._mem._metas.get(this._index) as M;
  }

  /**
   * A new handle to the same frame, holding a reference of its own.
   *
   * OSTD counterpart: `impl Clone for Frame<M>`.
   *
   * @throws {TypeError} the handle was disposed.
   */
  clone(): this {
    this._live();
    this._mem._refFrames(this._index, 1);
    const Ctor = this.constructor as new (mem: PhysicalMemory, index: number) => this;
    return new Ctor(this._mem, this._index);
  }

  /**
   * Drops this handle's reference; the frame is freed if it was the last.
   *
   * OSTD counterpart: `impl Drop for Frame<M>`.
   *
   * @throws {TypeError} the handle was already disposed.
   */
  dispose(): void {
    this._live();
    this.leaseExpired = true;
    untrackHandle(this._mem, this);
    this._mem._unrefFrames(this._index, 1);
  }

  /** Same as {@link Frame.dispose}, for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * A handle to one untyped frame: plain bytes, readable and writable through
 * readers, writers and {@link VmIo}.
 *
 * OSTD counterpart: `ostd::mm::UFrame` (`Frame<dyn AnyUFrameMeta>`).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- VmIo methods are mixed in below
export class UFrame extends Frame<undefined> {
  /**
   * An infallible reader over the whole frame. It borrows this handle: after
   * `dispose()` its next access throws.
   *
   * OSTD counterpart: `UFrame::reader` (`VmReader<'_, Infallible>`).
   *
   * @throws {TypeError} the handle was disposed.
   */
  reader(): VmReader<Infallible> {
    const paddr = this._paddrUntyped();
    const mem = this._mem;
    return newReader<Infallible>(mem._ram, mem._view, null, this, paddr, paddr + PAGE_SIZE, false);
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
    const paddr = this._paddrUntyped();
    const mem = this._mem;
    return newWriter<Infallible>(mem._ram, mem._view, null, this, paddr, paddr + PAGE_SIZE, false);
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
    const paddr = this._paddrUntyped();
    const mem = this._mem;
    if (!mem._shared) invalidType("this", "a frame of shared RAM ({ shared: true })", "a frame of unshared RAM");
    const nonce = newNonce();
    const ticket = mem._issueTicket(nonce, 1, this._index, 1);
    mem._refFrames(this._index, 1);
    return { kind: "vmio.UFrame", memory: mem._id, paddr, ticket, nonce };
  }

  /**
   * The frame of `token` (from {@link UFrame.share} on another thread) as a
   * handle on this thread, holding the token's reference.
   *
   * @throws {TypeError} `token` is not a frame token of `memory`.
   * @throws {RangeError} the token was attached already.
   */
  static attach(memory: PhysicalMemory, token: FrameToken): UFrame {
    const index = redeem(memory, token, "vmio.UFrame", "a token from UFrame.share()", 1) / PAGE_SIZE;
    return UFrame._adopt(memory, index);
  }

  /** @internal */
  _paddrUntyped(): number {
    this._live();
    if ((this._mem._flags(this._index) & FLAG_TYPED) !== 0) invalidType("this", "an untyped frame", "a typed frame");
    return this._index * PAGE_SIZE;
  }

  /** @internal */
  protected _ioMemory(): IoMemory {
    if (this.leaseExpired) this._live();
    return (this._io ??= ramIo(this._mem, this, this._paddrUntyped(), PAGE_SIZE));
  }
}

/**
 * A new handle adopting one reference to frame `index` that the caller holds.
 *
 * @internal
 */
export function adoptUFrame(ram: Ram, index: number): UFrame {
  return UFrame._adopt(ram.memory, index);
}

/**
 * The RAM and frame number of `value`, which must be a live `UFrame`.
 *
 * @throws {TypeError} it is not a frame handle, is typed, or was disposed.
 * @internal
 */
export function untypedFrame(value: unknown, name: string): { ram: Ram; index: number } {
  if (!(value instanceof UFrame)) invalidType(name, "a UFrame", value);
  const paddr = value._paddrUntyped();
  return { ram: ramOf(value._mem), index: paddr / PAGE_SIZE };
}

// UFrame extends Frame for the handle logic and takes VmIo's methods from VmObject.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface UFrame extends VmIo, VmIoFill, VmIoOnce {}
implementVmIo(UFrame);
