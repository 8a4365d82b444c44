/**
 * The in-memory file system and its operations, as the `*at` system calls
 * use them: open (with create, exclusive, truncate, directory-only,
 * no-follow), mkdir, unlink, rmdir, symlink, link, rename, readlink,
 * chmod, truncate. Every operation checks everything before it changes
 * anything, so a failing call leaves the tree as it was.
 *
 * The tree starts with `/dev` (the memory devices and the standard
 * streams), `/proc` (`/proc/self`) and `/tmp`.
 *
 * Linux counterpart: the VFS (`fs/namei.c`, `fs/open.c`) over ramfs.
 *
 * @module
 */

import { Errno, fail } from "../abi/errno.js";
import {
  O_ACCMODE,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_PATH,
  O_RDONLY,
  O_TMPFILE,
  O_TRUNC,
  O_WRONLY,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
} from "../abi/fcntl.js";
import { S_IALLUGO } from "../abi/stat.js";
import { DeviceInode, Directory, RegularFile, Symlink, type Inode, type InodeHost } from "./inode.js";
import { DirectoryOpenFile } from "./directory-open-file.js";
import { memDevices, type RandomSource } from "./mem-devices.js";
import { OpenFile } from "./open-file.js";
import { MAY_EXEC, MAY_READ, MAY_WRITE, permitted, resolve, type LookupContext, type Resolved } from "./path-walk.js";
import { ProcRoot } from "./procfs.js";
import { RegularOpenFile } from "./regular-open-file.js";

/** Options of a {@link FileSystem}. */
export interface FileSystemOptions {
  /** Wall clock in milliseconds (default `Date.now`). */
  readonly now?: () => number;
  /** Entropy for `/dev/urandom` (default `crypto.getRandomValues`). */
  readonly random?: RandomSource;
  /** Most bytes all files may hold together (default 256 MiB): past it, writes fail with `ENOSPC`. */
  readonly capacity?: number;
}

/** The context of a lookup by the kernel itself (root, no `/proc/self`). */
export function kernelContext(fs: FileSystem): LookupContext {
  return { root: fs.root, uid: 0, gid: 0, proc: undefined };
}

/**
 * An in-memory file system.
 *
 * Linux counterpart: a mounted ramfs with the VFS above it.
 */
export class FileSystem implements InodeHost {
  readonly root: Directory;
  readonly dev: Directory;
  readonly proc: ProcRoot;
  readonly #now: () => number;
  readonly random: RandomSource;
  readonly #capacity: number;
  #used = 0;
  #ino = 0;

  constructor(opts: FileSystemOptions = {}) {
    this.#now = opts.now ?? Date.now;
    this.random = opts.random ?? cryptoRandom;
    this.#capacity = opts.capacity ?? 256 * 2 ** 20;
    this.root = new Directory(this, 0o755, 0, 0);
    this.root.nlink = 2;
    this.dev = new Directory(this, 0o755, 0, 0, this.root);
    this.root.link("dev", this.dev);
    for (const [name, inode] of memDevices(this, this.random)) this.dev.link(name, inode);
    this.proc = new ProcRoot(this, this.root);
    this.root.link("proc", this.proc);
    const tmp = new Directory(this, 0o1777, 0, 0, this.root);
    this.root.link("tmp", tmp);
  }

  nextIno(): number {
    return ++this.#ino;
  }

  now(): number {
    return this.#now();
  }

