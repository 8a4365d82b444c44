/**
 * `VmWriter`: a cursor for writing one contiguous range of memory.
 *
 * Safety contract (OSTD's, carried over): a writer only ever touches the
 * bytes between its cursor and its end. Over typed memory and live frames it
 * is `Infallible`; over user memory it is `Fallible` and any byte may fault.
 * A writer borrows the memory it writes: once the frames or the address
 * space it was made from are disposed, its next access throws a `TypeError`
 * instead of writing memory that may belong to someone else.
 *
 * @module
 */

import { contractViolation, invalidType } from "../base/contract.js";
import { bytesOf } from "../base/buffers.js";
import { checkIndex, checkView } from "../base/validate.js";
import { descriptorOf, notPodType, type PodDescriptor, type PodOnceType, type PodType } from "../pod/pod-type.js";
import { u32 } from "../pod/scalars.js";
import { atomicCompareExchangeU32, atomicStore } from "./atomic-access.js";
import { faultedSpace, memcpyFallible, memsetFallible } from "./copy.js";
import type { Fallibility, Fallible, Infallible } from "./fallibility.js";
import { NO_VIEW, dataViewOf, directIndex, leaseExpired, locationOf, type Lease, type MemoryCursor } from "./memory-cursor.js";
import type { MemorySpace } from "./memory-space.js";
import { checkAligned, insufficient, raiseFault, requireInfallible, requireOnce } from "./access-errors.js";
import { VmReader, isSharedBytes, newReader } from "./vm-reader.js";

declare const writerKind: unique symbol;

// Declared before the class: a `const` read before its declaration point
// would need a TDZ check on every access in the hot path.
const NONE = NO_VIEW;

/**
 * Writes a contiguous range of memory: typed memory, frames, or user space.
 *
 * `F` is {@link Fallible} (the default) or {@link Infallible}; the
 * infallible-only methods (`write`, `writeOnce`) do not type-check on a
 * fallible writer, and throw a `TypeError` if called on one from plain JS.
 *
 * OSTD counterpart: `ostd::mm::VmWriter<'a, Fallibility>`.
 */
export class VmWriter<F extends Fallibility = Fallible> {
  /** Type-level only: the writer's fallibility. */
  declare readonly [writerKind]?: F;
  // The fields of MemoryCursor, declared here rather than inherited (see there).
  /** @internal */ _bytes: Uint8Array | null;
  /** @internal */ _view: DataView;
  /** @internal */ _space: MemorySpace | null;
  /** @internal */ _lease: Lease | null;
  /** @internal */ _pos: number;
  /** @internal */ _end: number;
  /** @internal */ _fallible: boolean;
  /** @internal */ _kind: number;

