/**
 * Lists of frames as runs: a flat array of (first frame, count) pairs, in
 * the order the frames were added, a frame next to the last run extending
 * it. An unmap hands its frames over this way (an exit releases a whole
 * process: its frames, allocated in order, mostly form long runs), and the
 * frame table drops references a run at a time (`FrameTable.unref`).
 *
 * @module
 */

/**
 * Adds frames `[start, start + count)` to `runs` (extending the last run
 * when they follow it).
 *
 * @internal
 */
export function addRun(runs: number[], start: number, count: number): void {
  const n = runs.length;
  if (n !== 0 && (runs[n - 2] as number) + (runs[n - 1] as number) === start) runs[n - 1] = (runs[n - 1] as number) + count;
  else runs.push(start, count);
}

/**
 * The runs of a list of frame numbers, in order.
 *
 * @internal
 */
export function runsOf(frames: readonly number[]): number[] {
  const runs: number[] = [];
  for (const f of frames) addRun(runs, f, 1);
  return runs;
}

/**
 * The frame numbers of `runs`, in order (the inverse of {@link runsOf}).
 *
 * @internal
 */
export function framesOf(runs: readonly number[]): number[] {
  const frames: number[] = [];
  for (let k = 0; k < runs.length; k += 2) for (let f = runs[k] as number, end = f + (runs[k + 1] as number); f < end; f++) frames.push(f);
  return frames;
}
