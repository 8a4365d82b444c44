/**
 * The inspector's kernel observer: it records what the kernel reports —
 * page faults, process lifecycle, terminal output — until the next sample
 * takes it, and tells the pacing how busy the last time slice was. It only
 * records: the kernel calls it in the middle of a fault or a system call,
 * where nothing may call back into the kernel.
 *
 * @module
 */

import type { FaultEvent, KernelObserver } from "../../kernel/core/index.js";
import { describeSignal } from "../../kernel/host/signal-names.js";
import { FAULT_LOG_LIMIT, type FaultRecord, type LifecycleEvent, type OutputChunk } from "../protocol.js";

/** What happened during one time slice, for the pacing. */
export interface SliceActivity {
  readonly faults: number;
  /** Processes created, started on a program, or exited. */
  readonly lifecycle: number;
}

/** What a sample takes from the recorder. */
export interface Recorded {
  readonly faults: FaultRecord[];
  readonly output: OutputChunk[];
  readonly lifecycle: LifecycleEvent[];
}

/** A `wait4` status in words, as a shell would say it. */
export function describeStatus(status: number): string {
  const signal = status & 0x7f;
  if (signal === 0) return `exited with status ${(status >> 8) & 0xff}`;
  return `killed by signal ${signal}: ${describeSignal(signal, (status & 0x80) !== 0)}`;
}

/** Records a kernel's events between samples. */
export class Recorder implements KernelObserver {
  /** The newest faults, oldest first; at most {@link FAULT_LOG_LIMIT}. */
  #faults: FaultRecord[] = [];
  #faultSeq = 0;
  #output: OutputChunk[] = [];
  #lifecycle: LifecycleEvent[] = [];
  readonly #decoders = { 1: new TextDecoder(), 2: new TextDecoder() };
  #sliceFaults = 0;
  #sliceLifecycle = 0;

  processCreated(pid: number, ppid: number): void {
    this.#lifecycle.push({ kind: "created", pid, ppid });
    this.#sliceLifecycle++;
  }

  processExec(pid: number, path: string, argv: readonly string[]): void {
    this.#lifecycle.push({ kind: "exec", pid, path, argv: [...argv] });
    this.#sliceLifecycle++;
  }

  processExited(pid: number, status: number): void {
    this.#lifecycle.push({ kind: "exited", pid, status, how: describeStatus(status) });
    this.#sliceLifecycle++;
  }

  fault(pid: number, e: FaultEvent): void {
    const log = this.#faults;
    if (log.length === FAULT_LOG_LIMIT) log.shift();
    log.push({ seq: ++this.#faultSeq, pid, address: e.address, write: e.write, execute: e.execute, resolution: e.resolution, stackGrowth: e.stackGrowth });
    this.#sliceFaults++;
  }

  output(stream: 1 | 2, bytes: Uint8Array): void {
    // The kernel may reuse its buffer after this call: decode now (streaming, so a UTF-8 sequence may span writes).
    const text = this.#decoders[stream].decode(bytes, { stream: true });
    if (text !== "") this.#output.push({ stream, text });
  }

  /** How busy the slice since the previous call was; starts counting the next one. */
  takeActivity(): SliceActivity {
    const a = { faults: this.#sliceFaults, lifecycle: this.#sliceLifecycle };
    this.#sliceFaults = 0;
    this.#sliceLifecycle = 0;
    return a;
  }

  /** Everything recorded since the previous call. */
  take(): Recorded {
    const r = { faults: this.#faults, output: this.#output, lifecycle: this.#lifecycle };
    this.#faults = [];
    this.#output = [];
    this.#lifecycle = [];
    return r;
  }
}
