/**
 * The official WASI test suite (vendored in test/wasi-testsuite, 72
 * preview1 tests) on both vmio/wasi backends, with the official runner's
 * semantics (see suite/runner.ts). Every test must pass on both; none is
 * skipped.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { listTests, runSuite, SUITE_DIR } from "./suite/runner.js";

const HOSTS = ["vmio-host", "vmio-memory"] as const;

test("the official WASI suite passes on both backends (72/72 each)", { timeout: 120_000 }, async (t) => {
  const tests = listTests(SUITE_DIR);
  assert.equal(tests.length, 72, "the vendored suite holds the 72 preview1 tests");
  const results = await runSuite(HOSTS, tests, { concurrency: 2, timeoutMs: 5000 });
  const failures: string[] = [];
  for (const host of HOSTS) {
    const mine = results.filter((r) => r.host === host);
    const failed = mine.filter((r) => !r.passed);
    for (const r of failed) failures.push(`${host} ${r.test.name}: ${r.reason}`);
    t.diagnostic(`${host}: ${mine.length - failed.length} passed, ${failed.length} failed`);
  }
  assert.deepEqual(failures, []);
});
