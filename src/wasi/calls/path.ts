/**
 * preview1's `path_*` functions: a directory fd and a path, resolved
 * component by component (`../path.ts`) so nothing outside the fd's
 * directory is reachable.
 *
 * Trailing slashes follow POSIX: a path ending in `/` must name a
 * directory (or, for the last component, be followed to one), so
 * `unlink("file/")` is `NOTDIR` and `symlink(t, "new/")` is `NOENT`.
 *
 * @module
 */

import { u32 } from "../../pod/scalars.js";
import {
  ALL_FDFLAGS, ALL_OFLAGS, DIR_RIGHTS, Errno, FILE_RIGHTS, Filetype, LOOKUP_SYMLINK_FOLLOW, Oflags, Rights, rightsFrom,
  type ErrnoValue,
} from "../abi.js";
import { attempt, checkPtr, checkRange, errnoOf, readPath, type WasiContext } from "../context.js";
import type { Descriptor, DirDescriptor } from "../fd-table.js";
import { FsError } from "../fs/file-system.js";
import { resolvePath, type ResolvedPath } from "../path.js";
import { existsAt, putFilestat, statAt, timeSpecs, typeAt } from "./fs-support.js";

/** A directory fd with `rights` and a decoded path, or the first errno. */
function dirAndPath(cx: WasiContext, fd: number, rights: number, ptr: number, len: number): [DirDescriptor, string] | ErrnoValue {
  const d = cx.dirFd(fd, rights);
  if (typeof d === "number") return d;
  const p = readPath(cx.memory(), ptr, len);
  return typeof p === "number" ? p : [d, p];
}

function follows(lookupflags: number): boolean {
  return (lookupflags & LOOKUP_SYMLINK_FOLLOW) !== 0;
}

/** `path_create_directory(fd, path)`. */
export function path_create_directory(cx: WasiContext, fd: number, path: number, pathLen: number): ErrnoValue {
  const a = dirAndPath(cx, fd, Rights.PATH_CREATE_DIRECTORY, path, pathLen);
  if (typeof a === "number") return a;
  return attempt(() => {
    const r = resolvePath(a[0].dir, a[1], false);
    if (r.name === undefined) throw new FsError(Errno.EXIST);
    r.dir.mkdir(r.name);
  });
}

/** `path_remove_directory(fd, path)`: `.` and `a/..` are `INVAL`, as rmdir(2) says. */
export function path_remove_directory(cx: WasiContext, fd: number, path: number, pathLen: number): ErrnoValue {
  const a = dirAndPath(cx, fd, Rights.PATH_REMOVE_DIRECTORY, path, pathLen);
  if (typeof a === "number") return a;
  return attempt(() => {
    const r = resolvePath(a[0].dir, a[1], false);
    if (r.name === undefined) throw new FsError(Errno.INVAL);
    r.dir.rmdir(r.name);
  });
}

/**
 * `path_unlink_file(fd, path)`: a directory is `ISDIR`; a trailing slash on
 * a non-directory `NOTDIR` (both before permissions, as in Linux's `do_unlinkat`).
 */
export function path_unlink_file(cx: WasiContext, fd: number, path: number, pathLen: number): ErrnoValue {
  const a = dirAndPath(cx, fd, Rights.PATH_UNLINK_FILE, path, pathLen);
  if (typeof a === "number") return a;
  return attempt(() => {
    const r = resolvePath(a[0].dir, a[1], false);
    if (r.name === undefined) throw new FsError(Errno.ISDIR);
    if (r.trailingSlash) throw new FsError(r.dir.lstatChild(r.name).filetype === Filetype.DIRECTORY ? Errno.ISDIR : Errno.NOTDIR);
    r.dir.unlink(r.name);
  });
}

/** `path_filestat_get(fd, flags, path, buf)`. */
export function path_filestat_get(cx: WasiContext, fd: number, flags: number, path: number, pathLen: number, buf: number): ErrnoValue {
  const a = dirAndPath(cx, fd, Rights.PATH_FILESTAT_GET, path, pathLen);
  if (typeof a === "number") return a;
  const mem = cx.memory();
  const e = checkPtr(mem, buf, 64, 8);
  if (e !== Errno.SUCCESS) return e;
  return attempt(() => putFilestat(mem, buf, statAt(resolvePath(a[0].dir, a[1], follows(flags)))));
}

