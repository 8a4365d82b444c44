/**
 * The name space: `mkdirat`, `unlinkat`, `symlinkat`, `linkat`,
 * `renameat2`, `getcwd`, `chdir`, `fchdir`.
 *
 * Linux counterpart: `fs/namei.c`, `fs/d_path.c` (`getcwd`), `fs/open.c` (`chdir`).
 *
 * @module
 */

import { Errno } from "../abi/errno.js";
import { AT_REMOVEDIR, AT_SYMLINK_FOLLOW } from "../abi/fcntl.js";
import { Directory, nameToBytes, type Inode } from "../fs/inode.js";
import { MAY_EXEC, pathOf, permitted } from "../fs/path-walk.js";
import { writeBytesUser } from "../mm/user-access.js";
import type { Call } from "./call.js";
import { fileOf, pathArg, startDir } from "./fd-helpers.js";

/** `mkdirat(dirfd, path, mode)`. */
export function sysMkdirat(c: Call): number {
  const path = pathArg(c, 1);
  c.sys.fs.mkdir(c.p, startDir(c, c.int(0), path), path, c.uint(2), c.p.fsc.umask);
  return 0;
}

/** `unlinkat(dirfd, path, flags)`. */
export function sysUnlinkat(c: Call): number {
  const flags = c.int(2);
  if ((flags & ~AT_REMOVEDIR) !== 0) return -Errno.EINVAL;
  const path = pathArg(c, 1);
  c.sys.fs.remove(c.p, startDir(c, c.int(0), path), path, (flags & AT_REMOVEDIR) !== 0);
  return 0;
}

/** `symlinkat(target, newdirfd, linkpath)`. */
export function sysSymlinkat(c: Call): number {
  const target = pathArg(c, 0);
  const path = pathArg(c, 2);
  c.sys.fs.symlink(c.p, target, startDir(c, c.int(1), path), path);
  return 0;
}

/** `linkat(olddirfd, oldpath, newdirfd, newpath, flags)`. */
export function sysLinkat(c: Call): number {
  const flags = c.int(4);
  if ((flags & ~AT_SYMLINK_FOLLOW) !== 0) return -Errno.EINVAL;
  const from = pathArg(c, 1);
  const to = pathArg(c, 3);
  c.sys.fs.link(c.p, startDir(c, c.int(0), from), from, startDir(c, c.int(2), to), to, (flags & AT_SYMLINK_FOLLOW) !== 0);
  return 0;
}

/** `renameat2(olddirfd, oldpath, newdirfd, newpath, flags)`. */
export function sysRenameat2(c: Call): number {
  const from = pathArg(c, 1);
  const to = pathArg(c, 3);
  c.sys.fs.rename(c.p, startDir(c, c.int(0), from), from, startDir(c, c.int(2), to), to, c.uint(4));
  return 0;
}

/** `getcwd(buf, size)`: the path and its NUL, `ERANGE` when it does not fit. */
export function sysGetcwd(c: Call): number {
  const path = pathOf(c.p.cwd, c.p.root);
  if (path === undefined) return -Errno.ENOENT;
  const bytes = nameToBytes(path + "\0");
  if (c.size(1) < bytes.length) return -Errno.ERANGE;
  writeBytesUser(c.space, c.ptr(0), bytes);
  return bytes.length;
}

function chdirTo(c: Call, inode: Inode): number {
  if (!(inode instanceof Directory)) return -Errno.ENOTDIR;
  if (!permitted(inode, MAY_EXEC, c.p)) return -Errno.EACCES;
  c.p.fsc.cwd = inode;
  return 0;
}

/** `chdir(path)`. */
export function sysChdir(c: Call): number {
  const path = pathArg(c, 0);
  return chdirTo(c, c.sys.fs.lookup(c.p, c.p.cwd, path, true));
}

/** `fchdir(fd)`. */
export function sysFchdir(c: Call): number {
  return chdirTo(c, fileOf(c, c.int(0)).inode);
}
