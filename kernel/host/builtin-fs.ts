/**
 * The built-in file system `vmio-kernel` boots without `--root` (Node
 * only): the guest programs shipped with the package — tests, demos,
 * benchmarks and the extras — in `/bin`, and an empty `/tmp`.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileSystem } from "../fs/file-system.js";
import { copyHostTree } from "./host-tree.js";

/** Where the package keeps the guest binaries (`kernel/guest/bin`, next to `build/`). */
export function guestBinDir(): string {
  // This file is build/kernel/host/builtin-fs.js; the binaries are kernel/guest/bin from the package root.
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
  return join(root, "kernel", "guest", "bin");
}

/** A fresh file system holding the shipped programs in `/bin`. @throws {Error} the binaries are missing. */
export function builtinFileSystem(fs: FileSystem = new FileSystem()): FileSystem {
  const bin = guestBinDir();
  if (!existsSync(bin)) throw new Error(`the guest programs are missing (${bin})`);
  copyHostTree(fs, bin, "/bin");
  return fs;
}
