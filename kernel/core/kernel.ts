/**
 * The kernel: boots an in-memory file system with the host's standard
 * streams as devices, starts a first program, and runs every guest thread
 * until that program exits. Browser-safe: it imports nothing from Node;
 * hosts give it bytes, sinks and (for several CPUs) a way to start workers.
 *
 * Linux counterpart: `start_kernel` → `kernel_init` → `run_init_process`,
 * and the idle loop.
 *
 * @module
 */

import { PhysicalMemory } from "vmio";
import { Errno, SysError, errnoNames } from "../abi/errno.js";
import { O_RDONLY, O_WRONLY } from "../abi/fcntl.js";
import { FileSystem } from "../fs/file-system.js";
import { Directory, nameFromHost } from "../fs/inode.js";
import { InputQueue, hostStreamDevice, type HostStream } from "../fs/terminal.js";
import { resolve } from "../fs/path-walk.js";
import { execve } from "../proc/exec.js";
import { FdTable } from "../proc/fd-table.js";
import { FsContext } from "../proc/fs-context.js";
import type { KernelObserver } from "../proc/kernel-observer.js";
import { Process } from "../proc/process.js";
import { ProcessMemory } from "../proc/process-memory.js";
import { SignalActions } from "../proc/signal-actions.js";
import { markGroupExit } from "../proc/signals.js";
import { System } from "../proc/system.js";
import { Thread } from "../proc/thread.js";
import { exitThread } from "../proc/exit.js";
import { SIGCHLD, SIGKILL } from "../abi/signal.js";
import { defaultLimits } from "../syscall/limits.js";
import { SLICE, runSlice } from "./local-cpu.js";
import type { CpuFactory } from "../smp/cpu-protocol.js";
import { MultiCpu } from "../smp/multi-cpu.js";
import { pagesOf, snapshot } from "./inspect.js";
import type { KernelSnapshot, PageInfo } from "./snapshot.js";

/** How the host presents its terminal. */
export interface TerminalOptions {
  /** Which of stdin, stdout, stderr are terminals (default: none). */
  readonly stdin?: boolean;
  readonly stdout?: boolean;
  readonly stderr?: boolean;
  readonly rows?: number;
  readonly cols?: number;
}

/** Options of a {@link Kernel}. */
export interface KernelOptions {
  /** Bytes of physical memory (default 256 MiB). */
  readonly memory?: number;
  /** The file system (default: a fresh one with `/dev`, `/proc`, `/tmp`). */
  readonly fs?: FileSystem;
  /** The guest's stdout and stderr (default: discarded). */
  readonly stdout?: (bytes: Uint8Array) => void;
  readonly stderr?: (bytes: Uint8Array) => void;
  /**
   * All of stdin at once (then end of file). Without it, a host that sets
   * {@link KernelOptions.onInputWanted} feeds {@link Kernel.input} and
   * {@link Kernel.endInput}; a host that sets neither gives an empty stdin.
   */
  readonly stdin?: Uint8Array;
  /** Called when the guest waits for input the host has not given yet. */
  readonly onInputWanted?: () => void;
  readonly terminal?: TerminalOptions;
  /** Credentials of the first process (default 0, 0: root). */
  readonly uid?: number;
  readonly gid?: number;
  /** Entropy (default `crypto.getRandomValues`). */
  readonly random?: (bytes: Uint8Array) => void;
  readonly observer?: KernelObserver;
  /** Instructions per time slice (default 200 000). */
  readonly slice?: number;
  /** CPUs (default 1: the guest runs on the kernel's own thread). More need {@link KernelOptions.startCpu}. */
  readonly cpus?: number;
  /** Starts a CPU worker (running `serveCpu`); required when `cpus` > 1. */
  readonly startCpu?: CpuFactory;
  /**
   * Called on the kernel's thread after every time slice, where no system
   * call or fault is half done: an inspector takes its snapshots there, and
   * may slow the guest down to a watchable pace by returning a promise (the
   * kernel waits for it). One CPU only.
   */
  readonly betweenSlices?: () => void | Promise<void>;
}

/** How the first program ended. */
export interface ExitInfo {
  /** Its `wait4` status. */
  readonly status: number;
  /** The shell's view: the exit code, or 128 + the signal that killed it. */
  readonly code: number;
  /** The signal that killed it, if any. */
  readonly signal: number | undefined;
}

/** The first program to run. */
export interface SpawnOptions {
  /** Arguments after argv[0] (which is the path). */
  readonly args?: readonly string[];
  /** Environment, `NAME=VALUE` strings. */
  readonly env?: readonly string[];
  /** Working directory (default `/`). */
  readonly cwd?: string;
  /** argv[0] (default: the path). */
  readonly argv0?: string;
}

/** Thrown by {@link Kernel.spawn} when the program cannot start. */
export class SpawnError extends Error {
  readonly errno: number;

  constructor(path: string, errno: number, reason: string) {
    super(`${path}: ${errnoNames.get(errno) ?? `errno ${errno}`}${reason === "" ? "" : ` (${reason})`}`);
    this.name = "SpawnError";
    this.errno = errno;
  }
}

