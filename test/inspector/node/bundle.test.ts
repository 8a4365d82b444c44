// Linking for the browser: the kernel's worker becomes one module with vmio
// inside (no bare "vmio" left for a worker that has no import map), and a
// module that imports a Node built-in is refused.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleForBrowser } from "../../../inspector/node/bundle.js";

// This file runs as build/test/inspector/node/bundle.test.js.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const dir = mkdtempSync(join(tmpdir(), "vmio-bundle-"));

after(() => rmSync(dir, { recursive: true, force: true }));

test("the kernel's worker links into one module: vmio inside, no import left", { timeout: 60_000 }, async () => {
  const outfile = join(dir, "kernel-worker.js");
  await bundleForBrowser({ root, entry: join(root, "build", "inspector", "worker", "kernel-worker.js"), outfile });
  const code = readFileSync(outfile, "utf8");
  assert.doesNotMatch(code, /^\s*import\s/m, "no import statement");
  assert.doesNotMatch(code, /from\s*["']vmio["']/);
  assert.match(code, /PhysicalMemory = class/, "vmio is inside");
  assert.match(code, /Kernel = class/, "the kernel is inside");
  assert.ok(readFileSync(`${outfile}.map`, "utf8").includes("kernel-worker"), "with a source map");
});

test("a module that imports a Node built-in does not link for the browser", { timeout: 60_000 }, async () => {
  const entry = join(dir, "uses-node.js");
  writeFileSync(entry, 'import { readFileSync } from "node:fs";\nexport const x = readFileSync;\n');
  await assert.rejects(bundleForBrowser({ root, entry, outfile: join(dir, "out.js") }));
});
