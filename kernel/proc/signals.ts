/**
 * Sending signals: to a process (any thread that does not block it takes
 * it) or to one thread, with the information `siginfo` reports. A signal
 * that would be ignored is dropped when sent; `SIGKILL` ends the whole
 * group at once; a thread blocked in a system call is woken so the signal
 * can interrupt the call; a thread running on another CPU is kicked.
 *
 * Delivery (running handlers, default actions) happens when the thread
 * next returns to user mode: see `signal-delivery.ts`.
 *
 * Linux counterpart: `kernel/signal.c` (`send_signal`, `complete_signal`,
 * `sig_ignored`, `force_sig_info`).
 *
 * @module
 */

import { SIGKILL, SIG_DFL, SIG_IGN, defaultAction, sigbit } from "../abi/signal.js";
import type { Process } from "./process.js";
import type { System } from "./system.js";
import type { SigInfo, Thread } from "./thread.js";

/** Whether `sig` sent to `p` would be ignored (and can be dropped). Linux counterpart: `sig_ignored`. */
export function ignored(p: Process, sig: number): boolean {
  const a = p.actions.get(sig);
  return a.handler === SIG_IGN || (a.handler === SIG_DFL && defaultAction(sig) === "ignore");
}

/**
 * Makes `t` notice a new signal: wakes it from a blocking call (which
 * retries first, and is interrupted only if it would sleep again), or
 * kicks its CPU.
 */
function notify(sys: System, t: Thread): void {
  if (t.state === "blocked") t.wake();
  else if (t.state === "running") sys.onKick?.(t);
}

/**
 * Whether `t` has a pending signal that is not blocked and not ignored: one
 * that must interrupt a call that is about to sleep. Linux counterpart:
 * `signal_pending` (after `sig_ignored` filtering at send time).
 */
export function signalDeliverable(t: Thread): boolean {
  const p = t.process;
  if (p.groupExit !== undefined) return true;
  let set = (t.pending | p.pending) & ~t.sigmask;
  for (let sig = 1; set !== 0n; sig++, set >>= 1n) if ((set & 1n) !== 0n && !ignored(p, sig)) return true;
  return false;
}

/**
 * Ends every thread of `p` with wait status `status` (a fatal signal, or
 * `exit_group` from another thread's point of view): marks the group, and
 * wakes or kicks its threads so each exits at its next step.
 */
export function markGroupExit(sys: System, p: Process, status: number): void {
  if (p.groupExit === undefined) p.groupExit = status;
  for (const t of p.threads) if (t.state !== "dead") notify(sys, t);
}

/**
 * Sends `sig` to process `p`. Linux counterpart: `group_send_sig_info`.
 */
export function signalProcess(sys: System, p: Process, sig: number, info: SigInfo): void {
  if (p.state !== "alive" || p.groupExit !== undefined) return;
  if (sig === SIGKILL) return markGroupExit(sys, p, SIGKILL);
  if (ignored(p, sig)) return;
  const bit = sigbit(sig);
  if ((p.pending & bit) === 0n) p.pendingInfo.set(sig, info);
  p.pending |= bit;
  // Wake a thread that can take it (Linux's complete_signal: the first that does not block it).
  for (const t of p.threads) {
    if (t.state !== "dead" && (t.sigmask & bit) === 0n) {
      notify(sys, t);
      return;
    }
  }
}

/**
 * Sends `sig` to thread `t`. With `forced` (a fault, an illegal
 * instruction), a blocked or ignored signal is unblocked and reset to its
 * default action, so it cannot be lost. Linux counterpart: `send_sig_info`,
 * `force_sig_info`.
 */
export function signalThread(sys: System, t: Thread, sig: number, info: SigInfo, forced = false): void {
  const p = t.process;
  if (t.state === "dead" || p.groupExit !== undefined) return;
  if (sig === SIGKILL) return markGroupExit(sys, p, SIGKILL);
  const bit = sigbit(sig);
  if (forced) {
    const a = p.actions.get(sig);
    if (a.handler === SIG_IGN || (t.sigmask & bit) !== 0n) {
      p.actions.set(sig, { handler: SIG_DFL, flags: 0, mask: 0n });
      t.sigmask &= ~bit;
    }
  } else if (ignored(p, sig)) return;
  if ((t.pending & bit) === 0n) t.pendingInfo.set(sig, info);
  t.pending |= bit;
  if ((t.sigmask & bit) === 0n) notify(sys, t);
}
