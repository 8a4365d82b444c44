/**
 * Copies a host directory into the kernel's in-memory file system (Node
 * only): regular files with their bytes and mode bits, directories,
 * symbolic links with their targets. Other kinds (sockets, devices, FIFOs)
 * are skipped. The guest's writes then stay in memory.
 *
 * This is the Node side of `vmio-kernel --root DIR` and of the built-in
 * file system; the kernel's core never imports it.
 *
 * @module
 */

import { lstatSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import type { FileSystem } from "../fs/file-system.js";
import { nameFromHost } from "../fs/inode.js";

/** What a copy did. */
export interface CopyReport {
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
  /** Host paths that were not copied (unreadable, or a kind the guest cannot have). */
  skipped: string[];
}

/** Top-level names of the guest's own file systems, never taken from the host. */
const RESERVED = new Set(["dev", "proc"]);

/**
 * Copies the tree under host directory `hostDir` to guest directory `guestDir`.
 *
 * @throws {Error} `hostDir` is not a readable directory; the file system is full.
 */
export function copyHostTree(fs: FileSystem, hostDir: string, guestDir = "/"): CopyReport {
  const report: CopyReport = { files: 0, directories: 0, symlinks: 0, bytes: 0, skipped: [] };
  if (!lstatSync(hostDir).isDirectory()) throw new Error(`${hostDir}: not a directory`);
  walk(fs, hostDir, guestDir === "/" ? "" : guestDir.replace(/\/+$/, ""), report, true);
  return report;
}

function walk(fs: FileSystem, host: string, guest: string, report: CopyReport, top: boolean): void {
  let names: string[];
  try {
    names = readdirSync(host);
  } catch {
    report.skipped.push(host);
    return;
  }
  for (const name of names.sort()) {
    if (top && RESERVED.has(name)) {
      report.skipped.push(join(host, name));
      continue;
    }
    const h = join(host, name);
    const g = `${guest}/${nameFromHost(name)}`;
    try {
      const st = lstatSync(h);
      if (st.isDirectory()) {
        fs.addDirectory(g, st.mode & 0o7777);
        report.directories++;
        walk(fs, h, g, report, false);
      } else if (st.isFile()) {
        const data = readFileSync(h);
        fs.addFile(g, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), st.mode & 0o7777);
        report.files++;
        report.bytes += data.byteLength;
      } else if (st.isSymbolicLink()) {
        fs.addSymlink(g, nameFromHost(readlinkSync(h)));
        report.symlinks++;
      } else report.skipped.push(h);
    } catch (e) {
      if (e instanceof Error && "code" in e) report.skipped.push(h);
      else throw e;
    }
  }
}
