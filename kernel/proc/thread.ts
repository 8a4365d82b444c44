/**
 * Guest threads: a hart (registers), a signal mask and pending signals, and
 * the thread's place in the scheduler — runnable, running, blocked in a
 * system call, or dead.
 *
 * A thread blocked in a system call sleeps on wait queues with its `pc`
 * still at the `ecall`; when woken it simply runs again, the hart stops at
 * the same `ecall`, and the call is retried from the start with whatever
 * progress it recorded in {@link Thread.call} (Linux's restart of a call
 * that returned `-ERESTARTSYS`, done by re-executing the instruction).
 *
 * Linux counterpart: `struct task_struct` (the per-thread part).
 *
 * @module
 */

import { SS_DISABLE } from "../abi/signal.js";
import type { Hart } from "../cpu/hart.js";
import type { Sleeper, WaitQueue } from "../sync/wait-queue.js";
import type { Process } from "./process.js";

/** Where a thread is. */
export type ThreadState = "runnable" | "running" | "blocked" | "dead";

/** What `siginfo` says about a pending signal. */
export interface SigInfo {
  readonly signo: number;
  readonly code: number;
  /** Sender pid, or the faulting address for SIGSEGV/SIGBUS/SIGILL. */
  readonly a: number;
  /** Sender uid, or 0. */
  readonly b: number;
  /** SIGCHLD: the child's status. */
  readonly c: number;
}

/** Progress of a system call that blocked, kept across its retries. */
export interface CallProgress {
  /** The system call number it belongs to. */
  readonly nr: number;
  /** Bytes moved by earlier attempts (see `IoContext.done`). */
  done: number;
  /** An absolute deadline (monotonic ms) set by the first attempt, if the call has a timeout. */
  deadline: number;
  /** Call-specific state (a futex waiter, …). */
  data: unknown;
  /** Whether a signal handler may restart the call (`SA_RESTART`); false for sleeps and waits with timeouts. */
  restartable: boolean;
  /** Undoes what the blocked call left behind (a futex queue entry) when it ends without completing. */
  cleanup: (() => void) | undefined;
  /** The call's result when a handler interrupts it (default `-EINTR`; `nanosleep` also writes the time left). */
  interruptResult: (() => number) | undefined;
}

/** The scheduler's side of a thread. */
export interface ThreadHost {
  /** Puts a woken thread on the run queue. */
  enqueue(t: Thread): void;
  /** Forgets a woken thread's timer. */
  cancelTimer(t: Thread): void;
}

/**
 * A guest thread.
 *
 * Linux counterpart: `struct task_struct`.
 */
export class Thread implements Sleeper {
  /** Thread id (the process's pid for its first thread). */
  tid: number;
  readonly process: Process;
  readonly hart: Hart;
  state: ThreadState = "runnable";
  /** Blocked signals. */
  sigmask = 0n;
  /** Signals sent to this thread, and their information. */
  pending = 0n;
  readonly pendingInfo = new Map<number, SigInfo>();
  /** `CLONE_CHILD_CLEARTID` / `set_tid_address`: cleared and woken at exit. */
  clearChildTid = 0;
  /** The alternate signal stack. */
  altstack = { sp: 0, size: 0, flags: SS_DISABLE };
  /** The monotonic time (ms) at which a sleeping thread wakes up (Infinity: no timeout). */
  deadline = Infinity;
  /** The system call in progress, when it blocked. */
  call: CallProgress | undefined = undefined;
  /** Set while a signal interrupted the blocked call: it ends with EINTR (or restarts). */
  interrupted = false;
  /** Set when another thread's `execve` ended this one while it ran on another CPU: it exits when that CPU reports. */
  killPending = false;
  /** Calls interrupted by signal handlers, innermost last: restored by `rt_sigreturn`. */
  readonly savedCalls: Array<CallProgress | undefined> = [];
  readonly #host: ThreadHost;
  readonly #queues = new Set<WaitQueue>();

  constructor(tid: number, process: Process, hart: Hart, host: ThreadHost) {
    this.tid = tid;
    this.process = process;
    this.hart = hart;
    this.#host = host;
  }

  /** Sleeps on `q` until woken (the caller then blocks the thread). */
  sleepOn(q: WaitQueue): void {
    q.add(this);
    this.#queues.add(q);
  }

  /** Blocks the thread (after `sleepOn` or with a deadline). */
  block(): void {
    this.state = "blocked";
  }

  /** Makes a blocked thread runnable: it leaves every queue and its timer. */
  wake(): void {
    if (this.state !== "blocked") return;
    for (const q of this.#queues) q.remove(this);
    this.#queues.clear();
    this.#host.cancelTimer(this);
    this.deadline = Infinity;
    this.state = "runnable";
    this.#host.enqueue(this);
  }

  /** Leaves every queue without becoming runnable (the thread is dying). */
  detach(): void {
    for (const q of this.#queues) q.remove(this);
    this.#queues.clear();
    this.#host.cancelTimer(this);
  }
}
