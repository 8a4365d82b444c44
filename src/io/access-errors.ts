/**
 * The failures of reader and writer accesses, built in cold functions so
 * that the hot accessors stay small (DESIGN.md, "exceptions").
 *
 * @module
 */

import { contractViolation, invalidType } from "../base/contract.js";
import type { OnceKind, PodDescriptor } from "../pod/pod-type.js";
import type { MemoryCursor } from "./memory-cursor.js";
import type { MemorySpace } from "./memory-space.js";
import { VmError } from "./vm-error.js";

/** @internal */
export function insufficient(op: string, needed: number, left: number): never {
  throw new VmError("InvalidArgs", `${op}: needs ${needed} bytes but only ${left} are in range`);
}

/** @internal */
export function misaligned(op: string, addr: number, align: number): never {
  return contractViolation(`${op}: address 0x${addr.toString(16)} is not aligned to ${align} bytes`);
}

/**
 * Throws unless the byte at the cursor is `size`-aligned where it really is:
 * in its buffer for direct memory (a typed view may start at any offset),
 * by virtual address for a space (pages are aligned to every access size).
 *
 * @internal
 */
export function checkAligned(c: MemoryCursor, size: number, op: string): void {
  const bytes = c._bytes;
  const where = bytes === null ? c._pos : bytes.byteOffset + c._pos;
  if (where % size !== 0) misaligned(op, c._pos, size);
}

/** @internal */
export function requireInfallible(op: string, side: "reader" | "writer"): never {
  return invalidType(`the ${side} of ${op}()`, `infallible (${op} is only for VmReader/VmWriter<Infallible>)`, "a fallible one");
}

/**
 * The `OnceKind` of a `PodOnce` descriptor.
 *
 * @throws {TypeError} the descriptor is not `PodOnce`.
 * @internal
 */
export function requireOnce<T>(d: PodDescriptor<T>): OnceKind {
  const kind = d.once;
  if (kind === null) invalidType("t", "a PodOnce type (an integer of 1, 2, 4 or 8 bytes)", d.name);
  return kind;
}

/**
 * Ends an operation that a fault in `space` stopped: rethrows the fault
 * handler's exception if one was parked there, else throws `VmError`
 * `PageFault` with `copied`.
 *
 * @internal
 */
export function raiseFault(space: MemorySpace | null, copied: number): never {
  const parked = space?.takePendingError();
  if (parked !== undefined) throw parked.error;
  const where = space === null ? "" : ` at 0x${space.faultAddr.toString(16)} (${space.faultWrite ? "write" : "read"})`;
  throw new VmError("PageFault", `page fault${where}; ${copied} bytes completed`, copied);
}
