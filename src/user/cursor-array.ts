/**
 * What `VmReaderArray` and `VmWriterArray` share: walking an array of
 * cursors as one stream.
 *
 * @module
 */

import { contractViolation } from "../base/contract.js";
import { VmError } from "../io/vm-error.js";

/**
 * The exception to rethrow when a copy through one cursor of an array
 * failed after `total` bytes had been copied through the ones before it: a
 * fault's `copied` then counts the whole array; anything else (a fault
 * handler's own exception) passes as it is.
 *
 * @internal
 */
export function withTotal(e: unknown, total: number): unknown {
  if (!(e instanceof VmError) || total === 0) return e;
  return new VmError(e.code, `${e.message}; ${total + e.copied} bytes completed over the whole I/O vector`, total + e.copied);
}

/**
 * Skips `n` bytes of `cursors`, front to back; `left(c)` is what cursor `c`
 * has left and `sum` the total of that.
 *
 * @throws {RangeError} `n > sum`.
 * @internal
 */
export function skipCursors<C extends { skip(n: number): unknown }>(cursors: readonly C[], n: number, sum: number, left: (c: C) => number): void {
  if (n > sum) contractViolation(`cannot skip ${n} bytes: only ${sum} are left in the I/O vector`);
  for (let i = 0; n > 0; i++) {
    const c = cursors[i] as C;
    const step = Math.min(left(c), n);
    c.skip(step);
    n -= step;
  }
}
