/**
 * The kernel's side of several CPUs (`--cpus N`): hands runnable threads
 * to idle CPU workers, and handles what they report — a system call (run
 * here, on the kernel's thread, against the kernel's view of the address
 * space), a fault (resolved here by the address space's fault handler,
 * then the instruction retries there), an illegal instruction, a spent
 * slice. Signals for a running thread, and code that changed under it, kick
 * its CPU through a shared word; the CPU stops at its next check.
 *
 * Linux counterpart: SMP scheduling (`select_task_rq`, `resched_curr`'s
 * IPI), with every trap forwarded to one kernel CPU.
 *
 * @module
 */

import { exitThread } from "../proc/exit.js";
import type { Process } from "../proc/process.js";
import type { ProcessMemory } from "../proc/process-memory.js";
import { returnToUser } from "../proc/signal-delivery.js";
import type { System } from "../proc/system.js";
import type { Thread } from "../proc/thread.js";
import { dispatch } from "../syscall/dispatch.js";
import { SYSCALLS } from "../syscall/table.js";
import { trap } from "../core/local-cpu.js";
import type { CpuPort, ExitMessage, FromCpu } from "./cpu-protocol.js";
import { CONTEXT_SIZE, type Access } from "../cpu/hart.js";

/** The kernel's record of one CPU worker. */
class RemoteCpu {
  readonly index: number;
  readonly port: CpuPort;
  /** The thread it runs, if any. */
  thread: Thread | undefined = undefined;
  /** Address spaces it has attached. */
  readonly attached = new Set<ProcessMemory>();

  constructor(index: number, port: CpuPort) {
    this.index = index;
    this.port = port;
  }
}

/** Faults at one address in a row after which the kernel stops retrying (a fault that resolves without effect). */
const FAULT_RETRIES = 3;

/**
 * N CPU workers driven by the kernel's thread.
 *
 * Linux counterpart: see the module documentation.
 */
export class MultiCpu {
  readonly #sys: System;
  readonly #cpus: RemoteCpu[];
  readonly #control: Int32Array;
  readonly #slice: number;
  readonly #events: FromCpu[] = [];
  #wake: (() => void) | undefined;
  readonly #faults = new WeakMap<Thread, { addr: number; n: number }>();

  constructor(sys: System, ports: CpuPort[], control: Int32Array, slice: number) {
    this.#sys = sys;
    this.#control = control;
    this.#slice = slice;
    this.#cpus = ports.map((p, i) => new RemoteCpu(i, p));
    for (const cpu of this.#cpus) {
      cpu.port.onMessage((m) => {
        this.#events.push(m);
        const w = this.#wake;
        this.#wake = undefined;
        w?.();
      });
    }
    sys.onKick = (t) => this.#kick((c) => c.thread === t);
    sys.onCodeChanged = (pm) => this.#kick((c) => c.thread !== undefined && c.thread.process.mm === pm);
    sys.onReleased = (pm) => {
      for (const c of this.#cpus) {
        if (c.attached.delete(pm)) c.port.postMessage({ kind: "drop", space: pm.id });
      }
    };
  }

  #kick(which: (c: RemoteCpu) => boolean): void {
    for (const c of this.#cpus) if (which(c)) Atomics.store(this.#control, c.index, 1);
  }

  /** Whether every CPU is idle. */
  get idle(): boolean {
    return this.#cpus.every((c) => c.thread === undefined);
  }

  /**
   * Runs until `init` exits. `waitHost` waits for timers or input when no
   * CPU has work (and throws on a deadlock).
   */
  async run(init: Process, waitHost: () => Promise<void>): Promise<void> {
    const sys = this.#sys;
    while (init.state === "alive") {
      sys.scheduler.fire(sys.monotonic());
      for (const cpu of this.#cpus) {
        while (cpu.thread === undefined) {
          const t = sys.scheduler.next();
          if (t === undefined) break;
          if (t.state === "runnable") this.#start(cpu, t);
        }
      }
      if (this.#events.length === 0) {
        if (this.idle && sys.scheduler.runnable === 0) {
          await waitHost();
          continue;
        }
        const deadline = sys.scheduler.nextDeadline();
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          if (deadline !== Infinity) setTimeout(resolve, Math.max(0, Math.ceil(deadline - sys.monotonic())));
        });
        this.#wake = undefined;
      }
      for (let m = this.#events.shift(); m !== undefined; m = this.#events.shift()) {
        if (m.kind === "error") throw new Error(`CPU ${m.cpu} failed: ${m.message}`);
        this.#handle(m);
      }
    }
  }

  /** Sends `t` (prepared for user mode first) to `cpu`. */
  #start(cpu: RemoteCpu, t: Thread): void {
    if (!returnToUser(this.#sys, t)) return;
    const pm = t.process.mm;
    const first = !cpu.attached.has(pm);
    if (first) cpu.attached.add(pm);
    const context = new Uint8Array(CONTEXT_SIZE);
    t.hart.saveContext(context);
    t.state = "running";
    cpu.thread = t;
    Atomics.store(this.#control, cpu.index, 0);
    cpu.port.postMessage({
      kind: "run",
      tid: t.tid,
      space: pm.id,
      token: first ? pm.as.space.share() : undefined,
      codeGen: pm.codeGen,
      context,
      instret: t.hart.instret,
      budget: this.#slice,
    });
  }

  /** Handles a CPU's report on its thread. */
  #handle(m: ExitMessage): void {
    const sys = this.#sys;
    const cpu = this.#cpus[m.cpu] as RemoteCpu;
    const t = cpu.thread as Thread;
    cpu.thread = undefined;
    t.hart.restoreContext(m.context);
    t.hart.instret = m.instret;
    if (t.killPending) {
      exitThread(sys, t, 0);
      return;
    }
    if (m.reason !== "fault") this.#faults.delete(t);
    sys.activate(t.process.mm);
    switch (m.reason) {
      case "budget":
        return this.#yield(t);
      case "ecall": {
        const after = dispatch(sys, t, SYSCALLS);
        if (after !== "continue") return;
        if (sys.yieldRequested) {
          sys.yieldRequested = false;
          return this.#yield(t);
        }
        return this.#resume(cpu, t);
      }
      case "fault":
        if (this.#resolve(t, m.address, m.access)) return this.#resume(cpu, t);
        trap(sys, t, "fault", m.address);
        return this.#resume(cpu, t);
      default:
        trap(sys, t, m.reason, m.address);
        return this.#resume(cpu, t);
    }
  }

  /** A fault another CPU reported: resolved here when the area allows the access. */
  #resolve(t: Thread, addr: number, access: Access): boolean {
    const as = t.process.mm.as;
    const last = this.#faults.get(t);
    const n = last !== undefined && last.addr === addr ? last.n + 1 : 1;
    this.#faults.set(t, { addr, n });
    if (n > FAULT_RETRIES) return false;
    return as.resolveFault(addr, access);
  }

  /** `t` keeps running: on the same CPU if no one else waits, else it queues. */
  #resume(cpu: RemoteCpu, t: Thread): void {
    if (t.state === "dead") return;
    if (this.#sys.scheduler.runnable > 0) return this.#yield(t);
    this.#start(cpu, t);
  }

  #yield(t: Thread): void {
    t.state = "runnable";
    this.#sys.enqueue(t);
  }

  /** Stops every worker. */
  async terminate(): Promise<void> {
    await Promise.all(this.#cpus.map((c) => c.port.terminate()));
  }
}
