/**
 * What the memory manager reports: every page fault and how it ended, and
 * changes that make cached instructions stale. The kernel counts them for
 * `--stats` and forwards them to an inspector.
 *
 * @module
 */

/** How a page fault ended. */
export type FaultResolution =
  /** A zero-filled frame was mapped on a write (anonymous memory, bss, heap, stack), or replaced the zero page. */
  | "demand-zero"
  /** A read of anonymous memory never written: the shared zero page was mapped read-only (no frame used). */
  | "zero-page"
  /** A page was filled from a file (an ELF segment, a file mapping). */
  | "file"
  /** A page of a shared mapping was mapped. */
  | "shared"
  /** A copy-on-write page was copied (another address space still maps the original). */
  | "cow-copy"
  /** A copy-on-write page was made writable in place (no one else maps it any more). */
  | "cow-reuse"
  /** The page was mapped already; its entry was brought in line with its area (rare). */
  | "spurious"
  /** No area allows the access: the process gets `SIGSEGV`. */
  | "fatal"
  /** Physical memory is exhausted: the process is killed. */
  | "oom";

/** One page fault. */
export interface FaultEvent {
  readonly address: number;
  /** A store (or an AMO). */
  readonly write: boolean;
  /** An instruction fetch. Neither flag: a load. */
  readonly execute: boolean;
  readonly resolution: FaultResolution;
  /** The stack area grew to reach the address. */
  readonly stackGrowth: boolean;
}

/** The memory manager's observer. */
export interface MmEvents {
  /** A page fault was handled (resolved or not). */
  fault(event: FaultEvent): void;
  /** Mappings in `[start, end)` were removed or lost permissions: decoded instructions there are stale. */
  codeChanged(start: number, end: number): void;
}
