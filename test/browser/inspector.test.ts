// The inspector end to end in Chromium, served as `npm run inspect` serves
// it: the page loads with no console error, the kernel boots in its worker
// and the demo runs to its end; the panels show the numbers the kernel
// reported (the page's figures against the worker's messages, and against
// the same programs run on a kernel here, in Node); it is live while the
// demo runs; a screenshot of each panel has content (decoded PNG, pixel
// variance), while a blank strip of the page has none; and the README's
// screenshot tool catches its moment.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { bundleInspectorWorker } from "../../inspector/node/bundle.js";
import { serveInspector, type InspectorServer } from "../../inspector/node/server.js";
import { screenshotInspector } from "../../inspector/node/screenshot.js";
import { holdCowMoment, type MomentHold } from "../../inspector/node/cow-moment.js";
import { DEMOS, DemoTotals } from "../../kernel/host/demo-programs.js";
import type { InspectorModel } from "../../inspector/view/model.js";
import type { CountersView } from "../../inspector/protocol.js";
import { count } from "../../inspector/view/format.js";
import { exact, expectedStdout, plainRun } from "../inspector/support.js";
import { GUARD, findChromium, launch, open } from "./support.js";
import { decodePng, variation } from "./png.js";

// This file runs as build/test/browser/inspector.test.js.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
/** The page's DOM, as far as the functions this file runs in the page use it (the tests are built without DOM types). */
declare const document: {
  readonly body: { readonly dataset: Readonly<Record<string, string | undefined>> };
  querySelectorAll(selector: string): Iterable<PageElement>;
};
interface PageElement {
  readonly textContent: string | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}

const PANELS = ["processes", "terminal", "spaces", "frames", "pagetables", "faults", "tlb", "runs"] as const;
let browser: Browser;
let server: InspectorServer;

