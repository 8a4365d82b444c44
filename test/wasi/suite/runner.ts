/**
 * A runner for the official WASI test suite, with the official runner's
 * semantics (WebAssembly/wasi-testsuite, `test-runner/wasi_test_runner`).
 *
 * - Every `*.wasm` under a `tests/` directory is a test.
 * - Its same-name `.json` (absent: defaults) gives `args` (appended after
 *   argv[0], the file's name), `env` (the guest sees only these), `root`
 *   (a fixture directory relative to the JSON, copied to a temporary
 *   directory and preopened as `/`), `exit_code` (default 0, compared
 *   exactly; a trap is exit code 134), and `stdout`/`stderr` (when given,
 *   the output's first `len(expected)` characters must equal it).
 * - Each test runs isolated in its own worker, time-boxed (5 s by default);
 *   `concurrency` workers run at once.
 *
 * @module
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { HostName, TestInput, TestOutcome } from "./hosts.js";

/** One test of the suite, with what it expects. */
export interface SuiteTest {
  /** `<language>/<name>`, e.g. `rust/fd_readdir`. */
  name: string;
  input: TestInput;
  exitCode: number;
  stdout: string | undefined;
  stderr: string | undefined;
}

/** A test's verdict on one host. */
export interface SuiteResult {
  test: SuiteTest;
  host: HostName;
  passed: boolean;
  /** Why it failed (empty when it passed). */
  reason: string;
  outcome: TestOutcome | undefined;
}

interface TestSpec {
  args?: string[];
  env?: Record<string, string>;
  root?: string;
  exit_code?: number;
  stdout?: string;
  stderr?: string;
}

/** Finds every test under `suiteDir` (`<lang>/tests/*.wasm`), sorted by name. */
export function listTests(suiteDir: string): SuiteTest[] {
  const tests: SuiteTest[] = [];
  for (const lang of fs.readdirSync(suiteDir).sort()) {
    const dir = path.join(suiteDir, lang, "tests");
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir).sort()) {
      if (!file.endsWith(".wasm")) continue;
      const base = file.slice(0, -".wasm".length);
      const specPath = path.join(dir, `${base}.json`);
      const spec: TestSpec = fs.existsSync(specPath) ? (JSON.parse(fs.readFileSync(specPath, "utf8")) as TestSpec) : {};
      tests.push({
        name: `${lang}/${base}`,
        input: {
          wasm: path.join(dir, file),
          args: [file, ...(spec.args ?? [])],
          env: spec.env ?? {},
          root: spec.root === undefined ? undefined : path.join(dir, spec.root),
        },
        exitCode: spec.exit_code ?? 0,
        stdout: spec.stdout,
        stderr: spec.stderr,
      });
    }
  }
  return tests;
}

/** The official runner's verdict on an outcome. */
export function judge(test: SuiteTest, outcome: TestOutcome): string {
  const reasons: string[] = [];
  if (outcome.exitCode !== test.exitCode) reasons.push(`exit code ${outcome.exitCode}, expected ${test.exitCode}`);
  if (test.stdout !== undefined && outcome.stdout.slice(0, test.stdout.length) !== test.stdout) {
    reasons.push(`stdout ${JSON.stringify(outcome.stdout.slice(0, 200))}, expected it to start with ${JSON.stringify(test.stdout)}`);
  }
  if (test.stderr !== undefined && outcome.stderr.slice(0, test.stderr.length) !== test.stderr) {
    reasons.push(`stderr ${JSON.stringify(outcome.stderr.slice(0, 200))}, expected it to start with ${JSON.stringify(test.stderr)}`);
  }
  if (reasons.length > 0 && outcome.error !== undefined) reasons.push(outcome.error);
  if (reasons.length > 0 && outcome.stderr.length > 0 && test.stderr === undefined) reasons.push(`stderr: ${outcome.stderr.slice(-600)}`);
  return reasons.join("; ");
}

/** Runs one test in a fresh worker, killed after `timeoutMs`. */
export function runIsolated(host: HostName, test: SuiteTest, timeoutMs: number): Promise<SuiteResult> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: { host, input: test.input }, stdout: true, stderr: true });
    let settled = false;
    const finish = (outcome: TestOutcome | undefined, reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve({ test, host, passed: reason === "", reason, outcome });
    };
    const timer = setTimeout(() => finish(undefined, `timed out after ${timeoutMs} ms`), timeoutMs);
    worker.on("message", (outcome: TestOutcome) => finish(outcome, judge(test, outcome)));
    worker.on("error", (e) => finish(undefined, `the worker failed: ${e.message}`));
    worker.on("exit", (code) => finish(undefined, `the worker exited (${code}) without a result`));
  });
}

/** Runs `tests` on each host, `concurrency` at a time; results in input order. */
export async function runSuite(hosts: readonly HostName[], tests: readonly SuiteTest[], options: { concurrency?: number; timeoutMs?: number } = {}): Promise<SuiteResult[]> {
  const { concurrency = 2, timeoutMs = 5000 } = options;
  const jobs = hosts.flatMap((host) => tests.map((test) => ({ host, test })));
  const results: SuiteResult[] = new Array<SuiteResult>(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await runIsolated(jobs[i]!.host, jobs[i]!.test, timeoutMs);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return results;
}

/** The vendored suite's directory. */
export const SUITE_DIR = fileURLToPath(new URL("../../../../test/wasi-testsuite", import.meta.url));
