/**
 * Host clocks for WASI (`clock_time_get`, `clock_res_get`) and file times.
 *
 * `performance` is in every JS runtime vmio targets (Node ≥ 16, browsers,
 * workers), so nothing here imports Node. Browsers coarsen it (5 µs to
 * 100 µs); the resolutions reported say so honestly rather than claiming
 * nanoseconds.
 *
 * @module
 */

/** Nanoseconds since the Unix epoch, at the best precision the runtime gives (WASI `clockid::realtime`). */
export function realtimeNs(): bigint {
  const ms = performance.timeOrigin + performance.now();
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/** Nanoseconds on a clock that never goes back (WASI `clockid::monotonic`). */
export function monotonicNs(): bigint {
  const ms = performance.now();
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/** The resolution reported for every clock: 1 µs (Node's `performance.now()` is finer; browsers coarser). */
export const CLOCK_RESOLUTION_NS = 1_000n;
