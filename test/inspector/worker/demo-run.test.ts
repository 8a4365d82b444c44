// The demo as the inspector's worker runs it, here in Node: the messages in
// order; every program's output is Linux's; the counters at each program's
// end are those of the same program run on a plain kernel with the same time
// slice (pauses and samples change when things happen, never what happens); the samples are
// consistent with what the kernel and vmio report.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEMOS, DEMO_BINARIES } from "../../../kernel/host/demo-programs.js";
import { guestBinDir } from "../../../kernel/host/builtin-fs.js";
import { runDemo } from "../../../inspector/worker/demo-run.js";
import { FAULT_LOG_LIMIT, type FromWorker, type Sample } from "../../../inspector/protocol.js";
import { MAX_SLICE_PAUSE, PAUSES } from "../../../inspector/worker/pacing.js";
import { exact, expectedStdout, plainRun } from "../support.js";

const binaries = new Map(DEMO_BINARIES.map((path) => [path, new Uint8Array(readFileSync(join(guestBinDir(), path.slice("/bin/".length))))]));

async function collect(pace: number): Promise<FromWorker[]> {
  const messages: FromWorker[] = [];
  // Structured cloning is what postMessage does: the messages must survive it.
  await runDemo({ binaries, post: (m) => messages.push(structuredClone(m)), pace: () => pace });
  return messages;
}

let fast: FromWorker[];
before(async () => {
  fast = await collect(0);
});

test("the messages: for each program a start, samples, an end; then the summary", () => {
  const kinds = fast.map((m) => m.kind);
  assert.deepEqual(kinds.filter((k) => k !== "sample"), [...DEMOS.flatMap(() => ["demo", "demo-end"]), "done"]);
  const done = fast.at(-1);
  assert.ok(done?.kind === "done");
  assert.equal(done.failures, 0);
  assert.equal(done.summary.length, 4);
  assert.match(done.summary[0] ?? "", /^instructions retired: [\d,]+ in /);
  let index = -1;
  for (const m of fast) {
    if (m.kind === "demo") {
      index++;
      assert.deepEqual({ ...m }, { kind: "demo", index, count: DEMOS.length, program: DEMOS[index]?.program, title: DEMOS[index]?.title });
    }
  }
});

test("each program's output is Linux's, and its end counters are those of a plain run", async () => {
  let program = "";
  let stdout = "";
  for (const m of fast) {
    if (m.kind === "demo") {
      program = m.program;
      stdout = "";
    }
    const sample = m.kind === "sample" || m.kind === "demo-end" ? m.sample : undefined;
    for (const o of sample?.output ?? []) {
      assert.equal(o.stream, 1);
      stdout += o.text;
    }
    if (m.kind !== "demo-end") continue;
    assert.equal(m.program, program);
    assert.equal(stdout, expectedStdout(program), `${program}: stdout`);
    const plain = await plainRun(program);
    assert.equal(m.code, plain.code);
    assert.deepEqual(exact(m.counters), exact(plain.counters), `${program}: the kernel's counters`);
    assert.deepEqual(m.counters, m.sample.counters, "the last sample's counters are the end's");
    assert.ok(m.seconds > 0 && m.seconds < 120);
    assert.deepEqual(m.explain, DEMOS[m.index]?.explain(m.counters as never), "the npm start demo's words");
  }
});

test("samples: numbered per program, counters never go back, faults numbered as the kernel counts them, frames as vmio counts them", () => {
  let last: Sample | undefined;
  let faultsBefore = 0;
  for (const m of fast) {
    if (m.kind === "demo") {
      last = undefined;
      faultsBefore = 0;
      continue;
    }
    if (m.kind !== "sample" && m.kind !== "demo-end") continue;
    const s = m.sample;
    assert.equal(s.seq, (last?.seq ?? 0) + 1);
    if (last !== undefined) {
      assert.ok(s.counters.instructions >= last.counters.instructions);
      for (const [kind, n] of Object.entries(s.counters.faults)) assert.ok(n >= last.counters.faults[kind as keyof typeof last.counters.faults]);
    }
    // The observer's faults are the kernel's counted ones: all of them, or the newest FAULT_LOG_LIMIT.
    const total = Object.values(s.counters.faults).reduce((a, b) => a + b, 0);
    const first = s.faults[0]?.seq ?? total + 1;
    s.faults.forEach((f, i) => assert.equal(f.seq, first + i));
    assert.equal(first + s.faults.length - 1, total);
    if (s.faults.length < FAULT_LOG_LIMIT) assert.equal(first, faultsBefore + 1, "no fault left out");
    faultsBefore = total;
    const f = s.frames;
    assert.equal(f.size, 256 * 2 ** 20);
    assert.equal(f.total, f.size / 4096 - f.reserved);
    assert.equal(f.total, f.free + f.user + f.kernel);
    const paddrs = new Set(s.processes.flatMap((p) => p.regions.flatMap((r) => r.pages.map((pg) => pg.paddr))));
    assert.equal(f.user, paddrs.size, "user frames are the distinct frames the regions map");
    for (const p of s.processes) {
      for (const r of p.regions) {
        assert.equal(r.pages.length, r.mapped);
        assert.ok(r.cowShared <= r.mapped);
      }
      assert.equal(p.pageTable === undefined, p.regions.length === 0, "a page table exactly while the address space lives");
      assert.equal(p.tlb === undefined, p.pageTable === undefined);
      if (p.pageTable !== undefined) assert.equal(p.pageTable.pages, p.regions.reduce((n, r) => n + r.mapped, 0));
    }
    assert.equal(f.pageTables, s.processes.reduce((n, p) => n + (p.pageTable?.nodes ?? 0), 0), "page-table frames are the walks' nodes");
    assert.ok(f.pageTables <= f.kernel);
    last = s;
  }
});

