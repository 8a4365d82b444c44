/**
 * VM objects: `VmIo`, `VmIoFill`, `VmIoOnce`, and the one implementation of
 * them that frames, segments, frame vectors and user address spaces share.
 *
 * A VM object is a range of memory addressed by offsets `0 … size`. Its
 * operations are all-or-nothing about their range: a request that does not
 * fit inside the object is `VmError` `InvalidArgs` (`AccessDenied` for a
 * user address space) and touches nothing; there are no short reads or
 * writes (OSTD's newest `VmIo`). Only faults — in user memory — can stop an
 * operation part-way, and then `VmError` `PageFault` says how many bytes
 * were moved.
 *
 * The implementation is a typed mixin, {@link withVmIo}: a class gets the
 * methods by extending `withVmIo(Base, memoryOf)`, where `Base` is the class
 * it would extend anyway (`Frame`, `Segment`, or `Object`) and `memoryOf`
 * tells the methods where an object's bytes are. `memoryOf` is a closure the
 * class supplies, not a method: no public object has a way to ask for its
 * memory. Being a real class in the prototype chain, the mixin's methods are
 * overridden the normal way by the class and its subclasses.
 *
 * @module
 */

import { badIndex, checkBytes, checkIndex, isIndex as importedIsIndex } from "../base/validate.js";
import { invalidType } from "../base/contract.js";
import { descriptorOf, notPodType, type PodDescriptor, type PodOnceType, type PodSnapshot, type PodType } from "../pod/pod-type.js";
import { raiseFault } from "./access-errors.js";
import { copyRaw, fillRaw } from "./copy.js";
import type { Fallibility } from "./fallibility.js";
import { NO_VIEW, checkLease as importedCheckLease, directFailed, ioBytes as importedIoBytes, readerAccess, writerAccess, type Lease } from "./memory-cursor.js";
import type { MemorySpace } from "./memory-space.js";
import { loadOnce, readValueIn, storeOnce, writeValueIn } from "./value-access.js";
import { VmError } from "./vm-error.js";
import type { VmReader } from "./vm-reader.js";
import type { VmWriter } from "./vm-writer.js";

// Imported bindings used on hot paths, as module-local constants: V8 (Node
// 20) folds a module's own `const`s but loads an imported binding from its
// module cell on every use (about 8 instructions a use, measured).
const isIndex = importedIsIndex;
const checkLease = importedCheckLease;
// The byte methods take their array through `ioBytes`, not `plainBytes`:
// it remembers the caller's last two arrays (apart from the readers' and
// writers'), so that a small copy between a user page and one of them
// moves words through its `DataView` (copy.ts, `copyWords`) instead of
// making a `subarray` of RAM for `set`. `user-readbytes-64b` 0.20–0.28 →
// 0.26–0.38 (A/B against the build before, six processes each), level with
// the reader path (`user-copy-64b`).
const ioBytes = importedIoBytes;

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
  /**
   * Reads one value of type `t` at `offset`. On shared memory a value wider
   * than one byte may tear (another thread writing it meanwhile), as OSTD
   * allows; `readOnce` reads a `PodOnce` value in one piece.
   */
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
   * zeroed up to the end, then `VmError{InvalidArgs, copied}` (for a user
   * address space, whose end is `MAX_USERSPACE_VADDR`, `AccessDenied`, as
   * for its other methods).
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
 * The constructor type a mixin may extend. TypeScript recognises a mixin
 * only over constructors taking `any[]` (TS2545); every class built with
 * {@link withVmIo} declares or inherits its own constructor, so no `any`
 * reaches a signature a caller uses.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- required by TypeScript's mixin pattern (TS2545)
export type MixinBase = abstract new (...args: any[]) => object;

