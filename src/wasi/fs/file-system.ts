/**
 * The interface between the WASI host and a file-system backend.
 *
 * Two backends implement it: the in-memory one (`MemoryDir`, no Node
 * imports, runs in browsers) and the host one (a directory of the host's
 * file system, Node only). Everything WASI-specific — rights, fds, path
 * resolution with `..` and symlinks, `fd_readdir` cookies — lives above,
 * once; a backend only answers questions about *one name in one directory*,
 * which is what lets the resolver keep a guest inside its preopen without
 * trusting the host's own path resolution (openat2's `RESOLVE_BENEATH`
 * done by hand, as cap-std does).
 *
 * Backends report failures by throwing {@link FsError} with a WASI errno;
 * the syscall layer turns it into the function's return value. Nothing a
 * backend throws for a guest's request may be anything else.
 *
 * @module
 */

import type { ErrnoValue } from "../abi.js";

/** A failed file-system operation: carries the WASI errno the guest sees. Not an `Error`: no stack to capture on a hot error path. */
export class FsError {
  /** The WASI errno. */
  readonly errno: ErrnoValue;
  constructor(errno: ErrnoValue) {
    this.errno = errno;
  }
}

/** WASI `filestat` as a backend reports it; times in nanoseconds since the epoch. */
export interface Filestat {
  dev: bigint;
  ino: bigint;
  /** A WASI `filetype`. */
  filetype: number;
  nlink: bigint;
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

/** A time to set: a value in nanoseconds, `"now"`, or `undefined` to leave it alone (`fstflags`). */
export type TimeSpec = bigint | "now" | undefined;

/** One directory entry, without `.` and `..` (the WASI layer adds those). */
export interface DirEntry {
  name: string;
  ino: bigint;
  /** A WASI `filetype`. */
  filetype: number;
}

/** How to open a regular file (`oflags` already checked by the caller). */
export interface OpenFileOptions {
  create: boolean;
  exclusive: boolean;
  truncate: boolean;
  /** The fd will read / write: a host backend opens the host file to match. */
  read: boolean;
  write: boolean;
}

/**
 * A directory of a backend. Every `name` is one path component: not empty,
 * no `/`, not `.` or `..` (the resolver guarantees it).
 */
export interface FsDir {
  readonly kind: "dir";
  /** This directory's own attributes. */
  stat(): Filestat;
  /**
   * `ACCES` unless names may be looked up here (search permission, `x`).
   * Every method below that takes a `name` checks it itself; the resolver
   * calls this for the components it handles without the backend, `.` and `..`.
   */
  checkSearch(): void;
  /** The attributes of `name` itself (a symlink is not followed); `NOENT` when absent. */
  lstatChild(name: string): Filestat;
  /**
   * `lstatChild(name).filetype`, and no more: what `path_open` needs to
   * decide, which a host backend answers without the times and sizes (no
   * BigInts, no Dates: about a tenth of a host `path_open`).
   */
  childType(name: string): number;
  /** The target of the symlink `name`; `INVAL` when it is not a symlink. */
  readlinkChild(name: string): string;
  /** The directory `name` (which must be a directory, not a symlink to one). */
  openChildDir(name: string): FsDir;
  /** Opens (maybe creates) the regular file `name`; a directory there is `ISDIR`. */
  openChildFile(name: string, options: OpenFileOptions): FsFile;
  mkdir(name: string): void;
  rmdir(name: string): void;
  unlink(name: string): void;
  symlink(target: string, name: string): void;
  /** Hard-links `name` (never followed) as `dstName` in `dst`, a directory of the same backend. */
  link(name: string, dst: FsDir, dstName: string): void;
  /** Renames `name` to `dstName` in `dst`, a directory of the same backend, with POSIX `rename` rules. */
  rename(name: string, dst: FsDir, dstName: string): void;
  /** Sets the times of `name` itself (a symlink is not followed). */
  setChildTimes(name: string, atim: TimeSpec, mtim: TimeSpec): void;
  /** Sets this directory's times. */
  setTimes(atim: TimeSpec, mtim: TimeSpec): void;
  /** The entries, in a stable order while the directory is unchanged. */
  entries(): DirEntry[];
  /** True when `other` belongs to the same backend instance (links and renames cannot cross). */
  sameFileSystem(other: FsDir): boolean;
}

/** An open regular file of a backend. Positions are the caller's: the WASI layer keeps the fd's offset. */
export interface FsFile {
  readonly kind: "file";
  stat(): Filestat;
  /** Reads at `position` into `into`; the count (0 at or past the end). */
  read(into: Uint8Array, position: number): number;
  /**
   * Reads at `position` into `into`, buffer after buffer, as one `read` of
   * their total length scattered over them would (a short read fills a
   * prefix); the count. POSIX `preadv`. Runs no user code: `fd_read` hands
   * it views of guest memory, which a `grow()` would detach.
   */
  readv(into: readonly Uint8Array[], position: number): number;
  /** Writes `data` at `position`, or at the end when `position` is `"end"`; the count. */
  write(data: Uint8Array, position: number | "end"): number;
  size(): number;
  /** Sets the size, zero-filling when it grows. */
  truncate(size: number): void;
  setTimes(atim: TimeSpec, mtim: TimeSpec): void;
  sync(): void;
  /** Releases what the backend holds for it (a host file descriptor). */
  close(): void;
}
