/**
 * The failures of reader, writer and VM-object accesses, built in cold
 * functions so that the hot accessors stay small (docs/architecture.md, "Measured rules"),
 * and {@link CopyFault}: how the copy engine hands back a fault with its
 * result instead of leaving it in shared state for the caller to find.
 *
 * @module
 */

import { contractViolation, invalidType } from "../base/contract.js";
import type { OnceKind, PodDescriptor } from "../pod/pod-type.js";
import type { MemorySpace } from "./memory-space.js";
import { VmError } from "./vm-error.js";

/**
 * A copy or fill that a fault stopped: how many bytes it completed, where it
 * faulted, and the exception of the fault handler if one threw there. The
 * copy engine returns one instead of a count whenever it stops short; the
 * caller accounts for `copied` (moves its cursors) and then
 * {@link raiseFault}s it.
 *
 * @internal
 */
export class CopyFault {
  constructor(
    /** Bytes completed before the fault. */
    readonly copied: number,
    /** Address of the byte that faulted, in the faulting memory. */
    readonly address: number,
    /** Whether that access was a write. */
    readonly write: boolean,
    /** The fault handler's exception, if it threw. */
    readonly parked: { readonly error: unknown } | undefined,
  ) {}

  /** The same fault, with another count of completed bytes. */
  after(copied: number): CopyFault {
    return new CopyFault(copied, this.address, this.write, this.parked);
  }
}

/**
 * The fault that `space.run` just reported (by returning 0), with `copied`
 * bytes completed before it. Takes the space's parked handler exception, so
 * nothing of this fault is left behind for a later access to find.
 *
 * @internal
 */
export function faultIn(space: MemorySpace, copied: number): CopyFault {
  return new CopyFault(copied, space.faultAddr, space.faultWrite, space.takePendingError());
}

/**
 * Ends an operation that a fault stopped: rethrows the fault handler's
 * exception if it threw, else throws `VmError` `PageFault` with `copied`.
 *
 * @internal
 */
export function raiseFault(fault: CopyFault): never {
  if (fault.parked !== undefined) throw fault.parked.error;
  throw new VmError(
    "PageFault",
    `page fault at 0x${fault.address.toString(16)} (${fault.write ? "write" : "read"}); ${fault.copied} bytes completed`,
    fault.copied,
  );
}

/**
 * Ends a value access that `space.run` stopped (nothing was moved).
 *
 * @internal
 */
export function raiseFaultIn(space: MemorySpace): never {
  return raiseFault(faultIn(space, 0));
}

/** @internal */
export function insufficient(op: string, needed: number, left: number): never {
  throw new VmError("InvalidArgs", `${op}: needs ${needed} bytes but only ${left} are in range`);
}

/** @internal */
export function misaligned(op: string, addr: number, align: number): never {
  return contractViolation(`${op}: address 0x${addr.toString(16)} is not aligned to ${align} bytes`);
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