  reserve(bytes: number): boolean {
    if (bytes > 0 && this.#used + bytes > this.#capacity) return false;
    this.#used += bytes;
    return true;
  }

  /** Bytes the files hold now (their storage). */
  get used(): number {
    return this.#used;
  }

  /**
   * Opens (and with `O_CREAT` creates) `path`, Linux's `do_sys_openat2`.
   * `mode` is the permission of a new file, before the `umask`.
   *
   * @throws {SysError} `ENOENT`, `EEXIST`, `EISDIR`, `ENOTDIR`, `ELOOP`, `EACCES`, `ENAMETOOLONG`, `ENOSPC`, `ENXIO`, `EINVAL`, `EOPNOTSUPP`.
   */
  open(ctx: LookupContext, start: Directory, path: string, flags: number, mode: number, umask: number): OpenFile {
    if ((flags & O_TMPFILE) === O_TMPFILE) fail(Errno.EOPNOTSUPP, "O_TMPFILE");
    const create = (flags & O_CREAT) !== 0;
    // O_CREAT|O_EXCL never follows a final symbolic link (it fails with EEXIST on one).
    const exclusive = create && (flags & O_EXCL) !== 0;
    const r = resolve(ctx, start, path, !exclusive && (flags & O_NOFOLLOW) === 0);
    const inode = r.inode;
    if (create) {
      if (inode !== undefined && (flags & O_EXCL) !== 0) fail(Errno.EEXIST, "exists");
      if (inode === undefined) {
        if (r.trailingSlash) fail(Errno.EISDIR, "O_CREAT with a trailing slash");
        checkNewName(r);
        if (!permitted(r.dir, MAY_WRITE | MAY_EXEC, ctx)) fail(Errno.EACCES, "cannot create in directory");
        const file = new RegularFile(this, mode & ~umask & S_IALLUGO, ctx.uid, ctx.gid);
        r.dir.link(r.name, file);
        return new RegularOpenFile(file, flags & ~(O_CREAT | O_EXCL | O_TRUNC));
      }
    }
    if (inode === undefined) fail(Errno.ENOENT, "no such file");
    if (inode instanceof Symlink) {
      // Only reached with O_NOFOLLOW (or O_CREAT|O_EXCL on a link): O_PATH may hold the link itself.
      if ((flags & O_PATH) !== 0 && (flags & O_NOFOLLOW) !== 0) return new OpenFile(inode, flags);
      fail(Errno.ELOOP, "O_NOFOLLOW on a symbolic link");
    }
    if (r.trailingSlash && !(inode instanceof Directory)) fail(Errno.ENOTDIR, "trailing slash on a non-directory");
    if ((flags & O_DIRECTORY) !== 0 && !(inode instanceof Directory)) fail(Errno.ENOTDIR, "O_DIRECTORY on a non-directory");
    if ((flags & O_PATH) !== 0) return new OpenFile(inode, flags & ~(O_CREAT | O_EXCL | O_TRUNC));
    const acc = flags & O_ACCMODE;
    if (acc === O_ACCMODE) fail(Errno.EINVAL, "bad access mode");
    const wantWrite = acc !== O_RDONLY || (flags & O_TRUNC) !== 0;
    if (inode instanceof Directory && (acc !== O_RDONLY || (flags & O_CREAT) !== 0)) fail(Errno.EISDIR, "directory opened for writing");
    const mask = (acc === O_RDONLY ? MAY_READ : acc === O_WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE) | (wantWrite ? MAY_WRITE : 0);
    if (!permitted(inode, mask, ctx)) fail(Errno.EACCES, "permission denied");
    const rest = flags & ~(O_CREAT | O_EXCL | O_TRUNC);
    if (inode instanceof Directory) return new DirectoryOpenFile(inode, rest);
    if (inode instanceof DeviceInode) return inode.open(inode, rest);
    if (inode instanceof RegularFile) {
      if ((flags & O_TRUNC) !== 0 && acc !== O_RDONLY) inode.truncate(0);
      return new RegularOpenFile(inode, rest);
    }
    return fail(Errno.ENXIO, "cannot open this kind of file");
  }

  /**
   * Makes directory `path`. Linux counterpart: `do_mkdirat`.
   *
   * @throws {SysError} `EEXIST`, `ENOENT`, `ENOTDIR`, `EACCES`, `ELOOP`, `ENAMETOOLONG`.
   */
  mkdir(ctx: LookupContext, start: Directory, path: string, mode: number, umask: number): Directory {
    const r = resolve(ctx, start, path, false);
    if (r.inode !== undefined) fail(Errno.EEXIST, "exists");
    checkNewName(r);
    if (!permitted(r.dir, MAY_WRITE | MAY_EXEC, ctx)) fail(Errno.EACCES, "cannot create in directory");
    const dir = new Directory(this, mode & ~umask & 0o7777, ctx.uid, ctx.gid, r.dir);
    r.dir.link(r.name, dir);
    return dir;
  }

  /**
   * Makes symbolic link `path` → `target`. Linux counterpart: `do_symlinkat`.
   *
   * @throws {SysError} `EEXIST`, `ENOENT`, `EACCES`, …
   */
  symlink(ctx: LookupContext, target: string, start: Directory, path: string): Symlink {
    if (target.length === 0) fail(Errno.ENOENT, "empty target");
    const r = resolve(ctx, start, path, false);
    if (r.inode !== undefined) fail(Errno.EEXIST, "exists");
    if (r.trailingSlash) fail(Errno.ENOENT, "trailing slash");
    checkNewName(r);
    if (!permitted(r.dir, MAY_WRITE | MAY_EXEC, ctx)) fail(Errno.EACCES, "cannot create in directory");
    const link = new Symlink(this, target, ctx.uid, ctx.gid);
    r.dir.link(r.name, link);
    return link;
  }

  /**
   * Adds hard link `newPath` to the file `oldPath` names. Linux counterpart: `do_linkat`.
   *
   * @throws {SysError} `EPERM` for a directory, `EEXIST`, `ENOENT`, …
   */
  link(ctx: LookupContext, oldStart: Directory, oldPath: string, newStart: Directory, newPath: string, follow: boolean): void {
    const from = resolve(ctx, oldStart, oldPath, follow);
    if (from.inode === undefined) fail(Errno.ENOENT, "no such file");
    if (from.inode instanceof Directory) fail(Errno.EPERM, "hard link to a directory");
    const to = resolve(ctx, newStart, newPath, false);
    if (to.inode !== undefined) fail(Errno.EEXIST, "exists");
    if (to.trailingSlash) fail(Errno.ENOENT, "trailing slash");
    checkNewName(to);
    if (!permitted(to.dir, MAY_WRITE | MAY_EXEC, ctx)) fail(Errno.EACCES, "cannot create in directory");
    to.dir.link(to.name, from.inode);
  }

  /**
   * Removes the non-directory `path` (`rmdir`: the empty directory).
   * Linux counterpart: `do_unlinkat`, `do_rmdir`.
   *
   * @throws {SysError} `ENOENT`, `EISDIR` (unlink of a directory), `ENOTDIR`,
   *   `ENOTEMPTY`, `EBUSY` (the root, `/proc`), `EINVAL` (`rmdir .`), `EACCES`.
   */
  remove(ctx: LookupContext, start: Directory, path: string, dirOnly: boolean): Inode {
    const r = resolve(ctx, start, path, false);
    if (r.name === ".") fail(dirOnly ? Errno.EINVAL : Errno.EISDIR, "cannot remove .");
    if (r.name === "..") fail(dirOnly ? Errno.ENOTEMPTY : Errno.EISDIR, "cannot remove ..");
    const inode = r.inode;
    if (inode === undefined) fail(Errno.ENOENT, "no such file");
    if (r.name === "" || inode === ctx.root) fail(Errno.EBUSY, "cannot remove the root");
    if (r.dir.get(r.name) !== inode) fail(Errno.EBUSY, "not a removable entry");
    if (dirOnly) {
      if (!(inode instanceof Directory)) fail(Errno.ENOTDIR, "not a directory");
      if (inode.list(undefined).length > 0) fail(Errno.ENOTEMPTY, "directory not empty");
    } else {
      if (inode instanceof Directory) fail(Errno.EISDIR, "is a directory");
      if (r.trailingSlash) fail(Errno.ENOTDIR, "trailing slash on a non-directory");
    }
    if (!permitted(r.dir, MAY_WRITE | MAY_EXEC, ctx) || !stickyAllows(r.dir, inode, ctx.uid)) fail(Errno.EACCES, "cannot remove");
    r.dir.unlink(r.name);
    return inode;
  }

  /**
   * Renames `oldPath` to `newPath` (`RENAME_NOREPLACE`, `RENAME_EXCHANGE`).
   * Linux counterpart: `do_renameat2`.
   *
   * @throws {SysError} `ENOENT`, `EEXIST`, `EISDIR`, `ENOTDIR`, `ENOTEMPTY`, `EINVAL` (into itself), `EBUSY`, `EACCES`.
   */
  rename(ctx: LookupContext, oldStart: Directory, oldPath: string, newStart: Directory, newPath: string, flags: number): void {
    if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) !== 0 || flags === (RENAME_NOREPLACE | RENAME_EXCHANGE)) fail(Errno.EINVAL, "bad flags");
    const from = resolve(ctx, oldStart, oldPath, false);
    const src = from.inode;
    if (src === undefined) fail(Errno.ENOENT, "no such file");
    if (from.name === "." || from.name === ".." || from.name === "" || src === ctx.root) fail(Errno.EBUSY, "cannot rename this");
    const to = resolve(ctx, newStart, newPath, false);
    if (to.name === "." || to.name === ".." || to.name === "") fail(Errno.EBUSY, "cannot rename onto this");
    const dst = to.inode;
    if (!permitted(from.dir, MAY_WRITE | MAY_EXEC, ctx) || !permitted(to.dir, MAY_WRITE | MAY_EXEC, ctx)) fail(Errno.EACCES, "permission denied");
    if ((from.trailingSlash || to.trailingSlash) && !(src instanceof Directory)) fail(Errno.ENOTDIR, "trailing slash");
    // A directory cannot move into itself or below.
    if (src instanceof Directory) {
      for (let d: Directory = to.dir; ; d = d.parent) {
        if (d === src) fail(Errno.EINVAL, "into itself");
        if (d.parent === d) break;
      }
    }
    if ((flags & RENAME_EXCHANGE) !== 0) {
      if (dst === undefined) fail(Errno.ENOENT, "nothing to exchange with");
      if (dst instanceof Directory) {
        for (let d: Directory = from.dir; ; d = d.parent) {
          if (d === dst) fail(Errno.EINVAL, "into itself");
          if (d.parent === d) break;
        }
      }
      if (src === dst) return;
      // Park one entry under a name no guest can make (it holds a NUL), then swap.
      const parked = "\0exchange";
      from.dir.move(from.name, from.dir, parked);
      to.dir.move(to.name, from.dir, from.name);
      from.dir.move(parked, to.dir, to.name);
      return;
    }
    if (dst !== undefined) {
      if ((flags & RENAME_NOREPLACE) !== 0) fail(Errno.EEXIST, "exists");
      if (src === dst) return;
      if (src instanceof Directory) {
        if (!(dst instanceof Directory)) fail(Errno.ENOTDIR, "directory onto a non-directory");
        if (dst.list(undefined).length > 0) fail(Errno.ENOTEMPTY, "target not empty");
      } else if (dst instanceof Directory) fail(Errno.EISDIR, "non-directory onto a directory");
    } else checkNewName(to);
    if (dst !== undefined) to.dir.unlink(to.name);
    from.dir.move(from.name, to.dir, to.name);
  }

  /**
   * The target of symbolic link `path`. Linux counterpart: `do_readlinkat`.
   *
   * @throws {SysError} `EINVAL` when it is not a link, `ENOENT`, …
   */
  readlink(ctx: LookupContext, start: Directory, path: string): string {
    const r = resolve(ctx, start, path, false);
    if (r.inode === undefined) fail(Errno.ENOENT, "no such file");
    if (!(r.inode instanceof Symlink)) fail(Errno.EINVAL, "not a symbolic link");
    return r.inode.readlink(ctx.proc);
  }

  /**
   * The inode `path` names (for `stat`, `access`, `chdir`, `execve`).
   *
   * @throws {SysError} `ENOENT` and the other lookup errors.
   */
  lookup(ctx: LookupContext, start: Directory, path: string, follow: boolean): Inode {
    const r = resolve(ctx, start, path, follow);
    if (r.inode === undefined) fail(Errno.ENOENT, "no such file");
    if (r.trailingSlash && !(r.inode instanceof Directory)) fail(Errno.ENOTDIR, "trailing slash on a non-directory");
    return r.inode;
  }

  /** Adds a regular file at `path` (creating its directories) from the kernel: boot images, `--root`. */
  addFile(path: string, data: Uint8Array, mode = 0o755): RegularFile {
    const { dir, name } = this.#parentOf(path);
    const file = new RegularFile(this, mode & S_IALLUGO, 0, 0, data);
    const old = dir.get(name);
    if (old !== undefined) dir.unlink(name);
    dir.link(name, file);
    return file;
  }

  /** Adds a directory at `path` (and its parents) from the kernel. */
  addDirectory(path: string, mode = 0o755): Directory {
    let dir = this.root;
    for (const name of path.split("/").filter((n) => n !== "")) {
      const next = dir.get(name);
      if (next instanceof Directory) dir = next;
      else {
        if (next !== undefined) dir.unlink(name);
        const made = new Directory(this, mode, 0, 0, dir);
        dir.link(name, made);
        dir = made;
      }
    }
    return dir;
  }

  /** Adds a symbolic link at `path` → `target` from the kernel. */
  addSymlink(path: string, target: string): Symlink {
    const { dir, name } = this.#parentOf(path);
    const link = new Symlink(this, target, 0, 0);
    if (dir.get(name) !== undefined) dir.unlink(name);
    dir.link(name, link);
    return link;
  }

  /** Adds a device inode at `path` from the kernel. */
  addDevice(path: string, device: DeviceInode): void {
    const { dir, name } = this.#parentOf(path);
    if (dir.get(name) !== undefined) dir.unlink(name);
    dir.link(name, device);
  }

  #parentOf(path: string): { dir: Directory; name: string } {
    const parts = path.split("/").filter((n) => n !== "");
    const name = parts.pop();
    if (name === undefined) throw new RangeError(`not a file path: ${JSON.stringify(path)}`);
    return { dir: this.addDirectory(parts.join("/")), name };
  }
}

/** A new name must be a real component, not "." or "..", and its directory must still exist. */
function checkNewName(r: Resolved): void {
  if (r.name === "." || r.name === ".." || r.name === "") fail(Errno.EEXIST, "exists");
  if (r.dir.nlink === 0) fail(Errno.ENOENT, "directory was removed");
}

/** In a sticky directory (`/tmp`), only the owner of a file (or of the directory, or root) may remove it. */
function stickyAllows(dir: Directory, inode: Inode, uid: number): boolean {
  return (dir.mode & 0o1000) === 0 || uid === 0 || inode.uid === uid || dir.uid === uid;
}

/**
 * The default entropy: `crypto.getRandomValues`, 64 KiB at a time — it
 * refuses more in one call (a `QuotaExceededError`), and `getrandom` may
 * ask for up to 32 MiB.
 */
function cryptoRandom(bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
}
