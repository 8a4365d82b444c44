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
import { badIndex, checkBytes, checkIndex, checkView, isIndex } from "../base/validate.js";
import { invalidType } from "../base/contract.js";
import { descriptorOf, notPodType, type PodDescriptor, type PodOnceType, type PodType } from "../pod/pod-type.js";
import { raiseFault } from "./access-errors.js";
import { copyRaw, faultedSpace, fillRaw } from "./copy.js";
import type { Fallibility } from "./fallibility.js";
import { READER, WRITER, isCursor, leaseExpired, type Lease } from "./memory-cursor.js";
import type { MemorySpace } from "./memory-space.js";
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
 * How a VM object's bytes are reached: the parts of a reader or writer over
 * the whole object. Offset `o` of the object is address `base + o` of the
 * memory.
 *
 * @internal
 */
export interface IoMemory {
  /** Direct memory (RAM), or null for a space. */
  readonly bytes: Uint8Array | null;
  /** A `DataView` over `bytes` indexed by address (RAM's), or null. */
  readonly view: DataView | null;
  /** Run-based memory, or null. */
  readonly space: MemorySpace | null;
  /** What the memory is borrowed from, checked on every access. */
  readonly lease: Lease | null;
  /** Address of offset 0. */
  readonly base: number;
  /** Size of the object in bytes. */
  readonly size: number;
  /** Whether the memory may fault. */
  readonly fallible: boolean;
  /** The error code for a request past the end: `InvalidArgs` (OSTD's VM objects) or `AccessDenied` (user space). */
  readonly beyond: "InvalidArgs" | "AccessDenied";
}

/**
 * The implementation of {@link VmIo}, {@link VmIoFill} and {@link VmIoOnce}
 * shared by every VM object (`FrameVec`, `VmSpace`; `UFrame` and `USegment`
 * take its methods as a mixin). Not constructed directly. Every check and
 * every copy lives here; bulk copies and single values go straight to the
 * copy engine and the codecs without making reader and writer objects.
 *
 * OSTD counterpart: the provided methods of the `VmIo` trait.
 */