test("copy-on-write is visible in the samples of demo-cow: after fork, parent and child map the same frames", () => {
  const start = fast.findIndex((m) => m.kind === "demo" && m.program === "/bin/demo-cow");
  const end = fast.findIndex((m) => m.kind === "demo-end" && m.program === "/bin/demo-cow");
  const shared = fast.slice(start, end).some((m) => {
    if (m.kind !== "sample" || m.sample.processes.length < 2) return false;
    const [a, b] = m.sample.processes;
    const frames = (p: typeof a) => new Set(p?.regions.flatMap((r) => r.pages.map((pg) => pg.paddr)));
    const fa = frames(a);
    return [...frames(b)].some((x) => fa.has(x)) && (b?.regions.some((r) => r.cowShared > 0) ?? false);
  });
  assert.ok(shared, "a sample caught the fork's shared, copy-on-write frames");
});

const ends = (ms: FromWorker[]) => ms.flatMap((m) => (m.kind === "demo-end" ? [[m.program, m.code, exact(m.counters)]] : []));

test("at a slow pace the counters are the same; the run takes longer by the pauses", { timeout: 120_000 }, async () => {
  const t0 = performance.now();
  const slow = await collect(0.05);
  const elapsed = performance.now() - t0;
  assert.deepEqual(ends(slow), ends(fast));
  // Each program pauses at least once for its first process's birth and program (400 ms each at pace 1). A lower
  // bound on wall time only: a loaded machine makes the run longer, never shorter.
  assert.ok(elapsed > DEMOS.length * 2 * 400 * 0.05, `${elapsed.toFixed(0)} ms`);
});

/**
 * Runs the demo on a clock the test controls: time moves only while the demo
 * pauses, by exactly the pause, so when samples fall due depends on the
 * pauses alone, never on how fast the machine runs the kernel. Each pause is
 * recorded with what the demo did during it (it must do nothing: the run
 * waits for its pauses).
 */
async function collectOnClock(pace: number): Promise<{ messages: FromWorker[]; pauses: number[]; busyWhilePaused: number }> {
  const messages: FromWorker[] = [];
  const pauses: number[] = [];
  let clock = 0;
  let paused = false;
  let busyWhilePaused = 0;
  await runDemo({
    binaries,
    post: (m) => {
      if (paused) busyWhilePaused++;
      messages.push(structuredClone(m));
    },
    pace: () => pace,
    now: () => clock,
    sleep: (ms) => {
      if (paused) busyWhilePaused++;
      paused = true;
      pauses.push(ms);
      // A macrotask later: a run that went on without waiting would post or pause again in between.
      return new Promise((resolve) =>
        setImmediate(() => {
          clock += ms;
          paused = false;
          resolve();
        }),
      );
    },
  });
  return { messages, pauses, busyWhilePaused };
}

test("on a clock the test controls: the page's normal pace pauses for every process event and waits each pause out; it samples more, never less, and every sample of full speed recurs", { timeout: 120_000 }, async () => {
  const full = await collectOnClock(0);
  // Pace 1, the page's normal: on this clock it costs no wall time.
  const slow = await collectOnClock(1);
  assert.deepEqual(full.pauses, [], "full speed: no pause at all");
  assert.deepEqual(ends(slow.messages), ends(fast));
  assert.deepEqual(ends(full.messages), ends(fast));
  assert.equal(slow.busyWhilePaused, 0, "nothing posted and no new pause while a pause lasts: the run waits for it");
  // Each program pauses at least for its first process's birth and program (400 ms each at pace 1), and between programs.
  const lifecycle = slow.pauses.filter((ms) => ms >= PAUSES.lifecycle);
  assert.ok(lifecycle.length >= DEMOS.length * 2, `${lifecycle.length} process-event pauses`);
  assert.equal(slow.pauses.filter((ms) => ms === PAUSES.demoEnd).length, DEMOS.length - 1, "a pause after every program but the last");
  for (const ms of slow.pauses) assert.ok(ms > 0 && ms <= Math.max(MAX_SLICE_PAUSE, PAUSES.demoEnd), `${ms} ms`);
  // At full speed the clock stands still: samples are taken for process events only. At a slow pace the same
  // ones are taken (the same slices end with the same events) and more as time passes.
  const samples = (ms: FromWorker[]) => ms.flatMap((m) => (m.kind === "sample" ? [JSON.stringify(exact(m.sample.counters))] : []));
  const slowSamples = new Set(samples(slow.messages));
  const fullSamples = new Set(samples(full.messages));
  assert.ok(slowSamples.size > fullSamples.size, `${slowSamples.size} distinct samples at pace 1, ${fullSamples.size} at full speed`);
  for (const s of fullSamples) assert.ok(slowSamples.has(s), `a full-speed sample recurs at a slow pace: ${s}`);
});

test("a program that cannot start is reported as an error, not thrown", async () => {
  const messages: FromWorker[] = [];
  await runDemo({ binaries: new Map(), post: (m) => messages.push(m), pace: () => 0 });
  const last = messages.at(-1);
  assert.ok(last?.kind === "error");
  assert.match(last.message, /\/bin\/demo-cow: ENOENT/);
});
