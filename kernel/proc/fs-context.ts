/**
 * A process's file-system context: root, current directory and umask.
 * Threads made with `CLONE_FS` share one; `fork` copies it.
 *
 * Linux counterpart: `struct fs_struct`.
 *
 * @module
 */

import type { Directory } from "../fs/inode.js";

/**
 * Root, current directory, umask.
 *
 * Linux counterpart: `struct fs_struct` (`fs/fs_struct.c`).
 */
export class FsContext {
  root: Directory;
  cwd: Directory;
  umask: number;
  /** Processes or threads sharing it (`CLONE_FS`). */
  users = 1;

  constructor(root: Directory, cwd: Directory, umask = 0o022) {
    this.root = root;
    this.cwd = cwd;
    this.umask = umask;
  }

  /** A copy for a child. Linux counterpart: `copy_fs_struct`. */
  fork(): FsContext {
    return new FsContext(this.root, this.cwd, this.umask);
  }
}
