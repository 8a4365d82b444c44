/**
 * The copy engine: one `memcpy` and one `memset` for every pair of memories.
 *
 * Every byte that a reader, a writer or a VM object moves goes through
 * {@link memcpyFallible} or {@link memsetFallible}. They walk both sides one
 * contiguous run at a time — a direct memory is a single run, a memory space
 * answers with one run per frame or page (merged when the pages are
 * physically adjacent) — and move `min(runs)` bytes with the fastest
 * primitive for the size. On a fault they stop and return the count so far:
 * bytes before the first inaccessible byte are copied, nothing after it is
 * touched. Infallible memory simply never faults, so the same loop is OSTD's
 * `memcpy` as well as its `memcpy_fallible`.
 *
 * Hot-loop rules (DESIGN.md): no allocation, no closures, no `.buffer`
 * getters (a builtin call, about 12 ns each on Node 20); run results are read
 * from reused fields into locals before the other side is asked for its run,
 * because both sides may be the same space.
 *
 * @module
 */

import { detachedBuffer } from "../base/contract.js";
import { leaseExpired, type Lease, type MemoryCursor } from "./memory-cursor.js";
import type { MemorySpace } from "./memory-space.js";

let lastFault: MemorySpace | null = null;

/**
 * The space whose fault stopped the most recent short copy or fill.
 *
 * @internal
 */
export function faultedSpace(): MemorySpace | null {
  return lastFault;
}

/**
 * Below this many bytes a plain loop beats `TypedArray.prototype.set` on a
 * `subarray`, whose fixed cost is about 30 ns on Node 20 (a byte costs about
 * 0.75 ns in the loop).
 */
const SMALL_COPY = 32;

/**
 * Copies `n` bytes from `src[sIndex…]` to `dst[dIndex…]`.
 *
 * `mayAlias` says that `dst` and `src` are different views that could share
 * a buffer (two typed memories): only `set` is then safe for overlapping
 * ranges (it copies as if through a temporary, by specification). Where the
 * views are one object (RAM to RAM) the loop runs in the safe direction, and
 * `copyWithin` is used for large runs.
 *
 * @internal
 */
export function copyBytes(dst: Uint8Array, dIndex: number, src: Uint8Array, sIndex: number, n: number, mayAlias: boolean): void {
  if (sIndex === 0 && n === src.length) {
    // The whole source view: no subarray to allocate.
    dst.set(src, dIndex);
  } else if (dst === src) {
    if (n > SMALL_COPY) dst.copyWithin(dIndex, sIndex, sIndex + n);
    else if (dIndex <= sIndex) for (let i = 0; i < n; i++) dst[dIndex + i] = src[sIndex + i] as number;
    else for (let i = n - 1; i >= 0; i--) dst[dIndex + i] = src[sIndex + i] as number;
  } else if (n <= SMALL_COPY && !mayAlias) {
    for (let i = 0; i < n; i++) dst[dIndex + i] = src[sIndex + i] as number;
  } else {
    dst.set(src.subarray(sIndex, sIndex + n), dIndex);
  }
}

/**
 * Copies up to `len` bytes from `src`'s position to `dst`'s position; the
 * caller has checked that `len` fits both. Cursors do not move. Returns the
 * number of bytes copied, less than `len` only when a fault stopped the copy.
 *
 * OSTD counterpart: `memcpy` / `memcpy_fallible`.
 *
 * @throws {TypeError} a lease expired or a buffer was detached (contract violations).
 * @internal
 */
export function memcpyFallible(dst: MemoryCursor, src: MemoryCursor, len: number): number {
  // Cursor objects are not passed on from here, only their fields, so that
  // V8 may scalar-replace a reader or writer that escapes nowhere else.
  return copyRaw(dst._bytes, dst._space, dst._lease, dst._pos, src._bytes, src._space, src._lease, src._pos, len);
}

/**
 * {@link memcpyFallible} on memories described by their parts: direct bytes
 * or a space, a lease, and a position. VM objects copy through this without
 * making reader and writer objects.
 *
 * @internal
 */
