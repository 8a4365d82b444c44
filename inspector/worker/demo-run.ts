/**
 * The demo as the inspector runs it: the `npm start` programs, each on a
 * fresh kernel, in short time slices; between slices it samples the kernel
 * for the page and pauses to keep the pace watchable. Browser-safe: the
 * worker gives it the programs' bytes and a way to post messages (and the
 * tests run it in Node the same way).
 *
 * @module
 */

import { FileSystem, Kernel } from "../../kernel/core/index.js";
import { DEMOS, DemoTotals } from "../../kernel/host/demo-programs.js";
import type { FromWorker } from "../protocol.js";
import { capture, counters } from "./capture.js";
import { INSPECTOR_SLICE, PAUSES, pauseAfterSlice, sampleDue } from "./pacing.js";
import { Recorder } from "./recorder.js";

/** What the demo needs from its host. */
export interface DemoHost {
  /** The demo's programs by guest path (`DEMO_BINARIES`). */
  readonly binaries: ReadonlyMap<string, Uint8Array>;
  /** Sends a message to the page. */
  post(message: FromWorker): void;
  /** The current pace (see `pacing.ts`); read before every pause, so the page can change it mid-run. */
  pace(): number;
  /**
   * The clock samples are timed by and pauses measured with, in ms
   * (`performance.now` when absent). For tests: with {@link DemoHost.sleep}
   * a test runs the demo on a clock it controls, so what it asserts does not
   * depend on how loaded the machine is.
   *
   * @internal
   */
  now?(): number;
  /**
   * Pauses for `ms` (a timer when absent); the demo waits for the promise.
   *
   * @internal
   */
  sleep?(ms: number): Promise<void>;
}

/** The host's pause, else a timer's. */
function sleepFor(host: DemoHost, ms: number): Promise<void> {
  return host.sleep !== undefined ? host.sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs the demo program `index` on a fresh kernel; returns its exit code,
 * after posting its samples and its end.
 */
async function runOne(host: DemoHost, index: number, totals: DemoTotals): Promise<number> {
  const demo = DEMOS[index];
  if (demo === undefined) throw new RangeError(`no demo ${index}`);
  const now = (): number => (host.now !== undefined ? host.now() : performance.now());
  host.post({ kind: "demo", index, count: DEMOS.length, program: demo.program, title: demo.title });
  const fs = new FileSystem();
  // A copy each: the guest may write its files, and the next demo starts afresh.
  for (const [path, bytes] of host.binaries) fs.addFile(path, bytes.slice(), 0o755);
  const recorder = new Recorder();
  let seq = 0;
  let lastSample = -Infinity;
  /** Time spent sampling and pausing: not the kernel's. */
  let inspecting = 0;
  const kernel: Kernel = new Kernel({
    fs,
    observer: recorder,
    slice: INSPECTOR_SLICE,
    betweenSlices: () => {
      const t0 = now();
      const activity = recorder.takeActivity();
      if (sampleDue(activity, t0 - lastSample)) {
        host.post({ kind: "sample", sample: capture(kernel, recorder, ++seq) });
        lastSample = now();
      }
      const ms = pauseAfterSlice(activity, host.pace());
      if (ms <= 0) {
        inspecting += now() - t0;
        return undefined;
      }
      return sleepFor(host, ms).then(() => {
        inspecting += now() - t0;
      });
    },
  });
  const start = now();
  let code: number;
  try {
    kernel.spawn(demo.program);
    code = (await kernel.run()).code;
  } finally {
    await kernel.close();
  }
  const seconds = Math.max(0, now() - start - inspecting) / 1000;
  const final = counters(kernel);
  totals.add(kernel.sys.stats, final.instructions, seconds);
  host.post({
    kind: "demo-end",
    index,
    program: demo.program,
    code,
    sample: capture(kernel, recorder, ++seq),
    counters: final,
    seconds,
    explain: demo.explain(kernel.sys.stats),
  });
  return code;
}

/** Runs every demo program in turn, then posts the summary; a failure is posted as an error. */
export async function runDemo(host: DemoHost): Promise<void> {
  try {
    const totals = new DemoTotals();
    let failures = 0;
    for (let i = 0; i < DEMOS.length; i++) {
      if ((await runOne(host, i, totals)) !== 0) failures++;
      const pause = PAUSES.demoEnd * host.pace();
      if (pause > 0 && i + 1 < DEMOS.length) await sleepFor(host, pause);
    }
    host.post({ kind: "done", summary: totals.lines(), failures });
  } catch (e) {
    host.post({ kind: "error", message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
}
