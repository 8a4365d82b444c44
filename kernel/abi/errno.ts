/**
 * Linux error numbers (`include/uapi/asm-generic/errno-base.h`, `errno.h`)
 * and the way kernel code raises them.
 *
 * A system call returns `-errno` to the guest. Deep inside the kernel (path
 * lookup, the ELF loader) it is simpler to throw than to thread an error
 * value through every call, so those layers throw a {@link SysError}, and
 * the system-call dispatcher turns it into `-errno`. `SysError` is not an
 * `Error`: throwing it captures no stack trace (microseconds each), and
 * nothing that catches JavaScript errors by type (`instanceof Error`) can
 * mistake it for a kernel bug — a real bug still propagates and stops the
 * kernel.
 *
 * @module
 */

/** The Linux error numbers the kernel uses. Linux counterpart: `errno-base.h`, `errno.h`. */
export const Errno = Object.freeze({
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  EOVERFLOW: 75,
  EILSEQ: 84,
  ENOTSOCK: 88,
  EOPNOTSUPP: 95,
  ETIMEDOUT: 110,
} as const);

/** A Linux error number (a positive value of {@link Errno}). */
export type ErrnoValue = (typeof Errno)[keyof typeof Errno];

/**
 * A system-call failure raised inside the kernel: the dispatcher answers the
 * guest with `-errno`. Deliberately not an `Error` subclass (see the module
 * comment).
 *
 * Linux counterpart: returning `-EXXX` through the call chain.
 */
export class SysError {
  /** The positive error number. */
  readonly errno: number;
  /** Why, for the kernel's own tests and logs (never shown to the guest). */
  readonly reason: string;

  constructor(errno: number, reason = "") {
    this.errno = errno;
    this.reason = reason;
  }
}

/**
 * Throws `SysError(errno)`. A cold helper, so that hot paths stay small.
 *
 * @throws {SysError} always.
 */
export function fail(errno: number, reason?: string): never {
  throw new SysError(errno, reason);
}

/** The names of the error numbers, for logs and `strace`-like output. */
export const errnoNames: ReadonlyMap<number, string> = new Map(Object.entries(Errno).map(([k, v]) => [v, k]));
