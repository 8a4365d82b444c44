/**
 * One system call being handled: its thread and process, its arguments as
 * the C types the call declares (`int`, `unsigned long`, pointers), and the
 * means to block.
 *
 * Arguments are read from the hart's registers a0–a5 as two 32-bit halves,
 * with no `bigint` on the common path: an `int` is the low half,
 * sign-extended as the kernel's C code would see it. A 64-bit value does not
 * fit a `number` exactly from 2^53 up, so there is no accessor that rounds:
 * each says what it is for and what it gives above 2^53 — a pointer
 * ({@link Call.ptr}) is then a non-user address with the same page offset, a
 * size ({@link Call.size}) and a `long` ({@link Call.long}) saturate, and a
 * value the call must keep exactly (to give it back) is a `bigint`
 * ({@link Call.u64}).
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
/** The high word of 2^53: a register whose high word is at least this holds a value no `number` is exactly. */
const HI_UNSAFE = 0x20_0000;

/**
 * What {@link Call.ptr} gives for a pointer at or above 2^53, plus its page
 * offset: 2^52, far beyond user space (2^47) and a multiple of the page
 * size, so a pointer ≥ 2^53 fails every user-space check (`EFAULT`, or the
 * `EINVAL`/`ENOMEM` of an mm call) and an alignment check sees its real low
 * bits — as Linux, which compares the exact value, answers. (A pointer in
 * [2^52, 2^53) is as far outside user space, and answers the same.)
 */
export const NOT_USER = 2 ** 52;

/** What {@link Call.size} gives for a size at or above 2^53, and {@link Call.long}'s magnitude there: more than any length or offset the kernel honours. */
export const HUGE = 2 ** 53;

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

  /**
   * Argument `i` (0–5) as a user pointer (`void __user *`, an address):
   * exact below 2^53; at or above, {@link NOT_USER} plus its page offset —
   * never a user address, its low 12 bits kept for alignment checks.
   */
  ptr(i: number): number {
    const hi = (this.#hi[10 + i] as number) >>> 0;
    const lo = (this.#lo[10 + i] as number) >>> 0;
    return hi < HI_UNSAFE ? hi * TWO32 + lo : NOT_USER + (lo & 0xfff);
  }

  /**
   * Argument `i` as a size or count (`size_t`, `unsigned long`): exact below
   * 2^53; at or above, {@link HUGE} — a value a size may be compared with or
   * clamped, and is never taken to be a smaller one.
   */
  size(i: number): number {
    const hi = (this.#hi[10 + i] as number) >>> 0;
    return hi < HI_UNSAFE ? hi * TWO32 + ((this.#lo[10 + i] as number) >>> 0) : HUGE;
  }

  /** Argument `i`'s exact 64 bits, unsigned: for a value the call keeps and gives back as it came (`set_robust_list`'s head). */
  u64(i: number): bigint {
    return (BigInt((this.#hi[10 + i] as number) >>> 0) << 32n) | BigInt((this.#lo[10 + i] as number) >>> 0);
  }

  /** Argument `i` as a C `int` (the low 32 bits, signed). */
  int(i: number): number {
    return this.#lo[10 + i] as number;
  }

  /** Argument `i` as a C `unsigned int`. */
  uint(i: number): number {
    return (this.#lo[10 + i] as number) >>> 0;
  }

  /**
   * Argument `i` as a signed 64-bit value (`long`, `off_t`, `loff_t`):
   * exact in (-2^53, 2^53); beyond, ±{@link HUGE} — an offset or length
   * beyond anything a file or mapping can have, whose low bits are gone
   * (a caller that checks them reads {@link Call.uint}).
   */
  long(i: number): number {
    const hi = this.#hi[10 + i] as number;
    if (hi >= HI_UNSAFE) return HUGE;
    if (hi < -HI_UNSAFE) return -HUGE;
    return hi * TWO32 + ((this.#lo[10 + i] as number) >>> 0);
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

