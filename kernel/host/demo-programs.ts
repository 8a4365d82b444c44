/**
 * The demo's programs, in the order `npm start` runs them, with what to say
 * about each from the kernel's counters afterwards. Browser-safe (no Node
 * imports): the inspector page runs the same demo in a worker.
 *
 * @module
 */

import type { FaultResolution } from "../mm/mm-events.js";
import type { KernelStats } from "../proc/kernel-stats.js";
import { count, statsLines, type StatsCounters } from "./stats-report.js";

/** One demo: its program and what to say about it. */
export interface Demo {
  readonly program: string;
  readonly title: string;
  /** What the kernel did, from its counters. */
  explain(s: KernelStats): string[];
}

/** The demos, in order; each runs on a fresh kernel. */
export const DEMOS: readonly Demo[] = [
  {
    program: "/bin/demo-cow",
    title: "fork and copy-on-write",
    explain: (s) => [
      `fork mapped the parent's frames into the child read-only: no page was copied then.`,
      `each first write faulted: ${count(s.faults["cow-copy"])} page(s) copied (the frame was still shared), ` +
        `${count(s.faults["cow-reuse"])} made writable in place (its reference count said no one else maps it).`,
    ],
  },
  {
    program: "/bin/demo-paging",
    title: "demand paging",
    explain: (s) => [
      `mmap only recorded an area; ${count(s.faults["demand-zero"])} write faults each mapped a zeroed frame on first touch,`,
      `${count(s.faults["zero-page"])} read faults mapped the one shared zero page read-only (no frame used).`,
      `frames in use peaked at ${count(s.framesPeak)} (${((s.framesPeak * 4096) / 2 ** 20).toFixed(1)} MiB), page tables included.`,
    ],
  },
  {
    program: "/bin/demo-efault",
    title: "a bad pointer is EFAULT, not a crash",
    explain: (s) => [
      `system calls read user memory through vmio's fallible readers: a copy stops exactly at the first bad byte.`,
      `${count(s.faults.fatal)} faults hit no mapping: in the kernel's copies they became EFAULT; the child's own load got SIGSEGV.`,
    ],
  },
  {
    program: "/bin/demo-pipe",
    title: "a pipe between two processes",
    explain: (s) => [
      `${count(s.processes)} processes: fork, then execve of /bin/demo-cat and /bin/demo-wc, joined by pipe2 and dup3.`,
      `${count(s.syscalls)} system calls; ${count(s.faults.file)} pages of the programs were read in from their ELF files on demand.`,
    ],
  },
];

/** Every program the demo runs, its helpers included (`demo-pipe` runs `demo-cat` and `demo-wc`). */
export const DEMO_BINARIES: readonly string[] = [...DEMOS.map((d) => d.program), "/bin/demo-cat", "/bin/demo-wc"];

/** Totals over the demos, each run on its own kernel: counts add up, the peak is the highest of the peaks. */
export class DemoTotals {
  instructions = 0;
  seconds = 0;
  readonly #faults = new Map<FaultResolution, number>();
  #stackGrowth = 0;
  #framesPeak = 0;
  #processes = 0;
  #syscalls = 0;

  /** Adds one demo's kernel counters, instructions retired and run time. */
  add(s: StatsCounters, instructions: number, seconds: number): void {
    this.instructions += instructions;
    this.seconds += seconds;
    for (const [k, v] of Object.entries(s.faults) as [FaultResolution, number][]) this.#faults.set(k, (this.#faults.get(k) ?? 0) + v);
    this.#stackGrowth += s.stackGrowth;
    this.#framesPeak = Math.max(this.#framesPeak, s.framesPeak);
    this.#processes += s.processes;
    this.#syscalls += s.syscalls;
  }

  /** The summary lines of {@link statsLines}, over every demo added. */
  lines(): string[] {
    const counters: StatsCounters = {
      faults: Object.fromEntries(this.#faults) as Record<FaultResolution, number>,
      stackGrowth: this.#stackGrowth,
      framesPeak: this.#framesPeak,
      processes: this.#processes,
      syscalls: this.#syscalls,
    };
    return statsLines(counters, this.instructions, this.seconds);
  }
}
