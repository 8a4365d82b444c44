// The page's state as messages arrive: processes from snapshots and from
// the observer's events (an exited one stays, with how it ended, and its
// last address space), the bounded fault log, the terminal, the runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { InspectorModel } from "../../../inspector/view/model.js";
import { FAULT_LOG_LIMIT, type CountersView, type FaultRecord, type ProcessView, type Sample } from "../../../inspector/protocol.js";

const counters: CountersView = {
  instructions: 10,
  syscalls: 1,
  processes: 1,
  faults: { "demand-zero": 0, "zero-page": 0, file: 0, shared: 0, "cow-copy": 0, "cow-reuse": 0, spurious: 0, fatal: 0, oom: 0 },
  stackGrowth: 0,
  framesPeak: 5,
};

function proc(pid: number, ppid: number, state: ProcessView["state"], regions = 1): ProcessView {
  const region = { start: 0x10000, end: 0x11000, prot: 5, shared: false, name: "/bin/p", kind: "file" as const, mapped: 1, cowShared: 0, pages: [{ va: 0x10000, paddr: 0x200000, flags: 5, refs: 1 }] };
  return { pid, ppid, state, exe: "/bin/p", argv: ["/bin/p", "x"], threads: state === "alive" ? [{ tid: pid, state: "runnable", pc: 0x10000 }] : [], regions: Array.from({ length: regions }, () => region), pageTable: undefined, tlb: undefined };
}

function sample(seq: number, parts: Partial<Sample>): Sample {
  const frames = { size: 1 << 20, reserved: 4, total: 252, free: 200, user: 10, kernel: 42, pageTables: 5, peak: 60, zeroPage: undefined };
  return { seq, processes: [], frames, counters, faults: [], output: [], lifecycle: [], ...parts };
}

function fault(seq: number): FaultRecord {
  return { seq, pid: 1, address: seq * 4096, write: true, execute: false, resolution: "demand-zero", stackGrowth: false };
}

test("a demo's processes: from the observer before any snapshot, from snapshots while alive, then gone with how they ended", () => {
  const m = new InspectorModel();
  assert.equal(m.phase, "loading");
  m.apply({ kind: "demo", index: 0, count: 2, program: "/bin/p", title: "t" });
  assert.equal(m.phase, "running");
  m.apply({
    kind: "sample",
    sample: sample(1, {
      lifecycle: [
        { kind: "exec", pid: 1, path: "/bin/p", argv: ["/bin/p"] },
        { kind: "created", pid: 1, ppid: 0 },
        { kind: "created", pid: 2, ppid: 1 },
      ],
      processes: [proc(1, 0, "alive"), proc(2, 1, "alive")],
    }),
  });
  assert.deepEqual([...m.processes.keys()], [1, 2]);
  assert.equal(m.processes.get(2)?.state, "alive");
  // The child exits: a zombie has no address space any more; the page keeps its last one.
  m.apply({ kind: "sample", sample: sample(2, { lifecycle: [{ kind: "exited", pid: 2, status: 0, how: "exited with status 0" }], processes: [proc(1, 0, "alive"), proc(2, 1, "zombie", 0)] }) });
  const child = m.processes.get(2);
  assert.equal(child?.state, "zombie");
  assert.equal(child?.how, "exited with status 0");
  assert.equal(child?.seen?.sample, 1);
  assert.equal(child?.seen?.view.regions.length, 1);
  // Reaped: no longer in the kernel's tables.
  m.apply({ kind: "sample", sample: sample(3, { processes: [proc(1, 0, "alive")] }) });
  assert.equal(m.processes.get(2)?.state, "gone");
  assert.deepEqual(m.processes.get(2)?.threads, []);
  assert.deepEqual(m.spaces().map((s) => [s.view.pid, s.sample]), [[1, 3], [2, 1]]);
  assert.equal(m.live?.seq, 3);
  // A process created and gone between two samples is known from the observer only.
  m.apply({ kind: "sample", sample: sample(4, { lifecycle: [{ kind: "created", pid: 3, ppid: 1 }, { kind: "exited", pid: 3, status: 11, how: "killed by signal 11: Segmentation fault" }], processes: [proc(1, 0, "alive")] }) });
  assert.deepEqual({ ...m.processes.get(3), seen: undefined }, { pid: 3, ppid: 1, state: "gone", exe: "", argv: [], threads: [], how: "killed by signal 11: Segmentation fault", seen: undefined });
  // The end: the kernel's last sample holds no process; the memory panels keep the last live one.
  m.apply({ kind: "demo-end", index: 0, program: "/bin/p", code: 0, sample: sample(5, {}), counters, seconds: 0.5, explain: ["it ran"] });
  assert.equal(m.latest?.seq, 5);
  assert.equal(m.live?.seq, 4);
  assert.deepEqual(m.runs, [{ program: "/bin/p", code: 0, counters, seconds: 0.5 }]);
  // The next demo starts afresh.
  m.apply({ kind: "demo", index: 1, count: 2, program: "/bin/q", title: "u" });
  assert.equal(m.processes.size, 0);
  assert.equal(m.latest, undefined);
  assert.equal(m.live, undefined);
});

test("the fault log keeps the newest FAULT_LOG_LIMIT of a demo, oldest first", () => {
  const m = new InspectorModel();
  m.apply({ kind: "demo", index: 0, count: 1, program: "/bin/p", title: "t" });
  m.apply({ kind: "sample", sample: sample(1, { faults: Array.from({ length: 150 }, (_, i) => fault(i + 1)) }) });
  m.apply({ kind: "sample", sample: sample(2, { faults: Array.from({ length: 100 }, (_, i) => fault(i + 151)) }) });
  assert.equal(m.faults.length, FAULT_LOG_LIMIT);
  assert.equal(m.faults[0]?.seq, 51);
  assert.equal(m.faults.at(-1)?.seq, 250);
  m.apply({ kind: "demo", index: 1, count: 1, program: "/bin/q", title: "u" });
  assert.deepEqual(m.faults, []);
});

test("the terminal: a header per program, its output by stream, the kernel's words, the summary; errors end the run", () => {
  const m = new InspectorModel();
  m.apply({ kind: "demo", index: 0, count: 1, program: "/bin/p", title: "t" });
  m.apply({ kind: "sample", sample: sample(1, { output: [{ stream: 1, text: "out\n" }, { stream: 2, text: "err\n" }] }) });
  m.apply({ kind: "demo-end", index: 0, program: "/bin/p", code: 0, sample: sample(2, {}), counters, seconds: 0.1, explain: ["it ran"] });
  m.apply({ kind: "done", summary: ["instructions retired: 10"], failures: 0 });
  assert.equal(m.phase, "done");
  assert.deepEqual(m.terminal, [
    { kind: "header", text: "▶ /bin/p — t" },
    { kind: "stdout", text: "out\n" },
    { kind: "stderr", text: "err\n" },
    { kind: "kernel", text: "kernel: it ran" },
    { kind: "summary", text: "Summary of the demo" },
    { kind: "summary", text: "instructions retired: 10" },
  ]);
  m.apply({ kind: "error", message: "boom" });
  assert.equal(m.phase, "error");
  assert.equal(m.error, "boom");
});
