/**
 * I/O vectors: the `{ base, len }` arrays that `readv`, `writev` and WASI's
 * `fd_read`/`fd_write` take, and how a system call imports one from user
 * memory.
 *
 * Importing follows Linux's `import_iovec` (lib/iov_iter.c) and Asterinas'
 * `VmReaderArray::from_user_io_vecs`:
 * - `count` above `IOV_MAX` (1024), or negative, is `InvalidArgs` (EINVAL),
 *   and nothing is read;
 * - the array itself is read through the memory (in place for
 *   `GuestMemory`, through a reader otherwise): a fault there is
 *   `PageFault` (EFAULT);
 * - a 64-bit length that is negative as an `ssize_t` is `InvalidArgs`;
 * - every buffer, empty ones included, is checked against the bounds of
 *   the memory before anything is returned (Linux's `access_ok`): for
 *   `GuestMemory` its current size — so a host call that imports its
 *   iovecs first has checked every pointer before its first side effect —
 *   and for `VmSpace` `MAX_USERSPACE_VADDR` (unmapped pages inside fault
 *   part-way through the copy, giving a short count, as in Linux). A buffer
 *   outside is `PageFault` (EFAULT);
 * - the total is capped at `MAX_RW_COUNT` (2^31 − 4096): later buffers are
 *   shortened, as Linux does, not refused;
 * - empty buffers are left out.
 *
 * The records are read as scalars, never decoded into objects, and the
 * buffers are kept as `[pos, end)` pairs (cursor-array.ts): no allocation
 * per buffer, beyond a reader (or writer) when one is asked for.
 *
 * @module
 */

import { invalidType, outOfRange } from "../base/contract.js";
import { PAGE_SIZE } from "../frame/page-size.js";
import type { GuestSpace } from "../guest/guest-space.js";
import { GuestMemory, outside } from "../guest/guest-memory.js";
import { toU32 } from "../guest/wasm32.js";
import { VmError } from "../io/vm-error.js";
import type { MemorySpace } from "../io/memory-space.js";
import { VmWriter } from "../io/vm-writer.js";
import type { PodType } from "../pod/pod-type.js";
import { u32, u64 } from "../pod/scalars.js";
import { struct } from "../pod/struct.js";
import { MAX_USERSPACE_VADDR, VmSpace, spaceStateOf } from "../vm/vm-space.js";
import type { UserMemory } from "./user-memory.js";

/** A decoded {@link Iovec32}. */
export interface IovecValue32 {
  /** The buffer's guest address (`buf`). */
  base: number;
  /** The buffer's length in bytes (`buf_len`). */
  len: number;
}

/** A decoded {@link Iovec64}. */
export interface IovecValue64 {
  /** The buffer's user address (`iov_base`). */
  base: bigint;
  /** The buffer's length in bytes (`iov_len`). */
  len: bigint;
}

/**
 * A wasm32 / WASI preview1 `iovec` (and `ciovec`): `{ buf: u32, buf_len: u32 }`,
 * 8 bytes, as `{ base, len }`.
 *
 * WASI counterpart: `iovec` / `ciovec`; Linux counterpart: `struct compat_iovec`.
 */
export const Iovec32: PodType<IovecValue32> = struct({ base: u32, len: u32 });

/**
 * An LP64 Linux `struct iovec`: `{ void *iov_base; size_t iov_len; }`, 16 bytes.
 *
 * Linux counterpart: `struct iovec` (64-bit); Asterinas: `UserIoVec`.
 */
export const Iovec64: PodType<IovecValue64> = struct({ base: u64, len: u64 });

/**
 * The most buffers one I/O vector may have.
 *
 * Linux counterpart: `UIO_MAXIOV` / `IOV_MAX`.
 */
export const IOV_MAX = 1024;

/**
 * The most bytes one read or write moves: totals above it are cut to it.
 *
 * Linux counterpart: `MAX_RW_COUNT` (`INT_MAX & PAGE_MASK`).
 */
export const MAX_RW_COUNT = 2 ** 31 - PAGE_SIZE;

/**
 * Reads the I/O vector of `count` records of `layout` at `iovPtr` in `mem`
 * and returns its non-empty buffers as flat `[pos, end)` pairs, every one
 * checked (see the module notes).
 *
 * Linux counterpart: `import_iovec`.
 *
 * @throws {VmError} `InvalidArgs` (bad count or length), `PageFault` (the
 *   array or a buffer is outside memory); whatever `mem.reader` throws.
 * @throws {TypeError | RangeError} malformed arguments (host bugs).
 * @internal
 */
