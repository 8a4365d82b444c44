/**
 * The streams behind fds 0, 1 and 2.
 *
 * A stream is what `WASI`'s `stdin`/`stdout`/`stderr` options turn into:
 * bytes to read, a function to hand output to, or (Node entry only) a host
 * file descriptor (`node-stdio.ts`). Nothing here imports Node.
 *
 * @module
 */

import { Errno } from "./abi.js";
import { ByteSlab, Scratch } from "./byte-slab.js";
import { FsError } from "./fs/file-system.js";
import type { VmReaderArray } from "../user/vm-reader-array.js";

/** One of the guest's standard streams. */
export interface StdioStream {
  /** Reads into `into`; 0 at the end. `BADF` on an output stream. */
  read(into: Uint8Array): number;
  /**
   * Copies a write's bytes (all `n` of them) out of the guest's buffers into
   * memory of the stream's choosing (`byte-slab.ts`): kept by a sink, reused
   * by the others. `BADF` on an input stream.
   */
  gather(bufs: VmReaderArray, n: number): Uint8Array;
  /** Writes all of `data` (from `gather`). `BADF` on an input stream. */
  write(data: Uint8Array): number;
  /** Bytes a read would return now without waiting, for `poll_oneoff`; undefined when the stream cannot tell. */
  readable(): number | undefined;
  /** Hands on anything buffered (at exit). */
  flush(): void;
}

/** stdin from bytes given up front. */
export class BytesInput implements StdioStream {
  readonly #bytes: Uint8Array;
  #position = 0;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes.slice();
  }
  read(into: Uint8Array): number {
    const n = Math.min(into.length, this.#bytes.length - this.#position);
    into.set(this.#bytes.subarray(this.#position, this.#position + n));
    this.#position += n;
    return n;
  }
  gather(_bufs: VmReaderArray, _n: number): Uint8Array {
    throw new FsError(Errno.BADF);
  }
  write(_data: Uint8Array): number {
    throw new FsError(Errno.BADF);
  }
  readable(): number {
    return this.#bytes.length - this.#position;
  }
  flush(): void {}
}

/** stdout or stderr handed to a user function, one call per `fd_write`. */
export class SinkOutput implements StdioStream {
  readonly #sink: (bytes: Uint8Array) => void;
  readonly #slab = new ByteSlab();
  constructor(sink: (bytes: Uint8Array) => void) {
    this.#sink = sink;
  }
  /** Into a range no other write will use: the sink may keep what it is handed. */
  gather(bufs: VmReaderArray, n: number): Uint8Array {
    return this.#slab.gather(bufs, n);
  }
  read(_into: Uint8Array): number {
    throw new FsError(Errno.BADF);
  }
  write(data: Uint8Array): number {
    this.#sink(data);
    return data.length;
  }
  readable(): number {
    return 0;
  }
  flush(): void {}
}

/**
 * stdout or stderr to the console (the default outside Node): whole lines
 * go to `console.log`/`console.error`; a last line without a newline is
 * printed at exit, not lost.
 */
export class ConsoleOutput implements StdioStream {
  readonly #print: (line: string) => void;
  readonly #decoder = new TextDecoder();
  readonly #scratch = new Scratch();
  #pending = "";
  constructor(print: (line: string) => void) {
    this.#print = print;
  }
  gather(bufs: VmReaderArray, n: number): Uint8Array {
    return this.#scratch.gather(bufs, n);
  }
  read(_into: Uint8Array): number {
    throw new FsError(Errno.BADF);
  }
  write(data: Uint8Array): number {
    const text = this.#pending + this.#decoder.decode(data, { stream: true });
    const end = text.lastIndexOf("\n");
    if (end < 0) {
      this.#pending = text;
    } else {
      this.#pending = text.slice(end + 1);
      for (const line of text.slice(0, end).split("\n")) this.#print(line);
    }
    return data.length;
  }
  readable(): number {
    return 0;
  }
  flush(): void {
    const rest = this.#pending + this.#decoder.decode();
    this.#pending = "";
    if (rest.length > 0) this.#print(rest);
  }
}
