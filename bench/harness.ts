/**
 * Benchmark harness: every case pairs vmio with the plain-JS limit for the
 * same work, measured in the same process, and reports their speed ratio.
 *
 * Method: each side runs a closure that performs `ops` operations; the two
 * sides alternate, and the median of the samples is kept. Samples are timed
 * in CPU time (`process.cpuUsage`) by default: on a loaded machine a process
 * that is not scheduled loses wall time but not CPU time, so the ratio of
 * two CPU times measured in one process stays meaningful. Cases whose work
 * runs in workers (whose CPU time the main thread's clock would count, and
 * waits would not) are timed in wall time (`clock: "wall"`). Each case runs
 * in its own child processes (see run.ts) so that V8's type feedback from
 * one case cannot slow another; the spread of the samples is recorded so
 * that a noisy figure can be told from a measurement.
 *
 * @module
 */

/**
 * One measured operation: runs `ops` operations and returns a value that
 * must not be optimised away (or a promise of one, for cases that drive
 * workers: the time then includes the messages, amortised over `ops`).
 */
export type Body = (ops: number) => unknown;

/** A benchmark case. */
export interface BenchCase {
  /** Stable id (used to pick a case from the command line). */
  readonly id: string;
  /** Issue / group. */
  readonly group: string;
  /** What is measured. */
  readonly title: string;
  /** The plain-JS limit's label (e.g. "Uint8Array.prototype.set"), or undefined for an absolute figure. */
  readonly limitLabel?: string;
  /** Target on the speed ratio (vmio throughput / limit throughput), e.g. 0.95; undefined: no target. */
  readonly target?: number;
  /** Operations per sample (tune so a sample takes ~10–50 ms). */
  readonly ops: number;
  /** Builds the two bodies (fresh state). `limit` is absent for absolute figures. */
  setup(): Promise<{ vmio: Body; limit?: Body; teardown?: () => void | Promise<void> }> | { vmio: Body; limit?: Body; teardown?: () => void | Promise<void> };
  /** What one operation is, for the ns/op column (default "op"). */
  readonly unit?: string;
  /** Warm-up rounds (default 5). */
  readonly warmup?: number;
  /** Timed samples of each side (default 9). */
  readonly samples?: number;
  /**
   * How samples are timed: `"cpu"` is this process's CPU time; `"wall"` is
   * elapsed time, for cases that drive workers or wait. Default: `"wall"`
   * for bodies that return a promise (they drive workers), else `"cpu"`.
   */
  readonly clock?: "cpu" | "wall";
}

/** The measured result of a case. */
export interface BenchResult {
  readonly id: string;
  readonly group: string;
  readonly title: string;
  readonly limitLabel: string | undefined;
  readonly unit: string;
  /** Median ns per operation for vmio. */
  readonly vmioNs: number;
  /** Median ns per operation for the limit (undefined for absolute figures). */
  readonly limitNs: number | undefined;
  /** limitNs / vmioNs: vmio's throughput relative to the limit (1 = as fast). */
  readonly ratio: number | undefined;
  readonly target: number | undefined;
  /** Whether the target is met (undefined when there is no target). */
  readonly met: boolean | undefined;
  /** All samples (ns/op), for the record. */
  readonly samples: { vmio: number[]; limit: number[] };
  /** How the samples were timed. */
  readonly clock: "cpu" | "wall";
  /**
   * Relative spread of each side's samples: the interquartile range over
   * the median (0.05 = the middle half of the samples lies within 5 %).
   */
  readonly spread: { vmio: number; limit: number | undefined };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Interquartile range over the median: how far apart the middle half of `xs` lies. */
export function relativeSpread(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => {
    const i = q * (s.length - 1);
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (i - lo);
  };
  const m = median(s);
  return m === 0 ? 0 : (at(0.75) - at(0.25)) / m;
}

let sink: unknown;

function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

async function time(body: Body, ops: number, clock: "cpu" | "wall"): Promise<number> {
  if (clock === "cpu") {
    const t0 = cpuNs();
    sink = body(ops);
    if (sink instanceof Promise) sink = await sink;
    return (cpuNs() - t0) / ops;
  }
  const t0 = process.hrtime.bigint();
  sink = body(ops);
  if (sink instanceof Promise) sink = await sink;
  return Number(process.hrtime.bigint() - t0) / ops;
}

/** Runs one case: warm-up, then `samples` alternating timed samples of each side. */
export async function measure(c: BenchCase, samples = 9): Promise<BenchResult> {
  const { vmio, limit, teardown } = await c.setup();
  let clock = c.clock ?? "cpu";
  if (c.clock === undefined) {
    const first = vmio(c.ops);
    if (first instanceof Promise) {
      clock = "wall";
      await first;
    }
  }
  // Warm up both sides until V8 has optimised them.
  for (let i = 0; i < (c.warmup ?? 5); i++) {
    await time(vmio, c.ops, clock);
    if (limit !== undefined) await time(limit, c.ops, clock);
  }
  const v: number[] = [];
  const l: number[] = [];
  for (let i = 0; i < (c.samples ?? samples); i++) {
    if (limit !== undefined) l.push(await time(limit, c.ops, clock));
    v.push(await time(vmio, c.ops, clock));
  }
  await teardown?.();
  if (sink === Symbol.for("never")) console.log(sink);
  const vmioNs = median(v);
  const limitNs = limit === undefined ? undefined : median(l);
  const ratio = limitNs === undefined ? undefined : limitNs / vmioNs;
  return {
    id: c.id,
    group: c.group,
    title: c.title,
    limitLabel: c.limitLabel,
    unit: c.unit ?? "op",
    vmioNs,
    limitNs,
    ratio,
    target: c.target,
    met: c.target === undefined || ratio === undefined ? undefined : ratio >= c.target,
    samples: { vmio: v, limit: l },
    clock,
    spread: { vmio: relativeSpread(v), limit: limit === undefined ? undefined : relativeSpread(l) },
  };
}

/** Formats nanoseconds for the table. */
export function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(ns < 10 ? 2 : 1)} ns`;
}
