// A worker for the non-tearing tests: stores one of two patterns after the
// other with writeOnce (through a frame's VmIoOnce, a frame's writer, a
// typed-memory writer over a SharedArrayBuffer, or a shared address
// space), or increments a shared u32 with compare-and-exchange loops.

import { workerData } from "node:worker_threads";
import {
  PhysicalMemory,
  UFrame,
  VmReader,
  VmSpace,
  VmWriter,
  u16,
  u32,
  u64,
  type Fallibility,
  type FrameToken,
  type MemoryToken,
  type PodOnceType,
  type SpaceToken,
} from "../../../src/index.js";
import { barrier, serve } from "./kit.js";

interface Setup {
  readonly memory: MemoryToken;
  readonly frame: FrameToken;
  readonly space: SpaceToken;
  /** Typed memory shared without vmio's RAM. */
  readonly sab: SharedArrayBuffer;
  readonly control: Int32Array;
}

/** Where the racing location is: a frame's VmIoOnce or writer, typed memory, or user memory. */
export type Target = "frameIo" | "frameCursor" | "typed" | "space";
export type Width = "u16" | "u32" | "u64";

const setup = workerData as Setup;
const mem = PhysicalMemory.attach(setup.memory);
const frame = UFrame.attach(mem, setup.frame);
const space = VmSpace.attach(mem, setup.space);
space.activate();
const control = setup.control;
const types: Record<Width, PodOnceType<number> | PodOnceType<bigint>> = { u16, u32, u64 };

interface StoreArgs {
  readonly target: Target;
  readonly width: Width;
  /** Frame offset, byte offset in the SharedArrayBuffer, or virtual address. */
  readonly at: number;
  readonly values: readonly [number | bigint, number | bigint];
  readonly stopIndex: number;
  readonly countIndex: number;
}

/** One store of `value` at `at`, through `target`. */
function storer(target: Target, at: number, t: PodOnceType<number | bigint>): (value: number | bigint) => void {
  switch (target) {
    case "frameIo":
      return (v) => frame.writeOnce(at, t, v);
    case "frameCursor": {
      const w = frame.writer().skip(at);
      return (v) => w.cloneExclusive().writeOnce(t, v);
    }
    case "typed": {
      const w = VmWriter.from(new Uint8Array(setup.sab)).skip(at);
      return (v) => w.cloneExclusive().writeOnce(t, v);
    }
    case "space":
      return (v) => space.writeOnce(at, t, v);
  }
}

/** A reader and a writer at the same u32. */
function cursorsAt(target: Target, at: number): [VmReader<Fallibility>, VmWriter<Fallibility>] {
  switch (target) {
    case "frameIo":
    case "frameCursor":
      return [frame.reader().skip(at), frame.writer().skip(at)];
    case "typed":
      return [VmReader.from(new Uint8Array(setup.sab)).skip(at), VmWriter.from(new Uint8Array(setup.sab)).skip(at)];
    case "space":
      return [space.reader(at, 4), space.writer(at, 4)];
  }
}

serve({
  /** Stores values[0], values[1], values[0], … until the stop word is set; returns the number of stores. */
  storeLoop: ({ target, width, at, values, stopIndex, countIndex }: StoreArgs) => {
    const store = storer(target, at, types[width] as PodOnceType<number | bigint>);
    const [a, b] = values;
    let n = 0;
    while (Atomics.load(control, stopIndex) === 0) {
      for (let i = 0; i < 512; i++) {
        store(a);
        store(b);
      }
      n += 1024;
      Atomics.add(control, countIndex, 1024);
    }
    return n;
  },

  /** Adds 1 to the u32 at `at`, `times` times, by compare-and-exchange; returns the number of lost races. */
  casIncrement: ({ target, at, times, readyIndex, goIndex }: { target: Target; at: number; times: number; readyIndex: number; goIndex: number }) => {
    const [r, w] = cursorsAt(target, at);
    let retries = 0;
    barrier(control, readyIndex, goIndex);
    for (let i = 0; i < times; i++) {
      for (;;) {
        const old = r.atomicLoad(u32);
        const [previous, exchanged] = w.atomicCompareExchange(r, u32, old, (old + 1) >>> 0);
        if (exchanged) {
          if (previous !== old) throw new Error(`exchanged, yet the previous value ${previous} is not the expected ${old}`);
          break;
        }
        if (previous === old) throw new Error(`not exchanged, yet the previous value ${previous} is the expected one`);
        retries++;
      }
    }
    return retries;
  },

  dispose: () => {
    frame.dispose();
    space.dispose();
  },
});
