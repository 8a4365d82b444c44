/**
 * The host file-system backend (Node only): a preopen is a directory of the
 * host's file system.
 *
 * Reached only from the Node entry (`vmio/wasi` under Node, `node.ts`); the
 * default entry never imports this file, so browsers never load `node:fs`.
 *
 * Confinement: a `HostDir` is a host path that the resolver (`path.ts`)
 * built one checked component at a time from the preopen's directory, never
 * naming a symlink; the final component of every operation is used with
 * calls that do not follow symlinks (`lstat`, `O_NOFOLLOW`, `link`,
 * `lutimes`). So `..`, absolute paths and symlinks cannot lead out. Node
 * has no `openat`: a concurrent *host* process that swaps a directory for a
 * symlink between the check and the use could still redirect an operation
 * (the race cap-std closes with `openat2`); guest input alone cannot.
 *
 * Node's `utimes` takes seconds as a double (≈ 240 ns steps today), so
 * times the guest sets are remembered exactly beside the host's rounded
 * value and reported while the host still holds that rounded value.
 *
 * @module
 */

import * as fs from "node:fs";
import { sep } from "node:path";
import { invalidType } from "../../base/contract.js";
import { Errno, Filetype, type ErrnoValue } from "../abi.js";
import { realtimeNs } from "../clock.js";
import { FsError, type DirEntry, type Filestat, type FsDir, type FsFile, type OpenFileOptions, type TimeSpec } from "./file-system.js";

const C = fs.constants;

/** Node error codes → WASI errnos; any other code is `IO`. */
const ERRNO_OF_CODE: Readonly<Record<string, ErrnoValue>> = {
  E2BIG: Errno.TOOBIG, EACCES: Errno.ACCES, EAGAIN: Errno.AGAIN, EBADF: Errno.BADF, EBUSY: Errno.BUSY,
  EEXIST: Errno.EXIST, EFAULT: Errno.FAULT, EFBIG: Errno.FBIG, EINTR: Errno.INTR, EINVAL: Errno.INVAL, EIO: Errno.IO,
  EISDIR: Errno.ISDIR, ELOOP: Errno.LOOP, EMFILE: Errno.MFILE, EMLINK: Errno.MLINK, ENAMETOOLONG: Errno.NAMETOOLONG,
  ENFILE: Errno.NFILE, ENODEV: Errno.NODEV, ENOENT: Errno.NOENT, ENOMEM: Errno.NOMEM, ENOSPC: Errno.NOSPC,
  ENOSYS: Errno.NOSYS, ENOTDIR: Errno.NOTDIR, ENOTEMPTY: Errno.NOTEMPTY, ENOTSUP: Errno.NOTSUP, ENXIO: Errno.NXIO,
  EOVERFLOW: Errno.OVERFLOW, EPERM: Errno.PERM, EPIPE: Errno.PIPE, EROFS: Errno.ROFS, ESPIPE: Errno.SPIPE,
  ETXTBSY: Errno.TXTBSY, EXDEV: Errno.XDEV, EDQUOT: Errno.DQUOT, ENOTSOCK: Errno.NOTSOCK,
};

/** Runs a host call; a Node system error becomes an `FsError` with its errno, anything else propagates (a host bug). */
function host<T>(call: () => T): T {
  try {
    return call();
  } catch (e) {
    throw hostError(e);
  }
}

/** The `FsError` for a Node system error; rethrows anything else. */
export function hostError(e: unknown): FsError {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^E[A-Z0-9]+$/.test(code)) return new FsError(ERRNO_OF_CODE[code] ?? Errno.IO);
  throw e;
}

/** The WASI `filetype` of a host stat or directory entry (both have `isFile()` and the rest). */
function filetypeOf(st: fs.Stats | fs.BigIntStats | fs.Dirent): number {
  if (st.isFile()) return Filetype.REGULAR_FILE;
  if (st.isDirectory()) return Filetype.DIRECTORY;
  if (st.isSymbolicLink()) return Filetype.SYMBOLIC_LINK;
  if (st.isCharacterDevice()) return Filetype.CHARACTER_DEVICE;
  if (st.isBlockDevice()) return Filetype.BLOCK_DEVICE;
  if (st.isSocket()) return Filetype.SOCKET_STREAM;
  return Filetype.UNKNOWN;
}

/** Exact times the guest set, keyed by dev:ino, valid while the host still shows the rounded value. */
class TimeOverlay {
  readonly #times = new Map<string, { atim: [bigint, bigint]; mtim: [bigint, bigint] }>();

