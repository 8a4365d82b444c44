/**
 * What `VmReaderArray` and `VmWriterArray` share: the buffers of an I/O
 * vector, walked as one stream.
 *
 * A host call usually imports an I/O vector, moves its bytes once and drops
 * it. Making a reader object per buffer for that costs more than the copy
 * itself (bench/guest.bench.ts), so while every buffer lies in one memory
 * space (guest memory, a `VmSpace`) an array keeps only flat `[pos, end)`
 * pairs and copies through the copy engine directly. Reader or writer
 * objects are made the first time someone asks for them (`readers()`,
 * `writers()`); from then on they hold the state and the pairs are unused.
 * User memory of another kind hands out its cursors from the start.
 *
 * Each function takes the array's state: `cursors` (null until made) and
 * the pairs, in `space`.
 *
 * @module
 */

import { contractViolation } from "../base/contract.js";
import { raiseFault } from "../io/access-errors.js";
import type { Fallible } from "../io/fallibility.js";
import { readerAccess, writerAccess } from "../io/memory-cursor.js";
import type { MemorySpace } from "../io/memory-space.js";
import { VmError } from "../io/vm-error.js";
import { newReader, type VmReader } from "../io/vm-reader.js";
import { newWriter, type VmWriter } from "../io/vm-writer.js";
import type { UserMemory } from "./user-memory.js";

/** A reader (of a `VmReaderArray`) or a writer (of a `VmWriterArray`). */
type Cursor = VmReader<Fallible> | VmWriter<Fallible>;

/**
 * Cursors over the pairs in `space`: writers when `write`, else readers.
 *
 * @internal
 */
export function spaceCursors<C extends Cursor>(space: MemorySpace, ranges: readonly number[], write: boolean): C[] {
  const make = write ? newWriter : newReader;
  const cursors: C[] = [];
  for (let i = 0; i < ranges.length; i += 2) cursors.push(make<Fallible>(null, null, space, null, ranges[i] as number, ranges[i + 1] as number, true) as C);
  return cursors;
}

/**
 * Cursors over the pairs made by `mem` itself (user memory with no space).
 *
 * @internal
 */
export function userCursors<C extends Cursor>(mem: UserMemory, ranges: readonly number[], write: boolean): C[] {
  const cursors: C[] = [];
  for (let i = 0; i < ranges.length; i += 2) {
    const base = ranges[i] as number;
    const len = (ranges[i + 1] as number) - base;
    cursors.push((write ? mem.writer(base, len) : mem.reader(base, len)) as C);
  }
  return cursors;
}

/**
 * Bytes left over all buffers.
 *
 * @internal
 */
export function sumLens(cursors: readonly Cursor[] | null, ranges: readonly number[]): number {
  let sum = 0;
  if (cursors !== null) {
    for (let i = 0; i < cursors.length; i++) sum += left(cursors[i] as Cursor);
  } else {
    for (let i = 0; i < ranges.length; i += 2) sum += (ranges[i + 1] as number) - (ranges[i] as number);
  }
  return sum;
}

/**
 * Copies between the buffers, front to back, and `other` — the writer a
 * reader array reads into, or (`write`) the reader a writer array writes
 * from — until one side is exhausted or a byte faults. Everything advances
 * by the bytes copied; returns them.
 *
 * @throws {VmError} `PageFault` with `copied` over the whole vector; a
 *   fault handler's exception as it is.
 * @internal
 */
export function copyBuffers(
  space: MemorySpace | null,
  ranges: number[],
  cursors: readonly Cursor[] | null,
  other: object,
  write: boolean,
): number {
  if (cursors !== null) return copyCursors(cursors, other, write);
  // `other` is the reader a writer array writes from, or the writer a reader array reads into.
  const access = write ? readerAccess : writerAccess;
  let total = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    const avail = access.left(other);
    if (avail === 0) break;
    const pos = ranges[i] as number;
    const n = Math.min((ranges[i + 1] as number) - pos, avail);
    if (n === 0) continue;
    const done = access.exchange(other, null, space, null, pos, n);
    const copied = typeof done === "number" ? done : done.copied;
    ranges[i] = pos + copied;
    total += copied;
    if (typeof done !== "number") raiseFault(done.after(total));
  }
  return total;
}

/** Bytes left in a reader or writer. */
function left(c: object): number {
  return readerAccess.is(c) ? readerAccess.left(c) : writerAccess.left(c);
}

function copyCursors(cursors: readonly Cursor[], other: object, write: boolean): number {
  let total = 0;
  for (let i = 0; i < cursors.length && left(other) > 0; i++) {
    try {
      total += write
        ? (cursors[i] as VmWriter<Fallible>).writeFallible(other as unknown as VmReader<Fallible>)
        : (cursors[i] as VmReader<Fallible>).readFallible(other as unknown as VmWriter<Fallible>);
    } catch (e) {
      throw withTotal(e, total);
    }
  }
  return total;
}

/**
 * The exception to rethrow when a copy through one cursor of an array
 * failed after `total` bytes had been copied through the ones before it: a
 * fault's `copied` then counts the whole array; anything else (a fault
 * handler's own exception) passes as it is.
 */
function withTotal(e: unknown, total: number): unknown {
  if (!(e instanceof VmError) || total === 0) return e;
  return new VmError(e.code, `${e.message}; ${total + e.copied} bytes completed over the whole I/O vector`, total + e.copied);
}

/**
 * Skips `n` bytes of the buffers, front to back.
 *
 * @throws {RangeError} `n > sumLens`.
 * @internal
 */
export function skipBuffers(cursors: readonly Cursor[] | null, ranges: number[], n: number): void {
  const sum = sumLens(cursors, ranges);
  if (n > sum) contractViolation(`cannot skip ${n} bytes: only ${sum} are left in the I/O vector`);
  for (let i = 0; n > 0; i++) {
    if (cursors !== null) {
      const c = cursors[i] as Cursor;
      const step = Math.min(left(c), n);
      c.skip(step);
      n -= step;
    } else {
      const pos = ranges[2 * i] as number;
      const step = Math.min((ranges[2 * i + 1] as number) - pos, n);
      ranges[2 * i] = pos + step;
      n -= step;
    }
  }
}
