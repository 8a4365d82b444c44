/**
 * The host process's standard streams as the kernel's (Node only): writes
 * go out synchronously and whole (so stdout and stderr interleave as the
 * guest wrote them); stdin is read only when the guest asks for it.
 *
 * @module
 */

import { read, writeSync } from "node:fs";
import { isatty } from "node:tty";

/** Writes all of `bytes` to host descriptor `fd`, retrying short and would-block writes. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") continue;
      if ((e as NodeJS.ErrnoException).code === "EPIPE") return;
      throw e;
    }
  }
}

/** Whether host descriptor `fd` is a terminal. */
export function isTerminal(fd: number): boolean {
  return isatty(fd);
}

/**
 * A reader of host stdin that delivers chunks on demand: `want()` starts one
 * read (if none is running); `onData`/`onEnd` receive the result.
 */
export class StdinReader {
  #busy = false;
  #ended = false;
  readonly #onData: (bytes: Uint8Array) => void;
  readonly #onEnd: () => void;

  constructor(onData: (bytes: Uint8Array) => void, onEnd: () => void) {
    this.#onData = onData;
    this.#onEnd = onEnd;
  }

  /** Reads the next chunk of host stdin. */
  want(): void {
    if (this.#busy || this.#ended) return;
    this.#busy = true;
    const buf = new Uint8Array(65536);
    read(0, buf, 0, buf.length, null, (err, n) => {
      this.#busy = false;
      if (err !== null && err.code === "EAGAIN") {
        setTimeout(() => this.want(), 10);
        return;
      }
      if (err !== null || n === 0) {
        this.#ended = true;
        this.#onEnd();
        return;
      }
      this.#onData(buf.subarray(0, n));
    });
  }
}
