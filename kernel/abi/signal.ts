/**
 * Signals of RISC-V Linux: numbers, default actions, `sigaction` flags,
 * `siginfo` codes, and the layouts of `struct sigaction`, `stack_t` and the
 * signal frame (`include/uapi/asm-generic/signal.h`, `siginfo.h`,
 * `arch/riscv/kernel/signal.c`).
 *
 * Signal sets are 64-bit masks held as `bigint` (bit `n - 1` is signal `n`):
 * they are rare enough that clarity wins.
 *
 * @module
 */

import { i32, struct, u32, u64 } from "vmio";

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGABRT = 6;
export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGSEGV = 11;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGSTKFLT = 16;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGURG = 23;
export const SIGXCPU = 24;
export const SIGXFSZ = 25;
export const SIGVTALRM = 26;
export const SIGPROF = 27;
export const SIGWINCH = 28;
export const SIGIO = 29;
export const SIGPWR = 30;
export const SIGSYS = 31;
/** Highest signal number. Linux counterpart: `_NSIG`. */
export const NSIG = 64;

/** `sa_handler` values. */
export const SIG_DFL = 0;
export const SIG_IGN = 1;

/** `sa_flags`. */
export const SA_NOCLDSTOP = 0x1;
export const SA_NOCLDWAIT = 0x2;
export const SA_SIGINFO = 0x4;
export const SA_ONSTACK = 0x0800_0000;
export const SA_RESTART = 0x1000_0000;
export const SA_NODEFER = 0x4000_0000;
export const SA_RESETHAND = 0x8000_0000;
export const SA_RESTORER = 0x0400_0000;

/** `rt_sigprocmask` `how`. */
export const SIG_BLOCK = 0;
export const SIG_UNBLOCK = 1;
export const SIG_SETMASK = 2;

/** `si_code` values. */
export const SI_USER = 0;
export const SI_KERNEL = 0x80;
export const SI_TKILL = -6;
export const SEGV_MAPERR = 1;
export const SEGV_ACCERR = 2;
export const BUS_ADRALN = 1;
export const ILL_ILLOPC = 1;
export const TRAP_BRKPT = 1;
export const CLD_EXITED = 1;
export const CLD_KILLED = 2;
export const CLD_DUMPED = 3;

/** `sigaltstack` flags. */
export const SS_ONSTACK = 1;
export const SS_DISABLE = 2;
/** Smallest alternate stack (`MINSIGSTKSZ`). */
export const MINSIGSTKSZ = 2048;

/** What a signal does when its action is `SIG_DFL`. */
export type DefaultAction = "term" | "core" | "ignore" | "stop" | "cont";

/** The default action of `sig`. Linux counterpart: `sig_kernel_*` in `include/linux/signal.h`. */
export function defaultAction(sig: number): DefaultAction {
  switch (sig) {
    case SIGCHLD:
    case SIGURG:
    case SIGWINCH:
      return "ignore";
    case SIGCONT:
      return "cont";
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
      return "stop";
    case SIGQUIT:
    case SIGILL:
    case SIGTRAP:
    case SIGABRT:
    case SIGBUS:
    case SIGFPE:
    case SIGSEGV:
    case SIGXCPU:
    case SIGXFSZ:
    case SIGSYS:
      return "core";
    default:
      return "term";
  }
}

/** The bit of signal `sig` in a set. */
export function sigbit(sig: number): bigint {
  return 1n << BigInt(sig - 1);
}

/** Signals that can be neither caught, blocked nor ignored. */
export const UNBLOCKABLE = sigbit(SIGKILL) | sigbit(SIGSTOP);

/** All 64 signals. */
export const ALL_SIGNALS = (1n << 64n) - 1n;

/**
 * The kernel's `struct sigaction` on RISC-V (no `sa_restorer`: the signal
 * trampoline is the kernel's).
 *
 * Linux counterpart: `struct sigaction` in `include/uapi/asm-generic/signal.h`.
 */
export const KernelSigaction = struct({ handler: u64, flags: u64, mask: u64 });

/** `stack_t`. Linux counterpart: `include/uapi/asm-generic/signal.h`. */
export const StackT = struct({ sp: u64, flags: i32, size: u64 });

/** Bytes of `siginfo_t`. */
export const SIGINFO_SIZE = 128;
/** Offset of `uc_mcontext` in `struct ucontext` (after flags, link, stack, the 1024-bit mask). */
export const UC_MCONTEXT = 176;
/** Offset of `uc_sigmask`. */
export const UC_SIGMASK = 40;
/** Offset of `uc_stack`. */
export const UC_STACK = 16;
/** Bytes of `struct ucontext` (`uc_mcontext` is 784 bytes: registers and the largest FP state). */
export const UCONTEXT_SIZE = 960;
/** Bytes of the frame pushed for a handler: `struct rt_sigframe { siginfo_t info; struct ucontext uc; }`. */
export const RT_SIGFRAME_SIZE = SIGINFO_SIZE + UCONTEXT_SIZE;

/** The head of `siginfo_t` every signal fills (`si_signo`, `si_errno`, `si_code`) and the union's first words. */
export const SiginfoHead = struct({ signo: i32, errno: i32, code: i32, pad: i32, a: u64, b: u32, c: u32 });

/** `rt_sigprocmask`'s and `rt_sigaction`'s set size: 8 bytes. */
export const SIGSET_SIZE = 8;
