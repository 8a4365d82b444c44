/**
 * System-call access to user memory, the vmio way: every pointer a system
 * call receives is read or written through vmio's fallible readers and
 * writers (`readCString`, `VmReaderArray`/`VmWriterArray` for iovec arrays),
 * so a copy stops exactly at the first bad byte and the call answers with
 * what Linux answers — the bytes moved, or `EFAULT` when there were none.
 * Guest pointers are never trusted and never make the kernel throw: every
 * failure here is a `SysError` (`EFAULT`, `EINVAL`, `ENAMETOOLONG`).
 *
 * Linux counterpart: `copy_from_user`/`copy_to_user`, `strncpy_from_user`,
 * `import_iovec`, `access_ok`.
 *
 * @module
 */

import {
  IOV_MAX,
  Iovec64,
  MAX_USERSPACE_VADDR,
  VmError,
  VmReader,
  VmReaderArray,
  VmWriter,
  VmWriterArray,
  readCString,
  type Fallible,
  type PodType,
  type VmSpace,
} from "vmio";
import { Errno, fail } from "../abi/errno.js";
import type { ByteSink, ByteSource } from "../fs/io.js";

/** Longest path a system call reads, NUL included (Linux's `PATH_MAX`). */
const PATH_MAX = 4096;

/** Whether `[addr, addr + len)` lies in user space (Linux's `access_ok`). */
export function accessOk(addr: number, len: number): boolean {
  return addr >= 0 && len >= 0 && addr + len <= MAX_USERSPACE_VADDR;
}

/**
 * Checks an iovec array's address before vmio parses it: a valid count of
 * records beyond user space is `EFAULT` here — vmio's addresses are safe
 * integers, and a pointer such as 2^64 − 4096 is not one. A bad count is
 * left to vmio (`EINVAL` first, as Linux's `import_iovec` checks it first).
 */
function checkIovecArray(iov: number, count: number): void {
  if (count > 0 && count <= IOV_MAX && !accessOk(iov, count * Iovec64.size)) fail(Errno.EFAULT, "iovec array outside user space");
}

/** Turns a vmio failure of a user access into `EFAULT` (`EINVAL` for a malformed iovec); rethrows anything else. */
function userFault(e: unknown): never {
  if (e instanceof VmError) {
    if (e.code === "InvalidArgs") fail(Errno.EINVAL, e.message);
    fail(Errno.EFAULT, e.message);
  }
  throw e;
}

/** The bytes a fallible copy moved before it faulted; rethrows anything but a page fault. */
function copiedBefore(e: unknown): number {
  if (e instanceof VmError && (e.code === "PageFault" || e.code === "AccessDenied")) return e.copied;
  throw e;
}

/**
 * A read's destination in user memory: one buffer (`read`) or an iovec
 * array (`readv`). Bytes land exactly up to the first bad byte.
 *
 * Linux counterpart: an `ITER_UBUF`/`ITER_IOVEC` `iov_iter` used with `copy_to_iter`.
 */
export class UserSink implements ByteSink {
  readonly #to: VmWriter<Fallible> | VmWriterArray;

  private constructor(to: VmWriter<Fallible> | VmWriterArray) {
    this.#to = to;
  }

  /**
   * The buffer `[addr, addr + len)` of the active space `space`.
   *
   * @throws {SysError} `EFAULT` when the range is not in user space.
   */
  static buffer(space: VmSpace, addr: number, len: number): UserSink {
    if (!accessOk(addr, len)) fail(Errno.EFAULT, "buffer outside user space");
    return new UserSink(space.writer(addr, len));
  }

  /**
   * The buffers of the `count` iovecs at `iov`.
   *
   * @throws {SysError} `EFAULT` (the array or a buffer outside user space), `EINVAL` (count or a length).
   */
  static iovecs(space: VmSpace, iov: number, count: number): UserSink {
    checkIovecArray(iov, count);
    try {
      return new UserSink(VmWriterArray.fromIovecs(space, iov, count, Iovec64));
    } catch (e) {
      return userFault(e);
    }
  }

  get avail(): number {
    const to = this.#to;
    return to instanceof VmWriterArray ? to.sumLens() : to.avail();
  }

  put(bytes: Uint8Array): number {
    try {
      return this.#to.writeFallible(VmReader.from(bytes));
    } catch (e) {
      return copiedBefore(e);
    }
  }
}

/**
 * A write's source in user memory: one buffer or an iovec array.
 *
 * Linux counterpart: an `iov_iter` used with `copy_from_iter`.
 */
export class UserSource implements ByteSource {
  readonly #from: VmReader<Fallible> | VmReaderArray;

  private constructor(from: VmReader<Fallible> | VmReaderArray) {
    this.#from = from;
  }

