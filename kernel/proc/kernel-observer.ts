/**
 * What the kernel tells an observer (the inspector page, `--stats`): process
 * lifecycle, page faults, terminal output. Every method is optional and is
 * called synchronously from the kernel's thread; an observer must not call
 * back into the kernel from inside it.
 *
 * @module
 */

import type { FaultEvent } from "../mm/mm-events.js";

/** Callbacks of a kernel observer. */
export interface KernelObserver {
  /** A process was created by `fork`/`clone`/`vfork` (or is the first one). */
  processCreated?(pid: number, ppid: number): void;
  /** A process started a program. */
  processExec?(pid: number, path: string, argv: readonly string[]): void;
  /** A process exited; `status` is its `wait4` status. */
  processExited?(pid: number, status: number): void;
  /** A page fault was handled in process `pid`. */
  fault?(pid: number, event: FaultEvent): void;
  /** The guest wrote `bytes` to the host's stdout (1) or stderr (2). */
  output?(stream: 1 | 2, bytes: Uint8Array): void;
}
