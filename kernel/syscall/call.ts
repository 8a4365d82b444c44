/**
 * One system call being handled: its thread and process, its arguments as
 * the C types the call declares (`int`, `unsigned long`, pointers), and the
 * means to block.
 *
 * Arguments are read from the hart's registers a0–a5 as two 32-bit halves,
 * with no `bigint`: an `int` is the low half, sign-extended as the kernel's
 * C code would see it; a pointer or size is the unsigned 64-bit value
 * (exact below 2^53; anything larger is outside user space either way).
 *
 * Linux counterpart: `struct pt_regs` as `SYSCALL_DEFINE` unpacks it.
 *
 * @module
 */

import type { VmSpace } from "vmio";
import { BLOCKED, type IoContext } from "../fs/io.js";
import type { Process } from "../proc/process.js";
import { signalThread } from "../proc/signals.js";
import { SIGPIPE } from "../abi/signal.js";
import type { System } from "../proc/system.js";
import type { CallProgress, Thread } from "../proc/thread.js";
import type { WaitQueue } from "../sync/wait-queue.js";

const TWO32 = 2 ** 32;

/** A handler's result that means "the handler set the registers itself" (`execve`, `rt_sigreturn`). */
export const KEEP_REGISTERS = -0x10_0000;

/** What a system-call handler is. */
export type Handler = (c: Call) => number;

/**
 * A system call in progress.
 *
 * Linux counterpart: the arguments and `current` of a `SYSCALL_DEFINE`.
 */
export class Call implements IoContext {
  readonly sys: System;
  readonly t: Thread;
  readonly p: Process;
  readonly nr: number;
  readonly #lo: Int32Array;
  readonly #hi: Int32Array;

  constructor(sys: System, t: Thread, nr: number) {
    this.sys = sys;
    this.t = t;
    this.p = t.process;
    this.nr = nr;
    this.#lo = t.hart.xlo;
    this.#hi = t.hart.xhi;
  }

  /** The process's address space (active on this thread while the call runs). */
  get space(): VmSpace {
    return this.p.mm.as.space;
  }

  /** Argument `i` (0–5) as an unsigned 64-bit value: a pointer, a size, `unsigned long`. */
  arg(i: number): number {
    return ((this.#hi[10 + i] as number) >>> 0) * TWO32 + ((this.#lo[10 + i] as number) >>> 0);
  }

  /** Argument `i` as a C `int` (the low 32 bits, signed). */
  int(i: number): number {
    return this.#lo[10 + i] as number;
  }

  /** Argument `i` as a C `unsigned int`. */
  uint(i: number): number {
    return (this.#lo[10 + i] as number) >>> 0;
  }

  /** Argument `i` as a signed 64-bit value (`long`, `off_t`, `ssize_t`). */
  long(i: number): number {
    return (this.#hi[10 + i] as number) * TWO32 + ((this.#lo[10 + i] as number) >>> 0);
  }

  /** The progress record of this call (created on the first attempt, kept across retries). */
  progress(): CallProgress {
    let c = this.t.call;
    if (c === undefined || c.nr !== this.nr) {
      c = { nr: this.nr, done: 0, deadline: Infinity, data: undefined, restartable: true, cleanup: undefined, interruptResult: undefined };
      this.t.call = c;
    }
    return c;
  }

  /** Whether an earlier attempt of this call blocked (this is a retry). */
  get retry(): boolean {
    return this.t.call !== undefined && this.t.call.nr === this.nr;
  }

  // IoContext, for file operations.

  get done(): number {
    return this.t.call !== undefined && this.t.call.nr === this.nr ? this.t.call.done : 0;
  }

  set done(n: number) {
    this.progress().done = n;
  }

  wait(queue: WaitQueue): void {
    this.progress();
    this.t.sleepOn(queue);
  }

  sigpipe(): void {
    signalThread(this.sys, this.t, SIGPIPE, { signo: SIGPIPE, code: 0, a: this.p.pid, b: this.p.uid, c: 0 });
  }

  /**
   * Blocks until woken or until `deadline` (monotonic ms; Infinity: none).
   * Returns {@link BLOCKED} for the handler to return.
   */
  sleepUntil(deadline: number): number {
    const c = this.progress();
    c.deadline = deadline;
    this.t.deadline = deadline;
    return BLOCKED;
  }

  /** `-EINTR`-style result when a signal is pending and unblocked (for calls that check before sleeping). */
  get signalPending(): boolean {
    const open = ~this.t.sigmask;
    return ((this.t.pending | this.p.pending) & open) !== 0n;
  }
}

