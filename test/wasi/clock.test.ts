/** Clocks and the synchronous sleep behind poll_oneoff. */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { GuestMemory } from "vmio";
import { CLOCK_RESOLUTION_NS, monotonicMs, monotonicNs, nsOf, realtimeMs, realtimeNs, storeNs } from "../../src/wasi/clock.js";
import { sleepNs } from "../../src/wasi/sleep.js";

test("realtime is nanoseconds since the epoch; monotonic never goes back", () => {
  // Bracketed by the wall clock, so a pause between the reads cannot fail it;
  // the second of slack is for timeOrigin + now() drifting from Date.now().
  const before = BigInt(Date.now()) * 1_000_000n;
  const rt = realtimeNs();
  const after = BigInt(Date.now()) * 1_000_000n;
  assert.ok(rt > before - 1_000_000_000n && rt < after + 1_000_000_000n);
  let last = monotonicNs();
  for (let i = 0; i < 1000; i++) {
    const t = monotonicNs();
    assert.ok(t >= last);
    last = t;
  }
  assert.equal(CLOCK_RESOLUTION_NS, 1000n);
});

test("the clocks call performance.now as it is when read: a now() replaced on the object (fake timers) is used", () => {
  const real = Object.getOwnPropertyDescriptor(performance, "now");
  Object.defineProperty(performance, "now", { value: () => 1234.5, configurable: true, writable: true });
  try {
    assert.equal(monotonicMs(), 1234.5);
    assert.equal(realtimeMs(), performance.timeOrigin + 1234.5);
  } finally {
    if (real === undefined) delete (performance as { now?: unknown }).now;
    else Object.defineProperty(performance, "now", real);
  }
  assert.notEqual(monotonicMs(), 1234.5, "restored");
});

test("sleepNs blocks at least as long as asked", () => {
  const t0 = monotonicNs();
  sleepNs(20_000_000n);
  assert.ok(monotonicNs() - t0 >= 20_000_000n);
  sleepNs(0n);
});

test("storeNs stores exactly nsOf(ms) as a little-endian u64, past 2^53 ns too, and nothing around it", () => {
  const buffer = new ArrayBuffer(64);
  const dv = new DataView(buffer);
  const mem = new GuestMemory(buffer);
  const check = (ms: number): void => {
    new Uint8Array(buffer).fill(0xee);
    storeNs(mem, 8, ms);
    assert.equal(dv.getBigUint64(8, true), nsOf(ms), `ms ${ms}`);
    assert.equal(dv.getUint32(4, true), 0xeeeeeeee);
    assert.equal(dv.getUint32(16, true), 0xeeeeeeee);
  };
  for (const ms of [0, 0.0000004, 0.0000005, 0.9999996, 1, 4294.967296, 4294.967295999, 2 ** 20, 2 ** 20 - 1e-6, 2 ** 32, 2 ** 41 + 0.5, 9e12 + 0.123456]) check(ms);
  check(realtimeMs());
  check(monotonicMs());
  fc.assert(
    fc.property(fc.double({ min: 0, max: 2 ** 44, noNaN: true }), (ms) => check(ms)),
    { seed: 0x5eed, numRuns: 2000 },
  );
});
