// Lists of frames as runs of consecutive frame numbers: a lone frame is its
// number, a run of count >= 2 is -count then its first frame; order kept.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { addRun, runsOf } from "../../src/frame/frame-runs.js";
import { forEachRun, framesOf } from "./support.js";

test("addRun appends a lone frame as its number and a longer run as -count, start; forEachRun reads them back in order", () => {
  const runs: number[] = [];
  addRun(runs, 10, 1);
  addRun(runs, 11, 3);
  addRun(runs, 0, 1);
  addRun(runs, 0, 2);
  assert.deepEqual(runs, [10, -3, 11, 0, -2, 0]);
  const seen: Array<[number, number]> = [];
  forEachRun(runs, (start, count) => seen.push([start, count]));
  assert.deepEqual(seen, [
    [10, 1],
    [11, 3],
    [0, 1],
    [0, 2],
  ]);
  assert.deepEqual(framesOf(runs), [10, 11, 12, 13, 0, 0, 1]);
  assert.deepEqual(runsOf([5, 6, 7, 7, 3, 0]), [-3, 5, 7, 3, 0]);
  assert.deepEqual(runsOf([]), []);
  assert.deepEqual(framesOf([]), []);
});

test("runsOf and framesOf: the frames in order, as the fewest runs that keep it (a seeded property)", () => {
  fc.assert(
    fc.property(fc.array(fc.nat(64), { maxLength: 60 }), (frames) => {
      const runs = runsOf(frames);
      assert.deepEqual(framesOf(runs), frames, "the same frames, in the same order");
      const parts: Array<[number, number]> = [];
      forEachRun(runs, (start, count) => parts.push([start, count]));
      for (const [, count] of parts) assert.ok(count >= 1, "no empty run");
      for (let k = 1; k < parts.length; k++) {
        const [start, count] = parts[k - 1] as [number, number];
        assert.notEqual(start + count, (parts[k] as [number, number])[0], "a frame that follows a run extends it");
      }
    }),
    { seed: 1212, numRuns: 300 },
  );
});
