// A kernel with one process (/bin/hello loaded, not run) whose thread makes
// system calls straight through the dispatcher: set a7 and a0–a5, dispatch,
// read a0 — the unit-level view of each system-call family, with a scratch
// area of user memory (and an unmapped page right after it) for buffers.
import { PAGE_SIZE, u8 } from "vmio";
import { Kernel } from "../../../kernel/core/kernel.js";
import { builtinFileSystem } from "../../../kernel/host/builtin-fs.js";
import { dispatch, type AfterCall } from "../../../kernel/syscall/dispatch.js";
import { SYSCALLS } from "../../../kernel/syscall/table.js";
import { zeroPage } from "../../../kernel/mm/zero-page.js";
import type { Thread } from "../../../kernel/proc/thread.js";
import type { Process } from "../../../kernel/proc/process.js";
import type { System } from "../../../kernel/proc/system.js";

/** Where the scratch area starts; it is SCRATCH_PAGES pages, then one unmapped page. */
export const SCRATCH = 0x7000_0000;
export const SCRATCH_PAGES = 16;
/** The first unmapped byte after the scratch area. */
export const HOLE = SCRATCH + SCRATCH_PAGES * PAGE_SIZE;

export const NR = {
  getcwd: 17, dup: 23, dup3: 24, fcntl: 25, ioctl: 29, mkdirat: 34, unlinkat: 35, symlinkat: 36, linkat: 37,
  ftruncate: 46, faccessat: 48, chdir: 49, fchmodat: 53, openat: 56, close: 57, pipe2: 59, getdents64: 61,
  lseek: 62, read: 63, write: 64, readv: 65, writev: 66, pread64: 67, pwrite64: 68, sendfile: 71,
  readlinkat: 78, newfstatat: 79, fstat: 80, exit: 93, exit_group: 94, set_tid_address: 96, futex: 98,
  set_robust_list: 99, nanosleep: 101, clock_gettime: 113, sched_getaffinity: 123, kill: 129, tgkill: 131,
  sigaltstack: 132, rt_sigaction: 134, rt_sigprocmask: 135, uname: 160, umask: 166, prctl: 167,
  getpid: 172, getppid: 173, gettid: 178, brk: 214, munmap: 215, mremap: 216, clone: 220, execve: 221,
  mmap: 222, mprotect: 226, madvise: 233, wait4: 260, prlimit64: 261, renameat2: 276, getrandom: 278,
} as const;

export const AT_FDCWD = -100;

/** The harness. */
export interface Harness {
  readonly kernel: Kernel;
  /** Frames in use before the process was spawned (the shared zero page among them): what tearing everything down gives back. */
  readonly framesBefore: number;
  readonly sys: System;
  readonly t: Thread;
  readonly p: Process;
  /** Makes system call `nr` with `args` as the first thread; a0 afterwards (signed). */
  call(nr: number, ...args: number[]): number;
  /** Makes system call `nr` with registers a0–a5 set to `args` modulo 2^64 (any 64-bit value); a0 afterwards (signed). */
  callRaw(nr: number, args: readonly bigint[]): bigint;
  /** The same, as thread `t` (a child). */
  callAs(t: Thread, nr: number, ...args: number[]): number;
  /** What the last call did to the thread. */
  readonly last: AfterCall;
  /** Writes bytes into user memory. */
  poke(addr: number, bytes: Uint8Array): void;
  /** Writes a NUL-terminated string into user memory; returns its address. */
  str(addr: number, s: string): number;
  /** Reads bytes from user memory. */
  peek(addr: number, len: number): Uint8Array;
  /** What the process wrote to stdout and stderr. */
  readonly out: string[];
}

/** A fresh harness. */
export function harness(): Harness {
  const out: string[] = [];
  const dec = new TextDecoder();
  const kernel = new Kernel({ fs: builtinFileSystem(), stdout: (b) => out.push(dec.decode(b)), stderr: (b) => out.push(dec.decode(b)) });
  zeroPage(kernel.memory); // kept for the memory's life: made now, so that framesBefore counts it
  const framesBefore = kernel.memory.usedFrames();
  kernel.spawn("/bin/hello");
  const sys = kernel.sys;
  const t = sys.threads.get(1) as Thread;
  const p = t.process;
  p.mm.as.map(SCRATCH, SCRATCH_PAGES * PAGE_SIZE, 3, { kind: "anon" });
  let last: AfterCall = "continue";
  /** Dispatches system call `nr` as `th`, its arguments already in a0–a5; a call that would sleep is woken at once. */
  const dispatchAs = (th: Thread, nr: number): void => {
    sys.activate(th.process.mm);
    th.hart.setReg(17, nr);
    last = dispatch(sys, th, SYSCALLS);
    if (last === "blocked") {
      th.state = "runnable";
      th.detach();
    }
  };
  const h: Harness = {
    kernel,
    framesBefore,
    sys,
    t,
    p,
    out,
    get last() {
      return last;
    },
    call(nr, ...args) {
      return h.callAs(t, nr, ...args);
    },
    callAs(th, nr, ...args) {
      for (let i = 0; i < 6; i++) th.hart.setReg(10 + i, args[i] ?? 0);
      dispatchAs(th, nr);
      return th.hart.getReg(10);
    },
    callRaw(nr, args) {
      for (let i = 0; i < 6; i++) t.hart.setRegBigInt(10 + i, args[i] ?? 0n);
      dispatchAs(t, nr);
      return t.hart.getRegBigInt(10);
    },
    poke(addr, bytes) {
      sys.activate(p.mm);
      p.mm.as.space.writeBytes(addr, bytes);
    },
    str(addr, s) {
      h.poke(addr, new TextEncoder().encode(s + "\0"));
      return addr;
    },
    peek(addr, len) {
      sys.activate(p.mm);
      const b = new Uint8Array(len);
      for (let i = 0; i < len; i++) b[i] = p.mm.as.space.readVal(addr + i, u8);
      return b;
    },
  };
  return h;
}
