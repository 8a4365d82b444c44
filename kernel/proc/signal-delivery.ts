/**
 * Delivering signals on the way back to user mode: a thread whose group is
 * exiting exits; otherwise the lowest pending signal it does not block is
 * taken — ignored, its default action (terminate, dump core: the group
 * dies with that status), or its handler run on a signal frame built on
 * the user stack (or the alternate stack). A system call the signal
 * interrupted ends with `EINTR`, or is restarted after the handler when
 * the handler asked for `SA_RESTART`. `rt_sigreturn` undoes the frame.
 *
 * Linux counterpart: `kernel/signal.c` (`get_signal`, `do_signal`) and
 * `arch/riscv/kernel/signal.c` (`setup_rt_frame`, `sys_rt_sigreturn`,
 * `handle_signal`'s restart rules).
 *
 * @module
 */

import { Errno } from "../abi/errno.js";
import {
  RT_SIGFRAME_SIZE,
  SA_NODEFER,
  SA_ONSTACK,
  SA_RESETHAND,
  SA_RESTART,
  SIGBUS,
  SIGFPE,
  SIGILL,
  SIGINFO_SIZE,
  SIGSEGV,
  SIGTRAP,
  SIG_DFL,
  SIG_IGN,
  SS_DISABLE,
  SS_ONSTACK,
  UC_MCONTEXT,
  UC_SIGMASK,
  UC_STACK,
  UNBLOCKABLE,
  defaultAction,
  sigbit,
} from "../abi/signal.js";
import { readBytesUser, writeBytesUser } from "../mm/user-access.js";
import { SysError } from "../abi/errno.js";
import { exitThread, signaledStatus } from "./exit.js";
import { markGroupExit } from "./signals.js";
import type { System } from "./system.js";
import type { SigInfo, Thread } from "./thread.js";

const REG_RA = 1;
const REG_SP = 2;
const REG_A0 = 10;

/** The lowest pending signal `t` does not block (thread-directed first), or 0. */
function nextSignal(t: Thread): number {
  const open = ~t.sigmask;
  for (const set of [t.pending & open, t.process.pending & open]) {
    if (set === 0n) continue;
    // Synchronous faults first (Linux's SYNCHRONOUS_MASK), then the lowest number.
    for (const s of [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE]) if ((set & sigbit(s)) !== 0n) return s;
    let sig = 1;
    for (let bits = set; (bits & 1n) === 0n; bits >>= 1n) sig++;
    return sig;
  }
  return 0;
}

/** Removes `sig` from `t`'s (or its process's) pending set and returns its information. */
function dequeue(t: Thread, sig: number): SigInfo {
  const bit = sigbit(sig);
  const holder = (t.pending & bit) !== 0n ? t : t.process;
  holder.pending &= ~bit;
  const info = holder.pendingInfo.get(sig) ?? { signo: sig, code: 0, a: 0, b: 0, c: 0 };
  holder.pendingInfo.delete(sig);
  return info;
}

/**
 * Brings `t` back to user mode: exits it if its group is exiting, delivers
 * at most one handled signal (any number of ignored ones), applies default
 * actions. Returns false when the thread died.
 */
export function returnToUser(sys: System, t: Thread): boolean {
  const p = t.process;
  if (p.groupExit !== undefined) {
    exitThread(sys, t, p.groupExit);
    return false;
  }
  // A woken call retries before any signal is taken: it may complete (a
  // wait4 that finds its zombie), and is interrupted only if it would sleep again.
  if (t.call !== undefined && !t.interrupted) return true;
  for (;;) {
    const sig = nextSignal(t);
    if (sig === 0) break;
    const info = dequeue(t, sig);
    const a = p.actions.get(sig);
    if (a.handler === SIG_IGN) continue;
    if (a.handler === SIG_DFL) {
      const d = defaultAction(sig);
      if (d === "ignore" || d === "cont" || d === "stop") continue;
      // No core is dumped (RLIMIT_CORE is 0), so, as on Linux then, the status has no core flag.
      return die(sys, t, signaledStatus(sig, false));
    }
    endInterruptedCall(t, (a.flags & SA_RESTART) !== 0);
    if (!setupFrame(sys, t, sig, info, a.handler, a.flags, a.mask)) return die(sys, t, signaledStatus(SIGSEGV, false));
    if ((a.flags & SA_RESETHAND) !== 0) p.actions.set(sig, { handler: SIG_DFL, flags: 0, mask: 0n });
    break;
  }
  // Woken by a signal that turned out to need no handler: the call simply retries.
  t.interrupted = false;
  return true;
}

