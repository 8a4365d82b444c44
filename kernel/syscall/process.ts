/**
 * Processes and threads: `clone`, `clone3`, `execve`, `exit`, `exit_group`,
 * `wait4`, the id calls, `set_tid_address`, process groups and sessions,
 * `prctl`, `sched_yield` and CPU affinity, `getrusage`, `times`, `umask`.
 *
 * Linux counterpart: `kernel/fork.c`, `fs/exec.c`, `kernel/exit.c`,
 * `kernel/sys.c`, `kernel/sched/core.c`.
 *
 * @module
 */

import { u32, u64 } from "vmio";
import { CLONE_VFORK } from "../abi/clone.js";
import { Errno, fail } from "../abi/errno.js";
import { MAX_ARG_STRLEN } from "../elf/initial-stack.js";
import { bytesToName } from "../fs/inode.js";
import { BLOCKED } from "../fs/io.js";
import { readString, readUser, writeBytesUser, writeUser } from "../mm/user-access.js";
import { cloneThread } from "../proc/clone.js";
import { execve } from "../proc/exec.js";
import { exitThread, exitedStatus, reap } from "../proc/exit.js";
import type { Process } from "../proc/process.js";
import { markGroupExit } from "../proc/signals.js";
import { KEEP_REGISTERS, type Call } from "./call.js";
import { pathArg } from "./fd-helpers.js";

/** `clone(flags, stack, parent_tid, tls, child_tid)` (the generic argument order RISC-V uses). */
export function sysClone(c: Call): number {
  const call = c.progress();
  const flags = c.uint(0);
  let pid = call.data as number | undefined;
  if (pid === undefined) {
    const child = cloneThread(c.sys, c.t, { flags, stack: c.t.hart.getRegBigInt(11), parentTid: c.ptr(2), tls: c.t.hart.getRegBigInt(13), childTid: c.ptr(4) });
    pid = child.tid;
    call.data = pid;
    // A vfork child ran nothing yet: its parent waits, and a signal cannot undo the fork.
    call.interruptResult = () => pid as number;
  }
  if ((flags & CLONE_VFORK) !== 0) {
    const child = c.sys.processes.get(pid);
    if (child?.vforkDone !== undefined) {
      c.wait(child.vforkDone);
      return BLOCKED;
    }
  }
  return pid;
}

/** Reads the NULL-terminated string array at `addr` (argv, envp) as byte strings. */
function readStrings(c: Call, addr: number): string[] {
  const out: string[] = [];
  if (addr === 0) return out;
  let total = 0;
  for (let i = 0; ; i++) {
    const p = Number(readUser(c.space, addr + 8 * i, u64));
    if (p === 0) return out;
    const s = readString(c.space, p, MAX_ARG_STRLEN);
    if (s === null) fail(Errno.E2BIG, "argument too long");
    total += s.length + 1 + 8;
    if (total > 2 * 2 ** 20) fail(Errno.E2BIG, "arguments too long");
    out.push(bytesToName(s));
  }
}

/** `execve(path, argv, envp)`. */
export function sysExecve(c: Call): number {
  const path = pathArg(c, 0);
  const argv = readStrings(c, c.ptr(1));
  const envp = readStrings(c, c.ptr(2));
  execve(c.sys, c.t, { path, argv, envp });
  return KEEP_REGISTERS;
}

/** `exit(status)`: this thread only. */
export function sysExit(c: Call): number {
  exitThread(c.sys, c.t, exitedStatus(c.int(0)));
  return KEEP_REGISTERS;
}

/** `exit_group(status)`: every thread of the process. */
export function sysExitGroup(c: Call): number {
  const status = exitedStatus(c.int(0));
  markGroupExit(c.sys, c.p, status);
  for (const t of c.p.threads) if (t !== c.t && t.state !== "running") exitThread(c.sys, t, status);
  exitThread(c.sys, c.t, status);
  return KEEP_REGISTERS;
}

const WNOHANG = 1;
const WUNTRACED = 2;
const WCONTINUED = 8;
const WNOTHREAD = 0x2000_0000;
const WALL = 0x4000_0000;
const WCLONE = 0x8000_0000;

/** Whether child `ch` is one `wait4(pid, …)` by `p` may collect. */
function selected(p: Process, ch: Process, pid: number): boolean {
  if (pid > 0) return ch.pid === pid;
  if (pid === -1) return true;
  if (pid === 0) return ch.pgid === p.pgid;
  return ch.pgid === -pid;
}

/** `wait4(pid, status, options, rusage)`. */
export function sysWait4(c: Call): number {
  const pid = c.int(0);
  const statusPtr = c.ptr(1);
  const options = c.int(2);
  const rusagePtr = c.ptr(3);
  if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE)) !== 0) return -Errno.EINVAL;
  const p = c.p;
  const candidates = [...p.children].filter((ch) => selected(p, ch, pid));
  if (candidates.length === 0) return -Errno.ECHILD;
  const zombie = candidates.find((ch) => ch.state === "zombie");
  if (zombie === undefined) {
    if ((options & WNOHANG) !== 0) return 0;
    c.wait(p.childWait);
    return BLOCKED;
  }
  // As on Linux, the child is released even when the status cannot be stored.
  reap(c.sys, zombie);
  if (statusPtr !== 0) writeUser(c.space, statusPtr, u32, zombie.status);
  if (rusagePtr !== 0) writeBytesUser(c.space, rusagePtr, new Uint8Array(144));
  return zombie.pid;
}

