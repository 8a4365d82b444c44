// Loads the expected runs of the guest programs (kernel/guest/expected) and
// runs one through the kernel the way their README says: every program in
// /bin, the run's files in place, stdin given whole, stdout and stderr kept.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Kernel, type ExitInfo } from "../../../kernel/core/kernel.js";
import { builtinFileSystem, guestBinDir } from "../../../kernel/host/builtin-fs.js";
import { nodeCpuFactory } from "../../../kernel/host/node-cpus.js";

/** One expected run (kernel/guest/README.md, "The expected runs"). */
export interface ExpectedRun {
  readonly args: string[];
  readonly env: Record<string, string>;
  readonly stdin?: string;
  readonly cwd?: string;
  readonly files?: Record<string, string>;
  readonly stdout: string;
  readonly stderr: string;
  readonly exit: number;
  readonly instructions?: number;
}

/** The expected runs of one program. */
export interface ExpectedProgram {
  readonly name: string;
  readonly program: string;
  readonly threaded?: boolean;
  readonly runs: ExpectedRun[];
}

/** Every program's expected runs, by name. */
export function expectedPrograms(): ExpectedProgram[] {
  const dir = join(guestBinDir(), "..", "expected");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ""), ...(JSON.parse(readFileSync(join(dir, f), "utf8")) as Omit<ExpectedProgram, "name">) }));
}

/** What a run printed and how it ended. */
export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exit: ExitInfo;
  readonly instructions: number;
  readonly kernel: Kernel;
}

/** Runs `run` of `program` with `cpus` CPUs. */
export async function runExpected(program: string, run: ExpectedRun, cpus = 1): Promise<RunResult> {
  const dec1 = new TextDecoder();
  const dec2 = new TextDecoder();
  let stdout = "";
  let stderr = "";
  const kernel = new Kernel({
    fs: builtinFileSystem(),
    cpus,
    startCpu: cpus > 1 ? nodeCpuFactory() : undefined,
    stdout: (b) => (stdout += dec1.decode(b, { stream: true })),
    stderr: (b) => (stderr += dec2.decode(b, { stream: true })),
    stdin: new TextEncoder().encode(run.stdin ?? ""),
  });
  for (const [path, text] of Object.entries(run.files ?? {})) kernel.fs.addFile(path, new TextEncoder().encode(text), 0o644);
  kernel.spawn(program, { args: run.args, env: Object.entries(run.env).map(([k, v]) => `${k}=${v}`), cwd: run.cwd ?? "/" });
  try {
    const exit = await kernel.run();
    return { stdout, stderr, exit, instructions: kernel.sys.instructions(), kernel };
  } finally {
    await kernel.close();
  }
}