export function copyRaw(
  dBytes: Uint8Array | null,
  dSpace: MemorySpace | null,
  dLease: Lease | null,
  dPos: number,
  sBytes: Uint8Array | null,
  sSpace: MemorySpace | null,
  sLease: Lease | null,
  sPos: number,
  len: number,
): number {
  if (len === 0) return 0;
  // A small copy between direct memory and one run of a space that is at
  // hand (a TLB hit): no loop, no critical section needed on unshared RAM.
  if (dBytes !== null && sSpace !== null && !sSpace.shared && sSpace.probe(sPos, len, false)) {
    if ((dLease !== null && dLease.leaseExpired) || dPos + len > dBytes.length) badDirect(dLease, dBytes, dPos, len);
    const slice = sSpace.runSlice;
    if (slice !== null) dBytes.set(slice, dPos);
    else copyBytes(dBytes, dPos, sSpace.runBytes, sSpace.runOffset, len, sSpace.aliasable);
    return len;
  }
  if (sBytes !== null && dSpace !== null && !dSpace.shared && dSpace.probe(dPos, len, true)) {
    if ((sLease !== null && sLease.leaseExpired) || sPos + len > sBytes.length) badDirect(sLease, sBytes, sPos, len);
    copyBytes(dSpace.runBytes, dSpace.runOffset, sBytes, sPos, len, dSpace.aliasable);
    return len;
  }
  if (dBytes !== null && sBytes !== null) {
    if ((sLease !== null && sLease.leaseExpired) || sPos + len > sBytes.length) badDirect(sLease, sBytes, sPos, len);
    if ((dLease !== null && dLease.leaseExpired) || dPos + len > dBytes.length) badDirect(dLease, dBytes, dPos, len);
    // Two typed memories (no lease) may be views of one buffer.
    copyBytes(dBytes, dPos, sBytes, sPos, len, sLease === null && dLease === null);
    return len;
  }
  return copyRuns(dBytes, dSpace, dLease, dPos, sBytes, sSpace, sLease, sPos, len);
}

/** Throws the contract violation of a direct memory that cannot be accessed. */
function badDirect(lease: Lease | null, bytes: Uint8Array, pos: number, len: number): never {
  if (lease !== null && lease.leaseExpired) leaseExpired(lease);
  if (pos + len > bytes.length) detachedBuffer();
  throw new Error("unreachable: direct memory is accessible");
}

function copyRuns(
  dDirect: Uint8Array | null,
  dSpace: MemorySpace | null,
  dLease: Lease | null,
  dPos: number,
  sDirect: Uint8Array | null,
  sSpace: MemorySpace | null,
  sLease: Lease | null,
  sPos: number,
  len: number,
): number {
  if (dDirect !== null && ((dLease !== null && dLease.leaseExpired) || dPos + len > dDirect.length)) badDirect(dLease, dDirect, dPos, len);
  if (sDirect !== null && ((sLease !== null && sLease.leaseExpired) || sPos + len > sDirect.length)) badDirect(sLease, sDirect, sPos, len);
  // On shared RAM the whole copy is one critical section (grace-period.ts):
  // the frames behind the runs stay allocated until it ends.
  const sShared = sSpace !== null && sSpace.shared;
  const dShared = dSpace !== null && dSpace.shared;
  if (sShared) (sSpace as MemorySpace).enter();
  if (dShared) (dSpace as MemorySpace).enter();
  try {
    if (sSpace !== null && sSpace === dSpace && dPos > sPos && dPos < sPos + len) return memmoveUp(sSpace, dPos, sPos, len);
    return copyLoop(dDirect, dSpace, dLease, dPos, sDirect, sSpace, sLease, sPos, len);
  } finally {
    if (dShared) (dSpace as MemorySpace).exit();
    if (sShared) (sSpace as MemorySpace).exit();
  }
}

