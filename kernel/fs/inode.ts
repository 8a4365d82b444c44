/**
 * Inodes of the in-memory file system: regular files, directories,
 * symbolic links and devices, with Linux's modes, owners, link counts and
 * times.
 *
 * Names are byte strings: each character is one byte (0–255) of the name as
 * the guest spelled it, so any name a guest can make (not UTF-8, say) is
 * kept and listed back exactly. {@link nameFromHost} converts a JavaScript
 * string (a host path) at the edge.
 *
 * Linux counterpart: `struct inode` with ramfs/tmpfs operations.
 *
 * @module
 */

import { Errno, fail } from "../abi/errno.js";
import { S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG } from "../abi/stat.js";
import type { OpenFile } from "./open-file.js";

/** The metadata every inode has, as `stat` reports it. */
export interface InodeStat {
  readonly ino: number;
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly rdev: number;
  readonly size: number;
  /** Times in milliseconds since the epoch. */
  readonly atimeMs: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/** The file system an inode belongs to: inode numbers, the clock, the space budget. */
export interface InodeHost {
  nextIno(): number;
  now(): number;
  /** Takes `bytes` of the file system's capacity (negative: gives back); false when it is full. */
  reserve(bytes: number): boolean;
}

/**
 * The common part of every inode.
 *
 * Linux counterpart: `struct inode`.
 */
export abstract class Inode {
  readonly ino: number;
  readonly host: InodeHost;
  /** File type and permission bits. */
  mode: number;
  uid: number;
  gid: number;
  /** Hard links to this inode from directories. */
  nlink = 0;
  /** Open file descriptions of this inode. */
  opens = 0;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;

  constructor(host: InodeHost, mode: number, uid: number, gid: number) {
    this.host = host;
    this.ino = host.nextIno();
    this.mode = mode;
    this.uid = uid;
    this.gid = gid;
    const now = host.now();
    this.atimeMs = now;
    this.mtimeMs = now;
    this.ctimeMs = now;
  }

  /** The file type bits (`S_IFREG`, `S_IFDIR`, …). */
  get type(): number {
    return this.mode & S_IFMT;
  }

  /** The size `stat` reports. */
  abstract size(): number;

  /** The device number of a device inode (0 otherwise). */
  rdev(): number {
    return 0;
  }

  /** The inode's metadata. */
  stat(): InodeStat {
    return {
      ino: this.ino,
      mode: this.mode,
      nlink: this.nlink,
      uid: this.uid,
      gid: this.gid,
      rdev: this.rdev(),
      size: this.size(),
      atimeMs: this.atimeMs,
      mtimeMs: this.mtimeMs,
      ctimeMs: this.ctimeMs,
    };
  }

  /** Frees the inode's storage once it has no link and no open file (a no-op for most kinds). */
  reclaim(): void {}

  /** Marks a content change (mtime and ctime). */
  touch(): void {
    const now = this.host.now();
    this.mtimeMs = now;
    this.ctimeMs = now;
  }
}

/**
 * A regular file: its bytes in a growable array.
 *
 * Linux counterpart: a ramfs regular file.
 */
export class RegularFile extends Inode {
  #data: Uint8Array;
  #size: number;

  constructor(host: InodeHost, perm: number, uid: number, gid: number, data?: Uint8Array) {
    super(host, S_IFREG | perm, uid, gid);
    const bytes = data ?? new Uint8Array(0);
    if (!host.reserve(bytes.length)) fail(Errno.ENOSPC, "file system full");
    this.#data = bytes;
    this.#size = bytes.length;
  }

  size(): number {
    return this.#size;
  }

  /** The file's bytes (a view; valid until the next change of size). */
  bytes(): Uint8Array {
    return this.#data.subarray(0, this.#size);
  }

