/**
 * Reading a NUL-terminated string out of user memory, bounded.
 *
 * @module
 */

import { invalidType } from "../base/contract.js";
import { checkIndex } from "../base/validate.js";
import { PAGE_SIZE } from "../frame/page-size.js";
import type { Fallibility } from "../io/fallibility.js";
import { VmError } from "../io/vm-error.js";
import { VmReader } from "../io/vm-reader.js";
import { VmWriter } from "../io/vm-writer.js";

/** The first chunk read: most strings a system call takes (names, short paths) fit. */
const FIRST_CHUNK = 64;

/**
 * Reads the bytes before the first NUL at `r`'s cursor, reading at most
 * `maxLen` bytes (the NUL included) and never past `r`'s end. On success the
 * NUL is consumed and the bytes before it are returned; `null` means no NUL
 * within `maxLen` bytes or before `r`'s end (`r` has then advanced past
 * what it read).
 *
 * Nothing past the NUL decides the outcome: the string is read in chunks
 * that never cross a page boundary, so a string ending exactly before
 * unmapped memory (or the end of guest memory) succeeds even if the chunk
 * reached past it, and a fault handler is only ever asked for a page the
 * string really runs into.
 *
 * OSTD counterpart: Asterinas' `ReadCString::read_cstring_until_nul`;
 * Linux: `strncpy_from_user`.
 *
 * @throws {VmError} `PageFault` when the string runs into a byte that
 *   faults: `copied` is the number of bytes consumed (`r` has advanced by
 *   that). A fault handler's own exception passes through as it is.
 * @throws {TypeError | RangeError} `r` is not a reader; `maxLen` is not a
 *   non-negative safe integer.
 */
export function readCString(r: VmReader<Fallibility>, maxLen: number): Uint8Array | null {
  if (!(r instanceof VmReader)) invalidType("r", "a VmReader", r);
  checkIndex(maxLen, "maxLen");
  let out = new Uint8Array(Math.min(maxLen, FIRST_CHUNK));
  let consumed = 0;
  let chunk = FIRST_CHUNK;
  while (consumed < maxLen && r.hasRemain()) {
    const pos = r.cursor();
    const pageEnd = (Math.floor(pos / PAGE_SIZE) + 1) * PAGE_SIZE;
    const want = Math.min(pageEnd - pos, maxLen - consumed, r.remain(), chunk);
    if (consumed + want > out.length) {
      const bigger = new Uint8Array(Math.min(Math.max(out.length * 2, consumed + want), maxLen));
      bigger.set(out.subarray(0, consumed));
      out = bigger;
    }
    // Read ahead through a clone, so that `r` consumes only up to the NUL.
    const ahead = r.clone();
    let failure: unknown = undefined;
    try {
      ahead.readFallible(VmWriter.from(out.subarray(consumed, consumed + want)));
    } catch (e) {
      failure = e;
    }
    const got = ahead.cursor() - pos;
    for (let i = consumed; i < consumed + got; i++) {
      if (out[i] === 0) {
        r.skip(i - consumed + 1);
        return out.slice(0, i);
      }
    }
    r.skip(got);
    consumed += got;
    if (failure !== undefined) {
      if (failure instanceof VmError) throw new VmError(failure.code, `${failure.message}; ${consumed} bytes of the string consumed`, consumed);
      throw failure;
    }
    chunk *= 2;
  }
  return null;
}