/** What {@link withVmIo} adds to its base: instances have the methods of `VmIo`, `VmIoFill` and `VmIoOnce`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- required by TypeScript's mixin pattern (TS2545)
export type VmIoConstructor = abstract new (...args: any[]) => VmIo & VmIoFill & VmIoOnce;

/**
 * Gives `Base` the methods of {@link VmIo}, {@link VmIoFill} and
 * {@link VmIoOnce}: `class UFrame extends withVmIo(Frame, memoryOf)`.
 * `memoryOf(self)` returns the object's memory after checking that the
 * object may be used (not disposed; for user memory, active on this
 * thread). Every check and every copy lives here; bulk copies and single
 * values go straight to the copy engine and the codecs without making
 * reader and writer objects.
 *
 * OSTD counterpart: the provided methods of the `VmIo` trait.
 *
 * @internal
 */
export function withVmIo<B extends MixinBase>(Base: B, memoryOf: (self: object) => IoMemory): B & VmIoConstructor {
  abstract class VmObject extends Base implements VmIo, VmIoFill, VmIoOnce {
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
      const wa = writerAccess;
      if (!wa.isExpected(w)) invalidType("w", "a VmWriter", w);
      const len = wa.left(w);
      const m = memoryOf(this);
      checkRange(m, offset, len);
      const done = wa.exchange(w, m.bytes, m.space, m.lease, m.base + offset, len);
      if (typeof done !== "number") raiseFault(done);
    }

    /**
     * Fills `buf` with the bytes at `offset`.
     *
     * @throws {VmError} as `read`.
     * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
     */
    readBytes(offset: number, buf: Uint8Array): void {
      checkIndex(offset, "offset");
      checkBytes(buf, "buf");
      readInto(memoryOf(this), offset, ioBytes(buf, "buf"));
    }

    /**
     * Fills the bytes of `slice` with the bytes at `offset`.
     *
     * @throws {VmError} as `read`.
     * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
     */
    readSlice(offset: number, slice: ArrayBufferView): void {
      checkIndex(offset, "offset");
      readInto(memoryOf(this), offset, ioBytes(slice, "slice"));
    }

    /**
     * Reads one value of type `t` at `offset`. On shared memory a value
     * wider than one byte may tear; `readOnce` cannot.
     *
     * @throws {VmError} `InvalidArgs` when the value does not fit; `PageFault`.
     * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
     */
    readVal<T>(offset: number, t: PodType<T>): T {
      if (!isIndex(offset)) badIndex(offset, "offset");
      if (t == null || (t as PodDescriptor<T>).self !== t) notPodType(t, "t");
      const d = t as PodDescriptor<T>;
      const size = d.size;
      const m = memoryOf(this);
      if (offset + size > m.size) checkRange(m, offset, size);
      const addr = m.base + offset;
      const bytes = m.bytes;
      if (bytes === null) return readValueIn(m.space as MemorySpace, addr, d);
      checkLease(m.lease);
      try {
        return d.decode(m.view as DataView, addr);
      } catch (e) {
        return directFailed(bytes, addr, size, e);
      }
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
      const ra = readerAccess;
      if (!ra.isExpected(r)) invalidType("r", "a VmReader", r);
      const len = ra.left(r);
      const m = memoryOf(this);
      checkRange(m, offset, len);
      const done = ra.exchange(r, m.bytes, m.space, m.lease, m.base + offset, len);
      if (typeof done !== "number") raiseFault(done);
    }

    /**
     * Writes `buf` at `offset`.
     *
     * @throws {VmError} as `write`.
     * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
     */
    writeBytes(offset: number, buf: Uint8Array): void {
      checkIndex(offset, "offset");
      checkBytes(buf, "buf");
      writeFrom(memoryOf(this), offset, ioBytes(buf, "buf"));
    }

    /**
     * Writes the bytes of `slice` at `offset`.
     *
     * @throws {VmError} as `write`.
     * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
     */
    writeSlice(offset: number, slice: ArrayBufferView): void {
      checkIndex(offset, "offset");
      writeFrom(memoryOf(this), offset, ioBytes(slice, "slice"));
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
      // Snapshot, check, store: `value`'s getters run here and nowhere else.
      storeValueAt(memoryOf(this), offset, d, d.snapshot(value, "value"));
    }

    /**
     * Writes `len` zero bytes at `offset`.
     *
     * OSTD counterpart: `VmIoFill::fill_zeros`.
     *
     * @throws {VmError} `InvalidArgs` (`AccessDenied` for a user address
     *   space) with `copied: 0` when `offset` is past the end, or with
     *   `copied` when the range runs past the end (the bytes up to the end
     *   are zeroed); `PageFault` with `copied` when user memory faults.
     * @throws {TypeError | RangeError} bad arguments; use of a disposed object.
     */
    fillZeros(offset: number, len: number): void {
      checkIndex(offset, "offset");
      checkIndex(len, "len");
      const m = memoryOf(this);
      const size = m.size;
      if (offset > size) throw new VmError(m.beyond, `fillZeros: offset 0x${offset.toString(16)} is past the end (0x${size.toString(16)})`);
      const n = Math.min(len, size - offset);
      const done = fillRaw(m.bytes, m.space, m.lease, m.base + offset, n);
      if (typeof done !== "number") raiseFault(done);
      if (n < len) throw new VmError(m.beyond, `fillZeros: ${len} bytes at 0x${offset.toString(16)} run past the end (0x${size.toString(16)}); ${n} zeroed`, n);
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
      const m = memoryOf(this);
      checkRange(m, offset, d.size);
      return loadOnce(m.bytes, m.view ?? NO_VIEW, m.space, m.lease, m.base + offset, m.size - offset, d, "readOnce");
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
      const m = memoryOf(this);
      checkRange(m, offset, d.size);
      storeOnce(m.bytes, m.view ?? NO_VIEW, m.space, m.lease, m.base + offset, m.size - offset, d, value, "writeOnce");
    }
  }
  return VmObject;
}

