// A worker that runs a Hart over a FlatMemory on a SharedArrayBuffer it is
// given: the other side of atomics.test.ts.
import { parentPort, workerData } from "node:worker_threads";
import { FlatMemory } from "../../../../kernel/cpu/flat-memory.js";
import { Hart } from "../../../../kernel/cpu/hart.js";

interface Job {
  buffer: SharedArrayBuffer;
  pc: number;
  regs: Record<number, number>;
}

const job = workerData as Job;
const hart = new Hart(new FlatMemory(new Uint8Array(job.buffer), 0));
hart.pc = job.pc;
for (const [r, v] of Object.entries(job.regs)) hart.setReg(Number(r), v);
let reason;
do reason = hart.run(100_000);
while (reason === "budget");
parentPort!.postMessage({ reason, instret: hart.instret, a0: hart.getReg(10) });
