/**
 * Where the bytes of a guest's write are gathered before they leave the host
 * call, without an allocation per call.
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
 * @module
 */

const SLAB_SIZE = 8192;
/** Writes larger than this get an array of their own: carving them would waste most of a slab. */
const LARGE = SLAB_SIZE / 4;

/** Fresh, never-reused byte ranges (see the module notes). */
export class ByteSlab {
  #slab = new Uint8Array(SLAB_SIZE);
  #used = 0;

  /** A zero-filled range of `n` bytes no one else holds. */
  take(n: number): Uint8Array {
    if (n > LARGE) return new Uint8Array(n);
    if (this.#used + n > SLAB_SIZE) {
      this.#slab = new Uint8Array(SLAB_SIZE);
      this.#used = 0;
    }
    const out = this.#slab.subarray(this.#used, this.#used + n);
    this.#used = (this.#used + n + 7) & ~7; // keep ranges 8-aligned
    return out;
  }
}

/** Writes up to this size reuse the scratch buffer; larger ones are not kept. */
const SCRATCH_KEEP = 65536;

/** One buffer, reused: valid until the next `take`. */
export class Scratch {
  #buffer = new Uint8Array(256);

  /** `n` bytes, valid until the next call (contents unspecified). */
  take(n: number): Uint8Array {
    if (n > SCRATCH_KEEP) return new Uint8Array(n);
    if (n > this.#buffer.length) this.#buffer = new Uint8Array(Math.max(n, this.#buffer.length * 2));
    return this.#buffer.subarray(0, n);
  }
}
