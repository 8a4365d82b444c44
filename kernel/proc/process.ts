/**
 * Guest processes: a thread group sharing memory, descriptors, file-system
 * context and signal dispositions, with a parent and children, and an exit
 * status its parent collects with `wait4`.
 *
 * A process is also what path lookups run as (its root and credentials)
 * and what `/proc/self` shows.
 *
 * Linux counterpart: `struct task_struct` (the thread-group leader's
 * shared parts: `signal_struct`, `mm`, `files`, `fs`, `sighand`).
 *
 * @module
 */

import type { Directory, Inode } from "../fs/inode.js";
import type { LookupContext } from "../fs/path-walk.js";
import { pathOf } from "../fs/path-walk.js";
import type { ProcView } from "../fs/procfs.js";
import { WaitQueue } from "../sync/wait-queue.js";
import type { FdTable } from "./fd-table.js";
import type { FsContext } from "./fs-context.js";
import type { ProcessMemory } from "./process-memory.js";
import type { SignalActions } from "./signal-actions.js";
import type { SigInfo, Thread } from "./thread.js";

/** Where a process is in its life. */
export type ProcessState = "alive" | "zombie" | "reaped";

/** Resource limits: `[soft, hard]` by `RLIMIT_*` number. */
export type Limits = Map<number, [number, number]>;

/**
 * A process (thread group).
 *
 * Linux counterpart: a thread group (`task_struct` + `signal_struct`).
 */
export class Process implements LookupContext, ProcView {
  readonly pid: number;
  parent: Process | undefined;
  readonly children = new Set<Process>();
  pgid: number;
  sid: number;
  mm: ProcessMemory;
  readonly threads = new Set<Thread>();
  files: FdTable;
  fsc: FsContext;
  actions: SignalActions;
  /** Signals sent to the process as a whole, and their information. */
  pending = 0n;
  readonly pendingInfo = new Map<number, SigInfo>();
  state: ProcessState = "alive";
  /** The `wait4` status, once a zombie. */
  status = 0;
  /** The signal the parent gets at exit (`SIGCHLD`, or what `clone` asked). */
  exitSignal: number;
  /** The parent sleeps here in `wait4` for a child to change state. */
  readonly childWait = new WaitQueue();
  /** A `vfork` parent sleeps here until this child calls `execve` or exits. */
  vforkDone: WaitQueue | undefined = undefined;
  exe: { inode: Inode; path: string } | undefined = undefined;
  /** The arguments of the running program (for observers). */
  argv: string[] = [];
  readonly uid: number;
  readonly gid: number;
  limits: Limits;
  /** Set when the whole group is exiting (`exit_group`, a fatal signal): the status. */
  groupExit: number | undefined = undefined;

  constructor(pid: number, parent: Process | undefined, init: {
    mm: ProcessMemory;
    files: FdTable;
    fsc: FsContext;
    actions: SignalActions;
    exitSignal: number;
    uid: number;
    gid: number;
    limits: Limits;
  }) {
    this.pid = pid;
    this.parent = parent;
    this.pgid = parent?.pgid ?? pid;
    this.sid = parent?.sid ?? pid;
    this.mm = init.mm;
    this.files = init.files;
    this.fsc = init.fsc;
    this.actions = init.actions;
    this.exitSignal = init.exitSignal;
    this.uid = init.uid;
    this.gid = init.gid;
    this.limits = init.limits;
    parent?.children.add(this);
  }

  /** The process's root directory (for path lookups). */
  get root(): Directory {
    return this.fsc.root;
  }

  /** `LookupContext.proc`: `/proc/self` is this process. */
  get proc(): ProcView {
    return this;
  }

  get cwd(): Directory {
    return this.fsc.cwd;
  }

  cwdPath(): string {
    return pathOf(this.fsc.cwd, this.fsc.root) ?? "/";
  }

  fds(): Array<[number, Inode]> {
    return this.files.entries().map(([fd, f]) => [fd, f.inode]);
  }

  /** The soft limit of resource `r`. */
  limit(r: number): number {
    return this.limits.get(r)?.[0] ?? Infinity;
  }

  /** The live threads. */
  liveThreads(): Thread[] {
    return [...this.threads].filter((t) => t.state !== "dead");
  }
}
