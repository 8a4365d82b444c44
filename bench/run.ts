/**
 * `npm run bench`: runs every benchmark case in fresh child processes,
 * prints a table of speed ratios against the plain-JS limit, and writes the
 * same table as JSON to bench/results/latest.json (and a dated copy).
 *
 *   node build/bench/run.js                 all cases, 3 processes each
 *   node build/bench/run.js copy readval    cases whose id contains a word
 *   node build/bench/run.js --runs 1 …      one process per case (quicker, less sure)
 *   node build/bench/run.js --case <id>     one case, in this process (JSON on stdout)
 *
 * A figure is a median over processes of medians over samples. The run
 * records the machine's load average before and after, and each case's
 * spread — within a process (samples) and between processes (runs) — and
 * marks a figure "noisy" when either is too wide to trust, instead of
 * printing it as a result.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import os from "node:os";
import { formatNs, measure, type BenchCase, type BenchResult } from "./harness.js";
import { cases as ioCases } from "./io.bench.js";
import { cases as frameCases } from "./frame.bench.js";
import { cases as vmCases } from "./vm.bench.js";
import { cases as threadCases } from "./threads.bench.js";
import { cases as guestCases } from "./guest.bench.js";
import { cases as podCases } from "./pod.bench.js";
import { cases as wasiCases } from "./wasi.bench.js";
import { cases as cpuCases } from "./cpu.bench.js";
import { cases as kernelCases } from "./kernel.bench.js";
import { cases as pageTableCases } from "./page-table.bench.js";
import { cases as sweepCases } from "./sweep.bench.js";

const all: BenchCase[] = [...ioCases, ...frameCases, ...vmCases, ...threadCases, ...guestCases, ...podCases, ...wasiCases, ...cpuCases, ...kernelCases, ...pageTableCases, ...sweepCases];
const here = dirname(fileURLToPath(import.meta.url));

/** Sample spread (IQR / median) above which a side's median is not trusted. */
const MAX_SAMPLE_SPREAD = 0.25;
/** Spread of the ratio between processes ((max − min) / median) above which it is not trusted. */
const MAX_RUN_SPREAD = 0.2;

/** A case's result over several processes. */
interface CombinedResult extends BenchResult {
  /** The ratio (or, for absolute figures, ns/op) of each process. */
  readonly runs: number[];
  /** (max − min) / median of `runs`. */
  readonly runSpread: number;
  /** False when a spread is too wide for the figure to be trusted. */
  readonly reliable: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

async function child(id: string): Promise<void> {
  const c = all.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no case ${id}`);
  const result = await measure(c);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runOnce(id: string): BenchResult {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--case", id], { encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split("\n").pop() as string) as BenchResult;
}

/** Combines one case's per-process results: medians of the medians, and how far the processes disagree. */
function combine(results: BenchResult[]): CombinedResult {
  const first = results[0] as BenchResult;
  const vmioNs = median(results.map((r) => r.vmioNs));
  const limitNs = first.limitNs === undefined ? undefined : median(results.map((r) => r.limitNs as number));
  const runs = results.map((r) => r.ratio ?? r.vmioNs);
  const ratio = first.ratio === undefined ? undefined : median(runs);
  const mid = median(runs);
  const runSpread = runs.length < 2 || mid === 0 ? 0 : (Math.max(...runs) - Math.min(...runs)) / mid;
  const sampleSpread = Math.max(...results.map((r) => Math.max(r.spread.vmio, r.spread.limit ?? 0)));
  return {
    ...first,
    vmioNs,
    limitNs,
    ratio,
    met: first.target === undefined || ratio === undefined ? undefined : ratio >= first.target,
    samples: { vmio: results.flatMap((r) => r.samples.vmio), limit: results.flatMap((r) => r.samples.limit) },
    spread: { vmio: Math.max(...results.map((r) => r.spread.vmio)), limit: first.limitNs === undefined ? undefined : Math.max(...results.map((r) => r.spread.limit ?? 0)) },
    runs,
    runSpread,
    reliable: runSpread <= MAX_RUN_SPREAD && sampleSpread <= MAX_SAMPLE_SPREAD,
  };
}

function table(results: CombinedResult[]): string {
  const rows = [["case", "vmio", "limit", "limit is", "ratio", "target", "", "spread"]];
  for (const r of results) {
    rows.push([
      r.title,
      `${formatNs(r.vmioNs)}/${r.unit}`,
      r.limitNs === undefined ? "" : `${formatNs(r.limitNs)}/${r.unit}`,
      r.limitLabel ?? "(absolute)",
      r.ratio === undefined ? `${(1e9 / r.vmioNs).toExponential(2)} ${r.unit}/s` : `${r.ratio.toFixed(2)}×`,
      r.target === undefined ? "" : `≥ ${r.target.toFixed(2)}×`,
      r.met === undefined ? "" : r.met ? "met" : "SHORT",
      `${(r.runSpread * 100).toFixed(0)} %${r.reliable ? "" : " noisy"}`,
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--case") return child(args[1] as string);
  let runs = 3;
  const at = args.indexOf("--runs");
  if (at >= 0) {
    runs = Number(args[at + 1]);
    if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a positive integer");
    args.splice(at, 2);
  }
  const chosen = args.length === 0 ? all : all.filter((c) => args.some((a) => c.id.includes(a)));
  const started = Date.now();
  const loadBefore = os.loadavg();
  const results: CombinedResult[] = [];
  for (const c of chosen) {
    process.stderr.write(`${c.id} … `);
    const per: BenchResult[] = [];
    for (let i = 0; i < runs; i++) per.push(runOnce(c.id));
    const r = combine(per);
    process.stderr.write(`${r.ratio === undefined ? formatNs(r.vmioNs) : `${r.ratio.toFixed(2)}×`}${r.reliable ? "" : " (noisy)"}\n`);
    results.push(r);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  const loadAfter = os.loadavg();
  console.log(`\nspeed ratio = vmio throughput / limit throughput (medians over ${runs} process${runs === 1 ? "" : "es"}; ≥ 1 means vmio is as fast as the limit)`);
  console.log(`spread = how far the processes' ratios disagree; "noisy" marks a figure not to be trusted (load or variance)\n`);
  console.log(table(results));
  const record = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    runs,
    seconds,
    load: { before: loadBefore, after: loadAfter },
    results,
  };
  const dir = join(here, "..", "..", "bench", "results");
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(record, null, 2);
  writeFileSync(join(dir, "latest.json"), json);
  writeFileSync(join(dir, `${record.date.replace(/[:.]/g, "-")}.json`), json);
  const noisy = results.filter((r) => !r.reliable).length;
  console.log(`\n${results.length} cases in ${seconds} s; load average ${loadBefore[0]!.toFixed(2)} before, ${loadAfter[0]!.toFixed(2)} after on ${record.cores} cores; ${noisy} noisy`);
  if (loadBefore[0]! > record.cores * 0.5) console.log("the machine was busy when the run started: figures marked noisy (or all of them) should be measured again on an idle machine");
  console.log(`written: bench/results/latest.json`);
}

await main();
