/**
 * The messages between the inspector page and the worker that runs the
 * teaching kernel: plain, structured-clonable data.
 *
 * The page is compiled on its own, against the DOM and without vmio or the
 * kernel: it sees the kernel only through these types, which are the
 * kernel's own snapshot types (`kernel/core/snapshot.ts` imports nothing
 * that needs more) and a few of the inspector's. The worker builds them from
 * the kernel's reports (`Kernel.inspect()`, its observer, its counters) and
 * vmio's. Every number the page shows arrives here: the page counts and
 * estimates nothing itself.
 *
 * @module
 */

import type { KernelSnapshot, PageInfo, PageTableInfo, ProcessInfo, RegionInfo, TableEntryInfo, TableNodeInfo, TlbInfo } from "../kernel/core/snapshot.js";
import type { FaultEvent, FaultResolution } from "../kernel/mm/mm-events.js";

/** The kernel's frame counts, as its snapshot has them. */
type KernelFrames = KernelSnapshot["frames"];

/** How a page fault ended. */
export type FaultKind = FaultResolution;

/** One present page, as the page table holds it. */
export type PageView = PageInfo;

/** One region (VMA) of an address space, with its present pages. */
export type RegionView = RegionInfo;

/** An address space's page table, walked from its root in RAM by vmio. */
export type PageTableView = PageTableInfo;

/** One node of a page table. */
export type TableNodeView = TableNodeInfo;

/** One entry of a page-table node that is not empty. */
export type TableEntryView = TableEntryInfo;

/** vmio's TLB counters of an address space. */
export type TlbView = TlbInfo;

/** One process. */
export type ProcessView = ProcessInfo;

/** One thread of a process. */
export type ThreadView = ProcessInfo["threads"][number];

/** Physical memory: the kernel's frame counts and what vmio says about the RAM. */
export interface FramesView extends KernelFrames {
  /** Bytes of RAM. */
  readonly size: number;
  /** Frames vmio reserves for its metadata, from the start of RAM (frames `[0, reserved)`). */
  readonly reserved: number;
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

/** One page fault, as the kernel's observer heard it: its event, in which process, and its number. */
export interface FaultRecord extends FaultEvent {
  /** Its number among the faults of this run, from 1. */
  readonly seq: number;
  readonly pid: number;
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
