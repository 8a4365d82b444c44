/**
 * Single values in a memory space: one Pod value (`readVal`/`writeVal`) and
 * one-instruction accesses (`readOnce`, `writeOnce`, `atomicLoad`,
 * `atomicCompareExchange`), shared by readers, writers and VM objects.
 *
 * A value access is all-or-nothing: it faults before any byte of the value
 * is written (`writeVal` translates every page of a value that straddles
 * pages before it writes one), and a fault reports `copied: 0`. The fault
 * handler is asked at most once per faulting byte.
 *
 * On shared RAM each access is one read-side critical section (see
 * `memory-space.ts`): the frames behind the translation stay allocated until
 * the value has moved. Plain values may tear there, as OSTD allows; the
 * one-instruction accesses use `Atomics` and cannot.
 *
 * @module
 */

import { isShared } from "../base/buffers.js";
import type { PodDescriptor, PodSnapshot } from "../pod/pod-type.js";
import { CopyFault, insufficient, misaligned, raiseFault, raiseFaultIn, requireOnce } from "./access-errors.js";
import { atomicCompareExchangeU32, atomicLoad, atomicStore } from "./atomic-access.js";
import { copyRaw } from "./copy.js";
import { checkDirect, type Lease } from "./memory-cursor.js";
import type { MemorySpace } from "./memory-space.js";

/**
 * Reads one value of `d` at `addr` of `space`.
 *
 * @throws {VmError} `PageFault` (with `copied: 0`), or the fault handler's exception.
 * @internal
 */
export function readValueIn<T>(space: MemorySpace, addr: number, d: PodDescriptor<T>): T {
  if (!space.shared) return readValueRuns(space, addr, d);
  space.enter();
  try {
    return readValueRuns(space, addr, d);
  } finally {
    space.exit();
  }
}

function readValueRuns<T>(space: MemorySpace, addr: number, d: PodDescriptor<T>): T {
  const size = d.size;
  if (size === 0) return d.decode(space.runView, 0);
  const got = space.run(addr, size, false);
  if (got >= size) return d.decode(space.runView, space.runOffset);
  if (got === 0) raiseFaultIn(space);
  // The value straddles two runs (pages): gather it first, then decode.
  const scratch = new Uint8Array(size);
  const copied = copyRaw(scratch, null, null, 0, null, space, null, addr, size);
  if (copied instanceof CopyFault) raiseFault(copied.after(0));
  return d.decode(new DataView(scratch.buffer), 0);
}

/**
 * Writes one value of `d`, already snapshot, at `addr` of `space` (a fault
 * handler may run meanwhile: it cannot change the snapshot).
 *
 * @throws {VmError} `PageFault` (with `copied: 0`, nothing written), or the fault handler's exception.
 * @internal
 */
export function writeValueIn<T>(space: MemorySpace, addr: number, d: PodDescriptor<T>, snap: PodSnapshot<T>): void {
  if (!space.shared) return writeValueRuns(space, addr, d, snap);
  space.enter();
  try {
    writeValueRuns(space, addr, d, snap);
  } finally {
    space.exit();
  }
}

function writeValueRuns<T>(space: MemorySpace, addr: number, d: PodDescriptor<T>, snap: PodSnapshot<T>): void {
  const size = d.size;
  if (size === 0) return;
  const got = space.run(addr, size, true);
  if (got >= size) {
    d.store(space.runView, space.runOffset, snap);
    return;
  }
  if (got === 0) raiseFaultIn(space);
  // The value straddles runs (pages): make sure every byte is writable
  // before writing any, then copy it in from a scratch buffer.
  for (let done = got; done < size; ) {
    const n = space.run(addr + done, size - done, true);
    if (n === 0) raiseFaultIn(space);
    done += n;
  }
  const scratch = new Uint8Array(size);
  d.store(new DataView(scratch.buffer), 0, snap);
  const copied = copyRaw(null, space, null, addr, scratch, null, null, 0, size);
  if (copied instanceof CopyFault) raiseFault(copied.after(0));
}

/**
 * Throws unless the byte at `pos` is `size`-aligned where it really is: in
 * its buffer for direct memory (a typed view may start at any offset), by
 * address for a space (pages are aligned to every access size).
 */
function checkAligned(bytes: Uint8Array | null, pos: number, size: number, op: string): void {
  const where = bytes === null ? pos : bytes.byteOffset + pos;
  if (where % size !== 0) misaligned(op, pos, size);
}

