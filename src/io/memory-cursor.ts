/**
 * The state shared by `VmReader` and `VmWriter`: a cursor over one range of
 * one memory, and the checks that keep an access inside it.
 *
 * A cursor reaches its memory in one of two ways:
 * - directly: `bytes` holds the whole range as one contiguous `Uint8Array`
 *   (typed memory, and frames or segments of RAM), with `base` the address
 *   of `bytes[0]`. Every access checks the lease (are the frames still
 *   borrowed?) and that the bytes are still there (a detached buffer reads as
 *   length 0), then indexes `bytes` directly;
 * - through a {@link MemorySpace}, one run at a time (scattered frames, user
 *   address spaces).
 *
 * Addresses: for typed memory the address of a byte is its offset in the
 * view's `ArrayBuffer`; for RAM it is the physical address, which is also
 * the offset in RAM's buffer; for a user space it is the virtual address.
 * So for direct memory `address − base` indexes `bytes`, and the address is
 * the byte's offset in its buffer, which is what alignment rules and
 * `Atomics` need.
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
 * Where a reader or writer's bytes are. One plain object, so that creating
 * readers over the same memory shares it.
 *
 * @internal
 */
export interface MemoryBinding {
  /** Direct memory: the bytes, or null for a space. */
  readonly bytes: Uint8Array | null;
  /** Address of `bytes[0]`. */
  readonly base: number;
  /** A `DataView` over the whole buffer of `bytes` (indexed by address), if one exists already. */
  readonly view: DataView | null;
  /** Run-based memory, or null for direct memory. */
  readonly space: MemorySpace | null;
  /** The borrowed frames' owner, or null when nothing can expire. */
  readonly lease: Lease | null;
}

/**
 * The `DataView` of a cursor that has none yet (or reaches memory through a
 * space): a sentinel rather than `null`, see the constructor.
 *
 * @internal
 */
export const NO_VIEW = new DataView(new ArrayBuffer(0));

/**
 * Common state of `VmReader` and `VmWriter`. Field order is fixed so that
 * every reader has one hidden class and every writer another.
 *
 * @internal
 */
export abstract class MemoryCursor {
  /** @internal */ _bytes: Uint8Array | null;
  /** @internal */ _base: number;
  /** @internal */ _view: DataView; // over the whole buffer of _bytes (index = address), or NO_VIEW
  /** @internal */ _space: MemorySpace | null;
  /** @internal */ _lease: Lease | null;
  /** @internal */ _pos: number;
  /** @internal */ _end: number;
  /** @internal */ _fallible: boolean;

  /** @internal */
  constructor(
    bytes: Uint8Array | null,
    base: number,
    view: DataView | null,
    space: MemorySpace | null,
    lease: Lease | null,
    pos: number,
    end: number,
    fallible: boolean,
  ) {
    this._bytes = bytes;
    this._base = base;
    // Never null: a field that goes from null to a DataView loses V8's
    // field-type tracking and costs every access ~0.7 ns (measured).
    this._view = view ?? NO_VIEW;
    this._space = space;
    this._lease = lease;
    this._pos = pos;
    this._end = end;
    this._fallible = fallible;
  }

  /**
   * A `DataView` over the whole buffer of `_bytes`, indexed by address,
   * created on first use. A `DataView` throws a `TypeError` by itself once
   * its buffer is detached, so value accesses through it need no detach check.
   *
   * @internal
   */
  _dataView(bytes: Uint8Array): DataView {
    if (this._view === NO_VIEW) {
      const buffer = bytes.buffer;
      if (isDetached(buffer)) detachedBuffer();
      this._view = new DataView(buffer);
    }
    return this._view;
  }
}

/**
 * Checks that a direct cursor may touch `n` bytes at its position and
 * returns the index of that position in `bytes`.
 *
 * @throws {TypeError} the lease expired, or the buffer was detached or shrunk.
 * @internal
 */
export function directIndex(c: MemoryCursor, bytes: Uint8Array, n: number): number {
  const lease = c._lease;
  if (lease !== null && lease.leaseExpired) leaseExpired(lease);
  const index = c._pos - c._base;
  if (index + n > bytes.length) detachedBuffer();
  return index;
}

/** @internal */
export function leaseExpired(lease: Lease): never {
  return useAfterDispose(`${lease.describeLease()} (the memory this reader or writer borrows)`);
}