/** `getpid()`. */
export function sysGetpid(c: Call): number {
  return c.p.pid;
}

/** `getppid()`. */
export function sysGetppid(c: Call): number {
  return c.p.parent?.pid ?? 0;
}

/** `gettid()`. */
export function sysGettid(c: Call): number {
  return c.t.tid;
}

/** `getuid()`, `geteuid()`. */
export function sysGetuid(c: Call): number {
  return c.p.uid;
}

/** `getgid()`, `getegid()`. */
export function sysGetgid(c: Call): number {
  return c.p.gid;
}

/** `set_tid_address(tidptr)`. */
export function sysSetTidAddress(c: Call): number {
  c.t.clearChildTid = c.ptr(0);
  return c.t.tid;
}

function processOf(c: Call, pid: number): Process {
  const p = pid === 0 ? c.p : c.sys.processes.get(pid);
  if (p === undefined || p.state === "reaped") fail(Errno.ESRCH, "no such process");
  return p;
}

/** `setpgid(pid, pgid)`. */
export function sysSetpgid(c: Call): number {
  const pgid = c.int(1);
  if (pgid < 0) return -Errno.EINVAL;
  const target = processOf(c, c.int(0));
  if (target !== c.p && target.parent !== c.p) return -Errno.ESRCH;
  target.pgid = pgid === 0 ? target.pid : pgid;
  return 0;
}

/** `getpgid(pid)`. */
export function sysGetpgid(c: Call): number {
  return processOf(c, c.int(0)).pgid;
}

/** `getsid(pid)`. */
export function sysGetsid(c: Call): number {
  return processOf(c, c.int(0)).sid;
}

/** `setsid()`. */
export function sysSetsid(c: Call): number {
  const p = c.p;
  if (p.pgid === p.pid) return -Errno.EPERM;
  p.sid = p.pid;
  p.pgid = p.pid;
  return p.pid;
}

const PR_SET_NAME = 15;
const PR_GET_NAME = 16;
const PR_SET_PDEATHSIG = 1;
const PR_GET_PDEATHSIG = 2;
const PR_GET_DUMPABLE = 3;
const PR_SET_DUMPABLE = 4;
const comms = new WeakMap<object, Uint8Array>();

/** `prctl(option, …)`: the thread name, dumpable, parent-death signal; others are `EINVAL`. */
export function sysPrctl(c: Call): number {
  switch (c.int(0)) {
    case PR_SET_NAME: {
      const name = readString(c.space, c.ptr(1), 16) ?? new Uint8Array(0);
      comms.set(c.t, name.slice(0, 15));
      return 0;
    }
    case PR_GET_NAME: {
      const out = new Uint8Array(16);
      out.set(comms.get(c.t) ?? new TextEncoder().encode("vmio").subarray(0, 15));
      writeBytesUser(c.space, c.ptr(1), out);
      return 0;
    }
    case PR_GET_DUMPABLE:
      return 1;
    case PR_SET_DUMPABLE:
    case PR_SET_PDEATHSIG:
      return 0;
    case PR_GET_PDEATHSIG:
      writeUser(c.space, c.ptr(1), u32, 0);
      return 0;
    default:
      return -Errno.EINVAL;
  }
}

/** `sched_yield()`: the thread goes to the back of the run queue. */
export function sysSchedYield(c: Call): number {
  c.sys.yieldRequested = true;
  return 0;
}

/** `sched_getaffinity(pid, size, mask)`: every CPU. */
export function sysSchedGetaffinity(c: Call): number {
  const size = c.uint(1);
  if (size < 8 || size % 8 !== 0) return -Errno.EINVAL;
  if (c.int(0) !== 0 && !c.sys.threads.has(c.int(0))) return -Errno.ESRCH;
  const mask = new Uint8Array(8);
  for (let i = 0; i < c.sys.cpus; i++) mask[i >> 3] = (mask[i >> 3] as number) | (1 << (i & 7));
  writeBytesUser(c.space, c.ptr(2), mask);
  return 8;
}

/** `sched_setaffinity(pid, size, mask)`: accepted (every CPU is equal here). */
export function sysSchedSetaffinity(c: Call): number {
  if (c.int(0) !== 0 && !c.sys.threads.has(c.int(0))) return -Errno.ESRCH;
  return 0;
}

/** `getrusage(who, usage)`: zeros (no accounting yet). */
export function sysGetrusage(c: Call): number {
  const who = c.int(0);
  if (who !== 0 && who !== -1 && who !== 1) return -Errno.EINVAL;
  writeBytesUser(c.space, c.ptr(1), new Uint8Array(144));
  return 0;
}

/** `times(buf)`: clock ticks since boot. */
export function sysTimes(c: Call): number {
  if (c.ptr(0) !== 0) writeBytesUser(c.space, c.ptr(0), new Uint8Array(32));
  return Math.floor(c.sys.monotonic() / 10);
}

/** `umask(mask)`: the old mask. */
export function sysUmask(c: Call): number {
  const old = c.p.fsc.umask;
  c.p.fsc.umask = c.uint(0) & 0o777;
  return old;
}
