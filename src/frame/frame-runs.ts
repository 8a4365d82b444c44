/**
 * Lists of frames as runs of consecutive frame numbers, in one flat array
 * of numbers, in the order the frames were added: a lone frame is its
 * number (>= 0); a run of `count` >= 2 frames from `start` is `-count`
 * then `start`. An unmap hands its frames over this way (an exit releases
 * a whole process, whose frames, allocated in order, mostly form long
 * runs: one or two elements per leaf node instead of one per page), and
 * the frame table drops references a run at a time (`FrameTable.unref`;
 * `GracePeriod.retireRuns` reads them: a lone frame `x >= 0` is `(x, 1)`,
 * else `-x` frames from the next element).
 * A lone frame costs one element, as in a plain list of frame numbers: a
 * frame mapped at many pages (a shared zero page) costs no more than it did.
 *
 * @module
 */

/**
 * Appends frames `[start, start + count)` (`count` >= 1) to `runs`.
 *
 * @internal
 */
export function addRun(runs: number[], start: number, count: number): void {
  if (count === 1) runs.push(start);
  else runs.push(-count, start);
}

/**
 * The runs of a list of frame numbers, in order (consecutive numbers merged).
 *
 * @internal
 */
export function runsOf(frames: readonly number[]): number[] {
  const runs: number[] = [];
  let start = -1;
  let count = 0;
  for (const f of frames) {
    if (f === start + count) count++;
    else {
      if (count > 0) addRun(runs, start, count);
      start = f;
      count = 1;
    }
  }
  if (count > 0) addRun(runs, start, count);
  return runs;
}
