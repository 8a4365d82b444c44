/**
 * stdin, stdout and stderr over host file descriptors (Node entry only).
 *
 * @module
 */

import * as fs from "node:fs";
import { Errno } from "./abi.js";
import { Scratch } from "./byte-slab.js";
import { FsError } from "./fs/file-system.js";
import { hostError } from "./fs/host-fs.js";
import type { StdioStream } from "./stdio.js";
import type { VmReaderArray } from "../user/vm-reader-array.js";

/** A host fd as one of the guest's standard streams. */
export class HostFdStream implements StdioStream {
  readonly #fd: number;
  readonly #input: boolean;
  readonly #scratch = new Scratch();
  constructor(fd: number, input: boolean) {
    this.#fd = fd;
    this.#input = input;
  }
  gather(bufs: VmReaderArray, n: number): Uint8Array {
    if (this.#input) throw new FsError(Errno.BADF);
    return this.#scratch.gather(bufs, n);
  }
  read(into: Uint8Array): number {
    if (!this.#input) throw new FsError(Errno.BADF);
    for (;;) {
      try {
        return fs.readSync(this.#fd, into, 0, into.length, null);
      } catch (e) {
        const err = hostError(e);
        if (err.errno === Errno.AGAIN) continue; // a non-blocking stdin: the guest's read is blocking
        if (err.errno === Errno.NOSYS || (e as { code?: string }).code === "EOF") return 0;
        throw err;
      }
    }
  }
  write(data: Uint8Array): number {
    if (this.#input) throw new FsError(Errno.BADF);
    let done = 0;
    while (done < data.length) {
      try {
        done += fs.writeSync(this.#fd, data, done, data.length - done);
      } catch (e) {
        const err = hostError(e);
        if (err.errno !== Errno.AGAIN) throw err; // a non-blocking pipe that is full: try again
      }
    }
    return done;
  }
  readable(): undefined {
    return undefined; // a host fd: whatever a read would find is not known without reading
  }
  flush(): void {}
}