  /** The buffer `[addr, addr + len)`. @throws {SysError} `EFAULT` when the range is not in user space. */
  static buffer(space: VmSpace, addr: number, len: number): UserSource {
    if (!accessOk(addr, len)) fail(Errno.EFAULT, "buffer outside user space");
    return new UserSource(space.reader(addr, len));
  }

  /** The buffers of the `count` iovecs at `iov`. @throws {SysError} `EFAULT`, `EINVAL`. */
  static iovecs(space: VmSpace, iov: number, count: number): UserSource {
    checkIovecArray(iov, count);
    try {
      return new UserSource(VmReaderArray.fromIovecs(space, iov, count, Iovec64));
    } catch (e) {
      return userFault(e);
    }
  }

  get remain(): number {
    const from = this.#from;
    return from instanceof VmReaderArray ? from.sumLens() : from.remain();
  }

  take(max: number): Uint8Array {
    const out = new Uint8Array(Math.min(max, this.remain));
    try {
      this.#from.readFallible(VmWriter.from(out));
      return out;
    } catch (e) {
      return out.subarray(0, copiedBefore(e));
    }
  }

  skip(n: number): void {
    this.#from.skip(Math.min(n, this.remain));
  }
}

/**
 * Reads a NUL-terminated path at `addr`: its bytes as a byte string.
 * Linux counterpart: `getname` (`strncpy_from_user` into a `PATH_MAX` buffer).
 *
 * @throws {SysError} `EFAULT` (a bad byte before the NUL), `ENAMETOOLONG` (no NUL within `PATH_MAX`).
 */
export function readPath(space: VmSpace, addr: number): string {
  const bytes = readString(space, addr, PATH_MAX);
  if (bytes === null) fail(Errno.ENAMETOOLONG, "path too long");
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

/**
 * Reads a NUL-terminated string of at most `max` bytes (NUL included) at
 * `addr`; null when there is no NUL within `max` bytes.
 *
 * @throws {SysError} `EFAULT` when a byte before the NUL faults.
 */
export function readString(space: VmSpace, addr: number, max: number): Uint8Array | null {
  if (addr >= MAX_USERSPACE_VADDR || addr < 0) fail(Errno.EFAULT, "string outside user space");
  const len = Math.min(max, MAX_USERSPACE_VADDR - addr);
  let s: Uint8Array | null;
  try {
    s = readCString(space.reader(addr, len), max);
  } catch (e) {
    return userFault(e);
  }
  // Ran into the end of user space without a NUL: the next byte would fault.
  if (s === null && len < max) fail(Errno.EFAULT, "string runs past user space");
  return s;
}

/**
 * Reads a value of type `t` at `addr` (`copy_from_user` of a struct).
 *
 * @throws {SysError} `EFAULT` when any byte of it faults.
 */
export function readUser<T>(space: VmSpace, addr: number, t: PodType<T>): T {
  // Beyond user space (2^53 and up among it, which vmio refuses as an address) is EFAULT before vmio sees it.
  if (!accessOk(addr, t.size)) fail(Errno.EFAULT, "value outside user space");
  try {
    return space.readVal(addr, t);
  } catch (e) {
    return userFault(e);
  }
}

/**
 * Writes a value of type `t` at `addr` (`copy_to_user` of a struct); when a
 * byte faults nothing is written.
 *
 * @throws {SysError} `EFAULT` when any byte of it faults.
 */
export function writeUser<T>(space: VmSpace, addr: number, t: PodType<T>, value: T): void {
  if (!accessOk(addr, t.size)) fail(Errno.EFAULT, "value outside user space");
  try {
    space.writeVal(addr, t, value);
  } catch (e) {
    userFault(e);
  }
}

/**
 * Copies `bytes` to `addr` (`copy_to_user`): all of them, or `EFAULT`
 * (the bytes before the fault are written, as on Linux).
 *
 * @throws {SysError} `EFAULT`.
 */
export function writeBytesUser(space: VmSpace, addr: number, bytes: Uint8Array): void {
  if (!accessOk(addr, bytes.length)) fail(Errno.EFAULT, "buffer outside user space");
  try {
    space.writer(addr, bytes.length).writeFallible(VmReader.from(bytes));
  } catch (e) {
    userFault(e);
  }
}

/**
 * Copies `len` bytes from `addr` (`copy_from_user`).
 *
 * @throws {SysError} `EFAULT` when any byte faults.
 */
export function readBytesUser(space: VmSpace, addr: number, len: number): Uint8Array {
  if (!accessOk(addr, len)) fail(Errno.EFAULT, "buffer outside user space");
  const out = new Uint8Array(len);
  try {
    space.reader(addr, len).readFallible(VmWriter.from(out));
  } catch (e) {
    userFault(e);
  }
  return out;
}
