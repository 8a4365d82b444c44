/**
 * VM objects: `VmIo`, `VmIoFill`, `VmIoOnce`, and the one implementation of
 * them that frames, segments, frame vectors and user address spaces share.
 *
 * A VM object is a range of memory addressed by offsets `0 … size`. Its
 * operations are all-or-nothing about their range: a request that does not
 * fit inside the object is `VmError` `InvalidArgs` and touches nothing; there
 * are no short reads or writes (OSTD's newest `VmIo`). Only faults — in user
 * memory — can stop an operation part-way, and then `VmError` `PageFault`
 * says how many bytes were moved.
 *
 * @module
 */

import { bytesOf } from "../base/buffers.js";
import { checkBytes, checkIndex, checkView } from "../base/validate.js";
import { invalidType } from "../base/contract.js";
import { descriptorOf, type PodOnceType, type PodType } from "../pod/pod-type.js";
import { insufficient, raiseFault } from "./access-errors.js";
import { faultedSpace, memcpyFallible, memsetFallible } from "./copy.js";
import type { Fallibility } from "./fallibility.js";
import { VmError } from "./vm-error.js";
import { VmReader, loadOnce, newReader } from "./vm-reader.js";
import { VmWriter, newWriter, storeOnce } from "./vm-writer.js";

/**
 * Reading and writing a VM object at offsets.
 *
 * OSTD counterpart: `ostd::mm::VmIo`.
 */
export interface VmIo {
  /** Fills `w` completely from `offset` (no short reads) and advances it. */
  read(offset: number, w: VmWriter<Fallibility>): void;
  /** Fills `buf` from `offset`. */
  readBytes(offset: number, buf: Uint8Array): void;
  /** Reads one value of type `t` at `offset`. */
  readVal<T>(offset: number, t: PodType<T>): T;
  /** Fills the bytes of a typed array (or `DataView`) from `offset`. */
  readSlice(offset: number, slice: ArrayBufferView): void;
  /** Writes all of `r` at `offset` (no short writes) and advances it. */
  write(offset: number, r: VmReader<Fallibility>): void;
  /** Writes `buf` at `offset`. */
  writeBytes(offset: number, buf: Uint8Array): void;
  /** Writes one value of type `t` at `offset`. */
  writeVal<T>(offset: number, t: PodType<T>, value: T): void;
  /** Writes the bytes of a typed array (or `DataView`) at `offset`. */
  writeSlice(offset: number, slice: ArrayBufferView): void;
}

/**
 * Zero-filling a VM object.
 *
 * OSTD counterpart: `ostd::mm::VmIoFill`.
 */
export interface VmIoFill {
  /**
   * Writes `len` zero bytes at `offset`. An `offset` past the end is
   * `VmError{InvalidArgs, copied: 0}`; a range running past the end is
   * zeroed up to the end, then `VmError{InvalidArgs, copied}`.
   */
  fillZeros(offset: number, len: number): void;
}

/**
 * One-instruction (non-tearing) access to a VM object.
 *
 * OSTD counterpart: `ostd::mm::VmIoOnce`.
 */
export interface VmIoOnce {
  /** Loads the `PodOnce` value at `offset` (aligned) with one access. */
  readOnce<T>(offset: number, t: PodOnceType<T>): T;
  /** Stores a `PodOnce` value at `offset` (aligned) with one access. */
  writeOnce<T>(offset: number, t: PodOnceType<T>, value: T): void;
}

/**
 * The implementation of {@link VmIo}, {@link VmIoFill} and {@link VmIoOnce}
 * for any object that can make a reader and a writer over a sub-range of
 * itself. Subclasses supply the size and those two factories; every check
 * and every copy lives here.
 *
 * @internal
 */
export abstract class VmObject implements VmIo, VmIoFill, VmIoOnce {
  /** Size of the object in bytes; throws if the object is no longer usable. @internal */
  protected abstract _ioSize(): number;
  /** A reader over `[offset, offset + len)`, already checked to fit. @internal */
  protected abstract _ioReader(offset: number, len: number): VmReader<Fallibility>;
  /** A writer over `[offset, offset + len)`, already checked to fit. @internal */
  protected abstract _ioWriter(offset: number, len: number): VmWriter<Fallibility>;

