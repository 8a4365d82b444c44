/**
 * The messages between the inspector page and the worker that runs the
 * teaching kernel: plain, structured-clonable data.
 *
 * This file imports nothing. The page is compiled on its own against the
 * DOM and sees the kernel only through these types; the worker builds them
 * from the kernel's own reports (`Kernel.inspect()`, its observer, its
 * counters) and vmio's, and the compiler checks there that the kernel's
 * types still fit them (`inspector/worker/capture.ts`). Every number the
 * page shows arrives here: the page counts and estimates nothing itself.
 *
 * @module
 */

/** How a page fault ended (the kernel's `FaultResolution`). */
export type FaultKind = "demand-zero" | "zero-page" | "file" | "shared" | "cow-copy" | "cow-reuse" | "spurious" | "fatal" | "oom";

/** One present page, as the page table holds it (the kernel's `PageInfo`). */
export interface PageView {
  readonly va: number;
  /** The frame's physical address. */
  readonly paddr: number;
  /** vmio `PageFlags` bits of the entry: R 1, W 2, X 4, ACCESSED 8, DIRTY 16. */
  readonly flags: number;
  /** The frame's reference count: mappings in every address space, and kernel handles. */
  readonly refs: number;
}

/** One region (VMA) of an address space (the kernel's `RegionInfo`). */
export interface RegionView {
  readonly start: number;
  readonly end: number;
  /** Linux `PROT_*` bits: READ 1, WRITE 2, EXEC 4. */
  readonly prot: number;
  readonly shared: boolean;
  readonly name: string;
  readonly kind: "anon" | "file" | "shared";
  /** Pages present in the page table. */
  readonly mapped: number;
  /** Present pages of a private region whose frame another mapping shares (a write will copy). */
  readonly cowShared: number;
  /** The present pages, in address order. */
  readonly pages: readonly PageView[];
}

/** One thread of a process. */
export interface ThreadView {
  readonly tid: number;
  readonly state: string;
  readonly pc: number;
}

/** One process (the kernel's `ProcessInfo`). */
export interface ProcessView {
  readonly pid: number;
  /** 0 for the first process. */
  readonly ppid: number;
  readonly state: "alive" | "zombie" | "reaped";
  readonly exe: string;
  readonly argv: readonly string[];
  readonly threads: readonly ThreadView[];
  readonly regions: readonly RegionView[];
}

/** Physical memory: the kernel's frame counts and what vmio says about the RAM. */
export interface FramesView {
  /** Bytes of RAM. */
  readonly size: number;
  /** Frames vmio reserves for its metadata, from the start of RAM (frames `[0, reserved)`). */
  readonly reserved: number;
  /** Frames the allocator manages (all but the reserved ones). */
  readonly total: number;
  readonly free: number;
  /** Distinct frames mapped in user address spaces (the zero page included). */
  readonly user: number;
  /** The rest of the frames in use: page tables, address-space control blocks, and the like. */
  readonly kernel: number;
  /** Frames in use at the peak (sampled by the kernel). */
  readonly peak: number;
  /** The zero page's physical address, once it exists. */
  readonly zeroPage: number | undefined;
}

/** The kernel's counters (its `KernelStats`, and instructions retired). */
export interface CountersView {
  readonly instructions: number;
  readonly syscalls: number;
  /** Processes created, the first one included. */
  readonly processes: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
  /** Faults that grew a stack. */
  readonly stackGrowth: number;
  readonly framesPeak: number;
}

/** One page fault, as the kernel's observer heard it. */
export interface FaultRecord {
  /** Its number among the faults of this run, from 1. */
  readonly seq: number;
  readonly pid: number;
  readonly address: number;
  readonly write: boolean;
  readonly resolution: FaultKind;
  readonly stackGrowth: boolean;
}

/** A process's life, as the kernel's observer heard it. */
export type LifecycleEvent =
  | { readonly kind: "created"; readonly pid: number; readonly ppid: number }
  | { readonly kind: "exec"; readonly pid: number; readonly path: string; readonly argv: readonly string[] }
  /** `status` is the `wait4` status (exit code in bits 8–15, or the signal in bits 0–6); `how` says it in words. */
  | { readonly kind: "exited"; readonly pid: number; readonly status: number; readonly how: string };

/** Bytes the guest wrote to its standard output (1) or error (2), decoded as UTF-8. */
export interface OutputChunk {
  readonly stream: 1 | 2;
  readonly text: string;
}

/** What the worker saw since its previous sample, and the kernel's state now. */
export interface Sample {
  /** Samples of this run so far, from 1. */
  readonly seq: number;
  readonly processes: readonly ProcessView[];
  readonly frames: FramesView;
  readonly counters: CountersView;
  /** The newest faults since the previous sample: at most {@link FAULT_LOG_LIMIT}. */
  readonly faults: readonly FaultRecord[];
  readonly output: readonly OutputChunk[];
  readonly lifecycle: readonly LifecycleEvent[];
}

/** The most faults one sample carries (and the page keeps). */
export const FAULT_LOG_LIMIT = 200;

/** Page → worker: run the demo; `pace` scales the pauses that make it watchable (0: none). */
export interface StartMessage {
  readonly kind: "start";
  readonly pace: number;
  /** The URL of the directory holding the guest programs (`kernel/guest/bin`), ending in `/`. */
  readonly bin: string;
}

/** Page → worker: change the pace of a running demo. */
export interface PaceMessage {
  readonly kind: "pace";
  readonly pace: number;
}

/** What the page sends the worker. */
export type ToWorker = StartMessage | PaceMessage;

/** What the worker sends the page. */
export type FromWorker =
  /** A demo program starts, on a fresh kernel. */
  | { readonly kind: "demo"; readonly index: number; readonly count: number; readonly program: string; readonly title: string }
  | { readonly kind: "sample"; readonly sample: Sample }
  /** The demo's program exited: the kernel's last sample, its final counters, and what they say. */
  | {
      readonly kind: "demo-end";
      readonly index: number;
      readonly program: string;
      /** The shell's view: the exit code, or 128 + the signal. */
      readonly code: number;
      readonly sample: Sample;
      readonly counters: CountersView;
      /** The kernel's run time, without the inspector's pauses and samples. */
      readonly seconds: number;
      /** The `npm start` demo's explanation of the counters. */
      readonly explain: readonly string[];
    }
  /** Every demo ran: `summary` holds the `npm start` summary lines. */
  | { readonly kind: "done"; readonly summary: readonly string[]; readonly failures: number }
  | { readonly kind: "error"; readonly message: string };
