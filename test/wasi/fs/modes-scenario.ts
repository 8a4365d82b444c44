/**
 * One scenario of permission bits, run by a guest on either backend: a tree
 * of files and directories with modes, the calls a guest makes on it, and
 * the errno Linux gives an unprivileged owner for each (checked by hand
 * against `fs/namei.c`: a missing or taken name before a permission, a
 * permission before the kind of the entry).
 *
 * `modes-child.ts` builds the tree on the host and runs the calls there (as
 * an unprivileged user: root ignores permission bits); the tests build it
 * as a `MemoryDir` and run them in process.
 *
 * @module
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { MemoryDir, type MemoryDirTree } from "vmio/wasi";
import { E, R, type TestGuest } from "../guest.js";

/** An entry of the scenario's tree: a file (text) or a directory, with its mode. */
type Node = { file: string; mode: number } | { dir: Record<string, Node>; mode: number };

const file = (text: string, mode: number): Node => ({ file: text, mode });
const dir = (entries: Record<string, Node>, mode: number): Node => ({ dir: entries, mode });

/** The tree: names say what each mode lacks or allows. */
export const TREE: Record<string, Node> = {
  "readonly.txt": file("r", 0o444),
  "writeonly.txt": file("w", 0o200),
  "none.txt": file("n", 0o000),
  "plain.txt": file("p", 0o644),
  readonly: dir({ f: file("f", 0o644), sub: dir({}, 0o755) }, 0o555),
  unlistable: dir({ f: file("f", 0o644) }, 0o311),
  unsearchable: dir({ f: file("f", 0o644) }, 0o644),
  "dir-555": dir({}, 0o555),
  target: dir({}, 0o755),
};

/** The tree as a `MemoryDir`. */
export function memoryTree(): MemoryDir {
  const build = (entries: Record<string, Node>): MemoryDirTree => {
    const out: MemoryDirTree = {};
    for (const [name, node] of Object.entries(entries)) {
      out[name] = "file" in node ? MemoryDir.file(node.file, { mode: node.mode }) : MemoryDir.dir(build(node.dir), { mode: node.mode });
    }
    return out;
  };
  return new MemoryDir(build(TREE));
}

/** Builds the tree under the host directory `root` (modes set after contents, deepest first). */
export function hostTree(root: string, entries: Record<string, Node> = TREE): void {
  for (const [name, node] of Object.entries(entries)) {
    const at = path.join(root, name);
    if ("file" in node) {
      fs.writeFileSync(at, node.file);
    } else {
      fs.mkdirSync(at);
      hostTree(at, node.dir);
    }
    fs.chmodSync(at, node.mode);
  }
}

const O_CREAT = 1;
const O_DIRECTORY = 2;
const O_EXCL = 4;
const O_TRUNC = 8;
const READ = R.FD_READ;
const WRITE = R.FD_WRITE;

