// A worker sharing a guest's memory (a shared WebAssembly.Memory or a
// growable SharedArrayBuffer) with the test thread, through its own
// GuestMemory: it hammers one location with writeOnce, increments a counter
// with atomicCompareExchange, and grows the memory when asked — while the
// test thread is in the middle of a host call. Every loop is bounded by a
// stop word and a deadline.

import { workerData } from "node:worker_threads";
import { GuestMemory, VmReader, u32, u64 } from "../../../src/index.js";
import { serve } from "../../threads/workers/kit.js";
import { GROWN, GROW_REQUEST, READY, STOP } from "./control.js";

interface Data {
  memory: { buffer: SharedArrayBuffer; grow(pages: number): number } | SharedArrayBuffer;
  control: Int32Array;
}


const { memory, control } = workerData as Data;
const guest = new GuestMemory(memory);
const DEADLINE_MS = 10_000;
const ALL_ONES = 2n ** 64n - 1n;

serve({
  /** writeOnce of 0 and all-ones, alternately, at `at` until told to stop. */
  hammer: ({ at }: { at: number }) => {
    const end = performance.now() + DEADLINE_MS;
    let n = 0;
    Atomics.store(control, READY, 1);
    while (Atomics.load(control, STOP) === 0 && performance.now() < end) {
      guest.writeOnce(at, u64, n % 2 === 0 ? 0n : ALL_ONES);
      n++;
    }
    return n;
  },
  /** `n` increments of the u32 at `at`, each a load and a compare-exchange retried until it lands. */
  increment: ({ at, n }: { at: number; n: number }) => {
    let retries = 0;
    for (let i = 0; i < n; i++) {
      for (;;) {
        const seen = guest.reader(at, 4).atomicLoad(u32);
        if (guest.writer(at, 4).atomicCompareExchange(guest.reader(at, 4), u32, seen, (seen + 1) >>> 0)[1]) break;
        retries++;
      }
    }
    return retries;
  },
  /** Waits for the request word, grows by `pages` and writes `fill` at the old end, then says so. */
  growOnRequest: ({ pages, fill }: { pages: number; fill: number[] }) => {
    if (Atomics.wait(control, GROW_REQUEST, 0, DEADLINE_MS) === "timed-out") throw new Error("no grow request came");
    const old = guest.size();
    if (memory instanceof SharedArrayBuffer) (memory as SharedArrayBuffer & { grow(n: number): void }).grow(old + pages * 65536);
    else memory.grow(pages);
    guest.write(old, VmReader.from(Uint8Array.from(fill)));
    Atomics.store(control, GROWN, 1);
    Atomics.notify(control, GROWN);
    return old;
  },
  size: () => guest.size(),
  readU32: ({ at }: { at: number }) => guest.readVal(at, u32),
});
