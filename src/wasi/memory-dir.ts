/**
 * `MemoryDir`: a directory tree in memory, to preopen for a guest.
 *
 * Build one from a plain object — a string or `Uint8Array` is a file, an
 * object a directory, `MemoryDir.symlink(target)` a symlink;
 * `MemoryDir.file(content, { mode })` and `MemoryDir.dir(tree, { mode })`
 * give a file or directory other permission bits than the defaults
 * (0o644, 0o755) — and preopen it (`preopens: { "/": dir }`). The guest's
 * changes stay in it; read them back with `snapshot()`. One `MemoryDir`
 * preopened in several `WASI` instances is one shared file system. Imports
 * nothing from Node.
 *
 * @module
 */

import { invalidType, outOfRange } from "../base/contract.js";
import {
  DEFAULT_DIR_MODE, DEFAULT_FILE_MODE, MemDirectory, MemFile, MemSymlink, addMemoryDir, addMemoryFile, newMemoryRoot,
} from "./fs/memory-fs.js";

/** Options of an entry of a {@link MemoryDirTree} made by {@link MemoryDir.file} or {@link MemoryDir.dir}. */
export interface MemoryEntryOptions {
  /**
   * Permission bits, `0` to `0o777` (default 0o644 for a file, 0o755 for a
   * directory). The guest owns everything in a `MemoryDir`, so only the
   * owner's bits (`0o700`) are enforced.
   */
  mode?: number;
}

/** A symlink in a {@link MemoryDirTree} (also made by {@link MemoryDir.symlink}). POSIX counterpart: `symlink(2)`. */
export class MemorySymlink {
  /** Where the link points, as the guest will read it with `path_readlink`. */
  readonly target: string;
  /** @throws {TypeError} `target` is not a string. */
  constructor(target: string) {
    if (typeof target !== "string") invalidType("target", "a string", target);
    this.target = target;
  }
}

/**
 * A file with its permission bits in a {@link MemoryDirTree} (also made by
 * {@link MemoryDir.file}); `snapshot()` reports a file whose mode is not
 * 0o644 this way. POSIX counterpart: `open(path, O_CREAT, mode)`.
 */
export class MemoryFile {
  /** The file's contents (a copy of what was given). */
  readonly data: Uint8Array;
  /** Permission bits (see {@link MemoryEntryOptions.mode}). */
  readonly mode: number;
  /**
   * @param content Text (stored as UTF-8) or bytes (copied).
   * @throws {TypeError} `content` is neither a string nor a `Uint8Array`; `options` or its mode is of the wrong type.
   * @throws {RangeError} the mode is not an integer from 0 to 0o777.
   */
  constructor(content: string | Uint8Array, options: MemoryEntryOptions = {}) {
    if (typeof content === "string") this.data = new TextEncoder().encode(content);
    else if (content instanceof Uint8Array) this.data = content.slice();
    else invalidType("content", "a string or a Uint8Array", content);
    this.mode = modeOf(options, DEFAULT_FILE_MODE);
  }
}

/**
 * A directory with its permission bits in a {@link MemoryDirTree} (also
 * made by {@link MemoryDir.dir}); `snapshot()` reports a directory whose
 * mode is not 0o755 this way. POSIX counterpart: `mkdir(path, mode)`.
 */
export class MemorySubdir {
  /** The directory's contents (read when a `MemoryDir` is built from it). */
  readonly tree: MemoryDirTree;
  /** Permission bits (see {@link MemoryEntryOptions.mode}). */
  readonly mode: number;
  /**
   * @throws {TypeError} `tree` is not an object; `options` or its mode is of the wrong type.
   * @throws {RangeError} the mode is not an integer from 0 to 0o777.
   */
  constructor(tree: MemoryDirTree, options: MemoryEntryOptions = {}) {
    if (!isTree(tree)) invalidType("tree", "a directory object", tree);
    this.tree = tree;
    this.mode = modeOf(options, DEFAULT_DIR_MODE);
  }
}

/**
 * The contents of a {@link MemoryDir}: names to files (text, bytes, or a
 * {@link MemoryFile} with a mode), directories (a plain object, or a
 * {@link MemorySubdir} with a mode) and symlinks.
 */
export interface MemoryDirTree {
  [name: string]: string | Uint8Array | MemoryFile | MemorySubdir | MemorySymlink | MemoryDirTree;
}

let rootOf: (dir: MemoryDir) => MemDirectory;

/**
 * An in-memory directory for `vmio/wasi`: files with nanosecond times, directories,
 * symlinks and hard links, with permission bits, as a WASI guest sees a host
 * directory. WASI counterpart: a preopened directory (`fd_prestat_get`); it
 * plays the part of wasmtime's `--dir`, without a host file system.
 *
 * Modes are enforced as POSIX does for an unprivileged owner: without `r`
 * a file cannot be opened for reading nor a directory listed; without `w`
 * a file cannot be opened for writing or truncated, nor a directory's
 * entries created, removed, renamed or linked; without `x` no path leads
 * through a directory. Each is `ACCES`. A directory itself opens without
 * any bit, as under wasmtime on Linux (cap-std opens directory fds with
 * `O_PATH`); only listing it needs `r`. Preview1 can neither read nor set
 * modes (`filestat` has no mode and there is no `chmod`): the guest sees
 * only their effects, and the guest's new files and directories get 0o644
 * and 0o755.
 */
export class MemoryDir {
  readonly #root: MemDirectory;

  static {
    rootOf = (dir) => dir.#root;
  }