/** Each call, and the errno an unprivileged owner gets for it on Linux. */
const SCENARIO: Record<string, [errno: number, call: (g: TestGuest) => number]> = {
  "open readonly.txt for reading": [E.SUCCESS, (g) => open(g, "readonly.txt", 0, READ)],
  "open readonly.txt for writing": [E.ACCES, (g) => open(g, "readonly.txt", 0, WRITE)],
  "open readonly.txt with O_TRUNC, reading only": [E.ACCES, (g) => open(g, "readonly.txt", O_TRUNC, READ)],
  "open writeonly.txt for reading": [E.ACCES, (g) => open(g, "writeonly.txt", 0, READ)],
  "open writeonly.txt for writing": [E.SUCCESS, (g) => open(g, "writeonly.txt", 0, WRITE)],
  "open none.txt for reading": [E.ACCES, (g) => open(g, "none.txt", 0, READ)],
  "stat none.txt (needs no bit on it)": [E.SUCCESS, (g) => stat(g, "none.txt")],
  "utimes none.txt (an owner may)": [E.SUCCESS, (g) => g.call.path_filestat_set_times!(3, 0, ...g.put(1000, "none.txt"), 5n, 6n, 1 | 4)],
  "link none.txt (an owner may)": [E.SUCCESS, (g) => g.call.path_link!(3, 0, ...g.put(1000, "none.txt"), 3, ...g.put(1400, "none-linked"))],
  "create readonly/new": [E.ACCES, (g) => open(g, "readonly/new", O_CREAT, WRITE)],
  "O_CREAT on the existing readonly/f": [E.SUCCESS, (g) => open(g, "readonly/f", O_CREAT, READ)],
  "O_CREAT|O_EXCL on the existing readonly/f": [E.EXIST, (g) => open(g, "readonly/f", O_CREAT | O_EXCL, READ)],
  "open readonly/f for writing (its own mode allows it)": [E.SUCCESS, (g) => open(g, "readonly/f", 0, WRITE)],
  "mkdir readonly/d": [E.ACCES, (g) => g.call.path_create_directory!(3, ...g.put(1000, "readonly/d"))],
  "mkdir readonly/sub (taken: EXIST first)": [E.EXIST, (g) => g.call.path_create_directory!(3, ...g.put(1000, "readonly/sub"))],
  "unlink readonly/f": [E.ACCES, (g) => g.call.path_unlink_file!(3, ...g.put(1000, "readonly/f"))],
  "unlink readonly/sub (ACCES before ISDIR)": [E.ACCES, (g) => g.call.path_unlink_file!(3, ...g.put(1000, "readonly/sub"))],
  "unlink readonly/missing (NOENT first)": [E.NOENT, (g) => g.call.path_unlink_file!(3, ...g.put(1000, "readonly/missing"))],
  "rmdir readonly/sub": [E.ACCES, (g) => g.call.path_remove_directory!(3, ...g.put(1000, "readonly/sub"))],
  "rmdir readonly/f (ACCES before NOTDIR)": [E.ACCES, (g) => g.call.path_remove_directory!(3, ...g.put(1000, "readonly/f"))],
  "symlink readonly/l": [E.ACCES, (g) => g.call.path_symlink!(...g.put(1000, "f"), 3, ...g.put(1400, "readonly/l"))],
  "link plain.txt to readonly/l": [E.ACCES, (g) => g.call.path_link!(3, 0, ...g.put(1000, "plain.txt"), 3, ...g.put(1400, "readonly/l"))],
  "link readonly/f to f-linked": [E.SUCCESS, (g) => g.call.path_link!(3, 0, ...g.put(1000, "readonly/f"), 3, ...g.put(1400, "f-linked"))],
  "rename readonly/f out": [E.ACCES, (g) => g.call.path_rename!(3, ...g.put(1000, "readonly/f"), 3, ...g.put(1400, "f-out"))],
  "rename plain.txt into readonly": [E.ACCES, (g) => g.call.path_rename!(3, ...g.put(1000, "plain.txt"), 3, ...g.put(1400, "readonly/plain.txt"))],
  "readdir readonly": [E.SUCCESS, (g) => readdir(g, "readonly")],
  // As wasmtime on Linux: cap-std opens a directory fd with O_PATH (compute_oflags: dir_required and not
  // readdir_required), which needs no permission bit on the directory; listing it re-opens it for reading.
  "open unlistable (a directory fd needs no bit)": [E.SUCCESS, (g) => open(g, "unlistable", O_DIRECTORY, 0n)],
  "readdir unlistable": [E.ACCES, (g) => readdir(g, "unlistable")],
  "open unlistable/f": [E.SUCCESS, (g) => open(g, "unlistable/f", 0, READ)],
  "stat unsearchable": [E.SUCCESS, (g) => stat(g, "unsearchable")],
  "readdir unsearchable (r without x lists)": [E.SUCCESS, (g) => readdir(g, "unsearchable")],
  "stat unsearchable/f": [E.ACCES, (g) => stat(g, "unsearchable/f")],
  "open unsearchable/f": [E.ACCES, (g) => open(g, "unsearchable/f", 0, READ)],
  "stat unsearchable/.": [E.ACCES, (g) => stat(g, "unsearchable/.")],
  "stat unsearchable/../plain.txt": [E.ACCES, (g) => stat(g, "unsearchable/../plain.txt")],
  "create unsearchable/new": [E.ACCES, (g) => open(g, "unsearchable/new", O_CREAT, WRITE)],
  "rename dir-555 into target (its .. would change)": [E.ACCES, (g) => g.call.path_rename!(3, ...g.put(1000, "dir-555"), 3, ...g.put(1400, "target/moved"))],
  "rename dir-555 within its parent": [E.SUCCESS, (g) => g.call.path_rename!(3, ...g.put(1000, "dir-555"), 3, ...g.put(1400, "dir-555-renamed"))],
  "rename plain.txt into target": [E.SUCCESS, (g) => g.call.path_rename!(3, ...g.put(1000, "plain.txt"), 3, ...g.put(1400, "target/plain.txt"))],
};