  // Writers are made by `from`, by VM objects and by address spaces, never with `new`.
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
    this._kind = 2; // WRITER: a literal, so V8 can fold the kind checks of a scalar-replaced cursor
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
  ): VmWriter<F> {
    return new VmWriter<F>(bytes, view, space, lease, pos, end, fallible);
  }

  /**
   * A writer over the bytes of `bytes` (any typed array or `DataView`, over
   * an `ArrayBuffer`, a `SharedArrayBuffer` or a `WebAssembly.Memory`
   * buffer). Its addresses are offsets from the start of `bytes`.
   *
   * OSTD counterpart: `impl From<&mut [u8]> for VmWriter<Infallible>`.
   *
   * @throws {TypeError} `bytes` is not an `ArrayBufferView`, or its buffer is detached.
   */
  static from(bytes: ArrayBufferView): VmWriter<Infallible> {
    // Hot path: a non-empty Uint8Array is used as it is (see viewBytes).
    const b = bytes instanceof Uint8Array && bytes.length !== 0 ? bytes : viewBytes(bytes);
    return new VmWriter<Infallible>(b, null, null, null, 0, b.length, false);
  }

  /** Number of bytes that can still be written. OSTD counterpart: `VmWriter::avail`. */
  avail(): number {
    return this._end - this._pos;
  }

  /** Address of the next byte to write. OSTD counterpart: `VmWriter::cursor`. */
  cursor(): number {
    return this._pos;
  }

  /** Whether any byte can still be written. OSTD counterpart: `VmWriter::has_avail`. */
  hasAvail(): boolean {
    return this._end > this._pos;
  }

  /**
   * Shrinks the range so that at most `maxAvail` bytes are available; never grows it.
   *
   * OSTD counterpart: `VmWriter::limit`.
   *
   * @throws {TypeError | RangeError} `maxAvail` is not a non-negative safe integer.
   */
  limit(maxAvail: number): this {
    checkIndex(maxAvail, "maxAvail");
    if (maxAvail < this._end - this._pos) this._end = this._pos + maxAvail;
    return this;
  }

  /**
   * Advances the cursor by `n` bytes without writing them.
   *
   * OSTD counterpart: `VmWriter::skip` (which panics when `n > avail`).
   *
   * @throws {TypeError | RangeError} `n` is not a non-negative safe integer.
   * @throws {RangeError} `n > avail()`.
   */
  skip(n: number): this {
    checkIndex(n, "n");
    if (n > this._end - this._pos) contractViolation(`cannot skip ${n} bytes: only ${this._end - this._pos} are available`);
    this._pos += n;
    return this;
  }

  /**
   * A second writer at the same position over the same range; writing through
   * it does not move this one.
   *
   * OSTD counterpart: `VmWriter::clone_exclusive`.
   */
  cloneExclusive(): VmWriter<F> {
    return new VmWriter<F>(this._bytes, this._view, this._space, this._lease, this._pos, this._end, this._fallible);
  }

  /**
   * A fallible writer at the same position over the same range.
   *
   * OSTD counterpart: `VmWriter<Infallible>::to_fallible` (this one leaves
   * the original usable).
   */
  toFallible(): VmWriter<Fallible> {
    return new VmWriter<Fallible>(this._bytes, this._view, this._space, this._lease, this._pos, this._end, true);
  }

  /**
   * Copies `min(r.remain(), avail())` bytes from `r` and advances both
   * cursors by that much. Returns the number of bytes copied.
   *
   * OSTD counterpart: `VmWriter<Infallible>::write`.
   *
   * @throws {TypeError} `r` is not an infallible reader, this writer is
   *   fallible, or the memory of either was freed or detached.
   */
  write(this: VmWriter<Infallible>, r: VmReader<Infallible>): number {
    if (r == null || r._kind !== 1 /* READER */) notReader(r);
    return r.read(this);
  }

  /**
   * Copies `min(r.remain(), avail())` bytes from `r`, stopping early at the
   * first byte that faults. Both cursors advance by the number of bytes
   * copied, which is returned.
   *
   * OSTD counterpart: `VmWriter::write_fallible`.
   *
   * @throws {VmError} `PageFault` when a fault stopped the copy; `copied` holds
   *   the bytes moved before it (both cursors have advanced by that).
   * @throws {TypeError} `r` is not a reader, or memory was freed or detached.
   */
  writeFallible(r: VmReader<Fallibility>): number {
    if (r == null || r._kind !== 1 /* READER */) notReader(r);
    return r.readFallible(this);
  }

  /**
   * Writes one value of type `t` and advances past it, zeroing any padding.
   * No alignment is needed. The value is checked before any byte is written.
   *
   * OSTD counterpart: `VmWriter::write_val`.
   *
   * @throws {VmError} `InvalidArgs` when fewer than `sizeOf(t)` bytes are
   *   available; `PageFault` when a byte of the value faults (the cursor does
   *   not move and, unless another thread changed the mapping meanwhile, no
   *   byte was written).
   * @throws {TypeError | RangeError} `t` is not a Pod type, or `value` is not
   *   a valid value of it.
   * @throws {TypeError} the memory was freed or detached.
   */
  writeVal<T>(t: PodType<T>, value: T): void {
    // The hot path of every encoder; see `VmReader.readVal` for why failures
    // go through module-local helpers.
    if (t == null || (t as PodDescriptor<T>).self !== t) notPod(t);
    const d = t as PodDescriptor<T>;
    if (!d.valid(value)) badValue(d, value);
    const size = d.size;
    const pos = this._pos;
    if (this._end - pos < size) tooShort(this, size);
    const view = this._view;
    if (view !== NONE) {
      const lease = this._lease;
      if (lease !== null && lease.leaseExpired) expired(lease);
      d.encode(view, pos, value);
      this._pos = pos + size;
      return;
    }
    this._writeValSlow(d, value);
  }

  // Direct memory whose DataView is not made yet, or a memory space.
  private _writeValSlow<T>(d: PodDescriptor<T>, value: T): void {
    const bytes = this._bytes;
    if (bytes === null) return this._writeValRuns(d, value);
    d.encode(dataViewOf(this, bytes), directIndex(this, bytes, d.size), value);
    this._pos += d.size;
  }

  private _writeValRuns<T>(d: PodDescriptor<T>, value: T): void {
    const space = this._space as MemorySpace;
    if (!space.shared) return this._writeValIn(space, d, value);
    space.enter();
    try {
      this._writeValIn(space, d, value);
    } finally {
      space.exit();
    }
  }

  private _writeValIn<T>(space: MemorySpace, d: PodDescriptor<T>, value: T): void {
    const size = d.size;
    if (size === 0) return;
    const got = space.run(this._pos, size, true);
    if (got >= size) {
      d.encode(space.runView, space.runOffset, value);
      this._pos += size;
      return;
    }
    if (got === 0) raiseFault(space, 0);
    // The value straddles runs (pages): make sure every byte is writable
    // before writing any, then copy it in from a scratch buffer.
    for (let done = got; done < size; ) {
      const n = space.run(this._pos + done, size - done, true);
      if (n === 0) raiseFault(space, 0);
      done += n;
    }
    const scratch = new Uint8Array(size);
    d.encode(new DataView(scratch.buffer), 0, value);
    const copied = memcpyFallible(this, newReader(scratch, null, null, null, 0, size, false), size);
    if (copied < size) raiseFault(space, 0);
    this._pos += size;
  }

  /**
   * Writes one value of a `PodOnce` type with a single non-tearing store
   * (`Atomics.store` when the memory is shared) and advances past it.
   *
   * OSTD counterpart: `VmWriter<Infallible>::write_once`.
   *
   * @throws {VmError} `InvalidArgs` when fewer than `sizeOf(t)` bytes are available.
   * @throws {RangeError} the cursor is not aligned to `sizeOf(t)`, or `value` is out of range.
   * @throws {TypeError} `t` is not a `PodOnce` type, `value` has the wrong
   *   type, this writer is fallible, or the memory was freed or detached.
   */
  writeOnce<T>(this: VmWriter<Infallible>, t: PodOnceType<T>, value: T): void {
    const d = descriptorOf(t, "t");
    if (this._fallible) requireInfallible("writeOnce", "writer");
    storeOnce(this, d, value, "writeOnce");
    this._pos += d.size;
  }

  /**
   * Writes `min(len, avail())` zero bytes and advances past them; returns
   * how many were written. On fallible memory a fault stops the fill.
   *
   * OSTD counterpart: `VmWriter::fill_zeros`.
   *
   * @throws {VmError} `PageFault` when a fault stopped the fill; `copied`
   *   holds the bytes zeroed before it (the cursor has advanced by that).
   * @throws {TypeError | RangeError} `len` is not a non-negative safe integer.
   * @throws {TypeError} the memory was freed or detached.
   */
  fillZeros(len: number): number {
    checkIndex(len, "len");
    const n = Math.min(len, this._end - this._pos);
    const filled = memsetFallible(this, n);
    this._pos += filled;
    if (filled < n) raiseFault(faultedSpace(), filled);
    return filled;
  }

  /**
   * Atomically replaces the `u32` at the cursor with `next` if it equals
   * `expected` (relaxed ordering). `r` must be a reader at the same address
   * of the same memory, as in OSTD. Neither cursor moves. Returns the
   * previous value and whether the exchange happened.
   *
   * OSTD counterpart: `VmWriter<Fallible>::atomic_compare_exchange`.
   *
   * @throws {VmError} `InvalidArgs` when fewer than 4 bytes are available
   *   here or remain in `r`; `PageFault` when the word faults (a write
   *   access, as for the hardware instruction).
   * @throws {RangeError} `r` is at another address or in other memory, the
   *   address is not 4-byte aligned, or `expected`/`next` are out of range.
   * @throws {TypeError} wrong argument types, or the memory was freed or detached.
   */
  atomicCompareExchange(r: VmReader<Fallibility>, t: typeof u32, expected: number, next: number): [previous: number, exchanged: boolean] {
    if (r == null || r._kind !== 1 /* READER */) notReader(r);
    if (t !== u32) invalidType("t", "u32 (the only type with atomic access)", t);
    const d = descriptorOf(u32);
    if (!d.valid(expected)) d.reject(expected, "expected");
    if (!d.valid(next)) d.reject(next, "next");
    const pos = this._pos;
    if (this._end - pos < 4) insufficient("atomicCompareExchange", 4, this._end - pos);
    if (r._end - r._pos < 4) insufficient("atomicCompareExchange", 4, r._end - r._pos);
    if (!sameAddress(r, this)) {
      contractViolation("atomicCompareExchange: the reader must point at the same address of the same memory as the writer");
    }
    checkAligned(this, 4, "atomicCompareExchange");
    let buffer: Uint8Array;
    let index: number;
    let view: DataView;
    let shared: boolean;
    const bytes = this._bytes;
    if (bytes !== null) {
      index = directIndex(this, bytes, 4);
      directIndex(r, r._bytes as Uint8Array, 4);
      buffer = bytes;
      view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      shared = isSharedBytes(bytes);
    } else {
      const space = this._space as MemorySpace;
      if (space.shared) {
        space.enter();
        try {
          if (space.run(pos, 4, true) < 4) raiseFault(space, 0);
          const previous = atomicCompareExchangeU32(space.runBytes.buffer, space.runOffset, expected, next);
          return [previous, previous === expected];
        } finally {
          space.exit();
        }
      }
      if (space.run(pos, 4, true) < 4) raiseFault(space, 0);
      buffer = space.runBytes;
      index = space.runOffset;
      view = space.runView;
      shared = false;
    }
    if (shared) {
      const previous = atomicCompareExchangeU32(buffer.buffer, buffer.byteOffset + index, expected, next);
      return [previous, previous === expected];
    }
    const previous = view.getUint32(index, true);
    if (previous !== expected) return [previous, false];
    view.setUint32(index, next, true);
    return [previous, true];
  }
}

