/**
 * Two workers sharing one `PhysicalMemory` and one `VmSpace`.
 *
 *   npm run build && node build/examples/two-workers.js
 *
 * 1. Both workers increment one counter in a shared frame, lock-free, with
 *    `atomicCompareExchange`; no increment is lost.
 * 2. Worker A maps two pages into the shared address space; worker B reads
 *    them through its own view of the space (same page table, own TLB).
 * 3. The main thread unmaps the second page. `unmap` returns only once every
 *    thread's TLB has let go of it (a TLB shootdown), so B's next read
 *    faults exactly at that page, though B had just read it.
 * 4. Each worker gets a memory token of its own; when a worker has exited —
 *    by itself, terminated or crashed — `ram.reclaim(token)` releases
 *    whatever it still held (here: nothing, they let go themselves).
 *
 * The program always ends within a few seconds: every wait has a timeout,
 * and the workers are terminated in `finally` whatever happened.
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import { FrameAllocOptions, PAGE_SIZE, PhysicalMemory, VmSpace, u32, type ReclaimReport } from "vmio";
import type { Command, Setup } from "./two-workers-worker.js";

const CALL_TIMEOUT_MS = 5_000;
const workerUrl = new URL("./two-workers-worker.js", import.meta.url);

/** Sends `c` to `w` and resolves with its answer; rejects on an error, an exit or a timeout. */
function call<T>(w: Worker, c: Command): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      w.off("message", onMessage).off("error", reject).off("exit", onExit);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`worker did not answer ${c.cmd} within ${CALL_TIMEOUT_MS} ms`));
    }, CALL_TIMEOUT_MS);
    const onMessage = (m: { ok?: T; error?: string }): void => {
      done();
      if (m.error !== undefined) reject(new Error(`worker failed on ${c.cmd}: ${m.error}`));
      else resolve(m.ok as T);
    };
    const onExit = (code: number): void => {
      done();
      reject(new Error(`worker exited with code ${code} during ${c.cmd}`));
    };
    w.on("message", onMessage).once("error", reject).once("exit", onExit);
    w.postMessage(c);
  });
}

/** Resolves when `w` has exited by itself; rejects after a timeout. */
function exited(w: Worker): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("worker did not exit")), CALL_TIMEOUT_MS);
    w.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

const ram = new PhysicalMemory({ size: 4 << 20, shared: true }); // a SharedArrayBuffer
const free0 = ram.freeFrames();
const counter = new FrameAllocOptions(ram).allocFrame();
const space = new VmSpace(ram);
const VA = 0x1000_0000;

const reclaimed: ReclaimReport[] = [];

/**
 * Starts a worker with tokens of its own: the memory token reserves the
 * worker's thread slot, and frame and space tokens carry a reference each
 * (each is attached once). Once the worker has exited, however it ended,
 * its token reclaims whatever it still held.
 */
function start(): Worker {
  const setup: Setup = { memory: ram.share(), counter: counter.share(), space: space.share() };
  const w = new Worker(workerUrl, { workerData: setup });
  w.once("exit", () => reclaimed.push(ram.reclaim(setup.memory)));
  return w;
}

const a = start();
const b = start();

try {
  const times = 50_000;
  await Promise.all([call(a, { cmd: "count", times }), call(b, { cmd: "count", times })]);
  console.log(`1. A and B each added ${times} to the shared counter: it reads ${counter.readOnce(0, u32)}`);

  const second = "And this is page two.";
  const text = "A wrote page one. ".repeat(228).slice(0, PAGE_SIZE) + second;
  const pages = await call<number>(a, { cmd: "map", va: VA, text });
  console.log(`2. A mapped ${pages} pages at 0x${VA.toString(16)}`);
  const start = VA + PAGE_SIZE - 18; // straddles the two pages
  const len = 18 + second.length;
  const seen = await call<{ text: string }>(b, { cmd: "read", va: start, len });
  console.log(`   B reads ${len} bytes across both: "${seen.text}"`);

  {
    using cursor = space.cursorMut({ start: VA + PAGE_SIZE, end: VA + 2 * PAGE_SIZE });
    cursor.unmap(PAGE_SIZE); // returns after every thread's TLB dropped the page
  }
  console.log(`3. main unmapped the second page (0x${(VA + PAGE_SIZE).toString(16)})`);
  const after = await call<{ fault?: string; copied?: number; text: string }>(b, { cmd: "read", va: start, len });
  console.log(`   B reads again: ${after.fault} after copied = ${after.copied} bytes ("${after.text}")`);

  // Orderly shutdown: each worker drops its references and exits.
  await Promise.all([a, b].map(async (w) => Promise.all([call(w, { cmd: "exit" }), exited(w)])));
  const held = reclaimed.map((r) => r.frames + r.spaces + r.locks);
  console.log(`4. both workers exited and were reclaimed; they had left behind ${held.join(" and ")} things`);
  counter.dispose();
  space.dispose(); // the last user of the space: its mappings and page table are freed
  console.log(`   every thread let go: ${ram.freeFrames()} of ${free0} frames free`);
} finally {
  // Whatever happened above, no worker outlives the program.
  await Promise.all([a.terminate(), b.terminate()]);
}
