/**
 * `MemoryDir`: a directory tree in memory, to preopen for a guest.
 *
 * Build one from a plain object — a string or `Uint8Array` is a file, an
 * object a directory, `MemoryDir.symlink(target)` a symlink — and preopen
 * it (`preopens: { "/": dir }`). The guest's changes stay in it; read them
 * back with `snapshot()`. One `MemoryDir` preopened in several `WASI`
 * instances is one shared file system. Imports nothing from Node.
 *
 * @module
 */

import { invalidType, outOfRange } from "../base/contract.js";
import { MemDirectory, MemFile, MemSymlink, addMemoryDir, addMemoryFile, newMemoryRoot } from "./fs/memory-fs.js";

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

/** The contents of a {@link MemoryDir}: names to files (text or bytes), directories and symlinks. */
export interface MemoryDirTree {
  [name: string]: string | Uint8Array | MemorySymlink | MemoryDirTree;
}

let rootOf: (dir: MemoryDir) => MemDirectory;

/**
 * An in-memory directory for `vmio/wasi`: files with nanosecond times, directories,
 * symlinks and hard links, as a WASI guest sees a host directory. WASI
 * counterpart: a preopened directory (`fd_prestat_get`); it plays the part
 * of wasmtime's `--dir`, without a host file system.
 */
export class MemoryDir {
  readonly #root: MemDirectory;

  static {
    rootOf = (dir) => dir.#root;
  }

  /**
   * @param tree The initial contents; copied, so later changes to `tree` do not reach the guest.
   * @throws {TypeError} an entry is neither a string, a `Uint8Array`, a `MemorySymlink` nor a plain object; the tree has a cycle.
   * @throws {RangeError} a name is empty, `.`, `..`, or holds `/` or NUL.
   */
  constructor(tree: MemoryDirTree = {}) {
    if (typeof tree !== "object" || tree === null) invalidType("tree", "an object", tree);
    this.#root = newMemoryRoot();
    fill(this.#root, tree, "tree", new Set());
  }

  /** A symlink to `target` for a {@link MemoryDirTree}. @throws {TypeError} `target` is not a string. */
  static symlink(target: string): MemorySymlink {
    return new MemorySymlink(target);
  }

  /** The current contents as a tree (files as bytes), e.g. to see what a guest wrote. */
  snapshot(): MemoryDirTree {
    return snapshotOf(this.#root);
  }
}

/** The backend directory behind a `MemoryDir` (for the WASI host). @internal */
export function memoryDirRoot(dir: MemoryDir): MemDirectory {
  return rootOf(dir);
}

function fill(dir: MemDirectory, tree: MemoryDirTree, where: string, seen: Set<object>): void {
  if (seen.has(tree)) invalidType(where, "a tree without cycles", tree);
  seen.add(tree);
  for (const name of Object.keys(tree)) {
    const value = tree[name];
    const at = `${where}[${JSON.stringify(name)}]`;
    if (name.length === 0 || name === "." || name === ".." || name.includes("/") || name.includes("\0")) {
      outOfRange(at, "a file name (not empty, `.` or `..`; no `/` or NUL)", name);
    }
    if (typeof value === "string") addMemoryFile(dir, name, new TextEncoder().encode(value));
    else if (value instanceof Uint8Array) addMemoryFile(dir, name, value);
    else if (value instanceof MemorySymlink) dir.symlink(value.target, name);
    else if (typeof value === "object" && value !== null && !ArrayBuffer.isView(value)) fill(addMemoryDir(dir, name), value, at, seen);
    else invalidType(at, "a string, a Uint8Array, a MemorySymlink or a directory object", value);
  }
  seen.delete(tree);
}

function snapshotOf(dir: MemDirectory): MemoryDirTree {
  const out: MemoryDirTree = {};
  for (const [name, node] of dir.children) {
    if (node instanceof MemDirectory) out[name] = snapshotOf(node);
    else if (node instanceof MemFile) out[name] = node.data.slice(0, node.length);
    else out[name] = new MemorySymlink((node as MemSymlink).target);
  }
  return out;
}
