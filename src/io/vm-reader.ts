/**
 * `VmReader`: a cursor for reading one contiguous range of memory.
 *
 * Safety contract (OSTD's, carried over): a reader only ever touches the
 * bytes between its cursor and its end. Over typed memory and live frames it
 * is `Infallible`; over user memory it is `Fallible` and any byte may fault.
 * A reader borrows the memory it reads: once the frames or the address space
 * it was made from are disposed, its next access throws a `TypeError`
 * instead of reading memory that may belong to someone else.
 *
 * @module
 */

import { contractViolation, invalidType } from "../base/contract.js";
import { bytesOf } from "../base/buffers.js";
import { checkIndex, checkView } from "../base/validate.js";
import { descriptorOf, notPodType, type PodDescriptor, type PodOnceType, type PodType } from "../pod/pod-type.js";
import { u32 } from "../pod/scalars.js";
import { atomicLoad as sharedLoad } from "./atomic-access.js";
import { faultedSpace, memcpyFallible } from "./copy.js";
import type { Fallibility, Fallible, Infallible } from "./fallibility.js";
import { NO_VIEW, dataViewOf, directIndex, leaseExpired, type Lease, type MemoryCursor } from "./memory-cursor.js";
import type { MemorySpace } from "./memory-space.js";
import { checkAligned, insufficient, raiseFault, requireInfallible, requireOnce } from "./access-errors.js";
import { VmWriter, newWriter } from "./vm-writer.js";

declare const readerKind: unique symbol;

// Declared before the class: a `const` read before its declaration point
// would need a TDZ check on every access in the hot path.
const NONE = NO_VIEW;

/**
 * Reads a contiguous range of memory: typed memory, frames, or user space.
 *
 * `F` is {@link Fallible} (the default) or {@link Infallible}; the
 * infallible-only methods (`read`, `readOnce`) do not type-check on a
 * fallible reader, and throw a `TypeError` if called on one from plain JS.
 *
 * OSTD counterpart: `ostd::mm::VmReader<'a, Fallibility>`.
 */
export class VmReader<F extends Fallibility = Fallible> {
  /** Type-level only: the reader's fallibility. */
  declare readonly [readerKind]?: F;
  // The fields of MemoryCursor, declared here rather than inherited (see there).
  /** @internal */ _bytes: Uint8Array | null;
  /** @internal */ _view: DataView;
  /** @internal */ _space: MemorySpace | null;
  /** @internal */ _lease: Lease | null;
  /** @internal */ _pos: number;
  /** @internal */ _end: number;
  /** @internal */ _fallible: boolean;
  /** @internal */ _kind: number;

  // Readers are made by `from`, by VM objects and by address spaces, never with `new`.
  private constructor(
    bytes: Uint8Array | null,
    view: DataView | null,
    space: MemorySpace | null,
    lease: Lease | null,
    pos: number,
    end: number,
    fallible: boolean,
  ) {
    this._bytes = bytes;
    this._view = view ?? NONE;
    this._space = space;
    this._lease = lease;
    this._pos = pos;
    this._end = end;
    this._fallible = fallible;
    this._kind = 1; // READER: a literal, so V8 can fold the kind checks of a scalar-replaced cursor
  }

  /** @internal */
  static _new<F extends Fallibility>(
    bytes: Uint8Array | null,
    view: DataView | null,
    space: MemorySpace | null,
    lease: Lease | null,
    pos: number,
    end: number,
    fallible: boolean,
  ): VmReader<F> {
    return new VmReader<F>(bytes, view, space, lease, pos, end, fallible);
  }

  /**
   * A reader over the bytes of `bytes` (any typed array or `DataView`, over
   * an `ArrayBuffer`, a `SharedArrayBuffer` or a `WebAssembly.Memory`
   * buffer). Its addresses are offsets from the start of `bytes`.
   *
   * OSTD counterpart: `impl From<&[u8]> for VmReader<Infallible>`.
   *
   * @throws {TypeError} `bytes` is not an `ArrayBufferView`, or its buffer is detached.
   */
  static from(bytes: ArrayBufferView): VmReader<Infallible> {
    // Hot path: a non-empty Uint8Array is used as it is (see viewBytes).
    const b = bytes instanceof Uint8Array && bytes.length !== 0 ? bytes : viewBytes(bytes);
    return new VmReader<Infallible>(b, null, null, null, 0, b.length, false);
  }

  /** Number of bytes left to read. OSTD counterpart: `VmReader::remain`. */
  remain(): number {
    return this._end - this._pos;
  }

  /** Address of the next byte to read. OSTD counterpart: `VmReader::cursor`. */
  cursor(): number {
    return this._pos;
  }

  /** Whether any byte is left to read. OSTD counterpart: `VmReader::has_remain`. */
  hasRemain(): boolean {
    return this._end > this._pos;
  }