  /**
   * Makes the file `size` bytes long: cuts it, or extends it with zeros.
   *
   * @throws {SysError} `ENOSPC` when the file system has no room, `EFBIG` past 2^31 bytes.
   */
  truncate(size: number): void {
    if (size > this.#size) this.#grow(size);
    else this.#data.fill(0, size, this.#size);
    this.#size = size;
    this.touch();
  }

  /**
   * Writes `bytes` at `pos`, extending the file (with zeros in any gap).
   *
   * @throws {SysError} as {@link RegularFile.truncate}.
   */
  writeAt(pos: number, bytes: Uint8Array): void {
    const end = pos + bytes.length;
    if (end > this.#size) {
      this.#grow(end);
      this.#size = end;
    }
    this.#data.set(bytes, pos);
    this.touch();
  }

  #grow(size: number): void {
    if (size > MAX_FILE_SIZE) fail(Errno.EFBIG, "file too large");
    if (size <= this.#data.length) return;
    const capacity = Math.min(MAX_FILE_SIZE, Math.max(size, this.#data.length * 2, 256));
    if (!this.host.reserve(capacity - this.#data.length)) fail(Errno.ENOSPC, "file system full");
    const next = new Uint8Array(capacity);
    next.set(this.#data.subarray(0, this.#size));
    this.#data = next;
  }

  /** Gives the file's storage back to the file system once its last link and last open file are gone. */
  override reclaim(): void {
    if (this.nlink > 0 || this.opens > 0) return;
    this.host.reserve(-this.#data.length);
    this.#data = new Uint8Array(0);
    this.#size = 0;
  }
}

/** Largest regular file: 2 GiB, a size a `Uint8Array` can hold on every host. */
export const MAX_FILE_SIZE = 2 ** 31 - 4096;

/**
 * A directory: names to inodes, in creation order.
 *
 * Linux counterpart: a ramfs directory (`simple_dir_operations`, dcache entries).
 */
export class Directory extends Inode {
  readonly #entries = new Map<string, Inode>();
  /** The directory `..` names (itself for the root). */
  parent: Directory;

  constructor(host: InodeHost, perm: number, uid: number, gid: number, parent?: Directory) {
    super(host, S_IFDIR | perm, uid, gid);
    this.parent = parent ?? this;
    // Its own "."; the entry in its parent adds one when linked (the root gets 2 from its file system).
    this.nlink = 1;
  }

  size(): number {
    return 4096;
  }

  /** The inode named `name`, if any (`.` and `..` are not entries). */
  get(name: string): Inode | undefined {
    return this.#entries.get(name);
  }

  /**
   * The inode `name` names in this directory for a lookup by `ctx`
   * (dynamic directories such as `/proc/self` answer per process).
   */
  lookup(name: string, _ctx: unknown): Inode | undefined {
    return this.#entries.get(name);
  }

  /** The entries, in order (dynamic directories list per process). */
  list(_ctx: unknown): Array<[string, Inode]> {
    return [...this.#entries];
  }

  /**
   * Adds `name` → `inode`.
   *
   * @throws {SysError} `EEXIST` when the name is taken.
   */
  link(name: string, inode: Inode): void {
    if (this.#entries.has(name)) fail(Errno.EEXIST, "name exists");
    this.#entries.set(name, inode);
    inode.nlink++;
    if (inode instanceof Directory) {
      inode.parent = this;
      this.nlink++;
    }
    this.touch();
  }

  /**
   * Moves entry `name` to directory `dest` as `destName` (which must be
   * free): a rename, so the inode keeps its link count.
   */
  move(name: string, dest: Directory, destName: string): void {
    const inode = this.#entries.get(name) as Inode;
    this.#entries.delete(name);
    dest.#entries.set(destName, inode);
    if (inode instanceof Directory && dest !== this) {
      this.nlink--;
      dest.nlink++;
      inode.parent = dest;
    }
    inode.ctimeMs = this.host.now();
    this.touch();
    dest.touch();
  }

  /** Removes entry `name` (which must exist) and returns its inode. */
  unlink(name: string): Inode {
    const inode = this.#entries.get(name) as Inode;
    this.#entries.delete(name);
    inode.nlink--;
    if (inode instanceof Directory) {
      this.nlink--;
      inode.nlink--; // its own "."
    }
    inode.ctimeMs = this.host.now();
    this.touch();
    inode.reclaim();
    return inode;
  }
}

/**
 * A symbolic link.
 *
 * Linux counterpart: a ramfs symlink (`simple_symlink_inode_operations`).
 */
export class Symlink extends Inode {
  /** The target, as a byte string. */
  readonly target: string;

  constructor(host: InodeHost, target: string, uid: number, gid: number) {
    super(host, S_IFLNK | 0o777, uid, gid);
    this.target = target;
  }

  size(): number {
    return this.target.length;
  }

  /** The target for a lookup by `ctx` (magic links such as `/proc/self/exe` answer per process). */
  readlink(_ctx: unknown): string {
    return this.target;
  }

  /**
   * For a magic link, the inode it leads to directly (no path walk); plain
   * symlinks answer `undefined` and are followed by path.
   */
  jump(_ctx: unknown): Inode | undefined {
    return undefined;
  }
}

/** Opens a device inode: the driver's side of `open`. */
export type DeviceOpener = (inode: DeviceInode, flags: number) => OpenFile;

/**
 * A character device (`/dev/null`, the console, …): its driver makes the open files.
 *
 * Linux counterpart: a character-device inode (`init_special_inode`).
 */
export class DeviceInode extends Inode {
  readonly #rdev: number;
  readonly open: DeviceOpener;

  constructor(host: InodeHost, perm: number, rdev: number, open: DeviceOpener, uid = 0, gid = 0) {
    super(host, S_IFCHR | perm, uid, gid);
    this.#rdev = rdev;
    this.open = open;
  }

  size(): number {
    return 0;
  }

  override rdev(): number {
    return this.#rdev;
  }
}

/**
 * The inode of a pipe (not in any directory).
 *
 * Linux counterpart: the pipefs inode of `pipe2`.
 */
export class PipeInode extends Inode {
  constructor(host: InodeHost, uid: number, gid: number) {
    super(host, S_IFIFO | 0o600, uid, gid);
  }

  size(): number {
    return 0;
  }
}

/** The device number `major:minor`, as Linux encodes it in `st_rdev` (`new_encode_dev`). */
export function makeDev(major: number, minor: number): number {
  return (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
}

/** A byte-string name from a host (JavaScript) string: its UTF-8 bytes. */
export function nameFromHost(s: string): string {
  return bytesToName(new TextEncoder().encode(s));
}

/** The byte string of `bytes`. */
export function bytesToName(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

/** The bytes of byte string `name`. */
export function nameToBytes(name: string): Uint8Array {
  const out = new Uint8Array(name.length);
  for (let i = 0; i < name.length; i++) out[i] = name.charCodeAt(i);
  return out;
}
