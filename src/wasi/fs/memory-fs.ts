/**
 * The in-memory file-system backend behind `MemoryDir`.
 *
 * Inodes are plain objects: a directory maps names to inodes, a file holds
 * its bytes in a growable `Uint8Array`, a symlink its target. Hard links are
 * two names for one inode (`nlink` counts them); an open fd holds the inode,
 * so a removed file stays readable through fds already open, as on POSIX.
 * Times are nanoseconds (bigint) and set exactly as asked.
 *
 * Modes: every inode has permission bits, enforced as POSIX enforces them
 * for an unprivileged owner (the guest owns everything here, so only the
 * owner bits `0o700` count): reading a file or listing a directory needs
 * `r`; writing or truncating a file, and adding or removing a directory's
 * entries, needs `w`; looking a name up in a directory needs `x` (search).
 * The checks come in Linux's order (`fs/namei.c`): a missing name is
 * `NOENT` and a taken one `EXIST` before a permission is `ACCES`. Ownership
 * alone allows setting times and hard-linking (Linux's
 * `protected_hardlinks`), so those need no bit.
 *
 * Imports nothing from Node: this is what `vmio/wasi` uses in browsers.
 *
 * @module
 */

import { Errno, Filetype } from "../abi.js";
import { realtimeNs } from "../clock.js";
import { FsError, type DirEntry, type Filestat, type FsDir, type FsFile, type OpenFileOptions, type TimeSpec } from "./file-system.js";

/** Numbers shared by every inode of one in-memory file system. */
class Volume {
  readonly dev: bigint;
  #nextIno = 1n;
  static #nextDev = 1n;
  constructor() {
    this.dev = Volume.#nextDev++;
  }
  allocIno(): bigint {
    return this.#nextIno++;
  }
}

/** Permission bits (`mode & 0o777`) of what a guest creates: `creat(…, 0666)` and `mkdir(…, 0777)` under the usual umask 022. */
export const DEFAULT_FILE_MODE = 0o644;
/** See {@link DEFAULT_FILE_MODE}. */
export const DEFAULT_DIR_MODE = 0o755;

const MAY_READ = 0o400;
const MAY_WRITE = 0o200;
const MAY_EXEC = 0o100;

abstract class Inode {
  readonly volume: Volume;
  readonly ino: bigint;
  nlink = 0;
  /** Permission bits (`0o777`); only the owner's (`0o700`) are enforced. */
  mode: number;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
  abstract readonly filetype: number;
  constructor(volume: Volume, mode: number) {
    this.volume = volume;
    this.mode = mode;
    this.ino = volume.allocIno();
    const now = realtimeNs();
    this.atim = now;
    this.mtim = now;
    this.ctim = now;
  }
  abstract byteSize(): number;
  stat(): Filestat {
    return {
      dev: this.volume.dev,
      ino: this.ino,
      filetype: this.filetype,
      nlink: BigInt(this.nlink),
      size: BigInt(this.byteSize()),
      atim: this.atim,
      mtim: this.mtim,
      ctim: this.ctim,
    };
  }
  setTimes(atim: TimeSpec, mtim: TimeSpec): void {
    const now = atim === "now" || mtim === "now" ? realtimeNs() : 0n;
    if (atim !== undefined) this.atim = atim === "now" ? now : atim;
    if (mtim !== undefined) this.mtim = mtim === "now" ? now : mtim;
    this.ctim = realtimeNs();
  }
  /** `ACCES` unless the owner has every permission in `may` (POSIX `inode_permission`). */
  permit(may: number): void {
    if ((this.mode & may) !== may) throw new FsError(Errno.ACCES);
  }
  /** Marks a change of contents (POSIX: mtime and ctime move). */
  touch(): void {
    const now = realtimeNs();
    this.mtim = now;
    this.ctim = now;
  }
}

/** A regular file's inode: its bytes live in `data[0, length)`. */
export class MemFile extends Inode {
  readonly filetype = Filetype.REGULAR_FILE;
  data: Uint8Array;
  length: number;
  constructor(volume: Volume, contents: Uint8Array, mode: number) {
    super(volume, mode);
    this.data = contents.slice();
    this.length = contents.length;
  }
  byteSize(): number {
    return this.length;
  }
  /** Makes room for `size` bytes (amortised doubling); new bytes are zero. */
  reserve(size: number): void {
    if (size <= this.data.length) return;
    if (size > MAX_FILE_SIZE) throw new FsError(Errno.FBIG);
    let grown: Uint8Array;
    try {
      grown = new Uint8Array(Math.min(MAX_FILE_SIZE, Math.max(size, this.data.length * 2, 64)));
    } catch {
      throw new FsError(Errno.NOSPC); // the host is out of memory: tmpfs's answer, not a host exception in the guest
    }
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }
  resize(size: number): void {
    if (size > this.length) this.reserve(size);
    else this.data.fill(0, size, this.length);
    this.length = size;
    this.touch();
  }
}

/** The largest in-memory file: what one `Uint8Array` can hold everywhere (2 GiB − 1). */
const MAX_FILE_SIZE = 0x7fff_ffff;

