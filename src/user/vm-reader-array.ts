/**
 * `VmReaderArray`: the readers of an I/O vector, read as one stream.
 *
 * @module
 */

import { contractViolation, invalidType } from "../base/contract.js";
import { GuestSpace } from "../guest/guest-space.js";
import { checkIndex } from "../base/validate.js";
import type { Fallibility, Fallible } from "../io/fallibility.js";
import { writerAccess } from "../io/memory-cursor.js";
import type { MemorySpace } from "../io/memory-space.js";
import type { VmReader } from "../io/vm-reader.js";
import { VmWriter } from "../io/vm-writer.js";
import { copyBuffers, skipBuffers, spaceCursors, sumLens, userCursors } from "./cursor-array.js";
import { iovecRanges, spaceOf, type Iovec32, type Iovec64 } from "./iovec.js";
import type { UserMemory } from "./user-memory.js";

/**
 * `VmWriter.prototype.skip` as vmio loaded it: the gather's writer advances
 * by its own method, never by one a user put on the object or the prototype.
 */
const writerSkip = VmWriter.prototype.skip;

/**
 * Fallible readers over the buffers of an I/O vector (`writev`, WASI
 * `fd_write`), read one after the other as a single stream.
 *
 * OSTD counterpart: Asterinas' `VmReaderArray` and its `MultiRead`
 * (`kernel/src/util/iovec.rs`).
 */
export class VmReaderArray {
  /** The space all buffers lie in, or null (see cursor-array.ts). */
  readonly #space: MemorySpace | null;
  /** `[pos, end)` of each buffer while the readers are not made. */
  readonly #ranges: number[];
  /** The readers, once made. */
  #readers: VmReader<Fallible>[] | null;

  private constructor(space: MemorySpace | null, ranges: number[], readers: VmReader<Fallible>[] | null) {
    this.#space = space;
    this.#ranges = ranges;
    this.#readers = readers;
  }

  /**
   * The readers of the `count` buffers described by the I/O vector at
   * `iovPtr` in `mem`. Every buffer is checked against the memory's bounds
   * first (`GuestMemory`: its current size; `VmSpace`:
   * `MAX_USERSPACE_VADDR`); empty buffers are left out; the total is capped
   * at `MAX_RW_COUNT`.
   *
   * Linux counterpart: `import_iovec`; Asterinas: `VmReaderArray::from_user_io_vecs`.
   *
   * @throws {VmError} `InvalidArgs` when `count` is negative or above
   *   `IOV_MAX` (1024), or a 64-bit length is negative; `PageFault` when
   *   the array or a buffer is outside memory (or the array faults).
   * @throws {TypeError | RangeError} `mem`, `layout` or `count` is malformed,
   *   or `iovPtr` is not an address of `mem`.
   */
  static fromIovecs(mem: UserMemory, iovPtr: number, count: number, layout: typeof Iovec32 | typeof Iovec64): VmReaderArray {
    const ranges = iovecRanges(mem, iovPtr, count, layout);
    const space = spaceOf(mem);
    return new VmReaderArray(space, ranges, space === null ? userCursors(mem, ranges, false) : null);
  }

  /**
   * The readers, in order; reading through one advances the array. They
   * are made on the first call (until then the array keeps only the
   * buffers' bounds). Never holds an empty buffer's reader (a reader may
   * become empty by reading).
   *
   * Asterinas counterpart: `VmReaderArray::readers_mut`.
   */
  readers(): readonly VmReader<Fallible>[] {
    return (this.#readers ??= spaceCursors(this.#space as MemorySpace, this.#ranges, false));
  }

  /**
   * Bytes left to read, over all readers.
   *
   * Asterinas counterpart: `MultiRead::sum_lens`.
   */
  sumLens(): number {
    return sumLens(this.#readers, this.#ranges);
  }

  /**
   * Copies `min(sumLens(), w.avail())` bytes into `w`, reader after reader,
   * stopping at the first byte that faults. The readers and `w` advance by
   * the bytes copied, which are returned.
   *
   * Asterinas counterpart: `MultiRead::read`.
   *
   * @throws {VmError} `PageFault` with `copied` = the bytes copied over all
   *   readers before the fault (everything has advanced by that).
   * @throws {TypeError} `w` is not a writer, or memory was freed or detached.
   */
  readFallible(w: VmWriter<Fallibility>): number {
    if (!(w instanceof VmWriter)) invalidType("w", "a VmWriter", w);
    const ranges = this.#ranges;
    const space = this.#space;
    if (this.#readers === null && space instanceof GuestSpace) {
      // A host's gather out of guest memory into its own bytes
      // (`readFallible(VmWriter.from(out))`) with room for all of it: one
      // held `set` per buffer ({@link GuestSpace.copyRanges}). Through the
      // copy engine each buffer cost a call with nine arguments, the direct
      // side's view cache and the `probe` — about a fifth of a 4 × 64 B
      // gather. A writer over leased memory (frames), or with less room,
      // or a buffer no longer inside memory: the engine, as before.
      const at = writerAccess.location(w);
      const bytes = at.bytes;
      const n = sumLens(null, ranges);
      if (bytes !== null && at.lease === null && n <= writerAccess.left(w) && at.pos + n <= bytes.length && space.copyRanges(ranges, bytes, at.pos)) {
        writerSkip.call(w, n);
        return n;
      }
    }
    return copyBuffers(space, ranges, this.#readers, w, false);
  }

  /**
   * Copies all the bytes left (`sumLens()` of them) into `into` from `at`,
   * which must have room for them, and advances past them: what a host
   * that gathers a write into its own array (WASI `fd_write`) asks for.
   * Over guest memory that the buffers are still inside of, one plain copy
   * per buffer ({@link GuestSpace.copyRanges}); otherwise
   * {@link VmReaderArray.readFallible} into a writer over that part of `into`.
   *
   * @throws {VmError} `PageFault` as {@link VmReaderArray.readFallible}.
   * @throws {RangeError} `into` has fewer than `sumLens()` bytes from `at`.
   * @internal
   */
  _readAllInto(into: Uint8Array, at: number): void {
    const ranges = this.#ranges;
    const n = sumLens(this.#readers, ranges);
    if (!(at >= 0 && at + n <= into.length)) contractViolation(`${n} bytes do not fit at ${at} in ${into.length}`);
    const space = this.#space;
    if (this.#readers === null && space instanceof GuestSpace && space.copyRanges(ranges, into, at)) return;
    this.readFallible(VmWriter.from(into.subarray(at, at + n)));
  }

  /**
   * Advances past `n` bytes without reading them.
   *
   * Asterinas counterpart: `MultiRead::skip_some` (which stops at the end).
   *
   * @throws {TypeError | RangeError} `n` is not a non-negative safe integer.
   * @throws {RangeError} `n > sumLens()`.
   */
  skip(n: number): this {
    checkIndex(n, "n");
    skipBuffers(this.#readers, this.#ranges, n);
    return this;
  }
}
