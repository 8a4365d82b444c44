/**
 * `npm start` (and `vmio-kernel` with no program): boots the built-in file
 * system and runs the demo programs — real RISC-V Linux executables — one
 * after the other, each on a fresh kernel, showing their output and what
 * the kernel did underneath (page faults by kind, copy-on-write, processes),
 * then a summary. Anything running longer than a second reports progress.
 *
 * @module
 */

import { Kernel } from "../core/kernel.js";
import type { FaultResolution } from "../mm/mm-events.js";
import { builtinFileSystem } from "./builtin-fs.js";
import { count, millions, statsLines } from "./stats-report.js";
import type { KernelStats } from "../proc/kernel-stats.js";

/** One demo: its program and what to say about it. */
interface Demo {
  readonly program: string;
  readonly title: string;
  /** What the kernel did, from its counters. */
  explain(s: KernelStats): string[];
}

const DEMOS: readonly Demo[] = [
  {
    program: "/bin/demo-cow",
    title: "fork and copy-on-write",
    explain: (s) => [
      `fork mapped the parent's frames into the child read-only: no page was copied then.`,
      `each first write faulted: ${count(s.faults["cow-copy"])} page(s) copied (the frame was still shared), ` +
        `${count(s.faults["cow-reuse"])} made writable in place (its reference count said no one else maps it).`,
    ],
  },
  {
    program: "/bin/demo-paging",
    title: "demand paging",
    explain: (s) => [
      `mmap only recorded an area; ${count(s.faults["demand-zero"])} write faults each mapped a zeroed frame on first touch,`,
      `${count(s.faults["zero-page"])} read faults mapped the one shared zero page read-only (no frame used).`,
      `frames in use peaked at ${count(s.framesPeak)} (${((s.framesPeak * 4096) / 2 ** 20).toFixed(1)} MiB), page tables included.`,
    ],
  },
  {
    program: "/bin/demo-efault",
    title: "a bad pointer is EFAULT, not a crash",
    explain: (s) => [
      `system calls read user memory through vmio's fallible readers: a copy stops exactly at the first bad byte.`,
      `${count(s.faults.fatal)} faults hit no mapping: in the kernel's copies they became EFAULT; the child's own load got SIGSEGV.`,
    ],
  },
  {
    program: "/bin/demo-pipe",
    title: "a pipe between two processes",
    explain: (s) => [
      `${count(s.processes)} processes: fork, then execve of /bin/demo-cat and /bin/demo-wc, joined by pipe2 and dup3.`,
      `${count(s.syscalls)} system calls; ${count(s.faults.file)} pages of the programs were read in from their ELF files on demand.`,
    ],
  },
];

/** Writes guest output with a prefix at the start of each line. */
class Prefixed {
  #atLineStart = true;
  readonly #write: (s: string) => void;
  readonly #prefix: string;
  readonly #decoder = new TextDecoder();

  constructor(prefix: string, write: (s: string) => void) {
    this.#prefix = prefix;
    this.#write = write;
  }

  push(bytes: Uint8Array): void {
    const text = this.#decoder.decode(bytes, { stream: true });
    let out = "";
    for (const ch of text) {
      if (this.#atLineStart) out += this.#prefix;
      out += ch;
      this.#atLineStart = ch === "\n";
    }
    this.#write(out);
  }

  end(): void {
    if (!this.#atLineStart) this.#write("\n");
    this.#atLineStart = true;
  }
}

/** Runs the demo; returns the exit status (0 when every demo ran as expected). */
export async function runDemo(out: (s: string) => void, err: (s: string) => void): Promise<number> {
  out("vmio-kernel: real RISC-V Linux programs on a kernel built on vmio's frames, page tables and fallible user copies\n");
  const totals = { instructions: 0, seconds: 0, processes: 0, syscalls: 0, peak: 0, faults: new Map<FaultResolution, number>() };
  let failures = 0;
  for (const demo of DEMOS) {
    out(`\n▶ ${demo.program} — ${demo.title}\n`);
    const guestOut = new Prefixed("  │ ", out);
    const guestErr = new Prefixed("  │ ", err);
    const kernel = new Kernel({ fs: builtinFileSystem(), stdout: (b) => guestOut.push(b), stderr: (b) => guestErr.push(b) });
    kernel.spawn(demo.program);
    const t0 = performance.now();
    const progress = setInterval(() => {
      err(`  … ${((performance.now() - t0) / 1000).toFixed(1)} s, ${millions(kernel.sys.instructions())} instructions\n`);
    }, 1000);
    let code: number;
    try {
      code = (await kernel.run()).code;
    } finally {
      clearInterval(progress);
      await kernel.close();
    }
    guestOut.end();
    guestErr.end();
    const seconds = (performance.now() - t0) / 1000;
    const s = kernel.sys.stats;
    const instructions = kernel.sys.instructions();
    for (const line of demo.explain(s)) out(`  kernel: ${line}\n`);
    out(`  kernel: ${millions(instructions)} instructions in ${seconds.toFixed(2)} s, exit status ${code}\n`);
    if (code !== 0) failures++;
    totals.instructions += instructions;
    totals.seconds += seconds;
    totals.processes += s.processes;
    totals.syscalls += s.syscalls;
    totals.peak = Math.max(totals.peak, s.framesPeak);
    for (const [k, v] of Object.entries(s.faults)) totals.faults.set(k as FaultResolution, (totals.faults.get(k as FaultResolution) ?? 0) + v);
  }
  out("\nSummary of the four demos\n");
  const summary = { faults: Object.fromEntries(totals.faults), stackGrowth: 0, framesPeak: totals.peak, processes: totals.processes, syscalls: totals.syscalls };
  for (const line of statsLines(summary as unknown as KernelStats, totals.instructions, totals.seconds)) out(`  ${line}\n`);
  out("\nTry a program yourself: npx vmio-kernel --stats /bin/hello one two, or --root DIR for your own files.\n");
  return failures === 0 ? 0 : 1;
}
