/**
 * The guest's file descriptors: what each number refers to, with its rights
 * and flags (WASI preview1's capability model).
 *
 * An fd's `base` rights say what it may be used for; its `inheriting` rights
 * cap what is opened through it. Rights only ever shrink: `path_open` gives
 * the new fd the rights it asked for cut down to the directory's inheriting
 * rights and to what its kind can hold, and `fd_fdstat_set_rights` refuses
 * to add any (as wasi-common did; wasmtime's preview2 adapter dropped
 * rights altogether).
 *
 * @module
 */

import { Errno } from "./abi.js";
import { FsError, type FsDir, type FsFile } from "./fs/file-system.js";
import type { StdioStream } from "./stdio.js";

/** An open regular file: the backend's handle and this fd's offset. */
export interface FileDescriptor {
  readonly kind: "file";
  readonly file: FsFile;
  position: number;
  base: number;
  inheriting: number;
  fdflags: number;
}

/** An open directory; `preopen` is its guest name when it was preopened (UTF-8). */
export interface DirDescriptor {
  readonly kind: "dir";
  readonly dir: FsDir;
  readonly preopen: Uint8Array | undefined;
  base: number;
  inheriting: number;
  fdflags: number;
}

/** stdin, stdout or stderr. */
export interface StdioDescriptor {
  readonly kind: "stdio";
  readonly stream: StdioStream;
  base: number;
  inheriting: number;
  fdflags: number;
}

/** Anything an fd can refer to. */
export type Descriptor = FileDescriptor | DirDescriptor | StdioDescriptor;

/** Most fds open at once (Linux's default `RLIMIT_NOFILE`); more is `MFILE`. */
const MAX_FDS = 1024;

/** fd number → descriptor; new fds take the lowest free number, as POSIX `open` does. */
export class FdTable {
  readonly #fds: (Descriptor | undefined)[] = [];
  #open = 0;

  /** The descriptor at `fd`, or undefined (the caller answers `BADF`). */
  get(fd: number): Descriptor | undefined {
    return this.#fds[fd];
  }

  /** Whether no further fd can be opened. */
  full(): boolean {
    return this.#open >= MAX_FDS;
  }

  /** Puts `d` at the lowest free number. */
  add(d: Descriptor): number {
    if (this.#open >= MAX_FDS) throw new FsError(Errno.MFILE);
    let fd = this.#fds.indexOf(undefined);
    if (fd < 0) fd = this.#fds.length;
    this.#fds[fd] = d;
    this.#open++;
    return fd;
  }

  /** Removes `fd` and returns what it held. */
  remove(fd: number): Descriptor | undefined {
    const d = this.#fds[fd];
    if (d === undefined) return undefined;
    this.#fds[fd] = undefined;
    this.#open--;
    while (this.#fds.length > 0 && this.#fds[this.#fds.length - 1] === undefined) this.#fds.pop();
    return d;
  }

  /** Moves `from` onto `to` (closing what `to` held); both must be open. */
  renumber(from: number, to: number): Descriptor | undefined {
    const d = this.#fds[from];
    const old = this.#fds[to];
    if (d === undefined || old === undefined) throw new FsError(Errno.BADF);
    if (from === to) return undefined;
    this.#fds[to] = d;
    this.remove(from);
    return old;
  }

  /** Every open descriptor (to close them all at exit). */
  all(): Descriptor[] {
    return this.#fds.filter((d): d is Descriptor => d !== undefined);
  }
}
