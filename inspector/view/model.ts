/**
 * The page's state: what the worker has reported so far, kept the way the
 * panels show it. Pure (no DOM): the page applies each message from the
 * worker, then redraws; the Node tests apply messages and look.
 *
 * A process is shown from the kernel's snapshots while it is in them, and
 * from the observer's events after (an exited process leaves the kernel's
 * tables, but not the page's history of this demo). Its address space is
 * the one of the latest sample that held it, labelled with that sample.
 *
 * @module
 */

import { FAULT_LOG_LIMIT, type CountersView, type FaultRecord, type FromWorker, type ProcessView, type Sample, type ThreadView } from "../protocol.js";

/** One process of the current demo, as far as the page has heard. */
export interface ProcessRow {
  readonly pid: number;
  ppid: number;
  /** The kernel's state while its snapshots list the process; `"gone"` after. */
  state: ProcessView["state"] | "gone";
  exe: string;
  argv: readonly string[];
  threads: readonly ThreadView[];
  /** How it ended (the observer's words), once it has. */
  how: string | undefined;
  /** The process as the latest sample that saw its address space saw it, and that sample's number. */
  seen: { readonly view: ProcessView; readonly sample: number } | undefined;
}

/** One line of the terminal panel. */
export interface TerminalPart {
  readonly kind: "header" | "stdout" | "stderr" | "kernel" | "summary";
  readonly text: string;
}

/** One finished demo program, with the kernel's final counters. */
export interface RunRow {
  readonly program: string;
  readonly code: number;
  readonly counters: CountersView;
  readonly seconds: number;
}

/** Where the demo is. */
export type Phase = "loading" | "running" | "done" | "error";

/** The page's state. */
export class InspectorModel {
  phase: Phase = "loading";
  /** The demo program running (or last run). */
  demo: { readonly index: number; readonly count: number; readonly program: string; readonly title: string } | undefined;
  /** The newest sample of the current demo. */
  latest: Sample | undefined;
  /** The newest sample of the current demo that held a process: the memory panels show it. */
  live: Sample | undefined;
  readonly processes = new Map<number, ProcessRow>();
  /** The newest faults of the current demo, oldest first (at most {@link FAULT_LOG_LIMIT}). */
  faults: FaultRecord[] = [];
  readonly terminal: TerminalPart[] = [];
  readonly runs: RunRow[] = [];
  summary: readonly string[] | undefined;
  failures = 0;
  error: string | undefined;

  /** Takes in one message from the worker. */
  apply(m: FromWorker): void {
    switch (m.kind) {
      case "demo":
        this.phase = "running";
        this.demo = { index: m.index, count: m.count, program: m.program, title: m.title };
        this.latest = undefined;
        this.live = undefined;
        this.processes.clear();
        this.faults = [];
        this.terminal.push({ kind: "header", text: `▶ ${m.program} — ${m.title}` });
        return;
      case "sample":
        this.#sample(m.sample);
        return;
      case "demo-end":
        this.#sample(m.sample);
        for (const line of m.explain) this.terminal.push({ kind: "kernel", text: `kernel: ${line}` });
        this.runs.push({ program: m.program, code: m.code, counters: m.counters, seconds: m.seconds });
        return;
      case "done":
        this.phase = "done";
        this.summary = m.summary;
        this.failures = m.failures;
        this.terminal.push({ kind: "summary", text: `Summary of ${this.runs.length === 1 ? "the demo" : `the ${this.runs.length} demos`}` });
        for (const line of m.summary) this.terminal.push({ kind: "summary", text: line });
        return;
      case "error":
        this.phase = "error";
        this.error = m.message;
        return;
    }
  }

  /** Each process's address space as last seen (with the sample that saw it), by pid; processes never seen with one are left out. */
  spaces(): { readonly view: ProcessView; readonly sample: number }[] {
    return [...this.processes.values()]
      .flatMap((p) => (p.seen === undefined || p.seen.view.regions.length === 0 ? [] : [p.seen]))
      .sort((a, b) => a.view.pid - b.view.pid);
  }

  #sample(s: Sample): void {
    this.latest = s;
    if (s.processes.length > 0) this.live = s;
    for (const e of s.lifecycle) {
      const row = this.#row(e.pid);
      if (e.kind === "created") row.ppid = e.ppid;
      else if (e.kind === "exec") {
        row.exe = e.path;
        row.argv = e.argv;
      } else row.how = e.how;
    }
    const present = new Set<number>();
    for (const p of s.processes) {
      present.add(p.pid);
      const row = this.#row(p.pid);
      row.ppid = p.ppid;
      row.state = p.state;
      row.exe = p.exe;
      row.argv = p.argv;
      row.threads = p.threads;
      // A zombie's address space is gone: keep showing the last one it had.
      if (p.regions.length > 0 || row.seen === undefined) row.seen = { view: p, sample: s.seq };
    }
    for (const row of this.processes.values()) {
      if (!present.has(row.pid)) {
        row.state = "gone";
        row.threads = [];
      }
    }
    for (const part of s.output) this.terminal.push({ kind: part.stream === 1 ? "stdout" : "stderr", text: part.text });
    this.faults = [...this.faults, ...s.faults].slice(-FAULT_LOG_LIMIT);
  }

  #row(pid: number): ProcessRow {
    let row = this.processes.get(pid);
    if (row === undefined) {
      row = { pid, ppid: 0, state: "gone", exe: "", argv: [], threads: [], how: undefined, seen: undefined };
      this.processes.set(pid, row);
    }
    return row;
  }
}
