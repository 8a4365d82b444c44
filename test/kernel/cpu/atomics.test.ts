// Two harts on two real workers sharing one SharedArrayBuffer memory:
// amoadd and LR/SC increments from both sides must all land. Time-boxed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { asm } from "./support.js";

const COUNTER_AMO = 0x1000;
const COUNTER_LRSC = 0x1008;
const N = 100_000;

/**
 * a0 = &amo counter, a2 = &lr/sc counter, a1 = a3 = N:
 *   loop1: amoadd.w zero, t0, (a0); addi a1, a1, -1; bnez a1, loop1
 *   loop2: lr.w t1, (a2); addi t1, t1, 1; sc.w t2, t1, (a2); bnez t2, loop2; addi a3, a3, -1; bnez a3, loop2
 *   ecall
 */
const program = [
  asm.addi(5, 0, 1),
  asm.amo(0, 2, 0, 10, 5),
  asm.addi(11, 11, -1),
  asm.bne(11, 0, -8),
  asm.amo(2, 2, 6, 12, 0),
  asm.addi(6, 6, 1),
  asm.amo(3, 2, 7, 12, 6),
  asm.bne(7, 0, -12),
  asm.addi(13, 13, -1),
  asm.bne(13, 0, -20),
  asm.ecall(),
];

function runWorker(buffer: SharedArrayBuffer, timeoutMs: number): Promise<{ reason: string; instret: number }> {
  const worker = new Worker(new URL("./workers/hart-worker.js", import.meta.url), {
    workerData: { buffer, pc: 0, regs: { 10: COUNTER_AMO, 11: N, 12: COUNTER_LRSC, 13: N } },
  });
  return new Promise<{ reason: string; instret: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not finish within ${timeoutMs} ms`)), timeoutMs);
    worker.once("message", (m: { reason: string; instret: number }) => {
      clearTimeout(timer);
      resolve(m);
    });
    worker.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  }).finally(() => worker.terminate());
}

test("two harts on two workers: every amoadd.w and every LR/SC increment on shared memory lands exactly once", async () => {
  const buffer = new SharedArrayBuffer(1 << 16);
  const view = new DataView(buffer);
  program.forEach((w, i) => view.setUint32(4 * i, w, true));
  const results = await Promise.all([runWorker(buffer, 30_000), runWorker(buffer, 30_000)]);
  for (const r of results) assert.equal(r.reason, "ecall");
  assert.equal(view.getUint32(COUNTER_AMO, true), 2 * N);
  assert.equal(view.getUint32(COUNTER_LRSC, true), 2 * N);
  // Each hart retired at least its own loops; failed SCs add retries on top.
  for (const r of results) assert.ok(r.instret >= 1 + 3 * N + 6 * N);
});
