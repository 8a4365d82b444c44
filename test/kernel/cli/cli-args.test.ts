// The command line of vmio-kernel (README, "The teaching kernel"): options before the program,
// `--` ending them, repeatable --env, --cpus bounds, usage errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { UsageError, parseCliArgs } from "../../../kernel/host/cli-args.js";

test("options, then the program and its arguments (options after the program are its own)", () => {
  const a = parseCliArgs(["--root", "/r", "--env", "A=1", "--env=B=", "--cwd", "/tmp", "--cpus", "2", "--stats", "/bin/x", "--stats", "-v"]);
  assert.deepEqual(a, { root: "/r", env: ["A=1", "B="], cwd: "/tmp", cpus: 2, stats: true, help: false, program: "/bin/x", args: ["--stats", "-v"] });
  assert.deepEqual(parseCliArgs(["--", "--weird", "x"]).program, "--weird");
  assert.equal(parseCliArgs([]).program, undefined);
  assert.equal(parseCliArgs(["-h"]).help, true);
});

test("usage errors: unknown options, missing values, bad --env, --cpus out of range, a relative --cwd", () => {
  for (const argv of [["--bogus"], ["--root"], ["--env", "NOEQUALS"], ["--env", "=x"], ["--cpus", "0"], ["--cpus", "65"], ["--cpus", "two"], ["--cwd", "tmp"], ["--stats=yes"]]) {
    assert.throws(() => parseCliArgs(argv), UsageError, JSON.stringify(argv));
  }
});
