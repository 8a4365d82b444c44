/**
 * File metadata: `newfstatat`, `fstat`, `faccessat`, `faccessat2`,
 * `readlinkat`, `getdents64`, `fchmod`, `fchmodat`, `fchownat`, `truncate`,
 * `ftruncate`, `utimensat`, `fsync`, `fdatasync`.
 *
 * Linux counterpart: `fs/stat.c`, `fs/open.c`, `fs/readdir.c`, `fs/attr.c`.
 *
 * @module
 */

import { i64, struct } from "vmio";
import { Errno, fail } from "../abi/errno.js";
import { AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_NO_AUTOMOUNT, AT_SYMLINK_NOFOLLOW } from "../abi/fcntl.js";
import { Stat } from "../abi/stat.js";
import { RegularFile, type Inode, nameToBytes } from "../fs/inode.js";
import { MAY_WRITE, permitted } from "../fs/path-walk.js";
import { readUser, writeBytesUser, writeUser } from "../mm/user-access.js";
import type { Call } from "./call.js";
import { fileOf, pathArg, startDir } from "./fd-helpers.js";

/** The device number every file of the in-memory file system reports. */
const FS_DEV = 0x16;

function toTimespec(ms: number): { sec: bigint; nsec: bigint } {
  const sec = Math.floor(ms / 1000);
  return { sec: BigInt(sec), nsec: BigInt(Math.round((ms - sec * 1000) * 1e6)) };
}

/** Writes `struct stat` of `inode` at `addr`. */
function putStat(c: Call, addr: number, inode: Inode): void {
  const s = inode.stat();
  const a = toTimespec(s.atimeMs);
  const m = toTimespec(s.mtimeMs);
  const ct = toTimespec(s.ctimeMs);
  writeUser(c.space, addr, Stat, {
    dev: BigInt(FS_DEV),
    ino: BigInt(s.ino),
    mode: s.mode,
    nlink: s.nlink,
    uid: s.uid,
    gid: s.gid,
    rdev: BigInt(s.rdev),
    pad1: 0n,
    size: BigInt(s.size),
    blksize: 4096,
    pad2: 0,
    blocks: BigInt(Math.ceil(s.size / 4096) * 8),
    atime: a.sec,
    atimeNsec: a.nsec,
    mtime: m.sec,
    mtimeNsec: m.nsec,
    ctime: ct.sec,
    ctimeNsec: ct.nsec,
    unused4: 0,
    unused5: 0,
  });
}

/** The inode a `*at` call with `AT_EMPTY_PATH`/`AT_SYMLINK_NOFOLLOW` names. */
function inodeAt(c: Call, dirfd: number, path: string, flags: number): Inode {
  if (path.length === 0 && (flags & AT_EMPTY_PATH) !== 0) {
    return dirfd === AT_FDCWD ? c.p.cwd : fileOf(c, dirfd).inode;
  }
  return c.sys.fs.lookup(c.p, startDir(c, dirfd, path), path, (flags & AT_SYMLINK_NOFOLLOW) === 0);
}

/** `newfstatat(dirfd, path, statbuf, flags)`. */
export function sysNewfstatat(c: Call): number {
  const flags = c.int(3);
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)) !== 0) return -Errno.EINVAL;
  const path = pathArg(c, 1);
  putStat(c, c.ptr(2), inodeAt(c, c.int(0), path, flags));
  return 0;
}

/** `fstat(fd, statbuf)`. */
export function sysFstat(c: Call): number {
  putStat(c, c.ptr(1), fileOf(c, c.int(0)).inode);
  return 0;
}

/** `faccessat(dirfd, path, mode)`. */
export function sysFaccessat(c: Call): number {
  return access(c, c.int(0), pathArg(c, 1), c.int(2), 0);
}

/** `faccessat2(dirfd, path, mode, flags)`. */
export function sysFaccessat2(c: Call): number {
  const flags = c.int(3);
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH)) !== 0) return -Errno.EINVAL;
  return access(c, c.int(0), pathArg(c, 1), c.int(2), flags);
}

function access(c: Call, dirfd: number, path: string, mode: number, flags: number): number {
  if ((mode & ~7) !== 0) return -Errno.EINVAL;
  const inode = inodeAt(c, dirfd, path, flags);
  if (mode === 0) return 0;
  return permitted(inode, mode, c.p) ? 0 : -Errno.EACCES;
}

/** `readlinkat(dirfd, path, buf, bufsiz)`. */
export function sysReadlinkat(c: Call): number {
  const size = c.int(3);
  const path = pathArg(c, 1);
  if (size <= 0) return -Errno.EINVAL;
  const target = nameToBytes(c.sys.fs.readlink(c.p, startDir(c, c.int(0), path), path));
  const n = Math.min(target.length, size);
  writeBytesUser(c.space, c.ptr(2), target.subarray(0, n));
  return n;
}

