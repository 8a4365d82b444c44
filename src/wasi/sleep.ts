/**
 * A synchronous sleep, for `poll_oneoff` with only clock subscriptions.
 *
 * WASI preview1 is synchronous: the guest's call returns when the time is
 * up. `Atomics.wait` blocks without spinning in Node and in workers; on a
 * browser's main thread it is forbidden (it throws), and there the wait is
 * a spin on the clock — the only way to block there.
 *
 * @module
 */

import { monotonicNs } from "./clock.js";

let cell: Int32Array | undefined;

/** Blocks the calling thread for `ns` nanoseconds. */
export function sleepNs(ns: bigint): void {
  const deadline = monotonicNs() + ns;
  try {
    cell ??= new Int32Array(new SharedArrayBuffer(4));
    for (let left = ns; left > 0n; left = deadline - monotonicNs()) {
      Atomics.wait(cell, 0, 0, Math.max(Number(left) / 1e6, 0.001));
    }
  } catch {
    while (monotonicNs() < deadline) {
      // spin: no blocking wait on this thread
    }
  }
}
