/**
 * The teaching kernel (issue 12): how fast real RISC-V programs run when
 * every load, store and fetch goes through vmio — the process's `VmSpace`
 * with its page table, TLB and page-fault handler — against the same hart
 * over a flat `Uint8Array` (`FlatMemory`) in the same process; and the
 * latency of `fork` + exit + `wait4` of a process with 1 MiB and 64 MiB
 * touched (copy-on-write should make it nearly independent of the size).
 *
 * Before timing, each interpreter case runs its program to the end through
 * the kernel and checks the output against the expected run (Linux's), so
 * the default-size benchmark runs the tests leave out are checked here.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Kernel } from "../kernel/core/kernel.js";
import { runSlice } from "../kernel/core/local-cpu.js";
import { builtinFileSystem, guestBinDir } from "../kernel/host/builtin-fs.js";
import type { Thread } from "../kernel/proc/thread.js";
import { FlatGuest } from "./flat-guest.js";
import type { BenchCase } from "./harness.js";

/** A program running on the kernel, driven synchronously slice by slice. */
class KernelGuest {
  readonly kernel: Kernel;
  output = "";

  constructor(name: string, args: string[]) {
    const dec = new TextDecoder();
    this.kernel = new Kernel({ fs: builtinFileSystem(), stdout: (b) => (this.output += dec.decode(b, { stream: true })) });
    this.kernel.spawn(`/bin/${name}`, { args });
  }

  /** The first process's main thread, or undefined once it is gone. */
  get main(): Thread | undefined {
    const t = this.kernel.sys.threads.get(1);
    return t !== undefined && t.state !== "dead" ? t : undefined;
  }

  /** Runs every thread round robin until `done()` or no thread can run; returns the instructions retired meanwhile. */
  runUntil(done: () => boolean): number {
    const sys = this.kernel.sys;
    const start = sys.instructions();
    while (!done()) {
      sys.scheduler.fire(sys.monotonic());
      const t = sys.scheduler.next();
      if (t === undefined) break;
      if (t.state === "runnable") runSlice(sys, t);
    }
    return sys.instructions() - start;
  }

  /** Runs the main thread for about `n` instructions (a single-threaded program). */
  run(n: number): number {
    const main = this.main;
    if (main === undefined) return 0;
    const end = main.hart.instret + n;
    const sys = this.kernel.sys;
    let ran = 0;
    while (main.state !== "dead" && main.hart.instret < end) {
      const t = sys.scheduler.next();
      if (t === undefined) break;
      const before = t.hart.instret;
      runSlice(sys, t, Math.max(1, end - main.hart.instret));
      ran += t.hart.instret - before;
    }
    return ran;
  }
}

/** The expected stdout of `/bin/<name>` run with `args` (kernel/guest/expected). */
function expectedStdout(name: string, args: string[]): string {
  const exp = JSON.parse(readFileSync(join(guestBinDir(), "..", "expected", `${name}.json`), "utf8")) as { runs: Array<{ args: string[]; stdout: string }> };
  const run = exp.runs.find((r) => JSON.stringify(r.args) === JSON.stringify(args));
  if (run === undefined) throw new Error(`no expected run of ${name} ${JSON.stringify(args)}`);
  return run.stdout;
}

/** Runs `/bin/<name>` to its end through the kernel and checks its output. */
function verify(name: string, args: string[]): void {
  const g = new KernelGuest(name, args);
  g.runUntil(() => g.main === undefined);
  const want = expectedStdout(name, args);
  if (g.output !== want) throw new Error(`${name} ${args.join(" ")}: wrong output through the kernel:\n${g.output}\nwant:\n${want}`);
}

/** One side of an interpreter case: runs `n` instructions of the program, restarting it whenever it ends. */
function driver<G extends { run(n: number): number }>(make: () => G, ended: (g: G) => boolean): (n: number) => number {
  let g = make();
  return (n) => {
    let left = n;
    while (left > 0) {
      if (ended(g)) g = make();
      const ran = g.run(left);
      if (ran === 0 && !ended(g)) throw new Error("the guest stopped making progress");
      left -= ran;
    }
    return n;
  };
}

function interpreterCase(id: string, name: string, what: string): BenchCase {
  return {
    id,
    group: "kernel",
    title: `${name}: ${what}, MIPS through vmio (VmSpace.mmu() per access) vs FlatMemory`,
    limitLabel: "the same hart over FlatMemory",
    target: 0.85,
    ops: 2_000_000,
    unit: "instr",
    warmup: 3,
    samples: 7,
    setup() {
      verify(name, []);
      return {
        vmio: driver(
          () => new KernelGuest(name, []),
          (g) => g.main === undefined,
        ),
        limit: driver(
          () => new FlatGuest(name, []),
          (g) => g.exited,
        ),
      };
    },
  };
}

/**
 * `fork` + child exit + `wait4` of a process with `mib` MiB touched:
 * `bench-fork MIB 1000000` runs on the kernel; the setup runs it to its
 * first fork (the memory is touched); each operation is one more child
 * created and reaped.
 */
function forkCase(mib: number): BenchCase {
  return {
    id: `kernel-fork-${mib}mib`,
    group: "kernel",
    title: `fork + exit + wait4 of a process with ${mib} MiB touched (copy-on-write)`,
    ops: mib >= 64 ? 5 : 50,
    unit: "fork",
    warmup: 2,
    samples: 7,
    setup() {
      const g = new KernelGuest("bench-fork", [String(mib), "1000000"]);
      const stats = g.kernel.sys.stats;
      g.runUntil(() => stats.processes >= 2);
      return {
        vmio: (n: number) => {
          const target = stats.processes + n;
          g.runUntil(() => stats.processes >= target);
          return stats.processes;
        },
      };
    },
  };
}

export const cases: BenchCase[] = [
  interpreterCase("kernel-primes", "bench-primes", "primes below 10^6 (compute)"),
  interpreterCase("kernel-sha256", "bench-sha256", "SHA-256 of 1 MiB (memory)"),
  forkCase(1),
  forkCase(64),
];