/** Thrown by {@link Kernel.run} when every thread waits for something that can never happen. */
export class DeadlockError extends Error {
  constructor() {
    super("every guest thread is blocked and nothing can wake them: deadlock");
    this.name = "DeadlockError";
  }
}

/** Runs a macrotask later, so host events (input, timers) get their turn. */
function hostTurn(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A teaching kernel over vmio.
 *
 * Linux counterpart: see the module documentation.
 */
export class Kernel {
  readonly memory: PhysicalMemory;
  readonly fs: FileSystem;
  readonly sys: System;
  readonly #input: InputQueue;
  readonly #slice: number;
  #init: Process | undefined;
  #wake: (() => void) | undefined;
  /** The origin of the monotonic clock, in `performance.timeOrigin`-based ms (shared with CPU workers). */
  readonly #t0: number;
  readonly #multi: MultiCpu | undefined;
  readonly #betweenSlices: (() => void | Promise<void>) | undefined;

  /**
   * @throws {RangeError} `cpus` is not an integer from 1 to 64, more than one CPU without `startCpu`, or with `betweenSlices`.
   */
  constructor(opts: KernelOptions = {}) {
    const cpus = opts.cpus ?? 1;
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > 64) throw new RangeError(`cpus must be an integer from 1 to 64, not ${cpus}`);
    if (cpus > 1 && opts.startCpu === undefined) throw new RangeError("more than one CPU needs startCpu (a way to start workers)");
    if (cpus > 1 && opts.betweenSlices !== undefined) throw new RangeError("betweenSlices needs one CPU: with more, slices run on workers");
    // A RISC-V kernel: its address spaces use RISC-V Sv48 page tables.
    this.memory = new PhysicalMemory({ size: opts.memory ?? 256 * 2 ** 20, shared: cpus > 1, paging: "riscv-sv48" });
    this.fs = opts.fs ?? new FileSystem({ random: opts.random });
    this.#slice = opts.slice ?? SLICE;
    this.#betweenSlices = opts.betweenSlices;
    this.#t0 = performance.timeOrigin + performance.now();
    const observer = opts.observer;
    this.#input = new InputQueue();
    this.#input.onDemand = opts.onInputWanted;
    if (opts.stdin !== undefined) this.#input.push(opts.stdin);
    if (opts.stdin !== undefined || opts.onInputWanted === undefined) this.#input.end();
    const term = opts.terminal ?? {};
    const out = (stream: 1 | 2, sink: ((b: Uint8Array) => void) | undefined) => (bytes: Uint8Array) => {
      sink?.(bytes);
      observer?.output?.(stream, bytes);
    };
    const streams: HostStream[] = [
      { input: this.#input, tty: term.stdin === true, rows: term.rows, cols: term.cols },
      { output: out(1, opts.stdout), tty: term.stdout === true, rows: term.rows, cols: term.cols },
      { output: out(2, opts.stderr), tty: term.stderr === true, rows: term.rows, cols: term.cols },
    ];
    ["stdin", "stdout", "stderr"].forEach((name, i) => this.fs.addDevice(`/dev/${name}`, hostStreamDevice(this.fs, streams[i] as HostStream, i)));
    if (term.stdin === true || term.stdout === true) this.fs.addDevice("/dev/tty", hostStreamDevice(this.fs, { ...streams[1], input: this.#input, tty: true } as HostStream, 3));
    // 64-bit atomics lock and fence words, shared with the CPU workers (see SpaceMemory).
    const lock = cpus > 1 ? new SharedArrayBuffer(8) : undefined;
    this.sys = new System({
      memory: this.memory,
      fs: this.fs,
      uid: opts.uid ?? 0,
      gid: opts.gid ?? 0,
      random: this.fs.random,
      monotonic: () => performance.timeOrigin + performance.now() - this.#t0,
      realtime: () => Date.now(),
      cpus,
      fenceWord: lock === undefined ? undefined : new Int32Array(lock),
      observer,
    });
    if (cpus > 1 && opts.startCpu !== undefined && lock !== undefined) {
      const control = new SharedArrayBuffer(4 * cpus);
      const ports = Array.from({ length: cpus }, (_, i) => {
        const port = (opts.startCpu as CpuFactory)(i);
        port.postMessage({ kind: "init", cpu: i, memory: this.memory.share(), lock, control, t0: this.#t0 });
        return port;
      });
      this.#multi = new MultiCpu(this.sys, ports, new Int32Array(control), this.#slice);
    }
  }

  /**
   * Starts the first program: pid 1, with the standard streams on
   * descriptors 0, 1 and 2.
   *
   * @throws {SpawnError} the program cannot be executed (as `execve` would fail).
   */
  spawn(path: string, opts: SpawnOptions = {}): number {
    if (this.#init !== undefined) throw new Error("Kernel.spawn: a first program is running already");
    const sys = this.sys;
    const root = this.fs.root;
    let cwd: Directory = root;
    if (opts.cwd !== undefined) {
      const r = resolve({ root, uid: 0, gid: 0, proc: undefined }, root, nameFromHost(opts.cwd), true);
      if (!(r.inode instanceof Directory)) throw new SpawnError(opts.cwd, Errno.ENOTDIR, "working directory");
      cwd = r.inode;
    }
    const files = new FdTable();
    for (const [fd, name, flags] of [
      [0, "stdin", O_RDONLY],
      [1, "stdout", O_WRONLY],
      [2, "stderr", O_WRONLY],
    ] as const) {
      files.installAt(fd, this.fs.open({ root, uid: 0, gid: 0, proc: undefined }, root, `/dev/${name}`, flags, 0, 0), false);
    }
    const pid = sys.newPid();
    const mm = new ProcessMemory(this.memory, sys, sys.fenceWord);
    const p = new Process(pid, undefined, {
      mm,
      files,
      fsc: new FsContext(root, cwd),
      actions: new SignalActions(),
      exitSignal: SIGCHLD,
      uid: sys.uid,
      gid: sys.gid,
      limits: defaultLimits(),
    });
    const t = new Thread(pid, p, sys.newHart(mm), sys);
    p.threads.add(t);
    sys.processes.set(pid, p);
    sys.threads.set(pid, t);
    sys.owners.set(mm, pid);
    const hostPath = nameFromHost(path);
    try {
      execve(sys, t, {
        path: hostPath,
        argv: [nameFromHost(opts.argv0 ?? path), ...(opts.args ?? []).map(nameFromHost)],
        envp: (opts.env ?? []).map(nameFromHost),
      });
    } catch (e) {
      sys.processes.delete(pid);
      sys.threads.delete(pid);
      files.closeAll();
      mm.release();
      if (e instanceof SysError) throw new SpawnError(path, e.errno, e.reason);
      throw e;
    }
    sys.stats.processes++;
    sys.observer?.processCreated?.(pid, 0);
    sys.enqueue(t);
    this.#init = p;
    return pid;
  }

  /** A snapshot of processes, regions and frames (for an inspector). */
  inspect(): KernelSnapshot {
    return snapshot(this.sys);
  }

  /** The mapped pages of `[start, end)` in process `pid`'s address space, from its page table. */
  pages(pid: number, start: number, end: number): PageInfo[] {
    const p = this.sys.processes.get(pid);
    if (p === undefined || p.mm.as.disposed) return [];
    return pagesOf(p.mm.as.space, start, end);
  }

  /** Gives the guest more standard input. */
  input(bytes: Uint8Array): void {
    this.#input.push(bytes);
    this.#notify();
  }

  /** Ends the guest's standard input. */
  endInput(): void {
    this.#input.end();
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  /**
   * Runs until the first program exits; then ends every process left.
   *
   * @throws {DeadlockError} every thread is blocked and nothing can wake one.
   * @throws {Error} `spawn` was not called.
   */
  async run(): Promise<ExitInfo> {
    const init = this.#init;
    if (init === undefined) throw new Error("Kernel.run: spawn a program first");
    const sys = this.sys;
    if (this.#multi !== undefined) await this.#multi.run(init, () => this.#idle());
    let lastTurn = performance.now();
    while (init.state === "alive") {
      sys.scheduler.fire(sys.monotonic());
      const t = sys.scheduler.next();
      if (t === undefined) {
        await this.#idle();
        lastTurn = performance.now();
        continue;
      }
      if (t.state !== "runnable") continue;
      runSlice(sys, t, this.#slice);
      const pause = this.#betweenSlices?.();
      if (pause !== undefined) await pause;
      if (performance.now() - lastTurn > 50) {
        await hostTurn(0);
        lastTurn = performance.now();
      }
    }
    this.#shutdown();
    const status = init.status;
    const signal = status & 0x7f;
    return { status, code: signal === 0 ? (status >> 8) & 0xff : 128 + signal, signal: signal === 0 ? undefined : signal };
  }

  /** Waits for a timer or host input; throws when nothing could ever wake a thread. */
  async #idle(): Promise<void> {
    const sys = this.sys;
    sys.scheduler.fire(sys.monotonic());
    if (sys.scheduler.runnable > 0) return;
    const deadline = sys.scheduler.nextDeadline();
    if (deadline === Infinity && !this.#input.waiting) throw new DeadlockError();
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
      if (deadline !== Infinity) setTimeout(resolve, Math.max(0, Math.ceil(deadline - sys.monotonic())));
    });
    this.#wake = undefined;
  }

  /** Stops the CPU workers, if any. */
  async close(): Promise<void> {
    await this.#multi?.terminate();
  }

  /** Ends every process still alive (orphans of the first program). */
  #shutdown(): void {
    const sys = this.sys;
    for (const p of [...sys.processes.values()]) {
      if (p.state !== "alive") continue;
      markGroupExit(sys, p, SIGKILL);
      for (const t of [...p.threads]) exitThread(sys, t, SIGKILL);
    }
  }
}
