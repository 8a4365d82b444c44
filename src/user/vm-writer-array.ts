/**
 * `VmWriterArray`: the writers of an I/O vector, written as one stream.
 *
 * @module
 */

import { invalidType } from "../base/contract.js";
import { checkIndex } from "../base/validate.js";
import type { GuestSpace } from "../guest/guest-space.js";
import type { Fallibility, Fallible } from "../io/fallibility.js";
import { VmReader } from "../io/vm-reader.js";
import { VmWriter, newWriter } from "../io/vm-writer.js";
import { skipCursors, withTotal } from "./cursor-array.js";
import { importIovecs, type Iovec32, type Iovec64 } from "./iovec.js";
import type { UserMemory } from "./user-memory.js";

/**
 * Fallible writers over the buffers of an I/O vector (`readv`, WASI
 * `fd_read`), filled one after the other as a single stream.
 *
 * OSTD counterpart: Asterinas' `VmWriterArray` and its `MultiWrite`
 * (`kernel/src/util/iovec.rs`).
 */
export class VmWriterArray {
  readonly #writers: VmWriter<Fallible>[];

  private constructor(writers: VmWriter<Fallible>[]) {
    this.#writers = writers;
  }

  /**
   * The writers of the `count` buffers described by the I/O vector at
   * `iovPtr` in `mem`, checked as {@link VmReaderArray.fromIovecs} checks them.
   *
   * Linux counterpart: `import_iovec`; Asterinas: `VmWriterArray::from_user_io_vecs`.
   *
   * @throws {VmError} as {@link VmReaderArray.fromIovecs}.
   * @throws {TypeError | RangeError} as {@link VmReaderArray.fromIovecs}.
   */
  static fromIovecs(mem: UserMemory, iovPtr: number, count: number, layout: typeof Iovec32 | typeof Iovec64): VmWriterArray {
    return new VmWriterArray(importIovecs(mem, iovPtr, count, layout, makeWriter));
  }

  /**
   * The writers, in order; writing through one advances the array.
   *
   * Asterinas counterpart: `VmWriterArray::writers_mut`.
   */
  writers(): readonly VmWriter<Fallible>[] {
    return this.#writers;
  }

  /**
   * Bytes of room left, over all writers.
   *
   * Asterinas counterpart: `MultiWrite::sum_lens`.
   */
  sumLens(): number {
    const writers = this.#writers;
    let sum = 0;
    for (let i = 0; i < writers.length; i++) sum += (writers[i] as VmWriter<Fallible>).avail();
    return sum;
  }

  /**
   * Copies `min(sumLens(), r.remain())` bytes from `r`, writer after writer,
   * stopping at the first byte that faults. The writers and `r` advance by
   * the bytes copied, which are returned.
   *
   * Asterinas counterpart: `MultiWrite::write`.
   *
   * @throws {VmError} `PageFault` with `copied` = the bytes copied over all
   *   writers before the fault (everything has advanced by that).
   * @throws {TypeError} `r` is not a reader, or memory was freed or detached.
   */
  writeFallible(r: VmReader<Fallibility>): number {
    if (!(r instanceof VmReader)) invalidType("r", "a VmReader", r);
    const writers = this.#writers;
    let total = 0;
    for (let i = 0; i < writers.length && r.hasRemain(); i++) {
      try {
        total += (writers[i] as VmWriter<Fallible>).writeFallible(r);
      } catch (e) {
        throw withTotal(e, total);
      }
    }
    return total;
  }

  /**
   * Advances past `n` bytes without writing them.
   *
   * Asterinas counterpart: `MultiWrite::skip_some` (which stops at the end).
   *
   * @throws {TypeError | RangeError} `n` is not a non-negative safe integer.
   * @throws {RangeError} `n > sumLens()`.
   */
  skip(n: number): this {
    checkIndex(n, "n");
    skipCursors(this.#writers, n, this.sumLens(), availOf);
    return this;
  }
}

function makeWriter(mem: UserMemory, guest: GuestSpace | null, base: number, len: number): VmWriter<Fallible> {
  return guest !== null ? newWriter<Fallible>(null, null, guest, null, base, base + len, true) : mem.writer(base, len);
}

function availOf(w: VmWriter<Fallible>): number {
  return w.avail();
}
