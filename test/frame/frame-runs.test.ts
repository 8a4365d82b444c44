// Lists of frames as runs: (first frame, count) pairs that keep the order
// of the frames added and merge a frame that follows the last run.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { addRun, framesOf, runsOf } from "../../src/frame/frame-runs.js";

test("addRun extends the last run with what follows it, and starts a new run otherwise", () => {
  const runs: number[] = [];
  addRun(runs, 10, 1);
  addRun(runs, 11, 3);
  assert.deepEqual(runs, [10, 4]);
  addRun(runs, 20, 1);
  addRun(runs, 14, 1); // follows the first run, not the last: a run of its own
  addRun(runs, 15, 2);
  assert.deepEqual(runs, [10, 4, 20, 1, 14, 3]);
  assert.deepEqual(framesOf(runs), [10, 11, 12, 13, 20, 14, 15, 16]);
  assert.deepEqual(runsOf([]), []);
  assert.deepEqual(framesOf([]), []);
});

test("runsOf and framesOf: the frames in order, as the fewest runs that keep it (a seeded property)", () => {
  fc.assert(
    fc.property(fc.array(fc.nat(64), { maxLength: 60 }), (frames) => {
      const runs = runsOf(frames);
      assert.deepEqual(framesOf(runs), frames, "the same frames, in the same order");
      for (let k = 0; k < runs.length; k += 2) assert.ok((runs[k + 1] as number) >= 1, "no empty run");
      for (let k = 2; k < runs.length; k += 2) {
        assert.notEqual((runs[k - 2] as number) + (runs[k - 1] as number), runs[k], "a run that follows the last one extends it");
      }
    }),
    { seed: 1212, numRuns: 300 },
  );
});