/** Cold path of `from`: checks the argument and makes a `Uint8Array` of any view. */
function viewBytes(bytes: unknown): Uint8Array {
  checkView(bytes, "bytes");
  return bytesOf(bytes);
}

function notReader(r: unknown): never {
  return invalidType("r", "a VmReader", r);
}

function notPod(t: unknown): never {
  return notPodType(t, "t");
}

function badValue<T>(d: PodDescriptor<T>, value: unknown): never {
  return d.reject(value, "value");
}

function tooShort(w: MemoryCursor, size: number): never {
  return insufficient("write", size, w._end - w._pos);
}

function expired(lease: Lease): never {
  return leaseExpired(lease);
}

/**
 * A one-instruction store of `value` at a cursor's position; the cursor does
 * not move. Checks the type, the value, the room and the alignment.
 *
 * @internal
 */
export function storeOnce<T>(w: MemoryCursor, d: PodDescriptor<T>, value: T, op: string): void {
  const kind = requireOnce(d);
  if (!d.valid(value)) d.reject(value, "value");
  const size = d.size;
  const pos = w._pos;
  if (w._end - pos < size) insufficient(op, size, w._end - pos);
  checkAligned(w, size, op);
  const bytes = w._bytes;
  if (bytes !== null) {
    const index = directIndex(w, bytes, size);
    if (isSharedBytes(bytes)) atomicStore(bytes.buffer, kind, bytes.byteOffset + index, value as number | bigint);
    else d.encode(dataViewOf(w, bytes), pos, value);
    return;
  }
  const space = w._space as MemorySpace;
  if (!space.shared) {
    if (space.run(pos, size, true) < size) raiseFault(space, 0);
    d.encode(space.runView, space.runOffset, value);
    return;
  }
  space.enter();
  try {
    if (space.run(pos, size, true) < size) raiseFault(space, 0);
    atomicStore(space.runBytes.buffer, kind, space.runOffset, value as number | bigint);
  } finally {
    space.exit();
  }
}

function sameAddress(r: MemoryCursor, w: MemoryCursor): boolean {
  if (r._space !== null || w._space !== null) return r._space === w._space && r._pos === w._pos;
  const a = locationOf(r);
  const b = locationOf(w);
  return a.buffer === b.buffer && a.offset === b.offset;
}

/**
 * Makes a writer over memory that another layer describes (frames, spaces).
 *
 * @internal
 */
export function newWriter<F extends Fallibility>(
  bytes: Uint8Array | null,
  view: DataView | null,
  space: MemorySpace | null,
  lease: Lease | null,
  pos: number,
  end: number,
  fallible: boolean,
): VmWriter<F> {
  return VmWriter._new<F>(bytes, view, space, lease, pos, end, fallible);
}
