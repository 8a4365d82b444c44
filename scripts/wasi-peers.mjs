// Measures vmio/wasi against node:wasi and @bjorn3/browser_wasi_shim (a dev
// dependency) on the same inputs, and prints the README's two tables:
//
// 1. the official WASI test suite (test/wasi-testsuite, 72 preview1 tests),
//    run by the same runner with the official runner's semantics;
// 2. the bad-pointer cases (test/wasi/suite/bad-pointers.ts): what each
//    host answers and whether anything was written.
//
//   npm run build && node scripts/wasi-peers.mjs [--json FILE]
//
// node:wasi prints an ExperimentalWarning on stderr; that is Node's, not a failure.
import { writeFileSync } from "node:fs";
import { listTests, runSuite, SUITE_DIR } from "../build/test/wasi/suite/runner.js";
import { POINTER_CASES, POINTER_HOSTS, runPointerCases } from "../build/test/wasi/suite/bad-pointers.js";
import { Errno } from "../build/src/wasi/index.js";

const SUITE_HOSTS = [
  ["vmio-host", "vmio/wasi, host directory"],
  ["vmio-memory", "vmio/wasi, `MemoryDir`"],
  ["node-wasi", `node:wasi (Node ${process.versions.node})`],
  ["browser-shim", "@bjorn3/browser_wasi_shim 0.4.2"],
];

const errnoName = new Map(Object.entries(Errno).map(([k, v]) => [v, k]));
const describe = (answer) => (typeof answer === "number" ? (answer === 0 ? "success" : `\`${errnoName.get(answer) ?? answer}\``) : answer);

const tests = listTests(SUITE_DIR);
const suite = await runSuite(SUITE_HOSTS.map(([h]) => h), tests, { concurrency: 2, timeoutMs: 5000 });

console.log("| host | passed | failed |\n| --- | ---: | ---: |");
const failures = {};
for (const [host, label] of SUITE_HOSTS) {
  const mine = suite.filter((r) => r.host === host);
  const failed = mine.filter((r) => !r.passed);
  failures[host] = failed.map((r) => ({ test: r.test.name, reason: r.reason.slice(0, 300) }));
  console.log(`| ${label} | ${mine.length - failed.length} / ${mine.length} | ${failed.length} |`);
}
for (const [host, label] of SUITE_HOSTS) {
  if (failures[host].length > 0) console.log(`\n${label} fails: ${failures[host].map((f) => f.test).join(", ")}`);
}

const pointers = {};
for (const host of POINTER_HOSTS) pointers[host] = await runPointerCases(host);
console.log(`\n| bad pointer | right answer | ${POINTER_HOSTS.join(" | ")} |`);
console.log(`| --- | --- | ${POINTER_HOSTS.map(() => "---").join(" | ")} |`);
POINTER_CASES.forEach((c, i) => {
  const cells = POINTER_HOSTS.map((h) => {
    const r = pointers[h][i];
    const right = r.answer === c.errno && !r.sideEffect;
    const effect = c.errno === 0 ? (r.sideEffect ? ", bytes lost" : ", all written") : r.sideEffect ? `, **${c.effect}**` : "";
    return `${right ? "✓ " : "✗ "}${describe(r.answer)}${effect}`;
  });
  const rightAnswer = c.errno === 0 ? "success, all written" : `${describe(c.errno)}, nothing written`;
  console.log(`| ${c.name} | ${rightAnswer} | ${cells.join(" | ")} |`);
});

const json = process.argv.indexOf("--json");
if (json > 0) {
  writeFileSync(process.argv[json + 1], JSON.stringify({ date: new Date().toISOString(), node: process.version, failures, pointers }, null, 2));
}
