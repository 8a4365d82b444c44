// vmio in Chromium: the library in a page, and in module workers that share
// RAM and an address space under COOP/COEP. The pages are plain JavaScript
// (test/browser/pages/), importing the built library as a browser would.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { GUARD, findChromium, launch, open, result, serve } from "./support.js";

// This file runs as build/test/browser/library.test.js.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
let browser: Browser;
let server: Awaited<ReturnType<typeof serve>>;

before(async () => {
  const chromium = findChromium();
  assert.ok(chromium !== undefined, "scripts/run-tests.mjs runs browser tests only where Chromium is installed");
  server = await serve(root);
  browser = await launch(chromium);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test("in a page: Pod codecs over typed memory, a VmSpace with demand paging, a fallible copy stopping at the exact byte", { timeout: GUARD.test }, async () => {
  const { page, errors } = await open(browser, `${server.origin}/test/browser/pages/library.html`);
  const out = await result<{
    entry: { tag: number; addr: string; ports: number[]; padding: number[] };
    demand: { faults: number; text: string };
    fault: { code: string; copied: number; remain: number };
    leaked: number;
  }>(page);
  assert.deepEqual(out.entry, { tag: 7, addr: "123456789abc", ports: [80, 443], padding: [0, 0, 0, 0, 0, 0, 0] });
  assert.deepEqual(out.demand, { faults: 2, text: "hello from a page, through a page table" });
  assert.deepEqual(out.fault, { code: "PageFault", copied: 6, remain: 10 });
  assert.equal(out.leaked, 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test("in module workers: shared RAM and address space under COOP/COEP, atomics, and a TLB shootdown", { timeout: GUARD.test }, async () => {
  const { page, errors } = await open(browser, `${server.origin}/test/browser/pages/workers.html`);
  const out = await result<{
    isolated: boolean;
    counter: number;
    mapped: number;
    before: { text: string };
    after: { fault: string; copied: number; text: string };
    leaked: number;
  }>(page);
  assert.equal(out.isolated, true, "the page is cross-origin isolated");
  assert.equal(out.counter, 40_000, "no lost update between the two workers");
  assert.equal(out.mapped, 2);
  assert.equal(out.before.text, "A wrote page one. And this is page two.");
  assert.deepEqual(out.after, { fault: "PageFault", copied: 18, text: "A wrote page one. " });
  assert.equal(out.leaked, 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test("GuestMemory over a real WebAssembly.Memory: a guest's fd_write, hostile pointers answered with errnos, growth followed", { timeout: GUARD.test }, async () => {
  const { page, errors } = await open(browser, `${server.origin}/test/browser/pages/guest.html`);
  const out = await result<{
    before: number;
    greet: number;
    nwritten: number;
    hostile: number[];
    writtenAfterHostile: number;
    grow: number;
    after: number;
    written: string[];
  }>(page);
  assert.equal(out.greet, 0);
  assert.equal(out.nwritten, (out.written[0] ?? "").length);
  assert.deepEqual(out.hostile, [21, 21, 21, 28, 21, 28], "EFAULT / EINVAL, as in examples/wasm-host");
  assert.equal(out.writtenAfterHostile, 1, "no hostile call wrote anything");
  assert.equal(out.grow, 0);
  assert.ok(out.after > out.before, "the same GuestMemory follows memory.grow()");
  assert.equal(out.written.length, 2);
  assert.deepEqual(errors, []);
  await page.close();
});

test("vmio/wasi with MemoryDir: a C program built for wasm32-wasi runs in the page; nothing outside its directory is reachable", { timeout: GUARD.test }, async () => {
  const { page, errors } = await open(browser, `${server.origin}/test/browser/pages/wasi.html`);
  const out = await result<{ code: number; stdout: string; totals: string; escapeCode: number; stderr: string; refused: string }>(page);
  assert.equal(out.code, 0);
  assert.equal(
    out.stdout,
    "      2      10      58 poem.txt\n      0       0       0 docs/empty.txt\n      2      10      58 total\n",
  );
  assert.equal(out.totals.trim(), "2 10 58");
  assert.equal(out.escapeCode, 1);
  assert.match(out.stderr, /Capabilities insufficient/);
  assert.equal(out.refused, "TypeError", "a host path needs the Node entry");
  assert.deepEqual(errors, []);
  await page.close();
});