  /**
   * Fills `w` completely with the bytes at `offset` and advances it.
   *
   * @throws {VmError} `Overflow` when `offset + w.avail()` overflows;
   *   `InvalidArgs` when it runs past the end; `PageFault` (with `copied`,
   *   `w` advanced by that much) when user memory faults.
   * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
   */
  read(offset: number, w: VmWriter<Fallibility>): void {
    checkIndex(offset, "offset");
    if (!(w instanceof VmWriter)) invalidType("w", "a VmWriter", w);
    const len = w._end - w._pos;
    this._checkRange(offset, len);
    const copied = memcpyFallible(w, this._ioReader(offset, len), len);
    w._pos += copied;
    if (copied < len) raiseFault(faultedSpace(), copied);
  }

  /**
   * Fills `buf` with the bytes at `offset`.
   *
   * @throws {VmError} as {@link VmObject.read}.
   * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
   */
  readBytes(offset: number, buf: Uint8Array): void {
    checkIndex(offset, "offset");
    checkBytes(buf, "buf");
    this._readInto(offset, bytesOf(buf));
  }

  /**
   * Fills the bytes of `slice` with the bytes at `offset`.
   *
   * @throws {VmError} as {@link VmObject.read}.
   * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
   */
  readSlice(offset: number, slice: ArrayBufferView): void {
    checkIndex(offset, "offset");
    checkView(slice, "slice");
    this._readInto(offset, bytesOf(slice));
  }

  private _readInto(offset: number, bytes: Uint8Array): void {
    const len = bytes.length;
    this._checkRange(offset, len);
    const base = bytes.byteOffset;
    const w = newWriter(bytes, base, null, null, null, base, base + len, false);
    const copied = memcpyFallible(w, this._ioReader(offset, len), len);
    if (copied < len) raiseFault(faultedSpace(), copied);
  }

  /**
   * Reads one value of type `t` at `offset`.
   *
   * @throws {VmError} `InvalidArgs` when the value does not fit; `PageFault`.
   * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
   */
  readVal<T>(offset: number, t: PodType<T>): T {
    checkIndex(offset, "offset");
    const d = descriptorOf(t, "t");
    this._checkRange(offset, d.size);
    return this._ioReader(offset, d.size).readVal(d);
  }

  /**
   * Writes all of `r` at `offset` and advances it.
   *
   * @throws {VmError} `Overflow` when `offset + r.remain()` overflows;
   *   `InvalidArgs` when it runs past the end; `PageFault` (with `copied`,
   *   `r` advanced by that much) when user memory faults.
   * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
   */
  write(offset: number, r: VmReader<Fallibility>): void {
    checkIndex(offset, "offset");
    if (!(r instanceof VmReader)) invalidType("r", "a VmReader", r);
    const len = r._end - r._pos;
    this._checkRange(offset, len);
    const copied = memcpyFallible(this._ioWriter(offset, len), r, len);
    r._pos += copied;
    if (copied < len) raiseFault(faultedSpace(), copied);
  }

  /**
   * Writes `buf` at `offset`.
   *
   * @throws {VmError} as {@link VmObject.write}.
   * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
   */
  writeBytes(offset: number, buf: Uint8Array): void {
    checkIndex(offset, "offset");
    checkBytes(buf, "buf");
    this._writeFrom(offset, bytesOf(buf));
  }

  /**
   * Writes the bytes of `slice` at `offset`.
   *
   * @throws {VmError} as {@link VmObject.write}.
   * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
   */
  writeSlice(offset: number, slice: ArrayBufferView): void {
    checkIndex(offset, "offset");
    checkView(slice, "slice");
    this._writeFrom(offset, bytesOf(slice));
  }

  private _writeFrom(offset: number, bytes: Uint8Array): void {
    const len = bytes.length;
    this._checkRange(offset, len);
    const base = bytes.byteOffset;
    const r = newReader(bytes, base, null, null, null, base, base + len, false);
    const copied = memcpyFallible(this._ioWriter(offset, len), r, len);
    if (copied < len) raiseFault(faultedSpace(), copied);
  }

