/**
 * Making threads and processes: `clone` with Linux's flag rules — a thread
 * (`CLONE_VM|CLONE_THREAD|CLONE_SIGHAND…`), a copy-on-write child (`fork`
 * is `clone(SIGCHLD)`), a `vfork` child sharing memory until it calls
 * `execve` or exits, and the tid words (`CLONE_PARENT_SETTID`,
 * `CLONE_CHILD_SETTID`, `CLONE_CHILD_CLEARTID`).
 *
 * Linux counterpart: `kernel/fork.c` (`copy_process`, `kernel_clone`).
 *
 * @module
 */

import { VmError, u32 } from "vmio";
import {
  CLONE_CHILD_CLEARTID,
  CLONE_CHILD_SETTID,
  CLONE_FILES,
  CLONE_FS,
  CLONE_PARENT,
  CLONE_PARENT_SETTID,
  CLONE_SETTLS,
  CLONE_SIGHAND,
  CLONE_THREAD,
  CLONE_UNSUPPORTED,
  CLONE_VFORK,
  CLONE_VM,
  CSIGNAL,
} from "../abi/clone.js";
import { Errno, fail } from "../abi/errno.js";
import { NSIG } from "../abi/signal.js";
import { WaitQueue } from "../sync/wait-queue.js";
import { Process } from "./process.js";
import { ProcessMemory } from "./process-memory.js";
import type { System } from "./system.js";
import { Thread } from "./thread.js";

const REG_SP = 2;
const REG_TP = 4;
const REG_A0 = 10;

/** What `clone` was asked. */
export interface CloneArgs {
  readonly flags: number;
  /** New stack pointer (0: the parent's): the register's 64 bits, any value (a bad one faults in the child, as on Linux). */
  readonly stack: bigint;
  readonly parentTid: number;
  /** The thread pointer for `CLONE_SETTLS`: the register's 64 bits. */
  readonly tls: bigint;
  readonly childTid: number;
}

/**
 * Creates the thread or process `args` describe, as a copy of thread `t`
 * returning from the `ecall` with a0 = 0; returns the new thread.
 *
 * @throws {SysError} `EINVAL` for inconsistent or unsupported flags, `ENOMEM`
 *   when physical memory cannot hold the child's page table.
 */
export function cloneThread(sys: System, t: Thread, args: CloneArgs): Thread {
  const { flags } = args;
  if ((flags & CLONE_UNSUPPORTED) !== 0) fail(Errno.EINVAL, "unsupported clone flags");
  if ((flags & CLONE_THREAD) !== 0 && (flags & CLONE_SIGHAND) === 0) fail(Errno.EINVAL, "CLONE_THREAD without CLONE_SIGHAND");
  if ((flags & CLONE_SIGHAND) !== 0 && (flags & CLONE_VM) === 0) fail(Errno.EINVAL, "CLONE_SIGHAND without CLONE_VM");
  if ((flags & CLONE_THREAD) !== 0 && (flags & CSIGNAL) !== 0) fail(Errno.EINVAL, "CLONE_THREAD with an exit signal");
  if ((flags & CSIGNAL) > NSIG) fail(Errno.EINVAL, "bad exit signal");
  const parent = t.process;
  const tid = sys.newPid();
  let process: Process;
  if ((flags & CLONE_THREAD) !== 0) {
    process = parent;
    parent.mm.users++;
  } else {
    let mm: ProcessMemory;
    if ((flags & CLONE_VM) !== 0) {
      mm = parent.mm;
      mm.users++;
    } else {
      try {
        mm = new ProcessMemory(sys.memory, sys, sys.fenceWord, parent.mm);
      } catch (e) {
        if (e instanceof VmError) fail(Errno.ENOMEM, "no memory for the child");
        throw e;
      }
    }
    const files = (flags & CLONE_FILES) !== 0 ? parent.files : parent.files.fork();
    if (files === parent.files) files.users++;
    const fsc = (flags & CLONE_FS) !== 0 ? parent.fsc : parent.fsc.fork();
    if (fsc === parent.fsc) fsc.users++;
    const actions = (flags & CLONE_SIGHAND) !== 0 ? parent.actions : parent.actions.fork();
    if (actions === parent.actions) actions.users++;
    const up = (flags & CLONE_PARENT) !== 0 ? parent.parent : parent;
    process = new Process(tid, up, {
      mm,
      files,
      fsc,
      actions,
      exitSignal: flags & CSIGNAL,
      uid: parent.uid,
      gid: parent.gid,
      limits: new Map([...parent.limits].map(([k, v]) => [k, [v[0], v[1]]])),
    });
    process.exe = parent.exe;
    process.argv = parent.argv;
    sys.processes.set(tid, process);
    sys.owners.set(mm, tid);
    sys.stats.processes++;
    sys.stats.sampleFrames();
  }
  const hart = sys.newHart(process.mm);
  t.hart.copyStateTo(hart);
  hart.pc = t.hart.pc + 4;
  hart.setReg(REG_A0, 0);
  if (args.stack !== 0n) hart.setRegBigInt(REG_SP, args.stack);
  if ((flags & CLONE_SETTLS) !== 0) hart.setRegBigInt(REG_TP, args.tls);
  const child = new Thread(tid, process, hart, sys);
  child.sigmask = t.sigmask;
  if ((flags & CLONE_VM) === 0 || (flags & CLONE_VFORK) !== 0) child.altstack = { ...t.altstack };
  if ((flags & CLONE_CHILD_CLEARTID) !== 0) child.clearChildTid = args.childTid;
  process.threads.add(child);
  sys.threads.set(tid, child);
  // The tid words. Linux ignores faults here.
  if ((flags & CLONE_PARENT_SETTID) !== 0) poke(sys, parent.mm, args.parentTid, tid);
  if ((flags & CLONE_CHILD_SETTID) !== 0) poke(sys, process.mm, args.childTid, tid);
  if ((flags & CLONE_VFORK) !== 0) process.vforkDone = new WaitQueue();
  if (process !== parent) sys.observer?.processCreated?.(tid, parent.pid);
  sys.enqueue(child);
  return child;
}

function poke(sys: System, pm: ProcessMemory, addr: number, value: number): void {
  sys.activate(pm);
  try {
    pm.as.space.writeVal(addr, u32, value);
  } catch {
    // As on Linux: a bad tid pointer is not the caller's error.
  }
}
