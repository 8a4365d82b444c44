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
import { builtinFileSystem } from "./builtin-fs.js";
import { DEMOS, DemoTotals } from "./demo-programs.js";
import { millions } from "./stats-report.js";

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
  const totals = new DemoTotals();
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
    totals.add(s, instructions, seconds);
  }
  out("\nSummary of the four demos\n");
  for (const line of totals.lines()) out(`  ${line}\n`);
  out("\nTry a program yourself: npx vmio-kernel --stats /bin/hello one two, or --root DIR for your own files.\n");
  return failures === 0 ? 0 : 1;
}
