/**
 * Path resolution: from a starting directory and a path to the inode it
 * names — `.` and `..`, symbolic links (at most 40, then `ELOOP`), magic
 * links (`/proc/self/exe`), search permission, `ENOTDIR`, `ENAMETOOLONG`,
 * and a trailing slash that demands a directory.
 *
 * Linux counterpart: `fs/namei.c` (`path_lookupat`, `link_path_walk`,
 * `walk_component`, `trailing_symlink`).
 *
 * @module
 */

import { Errno, fail } from "../abi/errno.js";
import { Directory, Symlink, type Inode } from "./inode.js";

/** Longest path, NUL included. Linux counterpart: `PATH_MAX`. */
export const PATH_MAX = 4096;
/** Longest name. Linux counterpart: `NAME_MAX`. */
export const NAME_MAX = 255;
/** Most symbolic links followed in one lookup. Linux counterpart: `MAXSYMLINKS`. */
export const MAX_SYMLINKS = 40;

/** Who is looking: the process's root, credentials, and what `/proc/self` shows. */
export interface Credentials {
  readonly uid: number;
  readonly gid: number;
}

/** The per-process side of a lookup. Linux counterpart: `struct fs_struct` plus `current_cred()`. */
export interface LookupContext extends Credentials {
  /** The process's root directory. */
  readonly root: Directory;
  /** Passed to dynamic directories and magic links (`/proc/self`). */
  readonly proc: unknown;
}

/** Where a lookup ended. */
export interface Resolved {
  /** The directory holding the last component. */
  readonly dir: Directory;
  /** The last component (a byte string; "" for a path of only slashes). */
  readonly name: string;
  /** The inode, or undefined when the last component does not exist. */
  readonly inode: Inode | undefined;
  /** Whether the path ended with a slash (it must then name a directory). */
  readonly trailingSlash: boolean;
}

/** Permission bits asked for (as `access`). */
export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;

/**
 * Whether `cred` may access `inode` for `mask` (`MAY_*` bits). The
 * superuser may do anything, except execute a file without any execute bit.
 *
 * Linux counterpart: `generic_permission`.
 */
export function permitted(inode: Inode, mask: number, cred: Credentials): boolean {
  const mode = inode.mode;
  if (cred.uid === 0) {
    if ((mask & MAY_EXEC) === 0 || inode instanceof Directory) return true;
    return (mode & 0o111) !== 0;
  }
  const bits = cred.uid === inode.uid ? (mode >> 6) & 7 : cred.gid === inode.gid ? (mode >> 3) & 7 : mode & 7;
  return (bits & mask) === mask;
}

/**
 * Resolves `path` from `start`. With `follow`, a symbolic link in the last
 * component is followed; links in earlier components always are.
 *
 * @throws {SysError} `ENOENT` (empty path, a missing directory on the way),
 *   `ENOTDIR`, `EACCES` (no search permission), `ELOOP`, `ENAMETOOLONG`.
 */
export function resolve(ctx: LookupContext, start: Directory, path: string, follow: boolean): Resolved {
  if (path.length === 0) fail(Errno.ENOENT, "empty path");
  if (path.length >= PATH_MAX) fail(Errno.ENAMETOOLONG, "path too long");
  const links = { count: 0 };
  return walk(ctx, start, path, follow, links);
}

function walk(ctx: LookupContext, start: Directory, path: string, follow: boolean, links: { count: number }): Resolved {
  let dir = path.charCodeAt(0) === 0x2f ? ctx.root : start;
  const parts = path.split("/");
  // A trailing slash ("a/b/") leaves an empty last part.
  let last = parts.length - 1;
  while (last > 0 && parts[last] === "") last--;
  const trailingSlash = last < parts.length - 1;
  // The path was only slashes: it names the starting point itself.
  if (last === 0 && parts[0] === "") return { dir: ctx.root, name: "", inode: ctx.root, trailingSlash: false };
  for (let i = 0; i <= last; i++) {
    const name = parts[i] as string;
    if (name === "" || name === ".") {
      if (i === last) return { dir, name: ".", inode: dir, trailingSlash };
      continue;
    }
    if (name.length > NAME_MAX) fail(Errno.ENAMETOOLONG, "name too long");
    if (!permitted(dir, MAY_EXEC, ctx)) fail(Errno.EACCES, "no search permission");
    let inode: Inode | undefined = name === ".." ? (dir === ctx.root ? dir : dir.parent) : dir.lookup(name, ctx.proc);
    const isLast = i === last;
    if (isLast && inode === undefined) return { dir, name, inode: undefined, trailingSlash };
    if (inode === undefined) fail(Errno.ENOENT, "no such directory");
    if (inode instanceof Symlink && (!isLast || follow || trailingSlash)) {
      if (++links.count > MAX_SYMLINKS) fail(Errno.ELOOP, "too many symbolic links");
      const target = followLink(ctx, dir, inode, links);
      if (isLast) return { dir: target.dir, name: target.name, inode: target.inode, trailingSlash: trailingSlash || target.trailingSlash };
      inode = target.inode;
      if (inode === undefined) fail(Errno.ENOENT, "dangling symbolic link");
    }
    if (isLast) return { dir, name, inode, trailingSlash };
    if (!(inode instanceof Directory)) fail(Errno.ENOTDIR, "not a directory");
    dir = inode;
  }
  return { dir, name: ".", inode: dir, trailingSlash };
}

/** Where symbolic link `link` (found in `dir`) leads: a magic link's inode, or its target path walked from `dir`. */
function followLink(ctx: LookupContext, dir: Directory, link: Symlink, links: { count: number }): Resolved {
  const jumped = link.jump(ctx.proc);
  if (jumped !== undefined) {
    const holder = jumped instanceof Directory ? jumped.parent : dir;
    return { dir: holder, name: "", inode: jumped, trailingSlash: false };
  }
  const target = link.readlink(ctx.proc);
  if (target.length === 0) fail(Errno.ENOENT, "empty symbolic link");
  return walk(ctx, dir, target, true, links);
}

/**
 * The absolute path of directory `dir` as seen from `root` (for `getcwd`),
 * or undefined when `dir` is not under `root` or was removed.
 */
export function pathOf(dir: Directory, root: Directory): string | undefined {
  const names: string[] = [];
  let d = dir;
  while (d !== root) {
    const parent = d.parent;
    if (parent === d || d.nlink === 0) return undefined;
    let found: string | undefined;
    for (const [name, inode] of parent.list(undefined)) {
      if (inode === d) {
        found = name;
        break;
      }
    }
    if (found === undefined) return undefined;
    names.push(found);
    d = parent;
  }
  return "/" + names.reverse().join("/");
}
