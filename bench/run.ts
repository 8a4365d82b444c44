/**
 * `npm run bench`: runs every benchmark case in a fresh child process,
 * prints a table of speed ratios against the plain-JS limit, and writes the
 * same table as JSON to bench/results/latest.json (and a dated copy).
 *
 *   node build/bench/run.js                 all cases
 *   node build/bench/run.js copy readval    cases whose id contains a word
 *   node build/bench/run.js --case <id>     one case, in this process (JSON on stdout)
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

const all: BenchCase[] = [...ioCases, ...frameCases, ...vmCases, ...threadCases, ...guestCases];
const here = dirname(fileURLToPath(import.meta.url));

async function child(id: string): Promise<void> {
  const c = all.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no case ${id}`);
  const result = await measure(c);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function table(results: BenchResult[]): string {
  const rows = [["case", "vmio", "limit", "limit is", "ratio", "target", ""]];
  for (const r of results) {
    rows.push([
      r.title,
      `${formatNs(r.vmioNs)}/${r.unit}`,
      r.limitNs === undefined ? "" : `${formatNs(r.limitNs)}/${r.unit}`,
      r.limitLabel ?? "(absolute)",
      r.ratio === undefined ? `${(1e9 / r.vmioNs).toExponential(2)} ${r.unit}/s` : `${r.ratio.toFixed(2)}×`,
      r.target === undefined ? "" : `≥ ${r.target.toFixed(2)}×`,
      r.met === undefined ? "" : r.met ? "met" : "SHORT",
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--case") return child(args[1] as string);
  const chosen = args.length === 0 ? all : all.filter((c) => args.some((a) => c.id.includes(a)));
  const results: BenchResult[] = [];
  for (const c of chosen) {
    process.stderr.write(`${c.id} … `);
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--case", c.id], { encoding: "utf8", maxBuffer: 1 << 24 });
    const r = JSON.parse(out.trim().split("\n").pop() as string) as BenchResult;
    process.stderr.write(r.ratio === undefined ? `${formatNs(r.vmioNs)}\n` : `${r.ratio.toFixed(2)}×\n`);
    results.push(r);
  }
  console.log("\nspeed ratio = vmio throughput / limit throughput (medians; ≥ 1 means vmio is as fast as the limit)\n");
  console.log(table(results));
  const record = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    results,
  };
  const dir = join(here, "..", "..", "bench", "results");
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(record, null, 2);
  writeFileSync(join(dir, "latest.json"), json);
  writeFileSync(join(dir, `${record.date.replace(/[:.]/g, "-")}.json`), json);
  console.log(`\nwritten: bench/results/latest.json`);
}

await main();
