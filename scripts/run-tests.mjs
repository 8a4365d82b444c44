// Runs every compiled test file (build/test/**/*.test.js) with node:test.
//
// `node --test build/test/` would also run every other .js file under a
// directory named "test" (Node's default patterns), worker scripts and
// helpers included, so the files are listed explicitly. Extra arguments are
// passed on to node (e.g. --test-only).
import { spawnSync } from "node:child_process";
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
// Every test that waits on workers, browsers or child processes has its own
// time box; this per-file limit is the backstop against a file that hangs.
const result = spawnSync(
  process.execPath,
  ["--test", "--test-reporter=spec", "--test-timeout=300000", ...process.argv.slice(2), ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