/**
 * A one-instruction load of a `PodOnce` value at `pos` of a memory given by
 * its parts (`left` bytes in range from `pos`; `view` a `DataView` over
 * direct `bytes`, indexed by address). Checks the type, the room and the
 * alignment; uses `Atomics` where the memory is shared.
 *
 * @throws {VmError} `InvalidArgs` (no room), `PageFault` (with `copied: 0`).
 * @throws {RangeError} misaligned.
 * @throws {TypeError} not a `PodOnce` type; dead direct memory.
 * @internal
 */
export function loadOnce<T>(
  bytes: Uint8Array | null,
  view: DataView,
  space: MemorySpace | null,
  lease: Lease | null,
  pos: number,
  left: number,
  d: PodDescriptor<T>,
  op: string,
): T {
  const kind = requireOnce(d);
  const size = d.size;
  if (left < size) insufficient(op, size, left);
  checkAligned(bytes, pos, size, op);
  if (bytes !== null) {
    checkDirect(bytes, lease, pos, size);
    const buffer = bytes.buffer;
    if (isShared(buffer)) return atomicLoad(buffer, kind, bytes.byteOffset + pos) as T;
    return d.decode(view, pos);
  }
  const s = space as MemorySpace;
  if (!s.shared) {
    if (s.run(pos, size, false) < size) raiseFaultIn(s);
    return d.decode(s.runView, s.runOffset);
  }
  s.enter();
  try {
    if (s.run(pos, size, false) < size) raiseFaultIn(s);
    return atomicLoad(s.runBytes.buffer, kind, s.runOffset) as T;
  } finally {
    s.exit();
  }
}

/**
 * A one-instruction store of a `PodOnce` value at `pos`; the mirror of
 * {@link loadOnce}. The value is checked before anything else happens.
 *
 * @throws as {@link loadOnce}; a fault writes nothing.
 * @throws {TypeError | RangeError} `value` is not a valid value of `d`.
 * @internal
 */
export function storeOnce<T>(
  bytes: Uint8Array | null,
  view: DataView,
  space: MemorySpace | null,
  lease: Lease | null,
  pos: number,
  left: number,
  d: PodDescriptor<T>,
  value: T,
  op: string,
): void {
  const kind = requireOnce(d);
  // A PodOnce snapshot is the primitive value itself, checked.
  const snap = d.snapshot(value, "value");
  const size = d.size;
  if (left < size) insufficient(op, size, left);
  checkAligned(bytes, pos, size, op);
  if (bytes !== null) {
    checkDirect(bytes, lease, pos, size);
    const buffer = bytes.buffer;
    if (isShared(buffer)) atomicStore(buffer, kind, bytes.byteOffset + pos, snap as unknown as number | bigint);
    else d.store(view, pos, snap);
    return;
  }
  const s = space as MemorySpace;
  if (!s.shared) {
    if (s.run(pos, size, true) < size) raiseFaultIn(s);
    d.store(s.runView, s.runOffset, snap);
    return;
  }
  s.enter();
  try {
    if (s.run(pos, size, true) < size) raiseFaultIn(s);
    atomicStore(s.runBytes.buffer, kind, s.runOffset, snap as unknown as number | bigint);
  } finally {
    s.exit();
  }
}

/**
 * A one-instruction compare-and-exchange of the `u32` at `pos` (4 bytes in
 * range, checked by the caller with the reader's); returns the previous
 * value. The access is a write, as for the hardware instruction.
 *
 * @throws {VmError} `PageFault` (with `copied: 0`).
 * @throws {RangeError} misaligned.
 * @throws {TypeError} dead direct memory.
 * @internal
 */
export function compareExchangeU32(
  bytes: Uint8Array | null,
  view: DataView,
  space: MemorySpace | null,
  lease: Lease | null,
  pos: number,
  expected: number,
  next: number,
): number {
  checkAligned(bytes, pos, 4, "atomicCompareExchange");
  if (bytes !== null) {
    checkDirect(bytes, lease, pos, 4);
    const buffer = bytes.buffer;
    if (isShared(buffer)) return atomicCompareExchangeU32(buffer, bytes.byteOffset + pos, expected, next);
    return plainCompareExchange(view, pos, expected, next);
  }
  const s = space as MemorySpace;
  if (!s.shared) {
    if (s.run(pos, 4, true) < 4) raiseFaultIn(s);
    return plainCompareExchange(s.runView, s.runOffset, expected, next);
  }
  s.enter();
  try {
    if (s.run(pos, 4, true) < 4) raiseFaultIn(s);
    return atomicCompareExchangeU32(s.runBytes.buffer, s.runOffset, expected, next);
  } finally {
    s.exit();
  }
}

/** Compare-and-exchange where no other thread can race (an unshared buffer). */
function plainCompareExchange(view: DataView, offset: number, expected: number, next: number): number {
  const previous = view.getUint32(offset, true);
  if (previous === expected) view.setUint32(offset, next, true);
  return previous;
}