  /**
   * Shrinks the range so that at most `maxRemain` bytes remain; never grows it.
   *
   * OSTD counterpart: `VmReader::limit`.
   *
   * @throws {TypeError | RangeError} `maxRemain` is not a non-negative safe integer.
   */
  limit(maxRemain: number): this {
    checkIndex(maxRemain, "maxRemain");
    if (maxRemain < this._end - this._pos) this._end = this._pos + maxRemain;
    return this;
  }

  /**
   * Advances the cursor by `n` bytes without reading them.
   *
   * OSTD counterpart: `VmReader::skip` (which panics when `n > remain`).
   *
   * @throws {TypeError | RangeError} `n` is not a non-negative safe integer.
   * @throws {RangeError} `n > remain()`.
   */
  skip(n: number): this {
    checkIndex(n, "n");
    if (n > this._end - this._pos) contractViolation(`cannot skip ${n} bytes: only ${this._end - this._pos} remain`);
    this._pos += n;
    return this;
  }

  /**
   * A second reader at the same position over the same range.
   *
   * OSTD counterpart: `impl Clone for VmReader`.
   */
  clone(): VmReader<F> {
    return new VmReader<F>(this._bytes, this._view, this._space, this._lease, this._pos, this._end, this._fallible);
  }

  /**
   * A fallible reader at the same position over the same range.
   *
   * OSTD counterpart: `VmReader<Infallible>::to_fallible` (this one leaves
   * the original usable).
   */
  toFallible(): VmReader<Fallible> {
    return new VmReader<Fallible>(this._bytes, this._view, this._space, this._lease, this._pos, this._end, true);
  }

  /**
   * Copies `min(remain(), w.avail())` bytes into `w` and advances both
   * cursors by that much. Returns the number of bytes copied.
   *
   * OSTD counterpart: `VmReader<Infallible>::read`.
   *
   * @throws {TypeError} `w` is not an infallible writer, this reader is fallible,
   *   or the memory of either was freed or detached.
   */
  read(this: VmReader<Infallible>, w: VmWriter<Infallible>): number {
    if (w == null || w._kind !== 2 /* WRITER */) notWriter(w);
    if (this._fallible || w._fallible) badRead(this._fallible);
    const n = Math.min(this._end - this._pos, w._end - w._pos);
    memcpyFallible(w, this, n);
    this._pos += n;
    w._pos += n;
    return n;
  }

  /**
   * Copies `min(remain(), w.avail())` bytes into `w`, stopping early at the
   * first byte that faults. Both cursors advance by the number of bytes
   * copied, which is returned.
   *
   * OSTD counterpart: `VmReader::read_fallible`.
   *
   * @throws {VmError} `PageFault` when a fault stopped the copy; `copied` holds
   *   the bytes moved before it (both cursors have advanced by that).
   * @throws {TypeError} `w` is not a writer, or memory was freed or detached.
   */
  readFallible(w: VmWriter<Fallibility>): number {
    if (w == null || w._kind !== 2 /* WRITER */) notWriter(w);
    const n = Math.min(this._end - this._pos, w._end - w._pos);
    const copied = memcpyFallible(w, this, n);
    this._pos += copied;
    w._pos += copied;
    if (copied < n) stopped(copied);
    return copied;
  }

  /**
   * Reads one value of type `t` and advances past it. No alignment is needed.
   *
   * OSTD counterpart: `VmReader::read_val`.
   *
   * @throws {VmError} `InvalidArgs` when fewer than `sizeOf(t)` bytes remain;
   *   `PageFault` when a byte of the value faults (the cursor does not move).
   * @throws {TypeError} `t` is not a Pod type, or the memory was freed or detached.
   */
  readVal<T>(t: PodType<T>): T {
    // The hot path of every decoder. V8 inlines it only while it stays this
    // small, and only calls module-local cold helpers on failure: calling an
    // imported function, even on a path never taken, cost ~0.4 ns per call
    // on Node 20 (see bench/).
    if (t == null || (t as PodDescriptor<T>).self !== t) notPod(t);
    const d = t as PodDescriptor<T>;
    const size = d.size;
    const pos = this._pos;
    if (this._end - pos < size) tooShort(this, size);
    let view = this._view;
    if (view === NONE) {
      const bytes = this._bytes;
      if (bytes === null) return this._readValRuns(d);
      view = dataViewOf(this, bytes);
    }
    const lease = this._lease;
    if (lease !== null && lease.leaseExpired) expired(lease);
    const value = d.decode(view, pos);
    this._pos = pos + size;
    return value;
  }

  private _readValRuns<T>(d: PodDescriptor<T>): T {
    const space = this._space as MemorySpace;
    if (!space.shared) return this._readValIn(space, d);
    space.enter();
    try {
      return this._readValIn(space, d);
    } finally {
      space.exit();
    }
  }

