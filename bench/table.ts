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
  readonly results: BenchResult[];
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

const lines = [
  `Measured ${record.date.slice(0, 10)} on Node ${record.node}, ${record.cores} CPU${record.cores === 1 ? "" : "s"}${record.cpu === undefined ? "" : ` (${record.cpu})`}.`,
  "",
  "| case | vmio | limit | ratio | target | |",
  "| --- | ---: | --- | ---: | ---: | --- |",
];
for (const r of record.results) {
  const per = (ns: number): string => `${formatNs(ns)}/${r.unit}`;
  const limit = r.limitNs === undefined ? "—" : `${per(r.limitNs)}: ${r.limitLabel ?? ""}`;
  const ratio = r.ratio === undefined ? `${(1e9 / r.vmioNs).toExponential(2)} ${r.unit}/s` : `${r.ratio.toFixed(2)}×`;
  const target = r.target === undefined ? "" : `≥ ${r.target.toFixed(2)}×`;
  const met = r.met === undefined ? "" : r.met ? "met" : "**short**";
  lines.push(`| ${[r.title, per(r.vmioNs), limit, ratio, target, met].map(cell).join(" | ")} |`);
}
console.log(lines.join("\n"));
