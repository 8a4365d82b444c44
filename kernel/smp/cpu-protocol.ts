/**
 * The messages between the kernel and its CPU workers (`--cpus N`), and the
 * port a host gives the kernel for each worker. Browser-safe.
 *
 * The design: all kernel state stays on the kernel's thread; a CPU worker
 * only runs harts. It attaches to the shared RAM and to each address space
 * it runs (vmio's `share`/`attach`), runs a thread until it needs the
 * kernel — a system call, a fault its view cannot resolve (its view has no
 * fault handler), an illegal instruction — or its slice ends or the kernel
 * kicks it (a signal, code that changed), and sends the registers back.
 * Page tables and TLBs are vmio's and coherent across threads, so
 * `munmap`/`mprotect` on the kernel's thread shoot down the workers' TLBs.
 *
 * @module
 */

import type { MemoryToken, SpaceToken } from "vmio";
import type { Access, ExitReason } from "../cpu/hart.js";

/** Kernel → CPU: start-up. */
export interface InitMessage {
  readonly kind: "init";
  readonly cpu: number;
  readonly memory: MemoryToken;
  /** The 64-bit atomics lock word and the fence word (see `SpaceMemory`). */
  readonly lock: SharedArrayBuffer;
  /** One kick word per CPU: non-zero asks the CPU to stop at its next check. */
  readonly control: SharedArrayBuffer;
  /** The origin of the monotonic clock (`performance.timeOrigin`-based ms). */
  readonly t0: number;
}

/** Kernel → CPU: run a thread. */
export interface RunMessage {
  readonly kind: "run";
  readonly tid: number;
  /** Which address space (the kernel's id of it). */
  readonly space: number;
  /** A token for the space, the first time this CPU runs in it. */
  readonly token: SpaceToken | undefined;
  /** The space's code generation: a change means decoded instructions may be stale. */
  readonly codeGen: number;
  /** The registers (`Hart.saveContext` layout). */
  readonly context: Uint8Array;
  readonly instret: number;
  /** Most instructions to run before coming back. */
  readonly budget: number;
}

/** Kernel → CPU: forget an address space (its last user is gone). */
export interface DropMessage {
  readonly kind: "drop";
  readonly space: number;
}

/** What the kernel sends a CPU. */
export type ToCpu = InitMessage | RunMessage | DropMessage;

/** CPU → kernel: the thread stopped. */
export interface ExitMessage {
  readonly kind: "exit";
  readonly cpu: number;
  readonly tid: number;
  /** Why (a kick is reported as `"budget"`). */
  readonly reason: ExitReason;
  readonly context: Uint8Array;
  readonly instret: number;
  /** For `"fault"` and `"misaligned"`: the address and the access. */
  readonly address: number;
  readonly access: Access;
}

/** CPU → kernel: the worker failed (a kernel bug). */
export interface ErrorMessage {
  readonly kind: "error";
  readonly cpu: number;
  readonly message: string;
}

/** What a CPU sends the kernel. */
export type FromCpu = ExitMessage | ErrorMessage;

/** The kernel's end of a CPU worker, as the host makes it. */
export interface CpuPort {
  postMessage(message: ToCpu): void;
  /** Registers the receiver of the worker's messages. */
  onMessage(handler: (message: FromCpu) => void): void;
  /** Stops the worker. */
  terminate(): void | Promise<unknown>;
}

/** Starts a CPU worker (the host's way of making workers: Node's `worker_threads`, a browser `Worker`). */
export type CpuFactory = (index: number) => CpuPort;

/** The worker's end: how it receives the kernel's messages and answers. */
export interface KernelPort {
  postMessage(message: FromCpu): void;
  onMessage(handler: (message: ToCpu) => void): void;
}
