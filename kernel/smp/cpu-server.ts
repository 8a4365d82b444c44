/**
 * The worker side of a CPU (`--cpus N`): attaches to the kernel's RAM and,
 * per address space, to its page table; runs the thread the kernel sends
 * until it needs the kernel, its budget is spent or the kernel kicks it;
 * sends the registers back. Browser-safe: the host starts it with a port.
 *
 * Linux counterpart: a CPU's side of the scheduler — `schedule()` on that
 * CPU, the return to user mode, and the trap back into the kernel.
 *
 * @module
 */

import { PhysicalMemory, VmSpace } from "vmio";
import { CONTEXT_SIZE, Hart } from "../cpu/hart.js";
import { SpaceMemory } from "../mm/space-memory.js";
import type { KernelPort, RunMessage, ToCpu } from "./cpu-protocol.js";

/** Instructions between two looks at the kick word. */
const CHUNK = 20_000;

interface AttachedSpace {
  readonly space: VmSpace;
  readonly memory: SpaceMemory;
  readonly hart: Hart;
  codeGen: number;
}

/** Serves the kernel on `port` until the worker is terminated. */
export function serveCpu(port: KernelPort): void {
  let cpu = -1;
  let ram: PhysicalMemory | undefined;
  let lock: Int32Array | undefined;
  let control: Int32Array | undefined;
  let t0 = 0;
  const spaces = new Map<number, AttachedSpace>();

  const run = (m: RunMessage): void => {
    let s = spaces.get(m.space);
    if (s === undefined) {
      if (m.token === undefined || ram === undefined) throw new Error(`CPU ${cpu}: no token for space ${m.space}`);
      const space = VmSpace.attach(ram, m.token);
      const memory = new SpaceMemory(space, lock);
      const hart = new Hart(memory, { time: () => Math.floor((performance.timeOrigin + performance.now() - t0) * 1e4) });
      s = { space, memory, hart, codeGen: m.codeGen };
      spaces.set(m.space, s);
    } else if (s.codeGen !== m.codeGen) {
      s.hart.invalidateCode();
      s.codeGen = m.codeGen;
    }
    const { hart, space } = s;
    space.activate();
    hart.restoreContext(m.context);
    hart.instret = m.instret;
    const kick = control as Int32Array;
    const end = m.instret + m.budget;
    let reason = hart.run(Math.min(CHUNK, m.budget));
    while (reason === "budget" && hart.instret < end && Atomics.load(kick, cpu) === 0) reason = hart.run(Math.min(CHUNK, end - hart.instret));
    const context = new Uint8Array(CONTEXT_SIZE);
    hart.saveContext(context);
    port.postMessage({ kind: "exit", cpu, tid: m.tid, reason, context, instret: hart.instret, address: hart.exitAddress, access: hart.exitAccess });
  };

  port.onMessage((m: ToCpu) => {
    try {
      switch (m.kind) {
        case "init":
          cpu = m.cpu;
          ram = PhysicalMemory.attach(m.memory);
          lock = new Int32Array(m.lock);
          control = new Int32Array(m.control);
          t0 = m.t0;
          return;
        case "run":
          return run(m);
        case "drop": {
          const s = spaces.get(m.space);
          spaces.delete(m.space);
          s?.space.dispose();
          return;
        }
      }
    } catch (e) {
      port.postMessage({ kind: "error", cpu, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  });
}