/** The errno of each call of the scenario, by name. */
export const EXPECTED: Record<string, number> = Object.fromEntries(Object.entries(SCENARIO).map(([name, [errno]]) => [name, errno]));

/** A guest with a fresh copy of the tree preopened as fd 3, and a function that reads the tree's state. */
export type Fresh = () => Promise<[TestGuest, () => unknown]>;

/**
 * Runs every call of {@link EXPECTED}, each on a fresh copy of the tree;
 * the errno of each, or, when a call that failed changed the tree, a
 * string saying so (so that the result differs from {@link EXPECTED}).
 */
export async function runScenario(fresh: Fresh): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {};
  for (const [name, [, call]] of Object.entries(SCENARIO)) {
    const [g, state] = await fresh();
    const before = JSON.stringify(state());
    const errno = call(g);
    out[name] = errno !== E.SUCCESS && JSON.stringify(state()) !== before ? `${errno}, and it changed the tree` : errno;
  }
  return out;
}

/** What a guest could have changed under the host directory `root`: names, kinds, modes, sizes. */
export function hostState(root: string): unknown {
  const out: Record<string, unknown> = {};
  let names: string[];
  try {
    names = fs.readdirSync(root).sort();
  } catch {
    return "unlistable";
  }
  for (const name of names) {
    const at = path.join(root, name);
    try {
      const st = fs.lstatSync(at);
      out[name] = st.isDirectory() ? [st.mode & 0o777, hostState(at)] : [st.mode & 0o777, st.size];
    } catch {
      out[name] = "unsearchable";
    }
  }
  return out;
}

function open(g: TestGuest, q: string, oflags: number, rights: bigint): number {
  const e = g.call.path_open!(3, 0, ...g.put(1000, q), oflags, rights, 0n, 0, 200);
  if (e === E.SUCCESS) g.call.fd_close!(g.u32(200));
  return e;
}

function readdir(g: TestGuest, q: string): number {
  const e = g.call.path_open!(3, 0, ...g.put(1000, q), O_DIRECTORY, R.FD_READDIR, 0n, 0, 200);
  if (e !== E.SUCCESS) return e;
  const fd = g.u32(200);
  const r = g.call.fd_readdir!(fd, 8192, 4096, 0n, 204);
  g.call.fd_close!(fd);
  return r;
}

function stat(g: TestGuest, q: string): number {
  return g.call.path_filestat_get!(3, 0, ...g.put(1000, q), 4096);
}

/** Makes everything under `root` writable and searchable again, so it can be removed. */
export function unlockTree(root: string): void {
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const at = path.join(root, entry.name);
    if (entry.isDirectory()) {
      fs.chmodSync(at, 0o755);
      unlockTree(at);
    }
  }
}
