/** Clocks and the synchronous sleep behind poll_oneoff. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { CLOCK_RESOLUTION_NS, monotonicNs, realtimeNs } from "../../src/wasi/clock.js";
import { sleepNs } from "../../src/wasi/sleep.js";

test("realtime is nanoseconds since the epoch; monotonic never goes back", () => {
  const now = BigInt(Date.now()) * 1_000_000n;
  const rt = realtimeNs();
  assert.ok(rt > now - 1_000_000_000n && rt < now + 1_000_000_000n);
  let last = monotonicNs();
  for (let i = 0; i < 1000; i++) {
    const t = monotonicNs();
    assert.ok(t >= last);
    last = t;
  }
  assert.equal(CLOCK_RESOLUTION_NS, 1000n);
});

test("sleepNs blocks at least as long as asked", () => {
  const t0 = monotonicNs();
  sleepNs(20_000_000n);
  assert.ok(monotonicNs() - t0 >= 20_000_000n);
  sleepNs(0n);
});