/** `path_filestat_set_times(fd, flags, path, atim, mtim, fstflags)`. */
export function path_filestat_set_times(cx: WasiContext, fd: number, flags: number, path: number, pathLen: number, atim: bigint, mtim: bigint, fstflags: number): ErrnoValue {
  const a = dirAndPath(cx, fd, Rights.PATH_FILESTAT_SET_TIMES, path, pathLen);
  if (typeof a === "number") return a;
  const times = timeSpecs(atim, mtim, fstflags);
  if (times === undefined) return Errno.INVAL;
  return attempt(() => {
    const r = resolvePath(a[0].dir, a[1], follows(flags));
    statAt(r);
    if (r.name === undefined) r.dir.setTimes(times[0], times[1]);
    else r.dir.setChildTimes(r.name, times[0], times[1]);
  });
}

/** `path_link(old_fd, old_flags, old_path, new_fd, new_path)`: a directory cannot be linked (`PERM`, from the backend after `EXIST` and `ACCES`, as in Linux). */
export function path_link(cx: WasiContext, oldFd: number, oldFlags: number, oldPath: number, oldLen: number, newFd: number, newPath: number, newLen: number): ErrnoValue {
  const src = dirAndPath(cx, oldFd, Rights.PATH_LINK_SOURCE, oldPath, oldLen);
  if (typeof src === "number") return src;
  const dst = dirAndPath(cx, newFd, Rights.PATH_LINK_TARGET, newPath, newLen);
  if (typeof dst === "number") return dst;
  return attempt(() => {
    const from = resolvePath(src[0].dir, src[1], follows(oldFlags));
    const to = resolvePath(dst[0].dir, dst[1], false);
    statAt(from);
    refuseNewName(to);
    if (from.name === undefined) throw new FsError(existsAt(to) ? Errno.EXIST : Errno.PERM); // `.` or `a/..`: a directory
    from.dir.link(from.name, to.dir, to.name!);
  });
}

/** A path where something new is to be made: `EXIST` if taken, `NOENT` for a new name with a trailing slash. */
function refuseNewName(r: ResolvedPath): void {
  if (r.name === undefined) throw new FsError(Errno.EXIST);
  if (r.trailingSlash) throw new FsError(existsAt(r) ? Errno.EXIST : Errno.NOENT);
}

/**
 * `path_symlink(old_path, fd, new_path)`. An absolute target is refused
 * (`NOTCAPABLE`; wasmtime refuses it too): it could only be followed out of
 * the sandbox. A relative one that points out may be made — following it fails.
 */
export function path_symlink(cx: WasiContext, oldPath: number, oldLen: number, fd: number, newPath: number, newLen: number): ErrnoValue {
  const a = dirAndPath(cx, fd, Rights.PATH_SYMLINK, newPath, newLen);
  if (typeof a === "number") return a;
  const target = readPath(cx.memory(), oldPath, oldLen);
  if (typeof target === "number") return target;
  if (target.startsWith("/")) return Errno.NOTCAPABLE;
  return attempt(() => {
    const r = resolvePath(a[0].dir, a[1], false);
    refuseNewName(r);
    r.dir.symlink(target, r.name!);
  });
}

/** `path_readlink(fd, path, buf, buf_len, bufused)`: as much of the target as fits, no NUL (readlink(2)). */
export function path_readlink(cx: WasiContext, fd: number, path: number, pathLen: number, buf: number, bufLen: number, bufused: number): ErrnoValue {
  const a = dirAndPath(cx, fd, Rights.PATH_READLINK, path, pathLen);
  if (typeof a === "number") return a;
  const mem = cx.memory();
  const len = bufLen >>> 0;
  const e = checkRange(mem, buf, len) || checkPtr(mem, bufused, 4, 4);
  if (e !== Errno.SUCCESS) return e;
  let target: Uint8Array;
  try {
    const r = resolvePath(a[0].dir, a[1], false);
    if (r.name === undefined) throw new FsError(Errno.INVAL);
    if (r.trailingSlash) throw new FsError(Errno.NOTDIR);
    target = new TextEncoder().encode(r.dir.readlinkChild(r.name));
  } catch (err) {
    return errnoOf(err);
  }
  const n = Math.min(target.length, len);
  mem.writeBytes(buf, target.subarray(0, n));
  mem.writeVal(bufused, u32, n);
  return Errno.SUCCESS;
}

