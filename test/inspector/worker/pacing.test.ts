// The inspector's pacing: pauses grow with a slice's faults and process
// events, are capped, scale with the pace (0 = none); samples are due at
// once after a process event, else every SAMPLE_MS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_SLICE_PAUSE, PAUSES, SAMPLE_MS, pauseAfterSlice, sampleDue, validPace } from "../../../inspector/worker/pacing.js";

test("a pause is the slice's, plus one per fault and per process event, capped, times the pace", () => {
  assert.equal(pauseAfterSlice({ faults: 0, lifecycle: 0 }, 1), PAUSES.slice);
  assert.equal(pauseAfterSlice({ faults: 3, lifecycle: 1 }, 1), PAUSES.slice + 3 * PAUSES.fault + PAUSES.lifecycle);
  assert.equal(pauseAfterSlice({ faults: 3, lifecycle: 1 }, 0.5), (PAUSES.slice + 3 * PAUSES.fault + PAUSES.lifecycle) / 2);
  assert.equal(pauseAfterSlice({ faults: 100_000, lifecycle: 0 }, 1), MAX_SLICE_PAUSE);
  assert.equal(pauseAfterSlice({ faults: 100_000, lifecycle: 9 }, 0), 0, "full speed: no pause at all");
});

test("a sample is due after a process event, or SAMPLE_MS after the previous one", () => {
  assert.equal(sampleDue({ faults: 0, lifecycle: 1 }, 0), true);
  assert.equal(sampleDue({ faults: 50, lifecycle: 0 }, SAMPLE_MS - 1), false);
  assert.equal(sampleDue({ faults: 0, lifecycle: 0 }, SAMPLE_MS), true);
  assert.equal(sampleDue({ faults: 0, lifecycle: 0 }, Infinity), true, "the first slice is sampled");
});

test("the page may ask for a pace from 0 to 10, a finite number", () => {
  for (const ok of [0, 0.25, 1, 10]) assert.equal(validPace(ok), true, String(ok));
  for (const bad of [-1, 10.5, NaN, Infinity, "1", undefined, null, 1n]) assert.equal(validPace(bad), false, String(bad));
});
