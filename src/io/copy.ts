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

import { directIndex, type MemoryCursor } from "./memory-cursor.js";
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
 * Below this many bytes a plain loop beats `TypedArray.prototype.set`, whose
 * fixed cost is about 30 ns on Node 20 (a byte costs about 0.75 ns in the loop).
 */
const SMALL_COPY = 32;

/**
 * Copies `n` bytes from `src[sIndex…]` to `dst[dIndex…]`. `dAddr`/`sAddr` are
 * the bytes' offsets in their buffers: when both buffers are the same and the
 * ranges overlap, the small-copy loop runs in the safe direction (and `set`
 * is overlap-safe by specification).
 *
 * @internal
 */
export function copyBytes(
  dst: Uint8Array,
  dIndex: number,
  dAddr: number,
  src: Uint8Array,
  sIndex: number,
  sAddr: number,
  n: number,
): void {
  if (n <= SMALL_COPY) {
    if (dAddr <= sAddr) {
      for (let i = 0; i < n; i++) dst[dIndex + i] = src[sIndex + i] as number;
    } else {
      for (let i = n - 1; i >= 0; i--) dst[dIndex + i] = src[sIndex + i] as number;
    }
  } else if (dst === src) {
    dst.copyWithin(dIndex, sIndex, sIndex + n);
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
  if (len === 0) return 0;
  const dBytes = dst._bytes;
  const sBytes = src._bytes;
  if (dBytes !== null && sBytes !== null) {
    const sIndex = directIndex(src, sBytes, len);
    const dIndex = directIndex(dst, dBytes, len);
    copyBytes(dBytes, dIndex, dst._pos, sBytes, sIndex, src._pos, len);
    return len;
  }
  return copyRuns(dst, src, len);
}

function copyRuns(dst: MemoryCursor, src: MemoryCursor, len: number): number {
  const dSpace = dst._space;
  const sSpace = src._space;
  const dDirect = dst._bytes;
  const sDirect = src._bytes;
  const dIndex0 = dDirect === null ? 0 : directIndex(dst, dDirect, len);
  const sIndex0 = sDirect === null ? 0 : directIndex(src, sDirect, len);
  let done = 0;
  while (done < len) {
    let n = len - done;
    let sBytes: Uint8Array;
    let sIndex: number;
    let sAddr: number;
    if (sDirect !== null) {
      sBytes = sDirect;
      sIndex = sIndex0 + done;
      sAddr = src._pos + done;
    } else {
      const got = (sSpace as NonNullable<typeof sSpace>).run(src._pos + done, n, false);
      if (got === 0) {
        lastFault = sSpace;
        break;
      }
      sBytes = (sSpace as NonNullable<typeof sSpace>).runBytes;
      sIndex = sAddr = (sSpace as NonNullable<typeof sSpace>).runOffset;
      n = got;
    }
    let dBytes: Uint8Array;
    let dIndex: number;
    let dAddr: number;
    if (dDirect !== null) {
      dBytes = dDirect;
      dIndex = dIndex0 + done;
      dAddr = dst._pos + done;
    } else {
      const got = (dSpace as NonNullable<typeof dSpace>).run(dst._pos + done, n, true);
      if (got === 0) {
        lastFault = dSpace;
        break;
      }
      dBytes = (dSpace as NonNullable<typeof dSpace>).runBytes;
      dIndex = dAddr = (dSpace as NonNullable<typeof dSpace>).runOffset;
      if (got < n) n = got;
    }
    copyBytes(dBytes, dIndex, dAddr, sBytes, sIndex, sAddr, n);
    done += n;
  }
  return done;
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
  if (len === 0) return 0;
  const direct = dst._bytes;
  if (direct !== null) {
    const index = directIndex(dst, direct, len);
    direct.fill(0, index, index + len);
    return len;
  }
  const space = dst._space as NonNullable<MemoryCursor["_space"]>;
  let done = 0;
  while (done < len) {
    const got = space.run(dst._pos + done, len - done, true);
    if (got === 0) {
      lastFault = space;
      break;
    }
    const offset = space.runOffset;
    space.runBytes.fill(0, offset, offset + got);
    done += got;
  }
  return done;
}
