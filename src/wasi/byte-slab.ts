/**
 * Where the bytes of a guest's write are gathered before they leave the host
 * call, without an allocation per call beyond the view handed on.
 *
 * A write must hand on a *copy*: the guest may change its memory the moment
 * the call returns. A fresh `Uint8Array` per call is the obvious copy, but
 * an array of more than 64 bytes lives outside V8's heap and costs about as
 * much as the rest of a small `fd_write` together. So:
 *
 * - {@link ByteSlab} hands out ranges carved from 8 KiB slabs, never handed
 *   out twice (Node's `Buffer` pool does the same): a sink may keep what it
 *   got. One slab per stream, so a sink that looks at `bytes.buffer` sees
 *   only bytes that were written to it anyway;
 * - {@link Scratch} is one buffer reused call after call, for destinations
 *   that consume the bytes before the call returns (files, host fds, the
 *   console).
 *
 * Both copy an I/O vector straight into the range they hand out
 * (`VmReaderArray._readAllInto`: over guest memory, one `set` per buffer),
 * with no `VmWriter` kept over their buffer. What they hand out is
 * `new Uint8Array(buffer, offset, n)`, not a `subarray`: on Node 20 that
 * costs about 35 ns less a call (no species lookup), a tenth of a small
 * `fd_write`.
 *
 * @module
 */

import type { VmReaderArray } from "../user/vm-reader-array.js";

const SLAB_SIZE = 8192;
/** Writes larger than this get an array of their own: carving them would waste most of a slab. */
const LARGE = SLAB_SIZE / 4;

/** Fresh, never-reused byte ranges (see the module notes). */
export class ByteSlab {
  #slab = new ArrayBuffer(SLAB_SIZE);
  /** The first byte of `#slab` no range has been carved from (a multiple of 8). */
  #used = 0;

  /**
   * The bytes of `bufs` (all of them: `n` is `bufs.sumLens()`), copied into
   * a range no one else holds.
   *
   * @throws {VmError} `PageFault` when a buffer faults (nothing is handed out).
   */
  gather(bufs: VmReaderArray, n: number): Uint8Array {
    if (n > LARGE) return gatherFresh(bufs, n);
    if (n > SLAB_SIZE - this.#used) {
      this.#slab = new ArrayBuffer(SLAB_SIZE);
      this.#used = 0;
    }
    const used = this.#used;
    // Carved before the copy, so no range is handed out twice even if the
    // copy re-enters a gather; the range of a copy that faults is dropped.
    // Ranges start 8-aligned (a sink may view its bytes as wider words); the
    // slab's size is a multiple of 8, so the next one starts inside it or at its end.
    this.#used = (used + n + 7) & ~7;
    const out = new Uint8Array(this.#slab, used, n);
    bufs._readAllInto(out, 0);
    return out;
  }
}

/** Writes up to this size reuse the scratch buffer; larger ones are not kept. */
const SCRATCH_KEEP = 65536;

/** One buffer, reused: valid until the next `take` or `gather`. */
export class Scratch {
  #buffer = new ArrayBuffer(256);

  /** `n` bytes, valid until the next call (contents unspecified). */
  take(n: number): Uint8Array {
    if (n > SCRATCH_KEEP) return new Uint8Array(n);
    if (n > this.#buffer.byteLength) this.#buffer = new ArrayBuffer(Math.max(n, this.#buffer.byteLength * 2));
    return new Uint8Array(this.#buffer, 0, n);
  }

  /**
   * The bytes of `bufs` (all of them: `n` is `bufs.sumLens()`), copied into
   * the buffer; valid until the next call.
   *
   * @throws {VmError} `PageFault` when a buffer faults.
   */
  gather(bufs: VmReaderArray, n: number): Uint8Array {
    const out = this.take(n);
    bufs._readAllInto(out, 0);
    return out;
  }
}

function gatherFresh(bufs: VmReaderArray, n: number): Uint8Array {
  const out = new Uint8Array(n);
  bufs._readAllInto(out, 0);
  return out;
}