function copyLoop(
  dDirect: Uint8Array | null,
  dSpace: MemorySpace | null,
  dLease: Lease | null,
  dPos: number,
  sDirect: Uint8Array | null,
  sSpace: MemorySpace | null,
  sLease: Lease | null,
  sPos: number,
  len: number,
): number {
  let done = 0;
  while (done < len) {
    let n = len - done;
    let sBytes: Uint8Array;
    let sIndex: number;
    let sSlice: Uint8Array | null = null;
    let sGeneration = 0;
    if (sDirect !== null) {
      sBytes = sDirect;
      sIndex = sPos + done;
    } else {
      const space = sSpace as MemorySpace;
      const got = space.run(sPos + done, n, false);
      if (got === 0) {
        lastFault = space;
        break;
      }
      sBytes = space.runBytes;
      sIndex = space.runOffset;
      sSlice = space.runSlice;
      sGeneration = space.generation();
      n = got;
      // The source's fault handler may have disposed the handle the destination borrows.
      if (dLease !== null && dLease.leaseExpired) badDirect(dLease, dDirect as Uint8Array, dPos, len);
    }
    let dBytes: Uint8Array;
    let dIndex: number;
    if (dDirect !== null) {
      dBytes = dDirect;
      dIndex = dPos + done;
    } else {
      const space = dSpace as MemorySpace;
      const got = space.run(dPos + done, n, true);
      if (got === 0) {
        lastFault = space;
        break;
      }
      dBytes = space.runBytes;
      dIndex = space.runOffset;
      if (got < n) n = got;
      // The destination's fault handler may have changed the source: unmapped
      // its page (the frame may already belong to someone else) or disposed
      // the handle it borrows. Take the source run again before copying.
      if (sSpace !== null ? sSpace.generation() !== sGeneration : sLease !== null && sLease.leaseExpired) {
        if (sSpace === null) badDirect(sLease, sDirect as Uint8Array, sPos, len);
        continue;
      }
    }
    if (sSlice !== null && sSlice.length === n) dBytes.set(sSlice, dIndex);
    // A side reached through a space is RAM, which no typed memory can view,
    // unless the space says otherwise (guest memory).
    else copyBytes(dBytes, dIndex, sBytes, sIndex, n, (sSpace !== null && sSpace.aliasable) || (dSpace !== null && dSpace.aliasable));
    done += n;
  }
  return done;
}

/**
 * An overlapping copy upwards within one space (a memmove). Copying runs
 * front to back would let a later run read bytes an earlier one overwrote
 * (the pages need not be physically in order), so: first walk the range
 * front to back as a copy would — translating the source, then the
 * destination, run by run, so fault handlers are asked exactly as for a
 * plain copy — noting the pieces that are one run on both sides; then copy
 * those pieces back to front. Returns the exact count. (Should another
 * thread unmap a page between the two walks, the copy of that piece is
 * skipped: racing copies may give wrong bytes, as OSTD allows, never unsafe
 * ones.)
 */
function memmoveUp(space: MemorySpace, dPos: number, sPos: number, len: number): number {
  const pieces: number[] = [];
  let m = 0;
  while (m < len) {
    const got = space.run(sPos + m, len - m, false);
    if (got === 0) {
      lastFault = space;
      break;
    }
    const put = space.run(dPos + m, got, true);
    if (put === 0) {
      lastFault = space;
      break;
    }
    pieces.push(m, put);
    m += put;
  }
  for (let k = pieces.length - 2; k >= 0; k -= 2) {
    const at = pieces[k] as number;
    const n = pieces[k + 1] as number;
    if (space.run(sPos + at, n, false) === n) {
      const sIndex = space.runOffset;
      if (space.run(dPos + at, n, true) === n) copyBytes(space.runBytes, space.runOffset, space.runBytes, sIndex, n, false);
    }
  }
  return m;
}

/**
 * Writes `len` zero bytes at `dst`'s position; the caller has checked that
 * `len` fits. The cursor does not move. Returns the number of bytes written,
 * less than `len` only when a fault stopped the fill.
 *
 * OSTD counterpart: `memset_fallible` (with value 0).
 *
 * @throws {TypeError} a lease expired or a buffer was detached (contract violations).
 * @internal
 */
export function memsetFallible(dst: MemoryCursor, len: number): number {
  return fillRaw(dst._bytes, dst._space, dst._lease, dst._pos, len);
}

/**
 * {@link memsetFallible} on a memory described by its parts.
 *
 * @internal
 */
export function fillRaw(direct: Uint8Array | null, space: MemorySpace | null, lease: Lease | null, pos: number, len: number): number {
  if (len === 0) return 0;
  if (direct !== null) {
    if ((lease !== null && lease.leaseExpired) || pos + len > direct.length) badDirect(lease, direct, pos, len);
    direct.fill(0, pos, pos + len);
    return len;
  }
  const s = space as MemorySpace;
  if (s.shared) s.enter();
  try {
    let done = 0;
    while (done < len) {
      const got = s.run(pos + done, len - done, true);
      if (got === 0) {
        lastFault = s;
        break;
      }
      const offset = s.runOffset;
      s.runBytes.fill(0, offset, offset + got);
      done += got;
    }
    return done;
  } finally {
    if (s.shared) s.exit();
  }
}