/**
 * Stores a value of `d`, already snapshot, at `offset` of an object's
 * memory: `writeVal` once the caller's value has been read. A fault handler
 * may run (user memory); it cannot change the snapshot.
 *
 * @throws {VmError} `InvalidArgs`/`AccessDenied` when it does not fit; `PageFault`.
 * @throws {TypeError} dead direct memory.
 * @internal
 */
export function storeValueAt<T>(m: IoMemory, offset: number, d: PodDescriptor<T>, snap: PodSnapshot<T>): void {
  const size = d.size;
  if (offset + size > m.size) checkRange(m, offset, size);
  const addr = m.base + offset;
  const bytes = m.bytes;
  if (bytes === null) return writeValueIn(m.space as MemorySpace, addr, d, snap);
  checkLease(m.lease);
  try {
    d.store(m.view as DataView, addr, snap);
  } catch (e) {
    directFailed(bytes, addr, size, e);
  }
}

/** Fills `bytes` from `offset` of an object's memory (`readBytes`, `readSlice`). */
function readInto(m: IoMemory, offset: number, bytes: Uint8Array): void {
  const len = bytes.length;
  checkRange(m, offset, len);
  const done = copyRaw(bytes, null, null, 0, m.bytes, m.space, m.lease, m.base + offset, len);
  if (typeof done !== "number") raiseFault(done);
}

/** Writes `bytes` at `offset` of an object's memory (`writeBytes`, `writeSlice`). */
function writeFrom(m: IoMemory, offset: number, bytes: Uint8Array): void {
  const len = bytes.length;
  checkRange(m, offset, len);
  const done = copyRaw(m.bytes, m.space, m.lease, m.base + offset, bytes, null, null, 0, len);
  if (typeof done !== "number") raiseFault(done);
}

/** Throws `Overflow`/`InvalidArgs` unless `[offset, offset + len)` is inside the object. */
function checkRange(m: IoMemory, offset: number, len: number): void {
  const end = offset + len;
  if (end > Number.MAX_SAFE_INTEGER) throw new VmError("Overflow", `offset ${offset} + length ${len} overflows`);
  if (end > m.size) {
    throw new VmError(m.beyond, `${len} bytes at offset 0x${offset.toString(16)} run past the end of the object (0x${m.size.toString(16)})`);
  }
}
