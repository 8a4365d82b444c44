/**
 * A worker for the thread benchmarks: attaches to shared RAM (and an
 * address space) and runs the work it is asked for, replying when done.
 *
 * @module
 */

import { parentPort, workerData } from "node:worker_threads";
import { FrameAllocOptions, PhysicalMemory, USegment, VmSpace, u8, type MemoryToken, type SegmentToken, type SpaceToken } from "../../src/index.js";

interface Setup {
  readonly memory: MemoryToken;
  readonly segment?: SegmentToken;
  readonly space?: SpaceToken;
}

type Job =
  | { readonly kind: "copy"; readonly rounds: number }
  | { readonly kind: "alloc"; readonly ops: number }
  | { readonly kind: "read"; readonly base: number; readonly pages: number }
  | { readonly kind: "stop" };

const setup = workerData as Setup;
const mem = PhysicalMemory.attach(setup.memory);
const segment = setup.segment === undefined ? undefined : USegment.attach(mem, setup.segment);
const space = setup.space === undefined ? undefined : VmSpace.attach(mem, setup.space);
const options = new FrameAllocOptions(mem).zeroed(false);
const port = parentPort as NonNullable<typeof parentPort>;
let reading = false;

function readLoop(base: number, pages: number): void {
  // Keep reading until told to stop: a thread with live translations.
  let x = 0;
  for (let i = 0; i < 2000 && reading; i++) {
    try {
      x += (space as VmSpace).readVal(base + (i % pages) * 4096, u8);
    } catch {
      x++;
    }
  }
  if (reading) setImmediate(() => readLoop(base, pages));
  else port.postMessage({ done: x });
}

port.on("message", (job: Job) => {
  switch (job.kind) {
    case "copy": {
      const seg = segment as USegment;
      const buf = new Uint8Array(seg.size());
      for (let i = 0; i < job.rounds; i++) seg.readBytes(0, buf);
      port.postMessage({ done: buf[1] });
      break;
    }
    case "alloc": {
      let x = 0;
      for (let i = 0; i < job.ops; i++) {
        const f = options.allocFrame();
        x += f.startPaddr();
        f.dispose();
      }
      port.postMessage({ done: x });
      break;
    }
    case "read": {
      (space as VmSpace).activate();
      reading = true;
      port.postMessage({ started: true });
      setImmediate(() => readLoop(job.base, job.pages));
      break;
    }
    case "stop":
      if (reading) reading = false;
      else {
        segment?.dispose();
        space?.dispose();
        port.postMessage({ done: 0 });
      }
      break;
  }
});
