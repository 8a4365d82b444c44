/**
 * An open directory: `getdents64` positions and `lseek` back to the start.
 *
 * Positions are indices into the listing `.`, `..`, then the entries in
 * order; a listing is taken afresh at each call, so entries added or removed
 * between calls are seen or skipped as on Linux's ramfs (no entry is listed
 * twice unless it was removed and re-added).
 *
 * Linux counterpart: `dcache_readdir` (`simple_dir_operations`).
 *
 * @module
 */

import { Errno } from "../abi/errno.js";
import { SEEK_CUR, SEEK_SET } from "../abi/fcntl.js";
import { DT_DIR, dtypeOf } from "../abi/stat.js";
import type { Directory } from "./inode.js";
import type { ByteSink, IoContext } from "./io.js";
import { OpenFile, type DirEntry } from "./open-file.js";

/**
 * An open directory.
 *
 * Linux counterpart: `struct file` of a directory.
 */
export class DirectoryOpenFile extends OpenFile {
  declare readonly inode: Directory;

  constructor(inode: Directory, flags: number) {
    super(inode, flags);
  }

  override read(_sink: ByteSink, _ctx: IoContext): number {
    return -Errno.EISDIR;
  }

  override readAt(_sink: ByteSink, _pos: number): number {
    return -Errno.EISDIR;
  }

  override entries(pos: number, ctx: unknown): DirEntry[] {
    const dir = this.inode;
    const all: DirEntry[] = [
      { ino: dir.ino, next: 1, type: DT_DIR, name: "." },
      { ino: dir.parent.ino, next: 2, type: DT_DIR, name: ".." },
    ];
    for (const [name, inode] of dir.list(ctx)) all.push({ ino: inode.ino, next: all.length + 1, type: dtypeOf(inode.mode), name });
    return all.slice(pos);
  }

  override seek(offset: number, whence: number): number {
    const next = whence === SEEK_SET ? offset : whence === SEEK_CUR ? this.pos + offset : -1;
    if (next < 0) return -Errno.EINVAL;
    this.pos = next;
    return next;
  }
}