export abstract class VmObject implements VmIo, VmIoFill, VmIoOnce {
  /**
   * The object's memory, after checking that the object may be used (not
   * disposed; for user memory, active on this thread).
   *
   * @internal
   */
  protected abstract _ioMemory(): IoMemory;

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
    if (!isCursor(w, WRITER)) invalidType("w", "a VmWriter", w);
    const len = w._end - w._pos;
    const m = this._ioMemory();
    checkRange(m, offset, len);
    const copied = copyRaw(w._bytes, w._space, w._lease, w._pos, m.bytes, m.space, m.lease, m.base + offset, len);
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
    this._readInto(offset, buf.length !== 0 ? buf : bytesOf(buf));
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
    const m = this._ioMemory();
    checkRange(m, offset, len);
    const copied = copyRaw(bytes, null, null, 0, m.bytes, m.space, m.lease, m.base + offset, len);
    if (copied < len) raiseFault(faultedSpace(), copied);
  }

  /**
   * Reads one value of type `t` at `offset`.
   *
   * @throws {VmError} `InvalidArgs` when the value does not fit; `PageFault`.
   * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
   */
  readVal<T>(offset: number, t: PodType<T>): T {
    if (!isIndex(offset)) badIndex(offset, "offset");
    if (t == null || (t as PodDescriptor<T>).self !== t) notPodType(t, "t");
    const d = t as PodDescriptor<T>;
    const size = d.size;
    const m = this._ioMemory();
    if (offset + size > m.size) checkRange(m, offset, size);
    const addr = m.base + offset;
    const bytes = m.bytes;
    if (bytes !== null) {
      const lease = m.lease;
      if (lease !== null && lease.leaseExpired) leaseExpired(lease);
      return d.decode(m.view as DataView, addr);
    }
    const space = m.space as MemorySpace;
    if (!space.shared && size !== 0) {
      // One translation, so the fault handler runs at most once per byte: a
      // value inside one run is decoded here, a fault ends the access, and
      // only a value straddling two runs goes through a reader.
      const got = space.run(addr, size, false);
      if (got >= size) return d.decode(space.runView, space.runOffset);
      if (got === 0) raiseFault(space, 0);
    }
    return cursorOver(m, addr, size, READER).readVal(d);
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
    if (!isCursor(r, READER)) invalidType("r", "a VmReader", r);
    const len = r._end - r._pos;
    const m = this._ioMemory();
    checkRange(m, offset, len);
    const copied = copyRaw(m.bytes, m.space, m.lease, m.base + offset, r._bytes, r._space, r._lease, r._pos, len);
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
    this._writeFrom(offset, buf.length !== 0 ? buf : bytesOf(buf));
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
    const m = this._ioMemory();
    checkRange(m, offset, len);
    const copied = copyRaw(m.bytes, m.space, m.lease, m.base + offset, bytes, null, null, 0, len);
    if (copied < len) raiseFault(faultedSpace(), copied);
  }

  /**
   * Writes one value of type `t` at `offset`.
   *
   * @throws {VmError} `InvalidArgs` when the value does not fit; `PageFault`.
   * @throws {TypeError | RangeError} bad arguments or value; use of a disposed object.
   */
  writeVal<T>(offset: number, t: PodType<T>, value: T): void {
    if (!isIndex(offset)) badIndex(offset, "offset");
    if (t == null || (t as PodDescriptor<T>).self !== t) notPodType(t, "t");
    const d = t as PodDescriptor<T>;
    if (!d.valid(value)) d.reject(value, "value");
    const size = d.size;
    const m = this._ioMemory();
    if (offset + size > m.size) checkRange(m, offset, size);
    const addr = m.base + offset;
    if (m.bytes !== null) {
      const lease = m.lease;
      if (lease !== null && lease.leaseExpired) leaseExpired(lease);
      d.encode(m.view as DataView, addr, value);
      return;
    }
    const space = m.space as MemorySpace;
    if (!space.shared && size !== 0) {
      const got = space.run(addr, size, true);
      if (got >= size) {
        d.encode(space.runView, space.runOffset, value);
        return;
      }
      if (got === 0) raiseFault(space, 0);
    }
    cursorOver(m, addr, size, WRITER).writeVal(d, value);
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
    const m = this._ioMemory();
    const size = m.size;
    if (offset > size) throw new VmError("InvalidArgs", `fillZeros: offset ${offset} is past the end (${size})`);
    const n = Math.min(len, size - offset);
    const filled = fillRaw(m.bytes, m.space, m.lease, m.base + offset, n);
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
    const m = this._ioMemory();
    checkRange(m, offset, d.size);
    return loadOnce(cursorOver(m, m.base + offset, d.size, READER), d, "readOnce");
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
    const m = this._ioMemory();
    checkRange(m, offset, d.size);
    storeOnce(cursorOver(m, m.base + offset, d.size, WRITER), d, value, "writeOnce");
  }
}

/** Throws `Overflow`/`InvalidArgs` unless `[offset, offset + len)` is inside the object. */
function checkRange(m: IoMemory, offset: number, len: number): void {
  const end = offset + len;
  if (end > Number.MAX_SAFE_INTEGER) throw new VmError("Overflow", `offset ${offset} + length ${len} overflows`);
  if (end > m.size) {
    throw new VmError(m.beyond, `${len} bytes at offset 0x${offset.toString(16)} run past the end of the object (0x${m.size.toString(16)})`);
  }
}

/** A reader (`READER`) or writer (`WRITER`) over `[addr, addr + len)` of a VM object's memory. */
function cursorOver(m: IoMemory, addr: number, len: number, kind: number): VmReader<Fallibility> & VmWriter<Fallibility> {
  const make = kind === READER ? newReader : newWriter;
  return make(m.bytes, m.view, m.space, m.lease, addr, addr + len, m.fallible) as VmReader<Fallibility> & VmWriter<Fallibility>;
}

/**
 * Gives a class the methods of {@link VmObject} (`VmIo`, `VmIoFill`,
 * `VmIoOnce`) when it must extend another base class. The class supplies
 * `_ioMemory`; pair this with an interface declaration merge so that the
 * compiler knows the methods are there.
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
