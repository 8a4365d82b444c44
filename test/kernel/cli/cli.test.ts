// The vmio-kernel command as a user runs it (a child process, time-boxed):
// exit status, a killed guest's line and status, --stats, --env and --cwd,
// --root with a host directory (modes and symlinks copied), stdin from a
// pipe, --cpus 2, usage errors, a missing program, and the demo.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { guestBinDir } from "../../../kernel/host/builtin-fs.js";

const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "kernel", "cli.js");

function run(args: string[], input = ""): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { input, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("a program's output and exit status are the command's; --env and --cwd reach it", () => {
  const r = run(["--env", "A=1", "--cwd", "/tmp", "/bin/hello", "x"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /argv\[1\] = "x"/);
  assert.match(r.stdout, /env: A=1/);
  assert.equal(r.stderr, "hello: this line goes to stderr\n");
  assert.equal(run(["/bin/hello", "--exit", "42"]).code, 42);
});

test("a guest killed by a signal: 128 + the signal, and one line on stderr as a shell prints it", () => {
  const r = run(["/bin/sigfault", "--die", "segv"]);
  assert.equal(r.code, 139);
  assert.match(r.stderr, /Segmentation fault\n$/);
  assert.equal(run(["/bin/sigfault", "--die", "ill"]).code, 132);
});

test("--stats prints instructions, faults, frames and processes on stderr", () => {
  const r = run(["--stats", "/bin/demo-cow"]);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /instructions retired: [0-9,]+/);
  assert.match(r.stderr, /page faults: .* copy-on-write \([0-9,]+ copied/);
  assert.match(r.stderr, /frames in use at the peak: [0-9,]+/);
  assert.match(r.stderr, /processes created: 2/);
});

test("--root: the guest sees a copy of a host directory (modes, symlinks) and its writes stay in memory", () => {
  const dir = mkdtempSync(join(tmpdir(), "vmio-root-"));
  try {
    mkdirSync(join(dir, "bin"));
    mkdirSync(join(dir, "tmp"));
    copyFileSync(join(guestBinDir(), "demo-cat"), join(dir, "bin", "cat"));
    chmodSync(join(dir, "bin", "cat"), 0o755);
    writeFileSync(join(dir, "poem.txt"), "roses are red\n");
    symlinkSync("/poem.txt", join(dir, "link"));
    const r = run(["--root", dir, "/bin/cat", "/link"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "roses are red\n");
    const missing = run(["--root", dir, "/bin/hello"]);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /\/bin\/hello/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("stdin is the command's: a pipe into the guest", () => {
  const r = run(["/bin/demo-wc"], "a b c\nd\n");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /2 lines, 4 words, 8 bytes/);
});

test("--cpus 2 runs a threaded program with the same output", { timeout: 120_000 }, () => {
  const one = run(["/bin/threads"]);
  const two = run(["--cpus", "2", "/bin/threads"]);
  assert.equal(one.code, 0);
  assert.equal(two.code, 0);
  assert.equal(two.stdout, one.stdout);
});

test("usage errors exit 2 with the usage; --help exits 0; the demo runs every demo program", () => {
  const bad = run(["--cpus", "x"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /usage: vmio-kernel/);
  assert.equal(run(["--help"]).code, 0);
  const demo = run([]);
  assert.equal(demo.code, 0, demo.stderr);
  for (const name of ["demo-cow", "demo-paging", "demo-efault", "demo-pipe"]) assert.match(demo.stdout, new RegExp(`▶ /bin/${name}`));
  assert.match(demo.stdout, /Summary of the four demos/);
  assert.match(demo.stdout, /copy-on-write/);
});
