// The teaching kernel in Chromium: a page starts module workers that boot
// the kernel — its core imports nothing from Node — and run guest programs
// from kernel/guest/expected; their output must be Linux's, byte for byte,
// with one CPU and with CPU workers sharing the kernel's RAM.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { bundleForBrowser } from "../../inspector/node/bundle.js";
import { GUARD, findChromium, launch, open, result, serve } from "./support.js";

// This file runs as build/test/browser/kernel.test.js.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
let browser: Browser;
let server: Awaited<ReturnType<typeof serve>>;

before(async () => {
  const chromium = findChromium();
  assert.ok(chromium !== undefined, "scripts/run-tests.mjs runs browser tests only where Chromium is installed");
  // Module workers do not see import maps, and the kernel imports "vmio" by name: link each worker into one module.
  for (const name of ["kernel-worker", "kernel-cpu"]) {
    await bundleForBrowser({ root, entry: join(root, "test", "browser", "pages", `${name}.js`), outfile: join(root, "build", "test", "browser", "pages", `${name}.js`) });
  }
  server = await serve(root);
  browser = await launch(chromium);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

interface Case {
  name: string;
  cpus: number;
  got: { stdout: string; stderr: string; code: number; instructions: number; sharedRam: boolean };
  expected: { stdout: string; stderr: string; exit: number };
}

test("the kernel in a module worker runs guest programs with Linux's output: argv/env/auxv, EFAULT and partial copies, futexes on 2 CPU workers", { timeout: GUARD.test }, async () => {
  const { page, errors } = await open(browser, `${server.origin}/test/browser/pages/kernel.html`);
  const out = await result<{ isolated: boolean; results: Case[] }>(page);
  assert.equal(out.isolated, true, "the page is cross-origin isolated (COOP/COEP)");
  assert.deepEqual(
    out.results.map((r) => `${r.name}/${r.cpus}`),
    ["hello/1", "efault/1", "futex/2"],
  );
  for (const r of out.results) {
    assert.equal(r.got.stdout, r.expected.stdout, `${r.name}: stdout`);
    assert.equal(r.got.stderr, r.expected.stderr, `${r.name}: stderr`);
    assert.equal(r.got.code, r.expected.exit, `${r.name}: exit status`);
    assert.ok(r.got.instructions > 1000, `${r.name}: the guest ran`);
    assert.equal(r.got.sharedRam, r.cpus > 1, `${r.name}: RAM is a SharedArrayBuffer exactly when CPU workers share it`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});
