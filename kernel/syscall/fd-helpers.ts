/**
 * What file-related system calls share: the open file of a descriptor, the
 * directory a `*at` call starts from, the lookup context of the caller.
 *
 * Linux counterpart: `fdget`, `path_init`'s `dfd` handling.
 *
 * @module
 */

import { Errno, fail } from "../abi/errno.js";
import { AT_FDCWD } from "../abi/fcntl.js";
import { Directory } from "../fs/inode.js";
import type { OpenFile } from "../fs/open-file.js";
import { readPath } from "../mm/user-access.js";
import type { Call } from "./call.js";

/**
 * The open file of descriptor `fd`.
 *
 * @throws {SysError} `EBADF` when `fd` is not open.
 */
export function fileOf(c: Call, fd: number): OpenFile {
  const f = fd >= 0 ? c.p.files.get(fd) : undefined;
  if (f === undefined) fail(Errno.EBADF, "bad file descriptor");
  return f;
}

/**
 * The directory a `*at` call with `dirfd` resolves relative `path`s from.
 *
 * @throws {SysError} `ENOENT` for an empty path; `EBADF` (not open), `ENOTDIR` (not a directory) — only for a relative path.
 */
export function startDir(c: Call, dirfd: number, path: string): Directory {
  // An empty path fails before the descriptor is looked at (Linux's getname).
  if (path.length === 0) fail(Errno.ENOENT, "empty path");
  if (path.charCodeAt(0) === 0x2f || dirfd === AT_FDCWD) return c.p.cwd;
  const f = fileOf(c, dirfd);
  if (!(f.inode instanceof Directory)) fail(Errno.ENOTDIR, "dirfd is not a directory");
  return f.inode;
}

/** The path argument `i` (a byte string). @throws {SysError} `EFAULT`, `ENAMETOOLONG`. */
export function pathArg(c: Call, i: number): string {
  return readPath(c.space, c.ptr(i));
}