  private _readValIn<T>(space: MemorySpace, d: PodDescriptor<T>): T {
    const size = d.size;
    if (size === 0) return d.decode(space.runView, 0);
    const got = space.run(this._pos, size, false);
    if (got >= size) {
      const value = d.decode(space.runView, space.runOffset);
      this._pos += size;
      return value;
    }
    if (got === 0) raiseFault(space, 0);
    // The value straddles two runs (pages): gather it first, then decode.
    const scratch = new Uint8Array(size);
    const copied = memcpyFallible(newWriter(scratch, null, null, null, 0, size, false), this, size);
    if (copied < size) raiseFault(space, 0);
    this._pos += size;
    return d.decode(new DataView(scratch.buffer), 0);
  }

  /**
   * Reads one value of a `PodOnce` type with a single non-tearing load
   * (`Atomics.load` when the memory is shared) and advances past it.
   *
   * OSTD counterpart: `VmReader<Infallible>::read_once`.
   *
   * @throws {VmError} `InvalidArgs` when fewer than `sizeOf(t)` bytes remain.
   * @throws {RangeError} the cursor is not aligned to `sizeOf(t)`.
   * @throws {TypeError} `t` is not a `PodOnce` type, this reader is fallible,
   *   or the memory was freed or detached.
   */
  readOnce<T>(this: VmReader<Infallible>, t: PodOnceType<T>): T {
    const d = descriptorOf(t, "t");
    if (this._fallible) requireInfallible("readOnce", "reader");
    const value = loadOnce(this, d, "readOnce");
    this._pos += d.size;
    return value;
  }

  /**
   * Loads the `u32` at the cursor atomically (relaxed); the cursor does not move.
   *
   * OSTD counterpart: `VmReader<Fallible>::atomic_load`.
   *
   * @throws {VmError} `InvalidArgs` when fewer than 4 bytes remain; `PageFault`
   *   when the word faults.
   * @throws {RangeError} the cursor is not 4-byte aligned.
   * @throws {TypeError} `t` is not `u32`, or the memory was freed or detached.
   */
  atomicLoad(t: typeof u32): number {
    if (t !== u32) invalidType("t", "u32 (the only type with atomic access)", t);
    return loadOnce(this, descriptorOf(u32), "atomicLoad");
  }
}

/** Cold path of `from`: checks the argument and makes a `Uint8Array` of any view. */
function viewBytes(bytes: unknown): Uint8Array {
  checkView(bytes, "bytes");
  return bytesOf(bytes);
}

function badRead(readerFallible: boolean): never {
  return requireInfallible("read", readerFallible ? "reader" : "writer");
}

/** Ends a copy that a fault stopped (module-local: see readVal). */
function stopped(copied: number): never {
  return raiseFault(faultedSpace(), copied);
}

function notWriter(w: unknown): never {
  return invalidType("w", "a VmWriter", w);
}

function notPod(t: unknown): never {
  return notPodType(t, "t");
}

function tooShort(r: MemoryCursor, size: number): never {
  return insufficient("read", size, r._end - r._pos);
}

function expired(lease: Lease): never {
  return leaseExpired(lease);
}

/**
 * A one-instruction load at a cursor's position; the cursor does not move.
 * Checks the type, the room and the alignment.
 *
 * @internal
 */
export function loadOnce<T>(r: MemoryCursor, d: PodDescriptor<T>, op: string): T {
  const kind = requireOnce(d);
  const size = d.size;
  const pos = r._pos;
  if (r._end - pos < size) insufficient(op, size, r._end - pos);
  checkAligned(r, size, op);
  const bytes = r._bytes;
  if (bytes !== null) {
    const index = directIndex(r, bytes, size);
    if (isSharedBytes(bytes)) return sharedLoad(bytes.buffer, kind, bytes.byteOffset + index) as T;
    return d.decode(dataViewOf(r, bytes), pos);
  }
  const space = r._space as MemorySpace;
  if (!space.shared) {
    if (space.run(pos, size, false) < size) raiseFault(space, 0);
    return d.decode(space.runView, space.runOffset);
  }
  space.enter();
  try {
    if (space.run(pos, size, false) < size) raiseFault(space, 0);
    return sharedLoad(space.runBytes.buffer, kind, space.runOffset) as T;
  } finally {
    space.exit();
  }
}

const hasSab = typeof SharedArrayBuffer === "function";

/** Whether a direct memory's bytes live in a `SharedArrayBuffer` (cold path: uses the `.buffer` getter). */
export function isSharedBytes(bytes: Uint8Array): boolean {
  return hasSab && bytes.buffer instanceof SharedArrayBuffer;
}

/**
 * Makes a reader over memory that another layer describes (frames, spaces).
 *
 * @internal
 */
export function newReader<F extends Fallibility>(
  bytes: Uint8Array | null,
  view: DataView | null,
  space: MemorySpace | null,
  lease: Lease | null,
  pos: number,
  end: number,
  fallible: boolean,
): VmReader<F> {
  return VmReader._new<F>(bytes, view, space, lease, pos, end, fallible);
}
