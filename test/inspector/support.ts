// Shared by the inspector's tests: each demo program run on a plain kernel
// with the inspector's time slice, and Linux's output of each.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Kernel } from "../../kernel/core/index.js";
import { builtinFileSystem, guestBinDir } from "../../kernel/host/builtin-fs.js";
import { INSPECTOR_SLICE } from "../../inspector/worker/pacing.js";
import type { CountersView } from "../../inspector/protocol.js";

/**
 * `program` run on a plain kernel with the inspector's time slice: the
 * slice decides where processes interleave (demo-pipe makes one more system
 * call with short slices), the inspector's pauses decide nothing.
 */
export async function plainRun(program: string): Promise<{ code: number; counters: CountersView }> {
  const k = new Kernel({ fs: builtinFileSystem(), slice: INSPECTOR_SLICE });
  k.spawn(program);
  const code = (await k.run()).code;
  const s = k.sys.stats;
  return { code, counters: { instructions: k.sys.instructions(), syscalls: s.syscalls, processes: s.processes, faults: { ...s.faults }, stackGrowth: s.stackGrowth, framesPeak: s.framesPeak } };
}

/** The counters that do not depend on timing (the frames' peak is sampled by time). */
export function exact(c: CountersView): Omit<CountersView, "framesPeak"> {
  const { framesPeak: _, ...rest } = c;
  return rest;
}

/** Linux's stdout of a demo program's first expected run (kernel/guest/expected); none writes to stderr. */
export function expectedStdout(program: string): string {
  const name = program.slice(program.lastIndexOf("/") + 1);
  const runs = (JSON.parse(readFileSync(join(guestBinDir(), "..", "expected", `${name}.json`), "utf8")) as { runs: { stdout: string; stderr: string }[] }).runs;
  if (runs[0]?.stderr !== "") throw new Error(`${name} writes to stderr: compare it too`);
  return runs[0].stdout;
}
