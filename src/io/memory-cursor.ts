/**
 * The state shared by `VmReader` and `VmWriter`: a cursor over one range of
 * one memory, and the checks that keep an access inside it.
 *
 * A cursor reaches its memory in one of two ways:
 * - directly: `bytes` is the memory, one contiguous `Uint8Array` indexed by
 *   address (typed memory, and RAM for frames and segments). Every access
 *   checks the lease (are the frames still borrowed?) and that the bytes are
 *   still there (a detached buffer reads as length 0), then indexes `bytes`;
 * - through a {@link MemorySpace}, one run at a time (scattered frames, user
 *   address spaces).
 *
 * Addresses: for typed memory the address of a byte is its offset in the
 * view given to `from` (a `Uint8Array`'s `byteOffset` getter costs ~8 ns on
 * Node 20 — as much as a whole small copy — so vmio never needs it on a hot
 * path); for RAM it is the physical address; for a user space, the virtual
 * address. Alignment rules (`readOnce`, atomics) apply to where the byte
 * really is in its buffer.
 *
 * @module
 */

import { isDetached } from "../base/buffers.js";
import { detachedBuffer, useAfterDispose } from "../base/contract.js";
import type { MemorySpace } from "./memory-space.js";

/**
 * Something whose memory a reader or writer borrows: while `leaseExpired` is
 * false the memory may be accessed. In OSTD a reader borrows its frame for
 * its whole lifetime and the compiler enforces it; here every access checks.
 *
 * @internal
 */
export interface Lease {
  /** True once the borrowed memory may no longer be accessed. */
  readonly leaseExpired: boolean;
  /** Names the lender in the error thrown after expiry, e.g. "UFrame at 0x3000". */
  describeLease(): string;
}

/**
 * The `DataView` of a cursor that has none yet (or reaches memory through a
 * space): a sentinel rather than `null`, see the constructor.
 *
 * @internal
 */
export const NO_VIEW = new DataView(new ArrayBuffer(0));

/**
 * Common state of `VmReader` and `VmWriter`. Both classes declare these
 * fields themselves, in this order, instead of inheriting them: V8 (Node 20)
 * does not scalar-replace objects built through a `super()` call, and a
 * reader or writer that never escapes its loop should cost no allocation.
 *
 * @internal
 */
export interface MemoryCursor {
  /** Direct memory, indexed by address, or null for a space. */
  _bytes: Uint8Array | null;
  /** A `DataView` over exactly `_bytes` (index = address), or `NO_VIEW` until made. */
  _view: DataView;
  /** Run-based memory, or null for direct memory. */
  _space: MemorySpace | null;
  /** What the memory is borrowed from, or null when nothing can expire. */
  _lease: Lease | null;
  /** Address of the next byte. */
  _pos: number;
  /** Address just past the last byte. */
  _end: number;
  /** Whether the memory may fault (type-level `Fallible`). */
  _fallible: boolean;
  /**
   * `READER` or `WRITER`. Arguments are told apart by this field rather than
   * `instanceof`: V8 folds a load from an object it is scalar-replacing, but
   * not an `instanceof`, and the failure path of an unfolded check would
   * make the object escape (and be allocated).
   */
  _kind: number;
}

/** `_kind` of a `VmReader`. @internal */
export const READER = 1;
/** `_kind` of a `VmWriter`. @internal */
export const WRITER = 2;

/**
 * Whether `x` is a reader (`READER`) or writer (`WRITER`) of this library.
 *
 * @internal
 */
export function isCursor(x: unknown, kind: number): x is MemoryCursor {
  return x != null && (x as MemoryCursor)._kind === kind;
}

/**
 * A `DataView` over exactly a direct cursor's bytes (so indexed by address),
 * made on first use. A `DataView` throws a `TypeError` by itself once its
 * buffer is detached, so value accesses through it need no detach check.
 *
 * @internal
 */
export function dataViewOf(c: MemoryCursor, bytes: Uint8Array): DataView {
  if (c._view === NO_VIEW) {
    const buffer = bytes.buffer;
    if (isDetached(buffer)) detachedBuffer();
    c._view = new DataView(buffer, bytes.byteOffset, bytes.byteLength);
  }
  return c._view;
}

/**
 * Where the byte at a direct cursor really is: its buffer and its offset in
 * that buffer (for same-address checks). Cold path: uses the getters.
 *
 * @internal
 */
export function locationOf(c: MemoryCursor): { buffer: ArrayBufferLike; offset: number } {
  const bytes = c._bytes as Uint8Array;
  return { buffer: bytes.buffer, offset: bytes.byteOffset + c._pos };
}

/**
 * Checks that a direct cursor may touch `n` bytes at its position and
 * returns that position (which is its index in `bytes`).
 *
 * @throws {TypeError} the lease expired, or the buffer was detached or shrunk.
 * @internal
 */
export function directIndex(c: MemoryCursor, bytes: Uint8Array, n: number): number {
  const lease = c._lease;
  if (lease !== null && lease.leaseExpired) leaseExpired(lease);
  const index = c._pos;
  if (index + n > bytes.length) detachedBuffer();
  return index;
}

/** @internal */
export function leaseExpired(lease: Lease): never {
  return useAfterDispose(`${lease.describeLease()} (the memory this reader or writer borrows)`);
}
