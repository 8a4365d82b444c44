// Runs every compiled test file (build/test/**/*.test.js) with node:test.
//
// `node --test build/test/` would also run every other .js file under a
// directory named "test" (Node's default patterns), worker scripts and
// helpers included, so the files are listed explicitly. Extra arguments are
// passed on to node (e.g. --test-only).
import { spawn } from "node:child_process";
import { clearTimeout, setTimeout } from "node:timers";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith(".test.js") ? [path] : [];
  });
}

let files = testFiles("build/test").map((f) => relative(".", f)).sort();

// Browser tests need Chromium (Debian's package; `.ci/run` installs it).
// Without it everything else runs, and one line says what was left out.
const chromium = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => p && existsSync(p));
if (chromium === undefined) {
  const browser = files.filter((f) => f.startsWith(join("build", "test", "browser") + "/"));
  files = files.filter((f) => !browser.includes(f));
  console.log(`browser tests skipped (${browser.length} files): no Chromium found — install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
}
if (files.length === 0) {
  console.error("no compiled tests under build/test: run `npm run build` first");
  process.exit(1);
}
// Time boxes are hang guards, never measures of speed: on a loaded machine
// (CI, or tests niced below benchmarks) everything takes several times longer.
// Every test that waits on workers, browsers or child processes has its own
// box; --test-timeout is the default box of every other test (per test, not
// per file); and the whole run has one more, against a file that never
// exits (a worker or a handle left behind), which node --test would wait on
// forever. A full run takes 4–10 minutes here.
const RUN_LIMIT_MS = 60 * 60_000;
// In a process group of its own, so that the guard stops every file's process with it.
const child = spawn(process.execPath, ["--test", "--test-reporter=spec", "--test-timeout=300000", ...process.argv.slice(2), ...files], { stdio: "inherit", detached: true });
/** Signals the run's whole group (the files' processes too); the child alone where there are no groups. */
function stop(signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
const guard = setTimeout(() => {
  console.error(`node --test did not end within ${RUN_LIMIT_MS / 60_000} minutes (a test file that never exits?): stopped`);
  stop("SIGKILL");
}, RUN_LIMIT_MS);
// The tests end on their own, or with this process (Ctrl-C, a CI's cancel).
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => stop(signal));
child.on("exit", (code) => {
  clearTimeout(guard);
  process.exit(code ?? 1);
});