/** `getdents64(fd, dirp, count)`: as many whole `linux_dirent64` records as fit. */
export function sysGetdents64(c: Call): number {
  const f = fileOf(c, c.int(0));
  const count = c.uint(2);
  const entries = f.entries(f.pos, c.p);
  if (typeof entries === "number") return entries;
  const out = new Uint8Array(Math.min(count, 65536));
  const v = new DataView(out.buffer);
  let at = 0;
  let pos = f.pos;
  for (const e of entries) {
    const name = nameToBytes(e.name);
    const reclen = Math.ceil((19 + name.length + 1) / 8) * 8;
    if (at + reclen > out.length) {
      if (at === 0) return -Errno.EINVAL;
      break;
    }
    v.setBigUint64(at, BigInt(e.ino), true);
    v.setBigInt64(at + 8, BigInt(e.next), true);
    v.setUint16(at + 16, reclen, true);
    v.setUint8(at + 18, e.type);
    out.set(name, at + 19);
    at += reclen;
    pos = e.next;
  }
  writeBytesUser(c.space, c.ptr(1), out.subarray(0, at));
  f.pos = pos;
  return at;
}

function chmod(c: Call, inode: Inode, mode: number): number {
  if (c.p.uid !== 0 && c.p.uid !== inode.uid) return -Errno.EPERM;
  inode.mode = (inode.mode & ~0o7777) | (mode & 0o7777);
  inode.ctimeMs = c.sys.fs.now();
  return 0;
}

/** `fchmod(fd, mode)`. */
export function sysFchmod(c: Call): number {
  return chmod(c, fileOf(c, c.int(0)).inode, c.uint(1));
}

/** `fchmodat(dirfd, path, mode)`. */
export function sysFchmodat(c: Call): number {
  const path = pathArg(c, 1);
  return chmod(c, inodeAt(c, c.int(0), path, 0), c.uint(2));
}

/** `fchownat(dirfd, path, owner, group, flags)`: only the superuser may give files away. */
export function sysFchownat(c: Call): number {
  const path = pathArg(c, 1);
  const inode = inodeAt(c, c.int(0), path, c.int(4));
  return chown(c, inode, c.int(2), c.int(3));
}

/** `fchown(fd, owner, group)`. */
export function sysFchown(c: Call): number {
  return chown(c, fileOf(c, c.int(0)).inode, c.int(1), c.int(2));
}

function chown(c: Call, inode: Inode, uid: number, gid: number): number {
  if (c.p.uid !== 0 && ((uid !== -1 && uid !== inode.uid) || c.p.uid !== inode.uid)) return -Errno.EPERM;
  if (uid !== -1) inode.uid = uid;
  if (gid !== -1) inode.gid = gid;
  inode.ctimeMs = c.sys.fs.now();
  return 0;
}

function truncate(inode: Inode, len: number): number {
  if (len < 0) return -Errno.EINVAL;
  if (!(inode instanceof RegularFile)) return inode.type === 0o040000 ? -Errno.EISDIR : -Errno.EINVAL;
  inode.truncate(len);
  return 0;
}

/** `ftruncate(fd, length)`. */
export function sysFtruncate(c: Call): number {
  const f = fileOf(c, c.int(0));
  if (!f.writable) return -Errno.EINVAL;
  return truncate(f.inode, c.long(1));
}

/** `truncate(path, length)`. */
export function sysTruncate(c: Call): number {
  const path = pathArg(c, 0);
  const inode = c.sys.fs.lookup(c.p, c.p.cwd, path, true);
  if (!permitted(inode, MAY_WRITE, c.p)) return -Errno.EACCES;
  return truncate(inode, c.long(1));
}

const Timespec2 = struct({ aSec: i64, aNsec: i64, mSec: i64, mNsec: i64 });
const UTIME_NOW = (1n << 30n) - 1n;
const UTIME_OMIT = (1n << 30n) - 2n;

/** `utimensat(dirfd, path, times, flags)`. */
export function sysUtimensat(c: Call): number {
  const pathPtr = c.ptr(1);
  const flags = c.int(3);
  const inode = pathPtr === 0 ? fileOf(c, c.int(0)).inode : inodeAt(c, c.int(0), pathArg(c, 1), flags);
  const now = c.sys.fs.now();
  const ptr = c.ptr(2);
  const t = ptr === 0 ? undefined : readUser(c.space, ptr, Timespec2);
  const pick = (sec: bigint | undefined, nsec: bigint | undefined, old: number): number => {
    if (sec === undefined || nsec === undefined || nsec === UTIME_NOW) return now;
    if (nsec === UTIME_OMIT) return old;
    if (nsec < 0n || nsec >= 1_000_000_000n) fail(Errno.EINVAL, "bad nanoseconds");
    return Number(sec) * 1000 + Number(nsec) / 1e6;
  };
  inode.atimeMs = pick(t?.aSec, t?.aNsec, inode.atimeMs);
  inode.mtimeMs = pick(t?.mSec, t?.mNsec, inode.mtimeMs);
  inode.ctimeMs = now;
  return 0;
}

/** `fsync(fd)`, `fdatasync(fd)`: memory is the disk. */
export function sysFsync(c: Call): number {
  fileOf(c, c.int(0));
  return 0;
}

