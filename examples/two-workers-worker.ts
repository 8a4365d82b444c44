/**
 * The worker of examples/two-workers.ts: attaches to the main thread's RAM,
 * counter frame and address space, then runs the commands it is sent and
 * answers each one with `{ ok: result }` or `{ error: description }`.
 *
 * @module
 */

import { parentPort, workerData } from "node:worker_threads";
import {
  CachePolicy,
  FrameAllocOptions,
  PAGE_SIZE,
  PageFlags,
  PageProperty,
  PhysicalMemory,
  UFrame,
  VmError,
  VmSpace,
  VmWriter,
  u32,
  type FrameToken,
  type MemoryToken,
  type SpaceToken,
} from "vmio";

export interface Setup {
  readonly memory: MemoryToken;
  readonly counter: FrameToken;
  readonly space: SpaceToken;
}

export type Command =
  | { readonly cmd: "count"; readonly times: number }
  | { readonly cmd: "map"; readonly va: number; readonly text: string }
  | { readonly cmd: "read"; readonly va: number; readonly len: number }
  | { readonly cmd: "exit" };

const port = parentPort as NonNullable<typeof parentPort>;
const setup = workerData as Setup;

// Tokens become handles on this thread: the same RAM, the same frame, the
// same page table. Each token is attached exactly once.
const mem = PhysicalMemory.attach(setup.memory);
const counter = UFrame.attach(mem, setup.counter);
const space = VmSpace.attach(mem, setup.space);
space.activate(); // activation is per thread

function run(c: Command): unknown {
  switch (c.cmd) {
    case "count": {
      // A lock-free increment: load, then compare-and-exchange; retry if
      // the other worker got there first. A plain read-modify-write would
      // lose updates.
      const r = counter.reader();
      const w = counter.writer();
      for (let i = 0; i < c.times; i++) {
        for (;;) {
          const seen = r.atomicLoad(u32);
          if (w.atomicCompareExchange(r, u32, seen, seen + 1)[1]) break;
        }
      }
      return c.times;
    }
    case "map": {
      // Fill fresh frames with the text and map them, page after page.
      const bytes = new TextEncoder().encode(c.text);
      const pages = Math.ceil(bytes.length / PAGE_SIZE);
      const options = new FrameAllocOptions(mem);
      using cursor = space.cursorMut({ start: c.va, end: c.va + pages * PAGE_SIZE });
      for (let p = 0; p < pages; p++) {
        using frame = options.allocFrame();
        frame.writeBytes(0, bytes.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE));
        cursor.map(frame, PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback));
      }
      return pages;
    }
    case "read": {
      // A fallible copy out of user memory: it stops at the first byte that faults.
      const buf = new Uint8Array(c.len);
      try {
        space.reader(c.va, c.len).readFallible(VmWriter.from(buf));
        return { text: new TextDecoder().decode(buf) };
      } catch (e) {
        if (!(e instanceof VmError)) throw e;
        return { fault: e.code, copied: e.copied, text: new TextDecoder().decode(buf.subarray(0, e.copied)) };
      }
    }
    case "exit":
      // Drop this thread's references; the last thread to let go frees them.
      counter.dispose();
      space.dispose();
      setImmediate(() => port.close()); // after the reply is sent: lets the worker exit
      return "bye";
  }
}

port.on("message", (c: Command) => {
  try {
    port.postMessage({ ok: run(c) });
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
});
