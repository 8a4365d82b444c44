/**
 * Cryptographic random bytes for `random_get`, drawn from a pool refilled
 * 4 KiB at a time.
 *
 * Why a pool: `crypto.getRandomValues` costs about 4 µs a call on Node 20
 * whatever its size (Web Crypto's argument handling, then the call into
 * the CSPRNG), ten times node:wasi's whole `random_get` of 16 bytes. The
 * bytes are the CSPRNG's all the same; only when they were drawn changes.
 * Node does the same for `crypto.randomUUID` and `crypto.randomInt` (a
 * cache of random bytes), as does any user-space CSPRNG.
 *
 * Rule: a byte of the pool is handed out at most once (the position only
 * moves forward, and a refill replaces every byte), so no two calls — and
 * no two guests, each with its own pool — ever see the same bytes.
 *
 * @module
 */

import type { GuestMemory } from "../guest/guest-memory.js";

const POOL_SIZE = 4096;
/** Requests larger than this are drawn directly: pooling them would waste most of a refill. */
const DIRECT = POOL_SIZE / 4;
/** `crypto.getRandomValues` fills at most 64 KiB a call. */
const CHUNK = 65536;

/** Random bytes for one guest (see the module notes). */
export class RandomPool {
  readonly #pool = new ArrayBuffer(POOL_SIZE);
  /** The first byte of `#pool` not handed out yet; `POOL_SIZE` when it must be refilled. */
  #used = POOL_SIZE;

  /**
   * Writes `n` fresh random bytes at guest address `ptr`, which the caller
   * has checked (`[ptr, ptr + n)` is inside memory).
   *
   * WASI counterpart: `random_get` (wasmtime draws from the host CSPRNG).
   */
  fill(mem: GuestMemory, ptr: number, n: number): void {
    if (n > DIRECT) {
      fillDirect(mem, ptr, n);
      return;
    }
    if (n > POOL_SIZE - this.#used) {
      crypto.getRandomValues(new Uint8Array(this.#pool));
      this.#used = 0;
    }
    const at = this.#used;
    // Consumed before the copy: nothing the copy does can hand the same bytes out again.
    this.#used = at + n;
    mem.writeBytes(ptr, new Uint8Array(this.#pool, at, n));
  }
}

function fillDirect(mem: GuestMemory, ptr: number, n: number): void {
  const chunk = new Uint8Array(Math.min(n, CHUNK));
  for (let done = 0; done < n; done += chunk.length) {
    const part = chunk.subarray(0, Math.min(chunk.length, n - done));
    crypto.getRandomValues(part);
    mem.writeBytes(ptr + done, part);
  }
}
