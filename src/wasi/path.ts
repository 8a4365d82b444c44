/**
 * Path resolution inside a directory fd, component by component.
 *
 * The guest names a file by `(dirfd, path)`. The path is walked one name at
 * a time through the backend ({@link FsDir.lstatChild}), so the host's own
 * path resolution never runs across a `..` or a symlink: `..` pops a stack
 * of directories and refuses to pop the fd's own directory; a symlink's
 * target is spliced into the walk, and an absolute target, like an absolute
 * path, is refused. This is the sandbox of wasmtime's cap-std (each directory
 * fd is a root), done by hand so that it works the same on both backends.
 *
 * @module
 */

import { Errno, Filetype } from "./abi.js";
import { FsError, type FsDir } from "./fs/file-system.js";

/** Symlinks expanded in one resolution before `LOOP` (Linux's `MAXSYMLINKS`). */
const MAX_SYMLINKS = 40;

/** Where a path leads: a directory and the name in it, or the directory itself. */
export interface ResolvedPath {
  /** The directory that holds the last component. */
  readonly dir: FsDir;
  /** The last component, or `undefined` when the path names `dir` itself (`.`, `a/..`). */
  readonly name: string | undefined;
  /** The path ended in `/` (after symlink expansion), so it must name a directory. */
  readonly trailingSlash: boolean;
}

/**
 * Resolves `path` (already decoded, checked for NUL) from `start`.
 *
 * Every component but the last is followed (symlinks expanded, directories
 * entered); the last is followed only when `followLast` is set or the path
 * ends in `/`, and it need not exist (so callers can create it).
 *
 * @throws {FsError} `NOENT` (empty path or a missing intermediate directory),
 *   `NOTDIR`, `LOOP`, `NOTCAPABLE` (absolute path, absolute symlink, or `..`
 *   above `start`), or whatever the backend reports.
 */
export function resolvePath(start: FsDir, path: string, followLast: boolean): ResolvedPath {
  if (path.length === 0) throw new FsError(Errno.NOENT);
  if (path.charCodeAt(0) === 0x2f) throw new FsError(Errno.NOTCAPABLE);
  const stack: FsDir[] = [start];
  // Components still to walk, last first, so a symlink's target is pushed in front cheaply.
  const pending = names(path).reverse();
  let trailingSlash = endsInSlash(path);
  let symlinks = 0;
  for (;;) {
    const component = pending.pop()!;
    const last = pending.length === 0;
    const top = stack[stack.length - 1]!;
    if (component === "." || component === "..") top.checkSearch(); // POSIX looks them up in `top` too
    if (component === ".") {
      if (last) return { dir: top, name: undefined, trailingSlash };
      continue;
    }
    if (component === "..") {
      if (stack.length === 1) throw new FsError(Errno.NOTCAPABLE);
      stack.pop();
      if (last) return { dir: stack[stack.length - 1]!, name: undefined, trailingSlash };
      continue;
    }
    if (last && !followLast && !trailingSlash) return { dir: top, name: component, trailingSlash };
    let type: number;
    try {
      type = top.lstatChild(component).filetype;
    } catch (e) {
      if (last && e instanceof FsError && e.errno === Errno.NOENT) return { dir: top, name: component, trailingSlash };
      throw e;
    }
    if (type === Filetype.SYMBOLIC_LINK) {
      if (++symlinks > MAX_SYMLINKS) throw new FsError(Errno.LOOP);
      const target = top.readlinkChild(component);
      if (target.length === 0) throw new FsError(Errno.NOENT);
      if (target.charCodeAt(0) === 0x2f) throw new FsError(Errno.NOTCAPABLE);
      if (last) trailingSlash ||= endsInSlash(target);
      const parts = names(target);
      for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]!);
      continue;
    }
    if (last) return { dir: top, name: component, trailingSlash };
    if (type !== Filetype.DIRECTORY) throw new FsError(Errno.NOTDIR);
    stack.push(top.openChildDir(component));
  }
}

function endsInSlash(s: string): boolean {
  return s.charCodeAt(s.length - 1) === 0x2f;
}

/** The non-empty components of a path ("a//b/" has two). */
function names(path: string): string[] {
  return path.split("/").filter((c) => c.length > 0);
}