  /**
   * @param tree The initial contents; copied, so later changes to `tree` do not reach the guest.
   * @param options `mode`: the permission bits of the directory itself (default 0o755).
   * @throws {TypeError} an entry is not a string, a `Uint8Array`, a `MemoryFile`, a `MemorySubdir`, a `MemorySymlink` nor a plain object; the tree has a cycle; a mode is of the wrong type.
   * @throws {RangeError} a name is empty, `.`, `..`, or holds `/` or NUL; a mode is not an integer from 0 to 0o777.
   */
  constructor(tree: MemoryDirTree = {}, options: MemoryEntryOptions = {}) {
    if (!isTree(tree)) invalidType("tree", "a directory object", tree);
    const mode = modeOf(options, DEFAULT_DIR_MODE);
    this.#root = newMemoryRoot();
    fill(this.#root, tree, "tree", new Set());
    this.#root.mode = mode;
  }

  /** A symlink to `target` for a {@link MemoryDirTree}. @throws {TypeError} `target` is not a string. */
  static symlink(target: string): MemorySymlink {
    return new MemorySymlink(target);
  }

  /**
   * A file for a {@link MemoryDirTree}, with a mode: `MemoryDir.file("#!/bin/sh", { mode: 0o755 })`.
   *
   * @throws {TypeError} `content` is neither a string nor a `Uint8Array`; a mode of the wrong type.
   * @throws {RangeError} the mode is not an integer from 0 to 0o777.
   */
  static file(content: string | Uint8Array, options?: MemoryEntryOptions): MemoryFile {
    return new MemoryFile(content, options);
  }

  /**
   * A directory for a {@link MemoryDirTree}, with a mode: `MemoryDir.dir({ "a.txt": "…" }, { mode: 0o555 })`.
   *
   * @throws {TypeError} `tree` is not an object; a mode of the wrong type.
   * @throws {RangeError} the mode is not an integer from 0 to 0o777.
   */
  static dir(tree: MemoryDirTree, options?: MemoryEntryOptions): MemorySubdir {
    return new MemorySubdir(tree, options);
  }

  /** The permission bits of the directory itself (`options.mode` when it was made). */
  get mode(): number {
    return this.#root.mode;
  }

  /**
   * The current contents as a tree: files as bytes and directories as plain
   * objects, or as a `MemoryFile` / `MemorySubdir` when their mode is not the
   * default. `new MemoryDir(d.snapshot(), { mode: d.mode })` rebuilds `d`
   * (hard links become separate files).
   */
  snapshot(): MemoryDirTree {
    return snapshotOf(this.#root);
  }
}

/** The backend directory behind a `MemoryDir` (for the WASI host). @internal */
export function memoryDirRoot(dir: MemoryDir): MemDirectory {
  return rootOf(dir);
}

function isTree(value: unknown): value is MemoryDirTree {
  return typeof value === "object" && value !== null && !ArrayBuffer.isView(value) &&
    !(value instanceof MemoryFile) && !(value instanceof MemorySubdir) && !(value instanceof MemorySymlink);
}

function modeOf(options: MemoryEntryOptions, fallback: number): number {
  if (typeof options !== "object" || options === null) invalidType("options", "an object", options);
  const { mode = fallback } = options;
  if (typeof mode !== "number") invalidType("options.mode", "a number", mode);
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) outOfRange("options.mode", "permission bits, an integer from 0 to 0o777", mode);
  return mode;
}

/** Adds `tree` to `dir`, each directory's mode set once it is filled. */
function fill(dir: MemDirectory, tree: MemoryDirTree, where: string, seen: Set<object>): void {
  if (seen.has(tree)) invalidType(where, "a tree without cycles", tree);
  seen.add(tree);
  for (const name of Object.keys(tree)) {
    const value = tree[name];
    const at = `${where}[${JSON.stringify(name)}]`;
    if (name.length === 0 || name === "." || name === ".." || name.includes("/") || name.includes("\0")) {
      outOfRange(at, "a file name (not empty, `.` or `..`; no `/` or NUL)", name);
    }
    if (typeof value === "string") addMemoryFile(dir, name, new TextEncoder().encode(value), DEFAULT_FILE_MODE);
    else if (value instanceof Uint8Array) addMemoryFile(dir, name, value, DEFAULT_FILE_MODE);
    else if (value instanceof MemoryFile) addMemoryFile(dir, name, value.data, value.mode);
    else if (value instanceof MemorySymlink) dir.symlink(value.target, name);
    else if (value instanceof MemorySubdir) {
      const mode = value.mode; // read once, before the subtree
      const sub = addMemoryDir(dir, name);
      fill(sub, value.tree, at, seen);
      sub.mode = mode;
    } else if (isTree(value)) fill(addMemoryDir(dir, name), value, at, seen);
    else invalidType(at, "a string, a Uint8Array, a MemoryFile, a MemorySubdir, a MemorySymlink or a directory object", value);
  }
  seen.delete(tree);
}

function snapshotOf(dir: MemDirectory): MemoryDirTree {
  const out: MemoryDirTree = {};
  for (const [name, node] of dir.children) {
    if (node instanceof MemDirectory) {
      const tree = snapshotOf(node);
      out[name] = node.mode === DEFAULT_DIR_MODE ? tree : new MemorySubdir(tree, { mode: node.mode });
    } else if (node instanceof MemFile) {
      const data = node.data.subarray(0, node.length);
      out[name] = node.mode === DEFAULT_FILE_MODE ? data.slice() : new MemoryFile(data, { mode: node.mode });
    } else {
      out[name] = new MemorySymlink((node as MemSymlink).target);
    }
  }
  return out;
}
