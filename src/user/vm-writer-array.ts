/**
 * `VmWriterArray`: the writers of an I/O vector, written as one stream.
 *
 * @module
 */

import { contractViolation, invalidType } from "../base/contract.js";
import { GuestSpace } from "../guest/guest-space.js";
import { checkIndex } from "../base/validate.js";
import type { Fallibility, Fallible } from "../io/fallibility.js";
import type { MemorySpace } from "../io/memory-space.js";
import { VmReader } from "../io/vm-reader.js";
import type { VmWriter } from "../io/vm-writer.js";
import { copyBuffers, skipBuffers, spaceCursors, sumLens, userCursors } from "./cursor-array.js";
import { iovecRanges, spaceOf, type Iovec32, type Iovec64 } from "./iovec.js";
import type { UserMemory } from "./user-memory.js";

/**
 * Fallible writers over the buffers of an I/O vector (`readv`, WASI
 * `fd_read`), filled one after the other as a single stream.
 *
 * OSTD counterpart: Asterinas' `VmWriterArray` and its `MultiWrite`
 * (`kernel/src/util/iovec.rs`).
 */
export class VmWriterArray {
  /** The space all buffers lie in, or null (see cursor-array.ts). */
  readonly #space: MemorySpace | null;
  /** `[pos, end)` of each buffer while the writers are not made. */
  readonly #ranges: number[];
  /** The writers, once made. */
  #writers: VmWriter<Fallible>[] | null;

  private constructor(space: MemorySpace | null, ranges: number[], writers: VmWriter<Fallible>[] | null) {
    this.#space = space;
    this.#ranges = ranges;
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
    const ranges = iovecRanges(mem, iovPtr, count, layout);
    const space = spaceOf(mem);
    return new VmWriterArray(space, ranges, space === null ? userCursors(mem, ranges, true) : null);
  }

  /**
   * The writers, in order; writing through one advances the array. They
   * are made on the first call (until then the array keeps only the
   * buffers' bounds). Never holds an empty buffer's writer.
   *
   * Asterinas counterpart: `VmWriterArray::writers_mut`.
   */
  writers(): readonly VmWriter<Fallible>[] {
    return (this.#writers ??= spaceCursors(this.#space as MemorySpace, this.#ranges, true));
  }

  /**
   * Bytes of room left, over all writers.
   *
   * Asterinas counterpart: `MultiWrite::sum_lens`.
   */
  sumLens(): number {
    return sumLens(this.#writers, this.#ranges);
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
    return copyBuffers(this.#space, this.#ranges, this.#writers, r, true);
  }

  /**
   * Copies the first `n` bytes of `from` into the writers, as
   * `writeFallible(VmReader.from(from).limit(n))` would, and advances them.
   * Over guest memory, with no writer made yet, it is one held `set` per
   * buffer (`GuestSpace.scatterRanges`); otherwise, or when a buffer is no
   * longer inside memory, the copy engine copies, stopping at the first
   * byte that faults.
   *
   * @throws {VmError} `PageFault` as {@link VmWriterArray.writeFallible}.
   * @throws {RangeError} `n` is more than `sumLens()` or `from.length`.
   * @internal
   */
  _writeFrom(from: Uint8Array, n: number): void {
    const ranges = this.#ranges;
    if (!(n >= 0 && n <= from.length && n <= sumLens(this.#writers, ranges))) contractViolation(`${n} bytes do not fit`);
    const space = this.#space;
    if (this.#writers === null && space instanceof GuestSpace && space.scatterRanges(ranges, from, n)) return;
    this.writeFallible(VmReader.from(from).limit(n));
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
    skipBuffers(this.#writers, this.#ranges, n);
    return this;
  }
}