  toFilestat(st: fs.BigIntStats): Filestat {
    let atim = st.atimeNs;
    let mtim = st.mtimeNs;
    // No key is made (two BigInts to text) until the guest has set a time.
    const exact = this.#times.size === 0 ? undefined : this.#times.get(`${st.dev}:${st.ino}`);
    if (exact !== undefined) {
      if (exact.atim[0] === atim) atim = exact.atim[1];
      if (exact.mtim[0] === mtim) mtim = exact.mtim[1];
    }
    return { dev: st.dev, ino: st.ino, filetype: filetypeOf(st), nlink: st.nlink, size: st.size, atim: unsigned(atim), mtim: unsigned(mtim), ctim: unsigned(st.ctimeNs) };
  }

  /** Sets times through `apply` (seconds as doubles), then remembers what was asked for. */
  set(before: fs.BigIntStats, atim: TimeSpec, mtim: TimeSpec, apply: (a: number, m: number) => void, after: () => fs.BigIntStats): void {
    const now = realtimeNs();
    const current = this.toFilestat(before);
    const a = atim === undefined ? current.atim : atim === "now" ? now : atim;
    const m = mtim === undefined ? current.mtim : mtim === "now" ? now : mtim;
    apply(Number(a) / 1e9, Number(m) / 1e9);
    const st = after();
    this.#times.set(`${st.dev}:${st.ino}`, { atim: [st.atimeNs, a], mtim: [st.mtimeNs, m] });
  }
}

/** WASI timestamps are unsigned: a host file dated before 1970 shows as the epoch. */
function unsigned(t: bigint): bigint {
  return t < 0n ? 0n : t;
}

/** One overlay for the process: the host file system is the process's, whichever preopen reaches a file. */
const times = new TimeOverlay();

/** One host directory; `path` never passes through a symlink. */
export class HostDir implements FsDir {
  readonly kind = "dir";
  readonly #path: string;
  /** `#path` and a separator: a name is one checked component, so `join`'s normalizing (7 % of a host `path_open`) has nothing to do. */
  readonly #prefix: string;

  constructor(path: string) {
    this.#path = path;
    this.#prefix = path.endsWith(sep) ? path : path + sep;
  }

