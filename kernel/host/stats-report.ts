/**
 * The `--stats` summary and the demo's summary lines: instructions retired,
 * page faults by kind, frames in use at the peak, processes created.
 *
 * @module
 */

import type { KernelStats } from "../proc/kernel-stats.js";

/** A count with thousands separators. */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** `n` instructions as "12.3 M". */
export function millions(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} K` : String(n);
}

/** The counters a summary reports: one kernel's {@link KernelStats}, or totals over several. */
export type StatsCounters = Pick<KernelStats, "faults" | "stackGrowth" | "framesPeak" | "processes" | "syscalls">;

/** The summary lines (without a trailing newline each). */
export function statsLines(stats: StatsCounters, instructions: number, seconds: number): string[] {
  const f = stats.faults;
  const mips = seconds > 0 && instructions >= 1e6 ? ` (${(instructions / seconds / 1e6).toFixed(1)} MIPS)` : "";
  return [
    `instructions retired: ${count(instructions)} in ${seconds.toFixed(2)} s${mips}`,
    `page faults: ${count(f["demand-zero"])} demand-zero, ${count(f["zero-page"])} zero-page reads, ${count(f.file)} from files, ${count(f.shared)} shared, ` +
      `${count(f["cow-copy"] + f["cow-reuse"])} copy-on-write (${count(f["cow-copy"])} copied, ${count(f["cow-reuse"])} reused in place), ` +
      `${count(f.fatal)} fatal${f.oom > 0 ? `, ${count(f.oom)} out of memory` : ""}; the stack grew ${count(stats.stackGrowth)} times`,
    `frames in use at the peak: ${count(stats.framesPeak)} (${((stats.framesPeak * 4096) / 2 ** 20).toFixed(1)} MiB, page tables included)`,
    `processes created: ${count(stats.processes)}; system calls: ${count(stats.syscalls)}`,
  ];
}
