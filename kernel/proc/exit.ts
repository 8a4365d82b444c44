/**
 * Threads and processes ending: a thread's exit (clearing and waking its
 * `clear_child_tid` word, as `pthread_join` expects), a process's exit when
 * its last thread is gone (descriptors closed, memory released, children
 * handed over, the parent told with `SIGCHLD` and a wake-up of `wait4`),
 * and reaping a zombie.
 *
 * Linux counterpart: `kernel/exit.c` (`do_exit`, `exit_notify`,
 * `release_task`, `forget_original_parent`) and `mm_release`.
 *
 * @module
 */

import { u32 } from "vmio";
import { CLD_DUMPED, CLD_EXITED, CLD_KILLED, SA_NOCLDWAIT, SIG_IGN, SIGCHLD } from "../abi/signal.js";
import { futexKey } from "./futex-key.js";
import type { Process } from "./process.js";
import { signalProcess } from "./signals.js";
import type { System } from "./system.js";
import type { Thread } from "./thread.js";

/** The `wait4` status of a normal exit with `code`. */
export function exitedStatus(code: number): number {
  return (code & 0xff) << 8;
}

/** The `wait4` status of a death by signal `sig` (with a core dump for core signals). */
export function signaledStatus(sig: number, core: boolean): number {
  return sig | (core ? 0x80 : 0);
}

/**
 * Ends thread `t`. When it is the last live thread of its process, the
 * process exits with `status` (its group's exit status if one was set).
 * Linux counterpart: `do_exit`.
 */
export function exitThread(sys: System, t: Thread, status: number): void {
  if (t.state === "dead") return;
  const p = t.process;
  t.detach();
  sys.scheduler.remove(t);
  t.state = "dead";
  if (t.clearChildTid !== 0 && p.mm.users > 0 && !p.mm.as.disposed) {
    // mm_release: *clear_child_tid = 0 and a futex wake, ignoring faults.
    const addr = t.clearChildTid;
    sys.activate(p.mm);
    try {
      p.mm.as.space.writeVal(addr, u32, 0);
      sys.futexes.wake(futexKey(p.mm, addr), 1);
    } catch {
      // The word is gone: nothing to clear, as on Linux.
    }
  }
  sys.threads.delete(t.tid);
  p.threads.delete(t);
  p.mm.harts.delete(t.hart);
  sys.stats.instructions += t.hart.instret;
  if (p.liveThreads().length === 0) exitProcess(sys, p, p.groupExit ?? status);
}

/** The process-wide part of exiting. Linux counterpart: the tail of `do_exit` and `exit_notify`. */
function exitProcess(sys: System, p: Process, status: number): void {
  p.state = "zombie";
  p.status = status;
  if (--p.files.users === 0) p.files.closeAll();
  p.fsc.users--;
  p.actions.users--;
  p.mm.release();
  if (p.vforkDone !== undefined) {
    p.vforkDone.wakeAll();
    p.vforkDone = undefined;
  }
  // Orphans: no init process adopts them here; they are reaped as soon as they exit.
  for (const c of p.children) {
    c.parent = undefined;
    if (c.state === "zombie") reap(sys, c);
  }
  p.children.clear();
  sys.observer?.processExited?.(p.pid, status);
  const parent = p.parent;
  if (parent === undefined || parent.state !== "alive") return reap(sys, p);
  const sig = status & 0x7f;
  const code = sig === 0 ? CLD_EXITED : (status & 0x80) !== 0 ? CLD_DUMPED : CLD_KILLED;
  const info = { signo: SIGCHLD, code, a: p.pid, b: p.uid, c: sig === 0 ? (status >> 8) & 0xff : sig };
  if (p.exitSignal !== 0) signalProcess(sys, parent, p.exitSignal, info);
  parent.childWait.wakeAll();
  // A parent that ignores SIGCHLD (or asked SA_NOCLDWAIT) leaves no zombies.
  const a = parent.actions.get(SIGCHLD);
  if (a.handler === SIG_IGN || (a.flags & SA_NOCLDWAIT) !== 0) reap(sys, p);
}

/** Removes a zombie for good. Linux counterpart: `release_task`. */
export function reap(sys: System, p: Process): void {
  p.state = "reaped";
  p.parent?.children.delete(p);
  sys.processes.delete(p.pid);
}