/** A symlink's inode: the target as the guest wrote it. */
export class MemSymlink extends Inode {
  readonly filetype = Filetype.SYMBOLIC_LINK;
  readonly target: string;
  constructor(volume: Volume, target: string) {
    super(volume, 0o777); // a symlink's own bits are never checked (Linux)
    this.target = target;
  }
  byteSize(): number {
    return new TextEncoder().encode(this.target).length;
  }
}

/** A directory's inode, and the backend's {@link FsDir}. */
export class MemDirectory extends Inode implements FsDir {
  readonly kind = "dir";
  readonly filetype = Filetype.DIRECTORY;
  readonly children = new Map<string, Inode>();
  /** Its parent while it is linked (the root has none): for the rename-into-itself check. */
  parent: MemDirectory | undefined;
  constructor(volume: Volume, mode: number) {
    super(volume, mode);
  }
  byteSize(): number {
    return 4096;
  }
  /** What `name` is; looking it up needs search permission here. */
  #child(name: string): Inode {
    this.permit(MAY_EXEC);
    const node = this.children.get(name);
    if (node === undefined) throw new FsError(Errno.NOENT);
    return node;
  }
  checkSearch(): void {
    this.permit(MAY_EXEC);
  }
  /**
   * Whether a new entry `name` may be made here: the name is free (`EXIST`),
   * the directory still linked (`NOENT`) and writable (`ACCES`) — Linux's
   * `filename_create` then `may_create`.
   */
  #mayCreate(name: string): void {
    this.permit(MAY_EXEC);
    if (this.children.has(name)) throw new FsError(Errno.EXIST);
    if (this.nlink === 0) throw new FsError(Errno.NOENT);
    this.permit(MAY_WRITE | MAY_EXEC);
  }
  /** Links `node` as `name` (the caller checked {@link MemDirectory.#mayCreate}). */
  #add(name: string, node: Inode): void {
    this.children.set(name, node);
    node.nlink++;
    if (node instanceof MemDirectory) {
      node.parent = this;
      node.nlink++; // its own "."
      this.nlink++; // its ".." (POSIX counts it, so nlink = 2 + subdirectories)
    }
    this.touch();
  }
  lstatChild(name: string): Filestat {
    return this.#child(name).stat();
  }
  childType(name: string): number {
    return this.#child(name).filetype;
  }
  readlinkChild(name: string): string {
    const node = this.#child(name);
    if (!(node instanceof MemSymlink)) throw new FsError(Errno.INVAL);
    return node.target;
  }
  openChildDir(name: string): FsDir {
    const node = this.#child(name);
    if (!(node instanceof MemDirectory)) throw new FsError(Errno.NOTDIR);
    return node;
  }
  openChildFile(name: string, options: OpenFileOptions): FsFile {
    this.permit(MAY_EXEC);
    let node = this.children.get(name);
    if (node === undefined) {
      if (!options.create) throw new FsError(Errno.NOENT);
      this.#mayCreate(name);
      node = new MemFile(this.volume, new Uint8Array(0), DEFAULT_FILE_MODE);
      this.#add(name, node);
    } else {
      if (options.create && options.exclusive) throw new FsError(Errno.EXIST);
      if (node instanceof MemDirectory) throw new FsError(Errno.ISDIR);
      if (!(node instanceof MemFile)) throw new FsError(Errno.LOOP);
      // O_TRUNC needs write permission even on a read-only open (Linux's build_open_flags).
      node.permit((options.read ? MAY_READ : 0) | (options.write || options.truncate ? MAY_WRITE : 0));
    }
    const file = node as MemFile;
    if (options.truncate && file.length > 0) file.resize(0);
    return new MemOpenFile(file);
  }
  mkdir(name: string): void {
    this.#mayCreate(name);
    this.#add(name, new MemDirectory(this.volume, DEFAULT_DIR_MODE));
  }
  /** Linux's `may_delete`: write and search permission on the directory come before the kind of `node`. */
  #mayDelete(node: Inode, isDir: boolean): void {
    this.permit(MAY_WRITE | MAY_EXEC);
    if (isDir && !(node instanceof MemDirectory)) throw new FsError(Errno.NOTDIR);
    if (!isDir && node instanceof MemDirectory) throw new FsError(Errno.ISDIR);
  }
  rmdir(name: string): void {
    const node = this.#child(name);
    this.#mayDelete(node, true);
    if ((node as MemDirectory).children.size > 0) throw new FsError(Errno.NOTEMPTY);
    this.#remove(name, node);
  }
  unlink(name: string): void {
    const node = this.#child(name);
    this.#mayDelete(node, false);
    this.#remove(name, node);
  }
  #remove(name: string, node: Inode): void {
    this.children.delete(name);
    node.nlink--;
    if (node instanceof MemDirectory) {
      node.nlink = 0;
      node.parent = undefined;
      this.nlink--;
    }
    node.ctim = realtimeNs();
    this.touch();
  }
  symlink(target: string, name: string): void {
    this.#mayCreate(name);
    this.#add(name, new MemSymlink(this.volume, target));
  }
  link(name: string, dst: FsDir, dstName: string): void {
    const node = this.#child(name);
    const to = sameVolume(this, dst);
    to.#mayCreate(dstName);
    if (node instanceof MemDirectory) throw new FsError(Errno.PERM);
    to.#add(dstName, node);
    node.ctim = realtimeNs();
  }
  /** POSIX rename(2), checked in the order of Linux's `do_renameat2` and `vfs_rename`. */
  rename(name: string, dst: FsDir, dstName: string): void {
    const to = sameVolume(this, dst);
    const node = this.#child(name);
    to.permit(MAY_EXEC);
    const existing = to.children.get(dstName);
    if (existing === node) return; // POSIX: renaming a file onto itself (or a hard link of it) does nothing
    const isDir = node instanceof MemDirectory;
    if (isDir) {
      for (let d: MemDirectory | undefined = to; d !== undefined; d = d.parent) {
        if (d === node) throw new FsError(Errno.INVAL); // into its own subtree
      }
    }
    this.#mayDelete(node, isDir);
    if (existing === undefined) {
      if (to.nlink === 0) throw new FsError(Errno.NOENT);
      to.permit(MAY_WRITE | MAY_EXEC);
    } else {
      to.#mayDelete(existing, isDir);
    }
    // A directory that changes parent has its `..` rewritten: that needs write permission on it.
    if (isDir && to !== this) node.permit(MAY_WRITE);
    if (existing instanceof MemDirectory && existing.children.size > 0) throw new FsError(Errno.NOTEMPTY);
    if (existing !== undefined) to.#remove(dstName, existing);
    this.children.delete(name);
    node.nlink--;
    if (node instanceof MemDirectory) {
      node.nlink--;
      this.nlink--;
    }
    to.#add(dstName, node);
    this.touch();
  }
  setChildTimes(name: string, atim: TimeSpec, mtim: TimeSpec): void {
    this.#child(name).setTimes(atim, mtim);
  }
  entries(): DirEntry[] {
    this.permit(MAY_READ);
    const out: DirEntry[] = [];
    for (const [name, node] of this.children) out.push({ name, ino: node.ino, filetype: node.filetype });
    return out;
  }
  sameFileSystem(other: FsDir): boolean {
    return other instanceof MemDirectory && other.volume === this.volume;
  }
}

