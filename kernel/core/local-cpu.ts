/**
 * A CPU on the kernel's own thread: runs a guest thread's hart for a time
 * slice, handling its system calls and faults in between, until the slice
 * is used up or the thread blocks or dies.
 *
 * Linux counterpart: the scheduler's time slice plus the trap entry path
 * (`handle_exception` → `do_trap_ecall_u` / `do_page_fault` → `ret_from_exception`).
 *
 * @module
 */

import { SEGV_ACCERR, SEGV_MAPERR, SIGBUS, SIGILL, SIGKILL, SIGSEGV, SIGTRAP, BUS_ADRALN, ILL_ILLOPC, TRAP_BRKPT } from "../abi/signal.js";
import { markGroupExit, signalThread } from "../proc/signals.js";
import { returnToUser } from "../proc/signal-delivery.js";
import type { System } from "../proc/system.js";
import type { Thread } from "../proc/thread.js";
import { dispatch } from "../syscall/dispatch.js";
import { SYSCALLS } from "../syscall/table.js";
import type { ExitReason } from "../cpu/hart.js";

/** Instructions in one time slice. */
export const SLICE = 200_000;

/**
 * Turns a hart exit that is not a system call into the signal Linux sends
 * (a fault the page-fault handler could not resolve, an illegal
 * instruction, a breakpoint, a misaligned atomic). `address` is the
 * access's address for a fault (the hart's `exitAddress`, wherever it ran).
 *
 * Linux counterpart: `do_trap_*` and `do_page_fault`'s `bad_area`.
 */
export function trap(sys: System, t: Thread, reason: ExitReason, address: number): void {
  const h = t.hart;
  const p = t.process;
  switch (reason) {
    case "fault": {
      if (p.mm.as.outOfMemory) {
        p.mm.as.outOfMemory = false;
        markGroupExit(sys, p, SIGKILL);
        return;
      }
      const code = p.mm.as.find(address) === undefined ? SEGV_MAPERR : SEGV_ACCERR;
      signalThread(sys, t, SIGSEGV, { signo: SIGSEGV, code, a: address, b: 0, c: 0 }, true);
      return;
    }
    case "illegal":
      signalThread(sys, t, SIGILL, { signo: SIGILL, code: ILL_ILLOPC, a: h.pc, b: 0, c: 0 }, true);
      return;
    case "ebreak":
      signalThread(sys, t, SIGTRAP, { signo: SIGTRAP, code: TRAP_BRKPT, a: h.pc, b: 0, c: 0 }, true);
      return;
    case "misaligned":
      // RISC-V Linux reports the pc of a misaligned AMO (do_trap_error with epc), not the data address.
      signalThread(sys, t, SIGBUS, { signo: SIGBUS, code: BUS_ADRALN, a: h.pc, b: 0, c: 0 }, true);
      return;
    default:
      return;
  }
}

/**
 * Runs `t` (runnable) for one slice on this thread. Afterwards it is
 * runnable again (and queued), blocked, or dead.
 */
export function runSlice(sys: System, t: Thread, slice = SLICE): void {
  t.state = "running";
  const h = t.hart;
  const start = h.instret;
  for (;;) {
    if (!returnToUser(sys, t)) return;
    sys.activate(t.process.mm);
    const left = slice - (h.instret - start);
    if (left <= 0) break;
    const reason = h.run(left);
    if (reason === "budget") break;
    if (reason === "ecall") {
      const after = dispatch(sys, t, SYSCALLS);
      if (after !== "continue") return;
      if (sys.yieldRequested) {
        sys.yieldRequested = false;
        break;
      }
      continue;
    }
    trap(sys, t, reason, h.exitAddress);
  }
  t.state = "runnable";
  sys.enqueue(t);
}