before(async () => {
  const chromium = findChromium();
  assert.ok(chromium !== undefined, "scripts/run-tests.mjs runs browser tests only where Chromium is installed");
  await bundleInspectorWorker(root);
  server = await serveInspector({ root });
  browser = await launch(chromium);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The model as JSON-safe data (Maps become entry arrays). */
interface ModelData {
  phase: string;
  runs: InspectorModel["runs"];
  summary: string[];
  latest: NonNullable<InspectorModel["latest"]>;
  live: NonNullable<InspectorModel["live"]>;
  processes: Array<{ pid: number; state: string; how: string | undefined }>;
  /** Each address space as last seen. */
  spaces: Array<ReturnType<InspectorModel["spaces"]>[number]["view"]>;
}

function model(page: Page): Promise<ModelData> {
  return page.evaluate(() => {
    const m = (globalThis as unknown as { inspector: InspectorModel }).inspector;
    return {
      phase: m.phase,
      runs: m.runs,
      summary: [...(m.summary ?? [])],
      latest: m.latest as NonNullable<InspectorModel["latest"]>,
      live: m.live as NonNullable<InspectorModel["live"]>,
      processes: [...m.processes.values()].map((p) => ({ pid: p.pid, state: p.state, how: p.how })),
      spaces: m.spaces().map((s) => s.view),
    };
  });
}

/** The text of every `[data-field]` under `scope`, by field. */
async function fields(page: Page, scope: string): Promise<Record<string, string>> {
  return page.$$eval(`${scope} [data-field]`, (els) => Object.fromEntries(els.map((e) => [e.getAttribute("data-field"), e.textContent ?? ""])));
}

/** The numbers of a run's row, as the counters' shape. */
function row(f: Record<string, string>): { code: string; counters: Record<string, string> } {
  const { code = "", ...counters } = f;
  return { code, counters };
}

function asText(c: CountersView): Record<string, string> {
  const out: Record<string, string> = {
    instructions: count(c.instructions),
    syscalls: count(c.syscalls),
    processes: count(c.processes),
    stackGrowth: count(c.stackGrowth),
    framesPeak: count(c.framesPeak),
  };
  for (const [kind, n] of Object.entries(c.faults)) out[`faults.${kind}`] = count(n);
  return out;
}

test("the demo runs to its end in the page; every panel shows the kernel's numbers; each panel's screenshot has content", { timeout: GUARD.test }, async () => {
  const { page, errors } = await open(browser, `${server.url}?pace=0.1`);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.waitForFunction(() => document.body.dataset.phase === "done" || document.body.dataset.phase === "error", undefined, { timeout: GUARD.wait });
  const m = await model(page);
  assert.equal(m.phase, "done", await page.textContent("#status") ?? "");
  assert.equal(await page.textContent("#status"), `Done: all ${DEMOS.length} programs ran and exited with status 0.`);

  // Runs: one row per program; the page's figures are the worker's, which are the kernel's.
  assert.deepEqual(m.runs.map((r) => r.program), DEMOS.map((d) => d.program));
  const totals = new DemoTotals();
  for (const run of m.runs) {
    const shown = row(await fields(page, `#runs-body tr[data-program="${run.program}"]`));
    assert.deepEqual(shown, { code: count(run.code), counters: asText(run.counters) }, `${run.program}: the runs panel shows the worker's figures`);
    const plain = await plainRun(run.program);
    assert.equal(run.code, plain.code);
    assert.deepEqual(exact(run.counters), exact(plain.counters), `${run.program}: the same program on a kernel in Node`);
    totals.add(plain.counters, plain.counters.instructions, 0);
  }
  assert.equal(m.summary.length, 4);
  assert.deepEqual(await page.$$eval("#runs-body [data-field=summary] li", (els) => els.map((e) => e.textContent)), m.summary);
  assert.equal(m.summary[0]?.split(" in ")[0], totals.lines()[0]?.split(" in ")[0], "the summary's instructions are the sum of the kernels'");
  assert.equal(m.summary[1], totals.lines()[1], "its page faults too");
  assert.equal(m.summary[3], totals.lines()[3], "and its processes and system calls");

  // The terminal: each program's output, Linux's, under its header, then the summary.
  const terminal = (await page.textContent("#terminal")) ?? "";
  let at = 0;
  for (const d of DEMOS) {
    const header = terminal.indexOf(`▶ ${d.program} — ${d.title}\n${expectedStdout(d.program)}`, at);
    assert.ok(header >= at, `${d.program}: its output, in order`);
    at = header;
  }
  for (const line of m.summary) assert.ok(terminal.includes(line), line);

  // The counters strip and the fault counts: the latest sample's; the frame panel: the last live sample's.
  const last = m.latest;
  const strip = await fields(page, "#counters");
  assert.equal(strip.instructions, count(last.counters.instructions));
  assert.equal(strip.syscalls, count(last.counters.syscalls));
  assert.equal(strip["frames.inUse"], count(last.frames.total - last.frames.free));
  assert.equal(strip["frames.peak"], count(last.counters.framesPeak));
  const faults = await fields(page, "#faults-body");
  for (const [kind, n] of Object.entries(last.counters.faults)) assert.equal(faults[`faults.${kind}`], count(n), kind);
  const frames = await fields(page, "#frames-body");
  for (const key of ["total", "free", "user", "kernel", "pageTables", "peak"] as const) assert.equal(frames[`frames.${key}`], count(m.live.frames[key]), key);
  // The processes of the last program, as the kernel and its observer reported them.
  const procs = await page.$$eval("#processes-body tr[data-pid]", (els) => els.map((e) => [Number(e.getAttribute("data-pid")), e.children[2]?.textContent]));
  assert.deepEqual(procs, m.processes.map((p) => [p.pid, p.state === "gone" ? p.how : p.state]));
  assert.deepEqual(procs.map(([pid]) => pid), [1, 2, 3], "demo-pipe: the shell-like parent and its two children");
  // Address spaces and page tables: one per process that had one, as last seen.
  assert.deepEqual(await page.$$eval("#spaces-body .space", (els) => els.map((e) => Number(e.getAttribute("data-pid")))), [1, 2, 3]);
  assert.deepEqual(await page.$$eval("#pagetables-body .pt", (els) => els.map((e) => Number(e.getAttribute("data-pid")))), [1, 2, 3]);
  // The TLB and page-table panels: each address space's counters and walk, as last seen.
  const seen = new Map(m.spaces.map((v) => [v.pid, v]));
  for (const [pid, v] of seen) {
    const tlb = await fields(page, `#tlb-body tr[data-pid="${pid}"]`);
    assert.ok(v.tlb !== undefined && v.pageTable !== undefined);
    assert.deepEqual(tlb, { "tlb.hits": count(v.tlb.hits), "tlb.misses": count(v.tlb.misses), "tlb.flushes": count(v.tlb.flushes), "tlb.shootdowns": count(v.tlb.shootdowns) }, `pid ${pid}: TLB`);
    const pt = await fields(page, `#pagetables-body .pt[data-pid="${pid}"]`);
    assert.deepEqual(pt, { nodes: count(v.pageTable.nodes), pages: count(v.pageTable.pages) }, `pid ${pid}: page table`);
  }

  // Pointing at a mapped frame of the frame map tells its references and mappings, as the last live sample has them.
  const mapped = m.live.processes.flatMap((p) => p.regions.flatMap((r) => r.pages.map((pg) => ({ pid: p.pid, ...pg }))));
  const target = mapped[mapped.length >> 1];
  assert.ok(target !== undefined);
  const where = mapped.filter((pg) => pg.paddr === target.paddr).map((pg) => `pid ${pg.pid} 0x${pg.va.toString(16)}`).join(", ");
  await page.locator("#frame-canvas").scrollIntoViewIfNeeded();
  const canvas = await page.locator("#frame-canvas").boundingBox();
  assert.ok(canvas !== null);
  const n = target.paddr / 4096;
  await page.mouse.move(canvas.x + (n % 64) * 8 + 3, canvas.y + Math.floor(n / 64) * 8 + 3);
  const kind = target.paddr === m.live.frames.zeroPage ? "the zero page" : "a user page";
  assert.equal(await page.textContent("#frame-hover"), `frame ${count(n)} at 0x${target.paddr.toString(16)}: ${kind}, ${target.refs} reference${target.refs === 1 ? "" : "s"}; mapped at ${where}`);
  // And pointing at a page-table node's frame (the root of a process with an address space) tells whose node it is.
  const owner = m.live.processes.find((p) => p.pageTable !== undefined);
  assert.ok(owner?.pageTable !== undefined);
  const rootFrame = owner.pageTable.root.paddr / 4096;
  await page.mouse.move(canvas.x + (rootFrame % 64) * 8 + 3, canvas.y + Math.floor(rootFrame / 64) * 8 + 3);
  assert.equal(await page.textContent("#frame-hover"), `frame ${count(rootFrame)} at ${"0x" + owner.pageTable.root.paddr.toString(16)}: a level-4 page-table node of pid ${owner.pid}, from 0x0`);

  // Screenshots: each panel's body has content; a blank strip of the page has none (the check can fail).
  const shots = join(root, "build", "test", "browser", "inspector");
  mkdirSync(shots, { recursive: true });
  for (const panel of PANELS) {
    const png = await page.locator(`#${panel}-body`).screenshot();
    writeFileSync(join(shots, `${panel}.png`), png);
    const v = variation(decodePng(png));
    assert.ok(v.variance > 100 && v.colours >= 4, `${panel}: variance ${v.variance.toFixed(0)}, ${v.colours} colours`);
  }
  const box = await page.locator("#panel-tlb").boundingBox();
  assert.ok(box !== null);
  const blank = variation(decodePng(await page.screenshot({ clip: { x: box.x + 4, y: box.y + box.height - 14, width: box.width - 8, height: 10 } })));
  assert.ok(blank.variance < 1 && blank.colours <= 2, `a blank strip: variance ${blank.variance}, ${blank.colours} colours`);
  writeFileSync(join(shots, "page.png"), await page.screenshot({ fullPage: true }));
  assert.deepEqual(errors, []);
  await page.close();
});

test("live: while demo-cow runs, the page shows the fork's copy-on-write sharing as the kernel reports it; the pace changes mid-run", { timeout: GUARD.test + GUARD.wait }, async () => {
  // At the normal pace, catch the sample with both processes sharing pages as it arrives (the page then holds back
  // the worker's later messages, see cow-moment.ts), and wait for the panels to draw it: no race with a poll.
  const { page, errors } = await open(browser, server.url, (p) => holdCowMoment(p, { copied: false }));
  const handle = await page.waitForFunction(
    () => {
      // Undefined until the page's module has run.
      const m = (globalThis as unknown as { inspector?: InspectorModel }).inspector;
      const held = (globalThis as unknown as { inspectorHold: MomentHold }).inspectorHold.seq;
      const s = m?.latest;
      if (held === undefined || m?.demo?.index !== 0 || s === undefined || s.seq !== held || document.body.dataset.sample !== String(s.seq)) return false;
      const cell = (n: number) => (n === 0 ? "" : n.toLocaleString("en-US"));
      return {
        shown: [...document.querySelectorAll("#spaces-body .space")].map((e) => [...e.querySelectorAll("[data-field=cowShared]")].map((c) => c.textContent)),
        reported: s.processes.map((p) => p.regions.map((r) => cell(r.cowShared))),
        sharing: s.processes.map((p) => p.regions.some((r) => r.cowShared > 0)),
        pids: s.processes.map((p) => [p.pid, p.ppid]),
        phase: document.body.dataset.phase,
      };
    },
    undefined,
    { timeout: GUARD.wait },
  );
  const live = (await handle.jsonValue()) as { shown: string[][]; reported: string[][]; sharing: boolean[]; pids: number[][]; phase: string };
  assert.deepEqual(live.pids, [[1, 0], [2, 1]]);
  assert.deepEqual(live.sharing, [true, true], "both processes share pages copy-on-write");
  assert.equal(live.phase, "running", "the page shows it while the demo runs");
  assert.deepEqual(live.shown, live.reported, "the address-space panel shows the sample's copy-on-write counts");
  // The rest of the messages, then full speed to the end.
  await page.evaluate(() => (globalThis as unknown as { inspectorHold: MomentHold }).inspectorHold.release());
  await page.selectOption("#pace", "0");
  await page.waitForFunction(() => document.body.dataset.phase === "done", undefined, { timeout: GUARD.wait });
  assert.deepEqual(errors, []);
  await page.close();
});

test("the README's screenshot tool catches demo-cow's copy-on-write moment in a full-page picture", { timeout: GUARD.test }, async () => {
  const file = join(root, "build", "test", "browser", "inspector", "readme-shot.png");
  mkdirSync(dirname(file), { recursive: true });
  await screenshotInspector(server.url, file, findChromium() as string);
  const img = decodePng(new Uint8Array(readFileSync(file)));
  assert.equal(img.width, 1400);
  assert.ok(img.height > 1000, "the whole page, not the viewport");
  const v = variation(img);
  assert.ok(v.variance > 100 && v.colours > 100, `variance ${v.variance.toFixed(0)}, ${v.colours} colours`);
});
