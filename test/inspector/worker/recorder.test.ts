// The inspector's observer: it keeps the newest faults (numbered), counts a
// slice's activity for the pacing, decodes output as a stream (a UTF-8
// character may span two writes), and says how a process ended.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Recorder, describeStatus } from "../../../inspector/worker/recorder.js";
import { FAULT_LOG_LIMIT } from "../../../inspector/protocol.js";

test("faults are numbered from 1; only the newest FAULT_LOG_LIMIT are kept until taken", () => {
  const r = new Recorder();
  const n = FAULT_LOG_LIMIT + 50;
  for (let i = 0; i < n; i++) r.fault(1, { address: 0x1000 * i, write: i % 2 === 0, execute: false, resolution: "demand-zero", stackGrowth: false });
  const { faults } = r.take();
  assert.equal(faults.length, FAULT_LOG_LIMIT);
  assert.equal(faults[0]?.seq, 51);
  assert.equal(faults.at(-1)?.seq, n);
  assert.equal(faults.at(-1)?.address, 0x1000 * (n - 1));
  r.fault(2, { address: 0x2000, write: true, execute: false, resolution: "cow-copy", stackGrowth: true });
  assert.deepEqual(r.take().faults, [{ seq: n + 1, pid: 2, address: 0x2000, write: true, execute: false, resolution: "cow-copy", stackGrowth: true }]);
  assert.deepEqual(r.take(), { faults: [], output: [], lifecycle: [] }, "taken once");
});

test("a slice's activity counts faults and lifecycle events, and starts again after each look", () => {
  const r = new Recorder();
  r.processExec(1, "/bin/a", ["/bin/a"]);
  r.processCreated(1, 0);
  r.fault(1, { address: 0, write: false, execute: false, resolution: "file", stackGrowth: false });
  r.processCreated(2, 1);
  r.processExited(2, 0);
  assert.deepEqual(r.takeActivity(), { faults: 1, lifecycle: 4 });
  assert.deepEqual(r.takeActivity(), { faults: 0, lifecycle: 0 });
  assert.deepEqual(r.take().lifecycle, [
    { kind: "exec", pid: 1, path: "/bin/a", argv: ["/bin/a"] },
    { kind: "created", pid: 1, ppid: 0 },
    { kind: "created", pid: 2, ppid: 1 },
    { kind: "exited", pid: 2, status: 0, how: "exited with status 0" },
  ]);
});

test("output is decoded per stream as a stream, and copied before the kernel reuses its buffer", () => {
  const r = new Recorder();
  const bytes = new TextEncoder().encode("a→b");
  const buf = new Uint8Array(8);
  buf.set(bytes.subarray(0, 2));
  r.output(1, buf.subarray(0, 2)); // "a" and the first byte of "→"
  buf.fill(0xff);
  r.output(2, new TextEncoder().encode("err\n"));
  r.output(1, bytes.subarray(2));
  assert.deepEqual(r.take().output, [
    { stream: 1, text: "a" },
    { stream: 2, text: "err\n" },
    { stream: 1, text: "→b" },
  ]);
});

test("a wait status in words", () => {
  assert.equal(describeStatus(0), "exited with status 0");
  assert.equal(describeStatus(3 << 8), "exited with status 3");
  assert.equal(describeStatus(11), "killed by signal 11: Segmentation fault");
  assert.equal(describeStatus(0x80 | 6), "killed by signal 6: Aborted (core dumped)");
});