function die(sys: System, t: Thread, status: number): false {
  markGroupExit(sys, t.process, status);
  exitThread(sys, t, status);
  return false;
}

/** A handler is about to run: a blocked call in progress ends (EINTR, partial count) or is set to restart. */
function endInterruptedCall(t: Thread, restart: boolean): void {
  const call = t.call;
  t.interrupted = false;
  if (call === undefined) return;
  call.cleanup?.();
  t.call = undefined;
  const h = t.hart;
  if (call.done === 0 && restart && call.restartable) return; // pc stays at the ecall: the call runs again after the handler
  const result = call.done > 0 ? call.done : (call.interruptResult?.() ?? -Errno.EINTR);
  h.setReg(REG_A0, result);
  h.pc += 4;
}

/**
 * Builds the signal frame (`struct rt_sigframe`: siginfo, then a ucontext
 * with the old mask and the registers) and points the hart at the handler.
 * False when the frame could not be written (the thread then dies with SIGSEGV).
 */
function setupFrame(sys: System, t: Thread, sig: number, info: SigInfo, handler: number, flags: number, mask: bigint): boolean {
  const h = t.hart;
  const p = t.process;
  const sp = h.getRegUnsigned(REG_SP);
  const alt = t.altstack;
  const onAlt = alt.flags !== SS_DISABLE && sp > alt.sp && sp <= alt.sp + alt.size;
  const top = (flags & SA_ONSTACK) !== 0 && alt.flags !== SS_DISABLE && !onAlt ? alt.sp + alt.size : sp;
  const frame = Math.floor((top - RT_SIGFRAME_SIZE) / 16) * 16;
  const bytes = new Uint8Array(RT_SIGFRAME_SIZE);
  const v = new DataView(bytes.buffer);
  v.setInt32(0, sig, true);
  v.setInt32(8, info.code, true);
  if (sig === SIGSEGV || sig === SIGBUS || sig === SIGILL || sig === SIGFPE || sig === SIGTRAP) setU64(v, 16, info.a);
  else {
    v.setInt32(16, info.a, true);
    v.setUint32(20, info.b, true);
    v.setInt32(24, info.c, true);
  }
  const uc = SIGINFO_SIZE;
  setU64(v, uc + UC_STACK, alt.sp);
  v.setInt32(uc + UC_STACK + 8, alt.flags === SS_DISABLE ? SS_DISABLE : onAlt ? SS_ONSTACK : 0, true);
  setU64(v, uc + UC_STACK + 16, alt.size);
  v.setBigUint64(uc + UC_SIGMASK, t.sigmask, true);
  h.saveContext(bytes, uc + UC_MCONTEXT);
  sys.activate(p.mm);
  try {
    writeBytesUser(p.mm.as.space, frame, bytes);
  } catch (e) {
    if (e instanceof SysError) return false;
    throw e;
  }
  t.savedCalls.push(t.call);
  t.call = undefined;
  h.setReg(REG_A0, sig);
  h.setReg(REG_A0 + 1, frame);
  h.setReg(REG_A0 + 2, frame + uc);
  h.setReg(REG_SP, frame);
  h.setReg(REG_RA, p.mm.trampoline);
  h.pc = handler;
  t.sigmask = (t.sigmask | mask | ((flags & SA_NODEFER) !== 0 ? 0n : sigbit(sig))) & ~UNBLOCKABLE;
  return true;
}

function setU64(v: DataView, at: number, n: number): void {
  v.setUint32(at, n % 2 ** 32, true);
  v.setUint32(at + 4, Math.floor(n / 2 ** 32), true);
}

/**
 * `rt_sigreturn`: restores the registers and signal mask saved in the frame
 * at `sp`. False when the frame cannot be read (the thread gets SIGSEGV).
 */
export function sigreturn(sys: System, t: Thread): boolean {
  const h = t.hart;
  const p = t.process;
  const frame = h.getRegUnsigned(REG_SP);
  let bytes: Uint8Array;
  sys.activate(p.mm);
  try {
    bytes = readBytesUser(p.mm.as.space, frame, RT_SIGFRAME_SIZE);
  } catch (e) {
    if (e instanceof SysError) return false;
    throw e;
  }
  const uc = SIGINFO_SIZE;
  h.restoreContext(bytes, uc + UC_MCONTEXT);
  t.sigmask = new DataView(bytes.buffer).getBigUint64(uc + UC_SIGMASK, true) & ~UNBLOCKABLE;
  t.call = t.savedCalls.pop();
  return true;
}
