/**
 * Prints the last benchmark run (bench/results/latest.json, written by
 * `npm run bench`) as a Markdown table, for the README:
 *
 *   node build/bench/table.js
 *
 * The first line says when and where the figures were measured.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatNs, type BenchResult } from "./harness.js";

interface RunRecord {
  readonly date: string;
  readonly node: string;
  readonly cpu?: string;
  readonly cores: number;
  readonly runs?: number;
  readonly seconds?: number;
  readonly load?: { before: number[]; after: number[] };
  readonly results: Array<BenchResult & { runSpread?: number; reliable?: boolean }>;
}

// This file runs as build/bench/table.js: the repository root is two levels up.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const file = join(root, "bench", "results", "latest.json");

let record: RunRecord;
try {
  record = JSON.parse(readFileSync(file, "utf8")) as RunRecord;
} catch (e) {
  console.error(`cannot read ${file} (run \`npm run bench\` first): ${(e as Error).message}`);
  process.exit(1);
}

const cell = (s: string): string => s.replace(/\|/g, "\\|");

const load = record.load === undefined ? "" : ` Load average ${record.load.before[0]?.toFixed(2)} at the start, ${record.load.after[0]?.toFixed(2)} at the end.`;
const runs = record.runs === undefined ? "" : ` Medians over ${record.runs} process${record.runs === 1 ? "" : "es"} per case; the whole run took ${Math.round((record.seconds ?? 0) / 60)} min.`;
const lines = [
  `Measured ${record.date.slice(0, 10)} on Node ${record.node}, ${record.cores} CPU${record.cores === 1 ? "" : "s"}${record.cpu === undefined ? "" : ` (${record.cpu})`}.${runs}${load}`,
  "",
  "| case | vmio | limit | ratio | target | | spread |",
  "| --- | ---: | --- | ---: | ---: | --- | ---: |",
];
for (const r of record.results) {
  const per = (ns: number): string => `${formatNs(ns)}/${r.unit}`;
  const limit = r.limitNs === undefined ? "—" : `${per(r.limitNs)}: ${r.limitLabel ?? ""}`;
  const ratio = r.ratio === undefined ? `${(1e9 / r.vmioNs).toExponential(2)} ${r.unit}/s` : `${r.ratio.toFixed(2)}×`;
  const target = r.target === undefined ? "" : `≥ ${r.target.toFixed(2)}×`;
  const met = r.met === undefined ? "" : r.met ? "met" : "**short**";
  const spread = r.runSpread === undefined ? "" : `${(r.runSpread * 100).toFixed(0)} %${r.reliable === false ? " noisy" : ""}`;
  lines.push(`| ${[r.title, per(r.vmioNs), limit, ratio, target, met, spread].map(cell).join(" | ")} |`);
}
console.log(lines.join("\n"));