  #at(name: string): string {
    return this.#prefix + name;
  }

  stat(): Filestat {
    return times.toFilestat(host(() => fs.statSync(this.#path, { bigint: true })));
  }
  checkSearch(): void {
    host(() => fs.accessSync(this.#path, C.X_OK));
  }
  lstatChild(name: string): Filestat {
    return times.toFilestat(host(() => fs.lstatSync(this.#at(name), { bigint: true })));
  }
  childType(name: string): number {
    return filetypeOf(host(() => fs.lstatSync(this.#at(name))));
  }
  readlinkChild(name: string): string {
    const bytes = host(() => fs.readlinkSync(this.#at(name), { encoding: "buffer" }));
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new FsError(Errno.ILSEQ);
    }
  }
  openChildDir(name: string): FsDir {
    const path = this.#at(name);
    if (!host(() => fs.lstatSync(path)).isDirectory()) throw new FsError(Errno.NOTDIR);
    return new HostDir(path);
  }
  openChildFile(name: string, o: OpenFileOptions): FsFile {
    let flags = C.O_NOFOLLOW | (o.write ? (o.read ? C.O_RDWR : C.O_WRONLY) : C.O_RDONLY);
    if (o.create) flags |= C.O_CREAT;
    if (o.exclusive) flags |= C.O_EXCL;
    if (o.truncate) flags |= C.O_TRUNC;
    const path = this.#at(name);
    const fd = host(() => fs.openSync(path, flags, 0o666));
    // Only the type is needed here: plain stats make no BigInts.
    let st: fs.Stats;
    try {
      st = host(() => fs.fstatSync(fd));
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
    if (st.isDirectory()) {
      fs.closeSync(fd);
      throw new FsError(Errno.ISDIR);
    }
    return new HostFile(fd);
  }
  mkdir(name: string): void {
    host(() => fs.mkdirSync(this.#at(name)));
  }
  rmdir(name: string): void {
    host(() => fs.rmdirSync(this.#at(name)));
  }
  unlink(name: string): void {
    const path = this.#at(name);
    try {
      fs.unlinkSync(path);
    } catch (e) {
      const err = hostError(e);
      // Linux's unlink of a directory says EISDIR; macOS says EPERM. Say EISDIR everywhere.
      if (err.errno === Errno.PERM && host(() => fs.lstatSync(path)).isDirectory()) throw new FsError(Errno.ISDIR);
      throw err;
    }
  }
  symlink(target: string, name: string): void {
    host(() => fs.symlinkSync(target, this.#at(name)));
  }
  link(name: string, dst: FsDir, dstName: string): void {
    if (!(dst instanceof HostDir)) throw new FsError(Errno.XDEV);
    host(() => fs.linkSync(this.#at(name), dst.#at(dstName)));
  }
  rename(name: string, dst: FsDir, dstName: string): void {
    if (!(dst instanceof HostDir)) throw new FsError(Errno.XDEV);
    host(() => fs.renameSync(this.#at(name), dst.#at(dstName)));
  }
  setChildTimes(name: string, atim: TimeSpec, mtim: TimeSpec): void {
    const path = this.#at(name);
    const before = host(() => fs.lstatSync(path, { bigint: true }));
    times.set(before, atim, mtim, (a, m) => host(() => fs.lutimesSync(path, a, m)), () => host(() => fs.lstatSync(path, { bigint: true })));
  }
  setTimes(atim: TimeSpec, mtim: TimeSpec): void {
    const before = host(() => fs.statSync(this.#path, { bigint: true }));
    times.set(before, atim, mtim, (a, m) => host(() => fs.utimesSync(this.#path, a, m)), () => host(() => fs.statSync(this.#path, { bigint: true })));
  }
  /**
   * The entries with their inodes. Node's `readdir` gives no `d_ino`, so each
   * entry is `lstat`ed; in a directory that can be listed but not searched
   * (`r` without `x`) that is `ACCES`, and the entry is reported with the
   * type `readdir` gives and inode 0.
   */
  entries(): DirEntry[] {
    const listed = host(() => fs.readdirSync(this.#path, { withFileTypes: true }));
    const out: DirEntry[] = [];
    for (const entry of listed) {
      const name = entry.name;
      try {
        const st = fs.lstatSync(this.#at(name), { bigint: true });
        out.push({ name, ino: st.ino, filetype: filetypeOf(st) });
      } catch (e) {
        // Removed between the listing and the stat: it is not there any more.
        if ((e as { code?: unknown }).code !== "EACCES") continue;
        out.push({ name, ino: 0n, filetype: filetypeOf(entry) });
      }
    }
    return out;
  }
  sameFileSystem(other: FsDir): boolean {
    return other instanceof HostDir;
  }
}

/** An open host file: a host fd, read and written at explicit positions. */
class HostFile implements FsFile {
  readonly kind = "file";
  readonly #fd: number;
  constructor(fd: number) {
    this.#fd = fd;
  }
  stat(): Filestat {
    // `host` written out, as in `read`: `fd_filestat_get`'s one system call.
    let st: fs.BigIntStats;
    try {
      st = fs.fstatSync(this.#fd, { bigint: true });
    } catch (e) {
      throw hostError(e);
    }
    return times.toFilestat(st);
  }
  read(into: Uint8Array, position: number): number {
    // `host` written out: `fd_read`'s one system call, with no closure made per call.
    try {
      return fs.readSync(this.#fd, into, 0, into.length, position);
    } catch (e) {
      throw hostError(e);
    }
  }
  readv(into: readonly Uint8Array[], position: number): number {
    // One system call (preadv) for every buffer, as `read` is one for one.
    try {
      return fs.readvSync(this.#fd, into, position);
    } catch (e) {
      throw hostError(e);
    }
  }
  write(data: Uint8Array, position: number | "end"): number {
    const at = position === "end" ? this.size() : position;
    let done = 0;
    while (done < data.length) {
      const n = host(() => fs.writeSync(this.#fd, data, done, data.length - done, at + done));
      if (n === 0) break;
      done += n;
    }
    return done;
  }
  size(): number {
    return host(() => fs.fstatSync(this.#fd)).size;
  }
  truncate(size: number): void {
    host(() => fs.ftruncateSync(this.#fd, size));
  }
  setTimes(atim: TimeSpec, mtim: TimeSpec): void {
    const before = host(() => fs.fstatSync(this.#fd, { bigint: true }));
    times.set(before, atim, mtim, (a, m) => host(() => fs.futimesSync(this.#fd, a, m)), () => host(() => fs.fstatSync(this.#fd, { bigint: true })));
  }
  sync(): void {
    host(() => fs.fsyncSync(this.#fd));
  }
  close(): void {
    host(() => fs.closeSync(this.#fd));
  }
}

/**
 * Opens the host directory `path` as a preopen.
 *
 * @throws {TypeError} `path` is not an existing directory (a host bug, not guest input).
 */
export function openHostDir(path: string, label: string): FsDir {
  const st = fs.statSync(path, { throwIfNoEntry: false });
  if (st === undefined || !st.isDirectory()) invalidType(label, "an existing host directory", path);
  // The preopen itself may be reached through host symlinks (the user chose it): resolve them once, here.
  return new HostDir(fs.realpathSync(path));
}
