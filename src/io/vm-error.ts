/**
 * `VmError`: the runtime failures a caller is expected to handle.
 *
 * Failures that are bugs in the caller (contract violations) are never
 * `VmError`s; they are `TypeError`/`RangeError` (see `base/contract.ts`).
 *
 * @module
 */

import { badIndex } from "../base/validate.js";
import { invalidType } from "../base/contract.js";

/**
 * The kinds of {@link VmError}.
 *
 * OSTD counterpart: the variants of `ostd::Error` that memory operations return.
 */
export type VmErrorCode = "InvalidArgs" | "PageFault" | "AccessDenied" | "NoMemory" | "Overflow";

const codes: ReadonlySet<string> = new Set<VmErrorCode>(["InvalidArgs", "PageFault", "AccessDenied", "NoMemory", "Overflow"]);

/**
 * A failed memory operation that the caller is expected to handle: a page
 * fault in user memory, a request that does not fit its object, exhausted
 * memory. Operations that can stop part-way (fallible copies and fills) set
 * {@link VmError.copied} to the number of bytes completed before the failure;
 * all others set it to 0.
 *
 * OSTD counterpart: `ostd::Error`, and the `(Error, usize)` pairs returned by
 * `read_fallible`, `write_fallible` and `fill_zeros`.
 */
export class VmError extends Error {
  /** What went wrong. */
  readonly code: VmErrorCode;
  /** Bytes completed before the failure (0 when nothing was, or the operation is all-or-nothing). */
  readonly copied: number;

  /**
   * @throws {TypeError} `code` is not a {@link VmErrorCode} (`ERR_INVALID_ARG_TYPE`).
   * @throws {TypeError | RangeError} `copied` is not a non-negative safe integer.
   */
  constructor(code: VmErrorCode, message?: string, copied = 0) {
    if (!codes.has(code)) invalidType("code", `one of ${[...codes].join(", ")}`, code);
    if (!Number.isSafeInteger(copied) || copied < 0) badIndex(copied, "copied");
    super(message ?? code);
    this.name = "VmError";
    this.code = code;
    this.copied = copied;
  }
}