function sameVolume(from: MemDirectory, dst: FsDir): MemDirectory {
  if (!from.sameFileSystem(dst)) throw new FsError(Errno.XDEV);
  return dst as MemDirectory;
}

/** An open regular file of the in-memory backend. */
class MemOpenFile implements FsFile {
  readonly kind = "file";
  readonly #node: MemFile;
  constructor(node: MemFile) {
    this.#node = node;
  }
  stat(): Filestat {
    return this.#node.stat();
  }
  read(into: Uint8Array, position: number): number {
    const node = this.#node;
    if (position >= node.length) return 0;
    const n = Math.min(into.length, node.length - position);
    into.set(node.data.subarray(position, position + n));
    return n;
  }
  readv(into: readonly Uint8Array[], position: number): number {
    const node = this.#node;
    let at = position;
    for (let i = 0; i < into.length && at < node.length; i++) {
      const view = into[i]!;
      const n = Math.min(view.length, node.length - at);
      view.set(node.data.subarray(at, at + n));
      at += n;
    }
    return at - position;
  }
  write(data: Uint8Array, position: number | "end"): number {
    const node = this.#node;
    const at = position === "end" ? node.length : position;
    const end = at + data.length;
    if (end > MAX_FILE_SIZE) throw new FsError(Errno.FBIG);
    node.reserve(end);
    node.data.set(data, at);
    if (end > node.length) node.length = end;
    node.touch();
    return data.length;
  }
  size(): number {
    return this.#node.length;
  }
  truncate(size: number): void {
    if (size > MAX_FILE_SIZE) throw new FsError(Errno.FBIG);
    this.#node.resize(size);
  }
  setTimes(atim: TimeSpec, mtim: TimeSpec): void {
    this.#node.setTimes(atim, mtim);
  }
  sync(): void {}
  close(): void {}
}

/** A fresh, empty in-memory file system: its root directory (mode 0o755 until set). */
export function newMemoryRoot(): MemDirectory {
  const root = new MemDirectory(new Volume(), DEFAULT_DIR_MODE);
  root.nlink = 2;
  return root;
}

/*
 * Building a tree: entries are added while the directory still has its
 * default (writable) mode, and the caller sets each directory's mode after
 * filling it, as `cp -a` does.
 */

/** Adds a file with `contents` and `mode` to `dir`; `EXIST` when the name is taken. */
export function addMemoryFile(dir: MemDirectory, name: string, contents: Uint8Array, mode: number): void {
  dir.openChildFile(name, { create: true, exclusive: true, truncate: false, read: false, write: true }).write(contents, 0);
  (dir.children.get(name) as MemFile).mode = mode;
}

/** Adds an empty directory (mode 0o755 until set) to `dir` and returns it; `EXIST` when the name is taken. */
export function addMemoryDir(dir: MemDirectory, name: string): MemDirectory {
  dir.mkdir(name);
  return dir.children.get(name) as MemDirectory;
}
