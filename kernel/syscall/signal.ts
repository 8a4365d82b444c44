/**
 * Signal system calls: `rt_sigaction`, `rt_sigprocmask`, `rt_sigreturn`,
 * `rt_sigpending`, `rt_sigsuspend`, `sigaltstack`, `kill`, `tkill`, `tgkill`.
 *
 * Linux counterpart: `kernel/signal.c`, `arch/riscv/kernel/signal.c`.
 *
 * @module
 */

import { u64 } from "vmio";
import { Errno } from "../abi/errno.js";
import {
  KernelSigaction,
  MINSIGSTKSZ,
  NSIG,
  SIGKILL,
  SIGSEGV,
  SIGSET_SIZE,
  SIGSTOP,
  SIG_BLOCK,
  SIG_SETMASK,
  SIG_UNBLOCK,
  SI_TKILL,
  SI_USER,
  SS_DISABLE,
  SS_ONSTACK,
  StackT,
  UNBLOCKABLE,
  sigbit,
} from "../abi/signal.js";
import { readUser, writeUser } from "../mm/user-access.js";
import { sigreturn } from "../proc/signal-delivery.js";
import { ignored, signalProcess, signalThread } from "../proc/signals.js";
import type { Process } from "../proc/process.js";
import { KEEP_REGISTERS, type Call } from "./call.js";

const ALL = (1n << 64n) - 1n;

/** `rt_sigaction(sig, act, oldact, sigsetsize)`. */
export function sysRtSigaction(c: Call): number {
  const sig = c.int(0);
  const actPtr = c.ptr(1);
  const oldPtr = c.ptr(2);
  if (c.size(3) !== SIGSET_SIZE) return -Errno.EINVAL;
  if (sig < 1 || sig > NSIG) return -Errno.EINVAL;
  if (actPtr !== 0 && (sig === SIGKILL || sig === SIGSTOP)) return -Errno.EINVAL;
  const act = actPtr === 0 ? undefined : readUser(c.space, actPtr, KernelSigaction);
  const actions = c.p.actions;
  const old = actions.get(sig);
  if (act !== undefined) {
    actions.set(sig, { handler: Number(act.handler), flags: Number(act.flags & 0xffff_ffffn), mask: act.mask & ~UNBLOCKABLE });
    // A signal newly ignored is discarded from every pending set (Linux: sigaction's flush).
    if (ignored(c.p, sig)) discardPending(c.p, sig);
  }
  if (oldPtr !== 0) writeUser(c.space, oldPtr, KernelSigaction, { handler: BigInt(old.handler), flags: BigInt(old.flags), mask: old.mask });
  return 0;
}

function discardPending(p: Process, sig: number): void {
  const bit = sigbit(sig);
  p.pending &= ~bit;
  p.pendingInfo.delete(sig);
  for (const t of p.threads) {
    t.pending &= ~bit;
    t.pendingInfo.delete(sig);
  }
}

/** `rt_sigprocmask(how, set, oldset, sigsetsize)`. */
export function sysRtSigprocmask(c: Call): number {
  const how = c.int(0);
  const setPtr = c.ptr(1);
  const oldPtr = c.ptr(2);
  if (c.size(3) !== SIGSET_SIZE) return -Errno.EINVAL;
  const t = c.t;
  const old = t.sigmask;
  if (setPtr !== 0) {
    const set = readUser(c.space, setPtr, u64);
    let next: bigint;
    if (how === SIG_BLOCK) next = old | set;
    else if (how === SIG_UNBLOCK) next = old & ~set;
    else if (how === SIG_SETMASK) next = set;
    else return -Errno.EINVAL;
    t.sigmask = next & ~UNBLOCKABLE & ALL;
  }
  if (oldPtr !== 0) writeUser(c.space, oldPtr, u64, old);
  return 0;
}

/** `rt_sigreturn()`: back to the context the signal frame saved. */
export function sysRtSigreturn(c: Call): number {
  if (!sigreturn(c.sys, c.t)) signalThread(c.sys, c.t, SIGSEGV, { signo: SIGSEGV, code: 0x80, a: 0, b: 0, c: 0 }, true);
  return KEEP_REGISTERS;
}

