/**
 * System-call dispatch: the number in a7 picks the handler, the result goes
 * to a0 and `pc` moves past the `ecall` — unless the call blocked (the
 * thread sleeps with `pc` still at the `ecall`, to retry when woken), or set
 * the registers itself (`execve`, `rt_sigreturn`), or ended the thread.
 *
 * A `SysError` thrown by a handler is its `-errno`; any other exception is
 * a kernel bug and propagates (the kernel stops rather than hide it).
 *
 * Linux counterpart: `arch/riscv/kernel/traps.c` (`do_trap_ecall_u`) and
 * `syscall_handler`.
 *
 * @module
 */

import { Errno, SysError } from "../abi/errno.js";
import { BLOCKED } from "../fs/io.js";
import { signalDeliverable } from "../proc/signals.js";
import type { System } from "../proc/system.js";
import type { Thread } from "../proc/thread.js";
import { Call, KEEP_REGISTERS, type Handler } from "./call.js";

const REG_A0 = 10;
const REG_A7 = 17;

/** What became of the thread after its system call. */
export type AfterCall = "continue" | "blocked" | "dead";

/**
 * Handles the system call thread `t` stopped at (its `pc` is at the
 * `ecall`), with `table` as the handlers by number.
 */
export function dispatch(sys: System, t: Thread, table: ReadonlyArray<Handler | undefined>): AfterCall {
  const h = t.hart;
  const nr = h.xhi[REG_A7] === 0 ? (h.xlo[REG_A7] as number) : -1;
  if (t.call !== undefined && t.call.nr !== nr) t.call = undefined;
  sys.stats.syscalls++;
  const handler = nr >= 0 ? table[nr] : undefined;
  let r: number;
  if (handler === undefined) r = -Errno.ENOSYS;
  else {
    try {
      r = handler(new Call(sys, t, nr));
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      r = -e.errno;
    }
  }
  if (t.state === "dead") return "dead";
  if (r === BLOCKED) {
    // A signal is waiting: instead of sleeping, the call is interrupted (EINTR or a restart after the handler).
    if (signalDeliverable(t)) {
      t.interrupted = true;
      return "continue";
    }
    t.block();
    sys.scheduler.sleep(t);
    return "blocked";
  }
  t.call = undefined;
  if (r !== KEEP_REGISTERS) {
    h.setReg(REG_A0, r);
    h.pc += 4;
  }
  return "continue";
}
