// Runs every compiled test file (build/test/**/*.test.js) with node:test.
//
// `node --test build/test/` would also run every other .js file under a
// directory named "test" (Node's default patterns), worker scripts and
// helpers included, so the files are listed explicitly. Extra arguments are
// passed on to node (e.g. --test-only).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith(".test.js") ? [path] : [];
  });
}

const files = testFiles("build/test").map((f) => relative(".", f)).sort();
if (files.length === 0) {
  console.error("no compiled tests under build/test: run `npm run build` first");
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--test", "--test-reporter=spec", "--test-timeout=60000", ...process.argv.slice(2), ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