  /**
   * Writes one value of type `t` at `offset`.
   *
   * @throws {VmError} `InvalidArgs` when the value does not fit; `PageFault`.
   * @throws {TypeError | RangeError} bad arguments or value; use of a disposed object.
   */
  writeVal<T>(offset: number, t: PodType<T>, value: T): void {
    checkIndex(offset, "offset");
    const d = descriptorOf(t, "t");
    if (!d.valid(value)) d.reject(value, "value");
    this._checkRange(offset, d.size);
    this._ioWriter(offset, d.size).writeVal(d, value);
  }

  /**
   * Writes `len` zero bytes at `offset`.
   *
   * OSTD counterpart: `VmIoFill::fill_zeros`.
   *
   * @throws {VmError} `InvalidArgs` with `copied: 0` when `offset` is past the
   *   end; `InvalidArgs` with `copied` when the range runs past the end (the
   *   bytes up to the end are zeroed); `PageFault` with `copied` when user
   *   memory faults.
   * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
   */
  fillZeros(offset: number, len: number): void {
    checkIndex(offset, "offset");
    checkIndex(len, "len");
    const size = this._ioSize();
    if (offset > size) throw new VmError("InvalidArgs", `fillZeros: offset ${offset} is past the end (${size})`);
    const n = Math.min(len, size - offset);
    const filled = memsetFallible(this._ioWriter(offset, n), n);
    if (filled < n) raiseFault(faultedSpace(), filled);
    if (n < len) throw new VmError("InvalidArgs", `fillZeros: ${len} bytes at ${offset} run past the end (${size}); ${n} zeroed`, n);
  }

  /**
   * Loads the `PodOnce` value at `offset` with one non-tearing access.
   *
   * OSTD counterpart: `VmIoOnce::read_once`.
   *
   * @throws {VmError} `InvalidArgs` when the value does not fit; `PageFault`.
   * @throws {RangeError} `offset` is not aligned to the value's size.
   * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
   */
  readOnce<T>(offset: number, t: PodOnceType<T>): T {
    checkIndex(offset, "offset");
    const d = descriptorOf(t, "t");
    this._checkRange(offset, d.size);
    return loadOnce(this._ioReader(offset, d.size), d, "readOnce");
  }

  /**
   * Stores a `PodOnce` value at `offset` with one non-tearing access.
   *
   * OSTD counterpart: `VmIoOnce::write_once`.
   *
   * @throws {VmError} `InvalidArgs` when the value does not fit; `PageFault`.
   * @throws {RangeError} `offset` is not aligned to the value's size.
   * @throws {TypeError | RangeError} bad arguments or value; use of a disposed object.
   */
  writeOnce<T>(offset: number, t: PodOnceType<T>, value: T): void {
    checkIndex(offset, "offset");
    const d = descriptorOf(t, "t");
    this._checkRange(offset, d.size);
    storeOnce(this._ioWriter(offset, d.size), d, value, "writeOnce");
  }

  /** Throws `Overflow`/`InvalidArgs` unless `[offset, offset + len)` is inside the object. */
  private _checkRange(offset: number, len: number): void {
    const end = offset + len;
    if (end > Number.MAX_SAFE_INTEGER) throw new VmError("Overflow", `offset ${offset} + length ${len} overflows`);
    const size = this._ioSize();
    if (end > size) insufficient(`access at offset ${offset}`, len, Math.max(0, size - offset));
  }
}

/**
 * Gives a class the methods of {@link VmObject} (`VmIo`, `VmIoFill`,
 * `VmIoOnce`) when it must extend another base class. The class supplies
 * `_ioSize`, `_ioReader` and `_ioWriter`; pair this with an interface
 * declaration merge so that the compiler knows the methods are there.
 *
 * @internal
 */
export function implementVmIo(target: { prototype: object }): void {
  for (const name of Object.getOwnPropertyNames(VmObject.prototype)) {
    if (name === "constructor") continue;
    const descriptor = Object.getOwnPropertyDescriptor(VmObject.prototype, name) as PropertyDescriptor;
    Object.defineProperty(target.prototype, name, descriptor);
  }
}
