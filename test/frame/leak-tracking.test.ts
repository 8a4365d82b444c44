// Leak tracking: with `trackLeaks`, handles garbage-collected without
// dispose() are reported with their kind, address, size and the stack that
// made them; disposed, consumed and cloned-then-disposed handles never are.
//
// These tests need `gc()`. Run under plain `node --test` (as `npm test`
// does), this file runs itself again in a child process with --expose-gc,
// time-boxed, and passes only if every test passed there.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { FrameAllocOptions, FrameVec, PAGE_SIZE, PhysicalMemory, type LeakReport } from "../../src/index.js";
import { usableFrames } from "./support.js";

const TESTS = 3;
const gc = (globalThis as { gc?: () => void }).gc;

if (typeof gc === "function") {
  describe("leak tracking", () => leakTests(gc));
} else {
  test(`leak tracking (${TESTS} tests, in a child process with --expose-gc)`, { timeout: 60_000 }, () => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const child = spawnSync(process.execPath, ["--expose-gc", "--test-reporter=tap", fileURLToPath(import.meta.url)], { encoding: "utf8", env, timeout: 50_000 });
    const output = `${child.stdout}\n${child.stderr}`;
    assert.equal(child.error, undefined, `the child could not run: ${String(child.error)}`);
    assert.equal(child.status, 0, output);
    assert.match(child.stdout, new RegExp(`^# pass ${TESTS}$`, "m"), output);
    assert.match(child.stdout, /^# fail 0$/m, output);
  });
}


async function collect(gc: () => void, reports: LeakReport[], want: number): Promise<void> {
  for (let i = 0; i < 20 && reports.length < want; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  // A few more rounds, so that a report that should not come has had its chance.
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function leakTests(gc: () => void): void {
  test("trackLeaks reports a handle garbage-collected without dispose, with kind, paddr, size and stack", async () => {
    const reports: LeakReport[] = [];
    const mem = new PhysicalMemory({ size: 64 * PAGE_SIZE, trackLeaks: (r) => reports.push(r) });
    const expected = (() => {
      const opts = new FrameAllocOptions(mem);
      const f = opts.allocFrame();
      const s = opts.allocSegment(3);
      const t = opts.allocFrameWith({ m: 1 });
      const ts = opts.allocSegmentWith(2, () => 0);
      const kept = opts.allocFrame();
      const v = new FrameVec([kept]);
      kept.dispose();
      return [
        { kind: "UFrame", paddr: f.startPaddr(), size: PAGE_SIZE },
        { kind: "USegment", paddr: s.startPaddr(), size: 3 * PAGE_SIZE },
        { kind: "Frame", paddr: t.startPaddr(), size: PAGE_SIZE },
        { kind: "Segment", paddr: ts.startPaddr(), size: 2 * PAGE_SIZE },
        { kind: "FrameVec", paddr: v.paddrOf(0), size: PAGE_SIZE },
      ];
    })();
    await collect(gc, reports, expected.length);
    const got = reports.map(({ kind, paddr, size }) => ({ kind, paddr, size })).sort((x, y) => x.paddr - y.paddr);
    assert.deepEqual(got, expected.sort((x, y) => x.paddr - y.paddr));
    for (const r of reports) assert.match(r.stack ?? "", /leak-tracking\.test/, "the stack points at the allocating code");
  });

  test("disposed, consumed (split, iterated) and cloned-then-disposed handles are never reported", async () => {
    const reports: LeakReport[] = [];
    const mem = new PhysicalMemory({ size: 64 * PAGE_SIZE, trackLeaks: (r) => reports.push(r) });
    (() => {
      const opts = new FrameAllocOptions(mem);
      const f = opts.allocFrame();
      f.clone().dispose();
      f.dispose();
      const [a, b] = opts.allocSegment(2).split(PAGE_SIZE);
      a.dispose();
      b.dispose();
      for (using g of opts.allocSegment(3)) void g;
      const s = opts.allocSegment(2);
      s.slice(0, PAGE_SIZE).dispose();
      s.dispose();
      const vf = opts.allocFrame();
      const v = new FrameVec([vf]);
      v.clone().dispose();
      v.dispose();
      vf.dispose();
      opts.allocFrameWith(1).dispose();
      [...opts.allocSegmentWith(2, () => 1)].forEach((x) => x.dispose());
    })();
    await collect(gc, reports, 1);
    assert.deepEqual(reports, []);
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("trackLeaks: true reports through console.warn", async (t) => {
    const warnings: string[] = [];
    t.mock.method(console, "warn", (msg: string) => warnings.push(msg));
    const mem = new PhysicalMemory({ size: 64 * PAGE_SIZE, trackLeaks: true });
    (() => void new FrameAllocOptions(mem).allocFrame())();
    for (let i = 0; i < 20 && warnings.length === 0; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /UFrame.*garbage-collected without dispose/);
  });
}