/** `rt_sigpending(set, sigsetsize)`. */
export function sysRtSigpending(c: Call): number {
  if (c.size(1) > SIGSET_SIZE) return -Errno.EINVAL;
  writeUser(c.space, c.ptr(0), u64, (c.t.pending | c.p.pending) & c.t.sigmask);
  return 0;
}

/** `rt_sigsuspend(mask, sigsetsize)`: waits for a signal with `mask` in force; always `EINTR`. */
export function sysRtSigsuspend(c: Call): number {
  if (c.size(1) !== SIGSET_SIZE) return -Errno.EINVAL;
  const call = c.progress();
  if (!c.retry || call.data === undefined) {
    const mask = readUser(c.space, c.ptr(0), u64);
    const old = c.t.sigmask;
    call.data = old;
    call.restartable = false;
    // The handler's frame must record the mask from before the call (Linux's saved_sigmask).
    call.interruptResult = () => {
      c.t.sigmask = old;
      return -Errno.EINTR;
    };
    c.t.sigmask = mask & ~UNBLOCKABLE;
  }
  return c.sleepUntil(Infinity);
}

/** `sigaltstack(ss, old_ss)`. */
export function sysSigaltstack(c: Call): number {
  const ssPtr = c.ptr(0);
  const oldPtr = c.ptr(1);
  const t = c.t;
  const sp = t.hart.getRegUnsigned(2);
  const alt = t.altstack;
  const onStack = alt.flags !== SS_DISABLE && sp > alt.sp && sp <= alt.sp + alt.size;
  const ss = ssPtr === 0 ? undefined : readUser(c.space, ssPtr, StackT);
  if (ss !== undefined) {
    if (onStack) return -Errno.EPERM;
    if (ss.flags !== 0 && ss.flags !== SS_DISABLE && ss.flags !== SS_ONSTACK) return -Errno.EINVAL;
  }
  if (oldPtr !== 0) {
    writeUser(c.space, oldPtr, StackT, { sp: BigInt(alt.sp), flags: onStack ? SS_ONSTACK : alt.flags, size: BigInt(alt.size) });
  }
  if (ss !== undefined) {
    if (ss.flags === SS_DISABLE) t.altstack = { sp: 0, size: 0, flags: SS_DISABLE };
    else {
      if (ss.size < BigInt(MINSIGSTKSZ)) return -Errno.ENOMEM;
      t.altstack = { sp: Number(ss.sp), size: Number(ss.size), flags: 0 };
    }
  }
  return 0;
}

/** `kill(pid, sig)`. */
export function sysKill(c: Call): number {
  const pid = c.int(0);
  const sig = c.int(1);
  if (sig < 0 || sig > NSIG) return -Errno.EINVAL;
  const targets = [...c.sys.processes.values()].filter(
    (p) => p.state === "alive" && (pid > 0 ? p.pid === pid : pid === 0 ? p.pgid === c.p.pgid : pid === -1 ? p !== c.p : p.pgid === -pid),
  );
  if (pid === -1) targets.push(c.p);
  if (targets.length === 0) return -Errno.ESRCH;
  if (sig !== 0) for (const p of targets) signalProcess(c.sys, p, sig, { signo: sig, code: SI_USER, a: c.p.pid, b: c.p.uid, c: 0 });
  return 0;
}

function threadKill(c: Call, tgid: number, tid: number, sig: number): number {
  if (sig < 0 || sig > NSIG || tid <= 0) return -Errno.EINVAL;
  const t = c.sys.threads.get(tid);
  if (t === undefined || t.state === "dead" || (tgid > 0 && t.process.pid !== tgid)) return -Errno.ESRCH;
  if (sig !== 0) signalThread(c.sys, t, sig, { signo: sig, code: SI_TKILL, a: c.p.pid, b: c.p.uid, c: 0 });
  return 0;
}

/** `tkill(tid, sig)`. */
export function sysTkill(c: Call): number {
  return threadKill(c, 0, c.int(0), c.int(1));
}

/** `tgkill(tgid, tid, sig)`. */
export function sysTgkill(c: Call): number {
  if (c.int(0) <= 0) return -Errno.EINVAL;
  return threadKill(c, c.int(0), c.int(1), c.int(2));
}

