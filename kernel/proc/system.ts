/**
 * The kernel's state, as system calls see it: physical memory, the file
 * system, the process and thread tables, the scheduler, the futex table,
 * clocks, counters and the observer.
 *
 * Linux counterpart: the globals of `kernel/` (`init_task`'s lists, the pid
 * namespace, `jiffies`, the run queues).
 *
 * @module
 */

import type { PhysicalMemory } from "vmio";
import { Hart } from "../cpu/hart.js";
import type { FileSystem } from "../fs/file-system.js";
import type { FaultEvent } from "../mm/mm-events.js";
import { FutexTable } from "./futex.js";
import type { KernelObserver } from "./kernel-observer.js";
import { KernelStats } from "./kernel-stats.js";
import type { Process } from "./process.js";
import type { MemoryEvents, ProcessMemory } from "./process-memory.js";
import { Scheduler } from "./scheduler.js";
import type { Thread, ThreadHost } from "./thread.js";

/** What a {@link System} is made of. */
export interface SystemOptions {
  readonly memory: PhysicalMemory;
  readonly fs: FileSystem;
  /** Credentials of the first process. */
  readonly uid: number;
  readonly gid: number;
  /** Entropy (`getrandom`, `AT_RANDOM`). */
  readonly random: (bytes: Uint8Array) => void;
  /** Monotonic clock, ms. */
  readonly monotonic: () => number;
  /** Wall clock, ms since the epoch. */
  readonly realtime: () => number;
  /** Number of CPUs the guest is told it has. */
  readonly cpus: number;
  /** On shared RAM: a word every CPU shares, which `fence` touches (see `SpaceMemory`). */
  readonly fenceWord?: Int32Array;
  readonly observer?: KernelObserver;
}

/**
 * The kernel's state.
 *
 * Linux counterpart: see the module documentation.
 */
export class System implements ThreadHost, MemoryEvents {
  readonly memory: PhysicalMemory;
  readonly fs: FileSystem;
  readonly uid: number;
  readonly gid: number;
  readonly random: (bytes: Uint8Array) => void;
  readonly monotonic: () => number;
  readonly realtime: () => number;
  readonly cpus: number;
  readonly fenceWord: Int32Array | undefined;
  readonly observer: KernelObserver | undefined;
  readonly scheduler = new Scheduler<Thread>();
  readonly futexes = new FutexTable();
  /** Live and zombie processes by pid. */
  readonly processes = new Map<number, Process>();
  /** Live threads by tid. */
  readonly threads = new Map<number, Thread>();
  readonly stats: KernelStats;
  /** Which process each memory belongs to (for fault reports). */
  readonly owners = new WeakMap<ProcessMemory, number>();
  /** Set by the core when several CPUs run: tells other CPUs that code in a memory changed. */
  onCodeChanged: ((pm: ProcessMemory, start: number, end: number) => void) | undefined = undefined;
  /** Set by the core when several CPUs run: a memory is gone, CPUs drop their views of it. */
  onReleased: ((pm: ProcessMemory) => void) | undefined = undefined;
  /** Set by the core when several CPUs run: a thread running elsewhere has a signal to take. */
  onKick: ((t: Thread) => void) | undefined = undefined;
  /** Set by `sched_yield`: the running thread gives up the rest of its time slice. */
  yieldRequested = false;
  #nextPid = 1;
  #active: ProcessMemory | undefined = undefined;

  constructor(opts: SystemOptions) {
    this.memory = opts.memory;
    this.fs = opts.fs;
    this.uid = opts.uid;
    this.gid = opts.gid;
    this.random = opts.random;
    this.monotonic = opts.monotonic;
    this.realtime = opts.realtime;
    this.cpus = opts.cpus;
    this.fenceWord = opts.fenceWord;
    this.observer = opts.observer;
    this.stats = new KernelStats(opts.memory);
  }

  /** A new pid/tid (they share one number space, as on Linux). */
  newPid(): number {
    while (this.threads.has(this.#nextPid) || this.processes.has(this.#nextPid)) this.#nextPid++;
    return this.#nextPid++;
  }

  /** A hart for a new thread, executing in `pm`; its `time` CSR counts 10 MHz ticks of the monotonic clock. */
  newHart(pm: ProcessMemory): Hart {
    const hart = new Hart(pm.cpu, { time: () => Math.floor(this.monotonic() * 1e4) });
    pm.harts.add(hart);
    return hart;
  }

  enqueue(t: Thread): void {
    this.scheduler.enqueue(t);
  }

  cancelTimer(t: Thread): void {
    this.scheduler.cancel(t);
  }

  fault(pm: ProcessMemory, e: FaultEvent): void {
    this.stats.fault(e);
    this.observer?.fault?.(this.owners.get(pm) ?? 0, e);
  }

  codeChanged(pm: ProcessMemory, start: number, end: number): void {
    this.onCodeChanged?.(pm, start, end);
  }

  released(pm: ProcessMemory): void {
    this.onReleased?.(pm);
  }

  /**
   * Makes `pm`'s address space the active one of the kernel's thread (vmio
   * requires it for user access): before running a thread, and before
   * touching another process's memory.
   */
  activate(pm: ProcessMemory): void {
    if (this.#active === pm && !pm.as.disposed) return;
    pm.as.space.activate();
    this.#active = pm;
  }

  /** Instructions retired so far by every thread, live or exited. */
  instructions(): number {
    let n = this.stats.instructions;
    for (const t of this.threads.values()) n += t.hart.instret;
    return n;
  }
}
