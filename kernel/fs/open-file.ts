/**
 * Open file descriptions: what a file descriptor points at. `dup` and
 * `fork` share one description (offset and status flags included); `close`
 * drops a reference and the last one releases it.
 *
 * Each kind of file (regular file, directory, pipe end, device) is a
 * subclass that overrides the operations it supports; the defaults answer
 * the errno Linux gives for an operation the file does not have.
 *
 * Linux counterpart: `struct file` and `struct file_operations`.
 *
 * @module
 */

import { Errno } from "../abi/errno.js";
import { O_ACCMODE, O_APPEND, O_NONBLOCK, O_PATH, O_RDONLY, O_RDWR, O_WRONLY } from "../abi/fcntl.js";
import type { Inode } from "./inode.js";
import type { ByteSink, ByteSource, IoContext } from "./io.js";

/** One directory entry, as `getdents64` reports it. */
export interface DirEntry {
  readonly ino: number;
  /** Position after this entry (`d_off`). */
  readonly next: number;
  readonly type: number;
  /** The name, a byte string. */
  readonly name: string;
}

/** Answer to an `ioctl` the file understands: a value, or a request to copy a structure out. */
export type IoctlResult = number | { readonly out: Uint8Array; readonly result: number } | { readonly in: number; readonly apply: (bytes: Uint8Array) => number };

/**
 * An open file description.
 *
 * Linux counterpart: `struct file`.
 */
export class OpenFile {
  readonly inode: Inode;
  /** Access mode and status flags (`O_APPEND`, `O_NONBLOCK`, …). */
  flags: number;
  /** The file offset. */
  pos = 0;
  #refs = 1;

  constructor(inode: Inode, flags: number) {
    this.inode = inode;
    this.flags = flags;
    inode.opens++;
  }

  /** Whether reading is allowed by the access mode. */
  get readable(): boolean {
    const m = this.flags & O_ACCMODE;
    return (this.flags & O_PATH) === 0 && (m === O_RDONLY || m === O_RDWR);
  }

  /** Whether writing is allowed by the access mode. */
  get writable(): boolean {
    const m = this.flags & O_ACCMODE;
    return (this.flags & O_PATH) === 0 && (m === O_WRONLY || m === O_RDWR);
  }

  get nonblock(): boolean {
    return (this.flags & O_NONBLOCK) !== 0;
  }

  get append(): boolean {
    return (this.flags & O_APPEND) !== 0;
  }

  /** Adds a reference (a `dup`, a `fork`). */
  ref(): this {
    this.#refs++;
    return this;
  }

  /** Drops a reference; the last one releases the description. */
  unref(): void {
    if (--this.#refs !== 0) return;
    this.release();
    this.inode.opens--;
    this.inode.reclaim();
  }

  /** Number of references (file descriptors in all processes). */
  get refs(): number {
    return this.#refs;
  }

  /** Reads at the file offset into `sink`; bytes read, 0 at end of file, `-errno`, or `BLOCKED`. */
  read(_sink: ByteSink, _ctx: IoContext): number {
    return -Errno.EINVAL;
  }

  /** Writes `source` at the file offset; bytes written, `-errno`, or `BLOCKED`. */
  write(_source: ByteSource, _ctx: IoContext): number {
    return -Errno.EINVAL;
  }

  /** Reads at `pos` without moving the offset (`pread64`). */
  readAt(_sink: ByteSink, _pos: number): number {
    return -Errno.ESPIPE;
  }

  /** Writes at `pos` without moving the offset (`pwrite64`). */
  writeAt(_source: ByteSource, _pos: number): number {
    return -Errno.ESPIPE;
  }

  /** Moves the offset; the new offset or `-errno`. */
  seek(_offset: number, _whence: number): number {
    return -Errno.ESPIPE;
  }

  /** The entries from position `pos` on (directories only). */
  entries(_pos: number, _ctx: unknown): DirEntry[] | number {
    return -Errno.ENOTDIR;
  }

  /** A device or terminal control request. */
  ioctl(_cmd: number, _arg: number): IoctlResult {
    return -Errno.ENOTTY;
  }

  /** Whether a read would not block (`poll` `POLLIN`). */
  pollIn(): boolean {
    return true;
  }

  /** Whether a write would not block (`poll` `POLLOUT`). */
  pollOut(): boolean {
    return true;
  }

  /** Called once, when the last reference is gone. */
  protected release(): void {}
}
