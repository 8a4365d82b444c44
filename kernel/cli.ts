#!/usr/bin/env node
/**
 * `vmio-kernel`: runs a static RISC-V Linux executable on the teaching
 * kernel (README, "The teaching kernel"). The thin Node wrapper around the
 * browser-safe core: argument parsing, `--root DIR` copied into the
 * in-memory file system, the process's stdio as the guest's, the guest's
 * exit status as the process's, `--stats`. With no program, the demo.
 *
 * @module
 */

import { FileSystem } from "./fs/file-system.js";
import { Kernel, DeadlockError, SpawnError } from "./core/kernel.js";
import { SysError, Errno } from "./abi/errno.js";
import { builtinFileSystem } from "./host/builtin-fs.js";
import { USAGE, UsageError, parseCliArgs, type CliArgs } from "./host/cli-args.js";
import { runDemo } from "./host/demo.js";
import { copyHostTree } from "./host/host-tree.js";
import { StdinReader, isTerminal, writeAll } from "./host/node-stdio.js";
import { nodeCpuFactory } from "./host/node-cpus.js";
import { describeSignal } from "./host/signal-names.js";
import { statsLines } from "./host/stats-report.js";

const enc = new TextEncoder();
const out = (s: string): void => writeAll(1, enc.encode(s));
const err = (s: string): void => writeAll(2, enc.encode(s));

async function runProgram(a: CliArgs & { program: string }): Promise<number> {
  let fs: FileSystem;
  if (a.root !== undefined) {
    fs = new FileSystem();
    try {
      const report = copyHostTree(fs, a.root);
      if (report.skipped.length > 0 && a.stats) err(`vmio-kernel: --root: skipped ${report.skipped.length} entries (unreadable or special files)\n`);
    } catch (e) {
      if (e instanceof SysError) throw new Error(`--root ${a.root}: the in-memory file system is full`);
      throw new Error(`--root ${a.root}: ${(e as Error).message}`);
    }
  } else fs = builtinFileSystem();
  let stdin: StdinReader | undefined = undefined;
  const wantInput = (): void => stdin?.want();
  const kernel = new Kernel({
    fs,
    cpus: a.cpus,
    startCpu: a.cpus > 1 ? nodeCpuFactory() : undefined,
    stdout: (b) => writeAll(1, b),
    stderr: (b) => writeAll(2, b),
    onInputWanted: wantInput,
    terminal: { stdin: isTerminal(0), stdout: isTerminal(1), stderr: isTerminal(2), rows: process.stdout.rows, cols: process.stdout.columns },
  });
  stdin = new StdinReader(
    (b) => kernel.input(b),
    () => kernel.endInput(),
  );
  try {
    kernel.spawn(a.program, { args: a.args, env: a.env, cwd: a.cwd });
  } catch (e) {
    await kernel.close();
    if (e instanceof SpawnError) {
      err(`vmio-kernel: ${e.message}\n`);
      return e.errno === Errno.ENOENT || e.errno === Errno.ENOTDIR ? 127 : 126;
    }
    throw e;
  }
  const t0 = performance.now();
  try {
    const r = await kernel.run();
    if (r.signal !== undefined) err(`${describeSignal(r.signal)}\n`);
    if (a.stats) for (const line of statsLines(kernel.sys.stats, kernel.sys.instructions(), (performance.now() - t0) / 1000)) err(`vmio-kernel: ${line}\n`);
    return r.code;
  } catch (e) {
    if (e instanceof DeadlockError) {
      err(`vmio-kernel: ${e.message}\n`);
      return 125;
    }
    throw e;
  } finally {
    await kernel.close();
  }
}

async function main(): Promise<number> {
  let a: CliArgs;
  try {
    a = parseCliArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`vmio-kernel: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (a.help) {
    out(`${USAGE}\n`);
    return 0;
  }
  if (a.program === undefined) return runDemo(out, err);
  try {
    return await runProgram({ ...a, program: a.program });
  } catch (e) {
    err(`vmio-kernel: ${(e as Error).message}\n`);
    return 1;
  }
}

process.exit(await main());
