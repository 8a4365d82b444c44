/**
 * File descriptor tables: descriptor numbers to open files, with the
 * close-on-exec flag per descriptor. Threads made with `CLONE_FILES` share
 * one table; `fork` copies it (the copies share the open files).
 *
 * Linux counterpart: `struct files_struct` (`fs/file.c`: `alloc_fd`,
 * `close_fd`, `dup_fd`, `do_close_on_exec`).
 *
 * @module
 */

import type { OpenFile } from "../fs/open-file.js";

/** Default and hard limit of open descriptors (`RLIMIT_NOFILE`). */
export const NOFILE_DEFAULT = 1024;
export const NOFILE_MAX = 4096;

interface Slot {
  readonly file: OpenFile;
  cloexec: boolean;
}

/**
 * A process's descriptor table.
 *
 * Linux counterpart: `struct files_struct`.
 */
export class FdTable {
  readonly #slots: Array<Slot | undefined> = [];
  /** Processes or threads sharing the table (`CLONE_FILES`). */
  users = 1;

  /** The open file of `fd`, if open. */
  get(fd: number): OpenFile | undefined {
    return this.#slots[fd]?.file;
  }

  /** Whether `fd` has close-on-exec set (false when closed). */
  cloexec(fd: number): boolean {
    return this.#slots[fd]?.cloexec === true;
  }

  /** Sets or clears close-on-exec of an open `fd`. */
  setCloexec(fd: number, on: boolean): void {
    const s = this.#slots[fd];
    if (s !== undefined) s.cloexec = on;
  }

  /**
   * Installs `file` (taking over one reference) at the lowest free
   * descriptor ≥ `min` below `limit`; returns it, or -1 when none is free
   * (the reference is then dropped).
   *
   * Linux counterpart: `alloc_fd` + `fd_install`.
   */
  install(file: OpenFile, cloexec: boolean, limit: number, min = 0): number {
    for (let fd = min; fd < limit; fd++) {
      if (this.#slots[fd] === undefined) {
        this.#slots[fd] = { file, cloexec };
        return fd;
      }
    }
    file.unref();
    return -1;
  }

  /** Installs `file` (taking over one reference) at exactly `fd`, closing what was there. Linux counterpart: `do_dup2`. */
  installAt(fd: number, file: OpenFile, cloexec: boolean): void {
    const old = this.#slots[fd];
    this.#slots[fd] = { file, cloexec };
    old?.file.unref();
  }

  /** Closes `fd`; false when it was not open. Linux counterpart: `close_fd`. */
  close(fd: number): boolean {
    const s = this.#slots[fd];
    if (s === undefined) return false;
    this.#slots[fd] = undefined;
    s.file.unref();
    return true;
  }

  /** A copy for a child (`fork`): same open files, same flags. Linux counterpart: `dup_fd`. */
  fork(): FdTable {
    const t = new FdTable();
    this.#slots.forEach((s, fd) => {
      if (s !== undefined) t.#slots[fd] = { file: s.file.ref(), cloexec: s.cloexec };
    });
    return t;
  }

  /** Closes every close-on-exec descriptor. Linux counterpart: `do_close_on_exec`. */
  closeOnExec(): void {
    this.#slots.forEach((s, fd) => {
      if (s?.cloexec === true) this.close(fd);
    });
  }

  /** Closes everything (process exit). */
  closeAll(): void {
    this.#slots.forEach((s, fd) => {
      if (s !== undefined) this.close(fd);
    });
  }

  /** The open descriptors, ascending. */
  entries(): Array<[number, OpenFile]> {
    const out: Array<[number, OpenFile]> = [];
    this.#slots.forEach((s, fd) => {
      if (s !== undefined) out.push([fd, s.file]);
    });
    return out;
  }
}