/** `path_rename(old_fd, old_path, new_fd, new_path)`: POSIX rename(2) rules, trailing slashes included. */
export function path_rename(cx: WasiContext, oldFd: number, oldPath: number, oldLen: number, newFd: number, newPath: number, newLen: number): ErrnoValue {
  const src = dirAndPath(cx, oldFd, Rights.PATH_RENAME_SOURCE, oldPath, oldLen);
  if (typeof src === "number") return src;
  const dst = dirAndPath(cx, newFd, Rights.PATH_RENAME_TARGET, newPath, newLen);
  if (typeof dst === "number") return dst;
  return attempt(() => {
    const from = resolvePath(src[0].dir, src[1], false);
    const to = resolvePath(dst[0].dir, dst[1], false);
    if (from.name === undefined || to.name === undefined) throw new FsError(Errno.BUSY);
    if (from.dir.lstatChild(from.name).filetype !== Filetype.DIRECTORY) {
      if (from.trailingSlash) throw new FsError(Errno.NOTDIR);
      if (to.trailingSlash) throw new FsError(typeAt(to) === Filetype.DIRECTORY ? Errno.ISDIR : Errno.NOTDIR);
    }
    from.dir.rename(from.name, to.dir, to.name);
  });
}

/**
 * `path_open(fd, dirflags, path, oflags, rights_base, rights_inheriting, fdflags, opened)`.
 *
 * Needs `path_open` on the directory, plus `path_create_file` for `CREAT`
 * and `path_filestat_set_size` for `TRUNC`. The new fd's rights are those
 * asked for, cut to the directory's inheriting rights and to what its kind
 * can hold. A directory opened for writing is `ISDIR`.
 */
export function path_open(
  cx: WasiContext, fd: number, dirflags: number, path: number, pathLen: number, oflags: number,
  rightsBase: bigint, rightsInheriting: bigint, fdflags: number, opened: number,
): ErrnoValue {
  const o = oflags & 0xffff;
  const flags = fdflags & 0xffff;
  let needed = Rights.PATH_OPEN;
  if ((o & Oflags.CREAT) !== 0) needed |= Rights.PATH_CREATE_FILE;
  if ((o & Oflags.TRUNC) !== 0) needed |= Rights.PATH_FILESTAT_SET_SIZE;
  const a = dirAndPath(cx, fd, needed, path, pathLen);
  if (typeof a === "number") return a;
  const [d, p] = a;
  const base = rightsFrom(rightsBase);
  const inheriting = rightsFrom(rightsInheriting);
  if (base < 0 || inheriting < 0 || (o & ~ALL_OFLAGS) !== 0 || (flags & ~ALL_FDFLAGS) !== 0) return Errno.INVAL;
  if ((o & Oflags.DIRECTORY) !== 0 && (o & (Oflags.CREAT | Oflags.EXCL | Oflags.TRUNC)) !== 0) return Errno.INVAL;
  const mem = cx.memory();
  const e = checkPtr(mem, opened, 4, 4);
  if (e !== Errno.SUCCESS) return e;
  if (cx.fds.full()) return Errno.MFILE; // before anything is created or opened
  const allowed = base & d.inheriting;
  const write = (allowed & (Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE | Rights.FD_DATASYNC)) !== 0;
  try {
    const r = resolvePath(d.dir, p, follows(dirflags));
    const existing = typeAt(r);
    let desc: Descriptor;
    if (existing === Filetype.DIRECTORY) {
      if ((o & Oflags.CREAT) !== 0 && (o & Oflags.EXCL) !== 0) throw new FsError(Errno.EXIST);
      if ((base & Rights.FD_WRITE) !== 0 || (o & (Oflags.CREAT | Oflags.TRUNC)) !== 0) throw new FsError(Errno.ISDIR);
      const dir = r.name === undefined ? r.dir : r.dir.openChildDir(r.name);
      desc = { kind: "dir", dir, preopen: undefined, base: allowed & DIR_RIGHTS, inheriting: inheriting & d.inheriting, fdflags: flags };
    } else {
      if ((o & Oflags.DIRECTORY) !== 0) throw new FsError(existing === undefined ? Errno.NOENT : Errno.NOTDIR);
      if (existing === Filetype.SYMBOLIC_LINK) throw new FsError(Errno.LOOP); // not followed: O_NOFOLLOW's answer
      if (r.trailingSlash) throw new FsError(existing === undefined && (o & Oflags.CREAT) !== 0 ? Errno.ISDIR : existing === undefined ? Errno.NOENT : Errno.NOTDIR);
      const file = r.dir.openChildFile(r.name!, {
        create: (o & Oflags.CREAT) !== 0,
        exclusive: (o & Oflags.EXCL) !== 0,
        truncate: (o & Oflags.TRUNC) !== 0,
        read: (allowed & Rights.FD_READ) !== 0 || !write,
        write,
      });
      desc = { kind: "file", file, position: 0, base: allowed & FILE_RIGHTS, inheriting: inheriting & d.inheriting, fdflags: flags };
    }
    mem.writeVal(opened, u32, cx.fds.add(desc));
    return Errno.SUCCESS;
  } catch (err) {
    return errnoOf(err);
  }
}
