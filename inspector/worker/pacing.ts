/**
 * How the inspector makes the demo watchable, and how often it samples.
 *
 * The demo's programs retire about 230 000 instructions in all: at full
 * speed they end before a reader sees anything. So the worker runs the
 * kernel in short time slices and pauses after each, longer after a slice
 * that faulted or created, started or ended a process. `pace` scales every
 * pause: 1 is the page's "normal", 0 runs at full speed. The pauses are the
 * inspector's, outside the kernel: they change when things happen, never
 * what happens (the counters are the same at any pace). The short slice
 * can change where processes interleave, as a different time slice would
 * on Linux: with it, demo-pipe's two processes take turns differently and
 * make one more system call than under `npm start`.
 *
 * @module
 */

import type { SliceActivity } from "./recorder.js";

/** Instructions in one of the inspector's time slices (the kernel's default is 200 000). */
export const INSPECTOR_SLICE = 1_000;

/** Least time between two samples, in ms; a process's birth, program or death is sampled at once. */
export const SAMPLE_MS = 150;

/** Pauses at pace 1, in ms. */
export const PAUSES = {
  /** After every slice: about 150 000 instructions a second. */
  slice: 6,
  /** For each fault in the slice. */
  fault: 5,
  /** For each process created, started on a program, or exited. */
  lifecycle: 400,
  /** After each demo program, to read its end state. */
  demoEnd: 1_500,
} as const;

/** The most one slice pauses at pace 1: a burst of faults does not stop the demo for long. */
export const MAX_SLICE_PAUSE = 1_200;

/** The pause after a slice with `activity`, in ms. */
export function pauseAfterSlice(activity: SliceActivity, pace: number): number {
  const ms = PAUSES.slice + PAUSES.fault * activity.faults + PAUSES.lifecycle * activity.lifecycle;
  return Math.min(ms, MAX_SLICE_PAUSE) * pace;
}

/** Whether a sample is due `sinceLast` ms after the previous one, after a slice with `activity`. */
export function sampleDue(activity: SliceActivity, sinceLast: number): boolean {
  return activity.lifecycle > 0 || sinceLast >= SAMPLE_MS;
}

/** Whether `pace` is one the page may ask for: a finite number from 0 to 10. */
export function validPace(pace: unknown): pace is number {
  return typeof pace === "number" && Number.isFinite(pace) && pace >= 0 && pace <= 10;
}