export function iovecRanges(mem: UserMemory, iovPtr: number, count: number, layout: typeof Iovec32 | typeof Iovec64): number[] {
  const guest = mem instanceof GuestMemory;
  if (!guest && (mem == null || typeof mem.reader !== "function" || typeof mem.writer !== "function")) {
    invalidType("mem", "user memory (a VmSpace, a GuestMemory, or an object with reader() and writer())", mem);
  }
  if (layout !== Iovec32 && layout !== Iovec64) invalidType("layout", "Iovec32 or Iovec64", layout);
  // A wasm i32 count arrives signed: negative is as bad as too large (EINVAL).
  if (typeof count !== "number" || !(count >= 0 && count <= IOV_MAX) || Math.floor(count) !== count) badCount(count);
  // Sized for every buffer, cut to the non-empty ones (cheaper than growing).
  const ranges = new Array<number>(2 * count);
  if (count === 0) return ranges;
  const wide = layout === Iovec64;
  const n = guest ? guestRanges(mem._space, iovPtr, count, wide, ranges) : userRanges(mem, iovPtr, count, wide, ranges);
  if (n < ranges.length) ranges.length = n;
  return ranges;
}

/**
 * The memory space holding every buffer of `mem` (guest memory, a
 * `VmSpace`), through which the copy engine can reach them directly; null
 * for user memory of another kind.
 *
 * @internal
 */
export function spaceOf(mem: UserMemory): MemorySpace | null {
  if (mem instanceof GuestMemory) return mem._space;
  if (mem instanceof VmSpace) return spaceStateOf(mem);
  return null;
}

/** Parses the records of guest memory in place (checked once; no user code runs meanwhile). */
function guestRanges(s: GuestSpace, iovPtr: number, count: number, wide: boolean, ranges: number[]): number {
  const at = toU32(iovPtr, "iovPtr");
  const bytes = count * (wide ? 16 : 8);
  if (at + bytes > s.runBytes.length && !s.covers(at + bytes)) outside(s, at, bytes);
  // size(), not the cached length: on shared memory another thread may have grown it.
  const limit = s.size();
  return parseRanges(s.runView, at, count, wide, limit, ranges);
}

/** Copies the records out of other user memory (through its reader), then parses them. */
function userRanges(mem: UserMemory, iovPtr: number, count: number, wide: boolean, ranges: number[]): number {
  const records = new Uint8Array(count * (wide ? 16 : 8));
  mem.reader(iovPtr, records.length).readFallible(VmWriter.from(records));
  const limit = mem instanceof VmSpace ? MAX_USERSPACE_VADDR : Number.MAX_SAFE_INTEGER;
  return parseRanges(new DataView(records.buffer), 0, count, wide, limit, ranges);
}

/**
 * Parses `count` records at `at` of `view` into `[pos, end)` pairs of the
 * non-empty buffers, checking each buffer against `limit` and capping the
 * total at `MAX_RW_COUNT`. Returns how many numbers it stored.
 *
 * The 32-bit records have their own loop: in one loop with the 64-bit
 * ones, whose fields are only exact as float64, TurboFan carried every base
 * and length as a float64 (and the wide test ran per record), and the
 * import of a WASI `fd_write`'s 4 × `Iovec32` took about twice the time of
 * this loop (measured in one process; the narrow loop's values stay uint32).
 */
function parseRanges(view: DataView, at: number, count: number, wide: boolean, limit: number, ranges: number[]): number {
  if (wide) return parseWide(view, at, count, limit, ranges);
  let room = MAX_RW_COUNT;
  let k = 0;
  for (let i = 0, p = at; i < count; i++, p += 8) {
    const base = view.getUint32(p, true);
    let len = view.getUint32(p + 4, true);
    if (base + len > limit) outsideMemory(i, base, len, limit);
    if (len > room) len = room;
    room -= len;
    if (len !== 0) {
      ranges[k++] = base;
      ranges[k++] = base + len;
    }
  }
  return k;
}

/** {@link parseRanges} of `Iovec64` records. */
function parseWide(view: DataView, at: number, count: number, limit: number, ranges: number[]): number {
  let room = MAX_RW_COUNT;
  let k = 0;
  for (let i = 0, p = at; i < count; i++, p += 16) {
    const base = view.getUint32(p + 4, true) * 2 ** 32 + view.getUint32(p, true);
    const high = view.getUint32(p + 12, true);
    if (high >= 0x8000_0000) negativeLength(i);
    let len = high * 2 ** 32 + view.getUint32(p + 8, true);
    if (base + len > limit) outsideMemory(i, base, len, limit);
    if (len > room) len = room;
    room -= len;
    if (len !== 0) {
      ranges[k++] = base;
      ranges[k++] = base + len;
    }
  }
  return k;
}

function outsideMemory(i: number, base: number, len: number, limit: number): never {
  throw new VmError(
    "PageFault",
    `buffer ${i} of the I/O vector, [0x${base.toString(16)}, +0x${len.toString(16)}), is outside memory (which ends at 0x${limit.toString(16)})`,
  );
}

function badCount(count: unknown): never {
  if (typeof count !== "number") invalidType("count", "an integer (a number)", count);
  if (!Number.isInteger(count)) outOfRange("count", "an integer", count);
  throw new VmError("InvalidArgs", `an I/O vector holds 0 to ${IOV_MAX} buffers, not ${count}`);
}

function negativeLength(i: number): never {
  throw new VmError("InvalidArgs", `buffer ${i} of the I/O vector has a negative length (as an ssize_t)`);
}
