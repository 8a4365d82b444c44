/**
 * The in-memory file-system backend behind `MemoryDir`.
 *
 * Inodes are plain objects: a directory maps names to inodes, a file holds
 * its bytes in a growable `Uint8Array`, a symlink its target. Hard links are
 * two names for one inode (`nlink` counts them); an open fd holds the inode,
 * so a removed file stays readable through fds already open, as on POSIX.
 * Times are nanoseconds (bigint) and set exactly as asked.
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

abstract class Inode {
  readonly volume: Volume;
  readonly ino: bigint;
  nlink = 0;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
  abstract readonly filetype: number;
  constructor(volume: Volume) {
    this.volume = volume;
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
  constructor(volume: Volume, contents: Uint8Array) {
    super(volume);
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
    const grown = new Uint8Array(Math.min(MAX_FILE_SIZE, Math.max(size, this.data.length * 2, 64)));
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
    super(volume);
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
  constructor(volume: Volume) {
    super(volume);
  }
  byteSize(): number {
    return 4096;
  }
  #child(name: string): Inode {
    const node = this.children.get(name);
    if (node === undefined) throw new FsError(Errno.NOENT);
    return node;
  }
  /** A new entry may only go into a directory that is still linked. */
  #checkLive(): void {
    if (this.nlink === 0) throw new FsError(Errno.NOENT);
  }
  #add(name: string, node: Inode): void {
    this.#checkLive();
    if (this.children.has(name)) throw new FsError(Errno.EXIST);
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
    let node = this.children.get(name);
    if (node === undefined) {
      if (!options.create) throw new FsError(Errno.NOENT);
      node = new MemFile(this.volume, new Uint8Array(0));
      this.#add(name, node);
    } else if (options.create && options.exclusive) {
      throw new FsError(Errno.EXIST);
    }
    if (node instanceof MemDirectory) throw new FsError(Errno.ISDIR);
    if (!(node instanceof MemFile)) throw new FsError(Errno.LOOP);
    if (options.truncate && node.length > 0) node.resize(0);
    return new MemOpenFile(node);
  }
  mkdir(name: string): void {
    this.#add(name, new MemDirectory(this.volume));
  }
  rmdir(name: string): void {
    const node = this.#child(name);
    if (!(node instanceof MemDirectory)) throw new FsError(Errno.NOTDIR);
    if (node.children.size > 0) throw new FsError(Errno.NOTEMPTY);
    this.#remove(name, node);
  }
  unlink(name: string): void {
    const node = this.#child(name);
    if (node instanceof MemDirectory) throw new FsError(Errno.ISDIR);
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
    this.#add(name, new MemSymlink(this.volume, target));
  }
  link(name: string, dst: FsDir, dstName: string): void {
    const node = this.#child(name);
    if (node instanceof MemDirectory) throw new FsError(Errno.PERM);
    const to = sameVolume(this, dst);
    to.#add(dstName, node);
    node.ctim = realtimeNs();
  }
  rename(name: string, dst: FsDir, dstName: string): void {
    const to = sameVolume(this, dst);
    const node = this.#child(name);
    const existing = to.children.get(dstName);
    if (existing === node) return; // POSIX: renaming a file onto itself (or a hard link of it) does nothing
    to.#checkLive();
    if (node instanceof MemDirectory) {
      for (let d: MemDirectory | undefined = to; d !== undefined; d = d.parent) {
        if (d === node) throw new FsError(Errno.INVAL); // into its own subtree
      }
      if (existing !== undefined) {
        if (!(existing instanceof MemDirectory)) throw new FsError(Errno.NOTDIR);
        if (existing.children.size > 0) throw new FsError(Errno.NOTEMPTY);
      }
    } else if (existing instanceof MemDirectory) {
      throw new FsError(Errno.ISDIR);
    }
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

/** A fresh, empty in-memory file system: its root directory. */
export function newMemoryRoot(): MemDirectory {
  const root = new MemDirectory(new Volume());
  root.nlink = 2;
  return root;
}

/** Adds a file with `contents` to `dir` (building a tree); `EXIST` when the name is taken. */
export function addMemoryFile(dir: MemDirectory, name: string, contents: Uint8Array): void {
  const file = dir.openChildFile(name, { create: true, exclusive: true, truncate: false, read: false, write: true });
  file.write(contents, 0);
}

/** Adds an empty directory to `dir` and returns it (building a tree); `EXIST` when the name is taken. */
export function addMemoryDir(dir: MemDirectory, name: string): MemDirectory {
  dir.mkdir(name);
  return dir.children.get(name) as MemDirectory;
}
