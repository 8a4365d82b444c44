/**
 * The command line of `vmio-kernel` (README, "The teaching kernel"):
 *
 *     vmio-kernel [--root DIR] [--env NAME=VALUE]... [--cwd PATH] [--cpus N] [--stats] [--] PROGRAM [ARG]...
 *
 * Options come before the program; `--` ends them; everything after the
 * program is its arguments, options or not. No program: the demo.
 *
 * @module
 */

/** The parsed command line. */
export interface CliArgs {
  readonly root: string | undefined;
  readonly env: string[];
  readonly cwd: string | undefined;
  readonly cpus: number;
  readonly stats: boolean;
  readonly help: boolean;
  /** The guest program's path; undefined: run the demo. */
  readonly program: string | undefined;
  readonly args: string[];
}

/** A usage error (exit status 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The usage text. */
export const USAGE = `usage: vmio-kernel [--root DIR] [--env NAME=VALUE]... [--cwd PATH] [--cpus N] [--stats] [--] PROGRAM [ARG]...

Runs a static RISC-V (RV64GC) Linux executable on a teaching kernel built on vmio.
PROGRAM is a path in the guest's file system. With no PROGRAM, runs the demo.

  --root DIR          the guest's / is an in-memory copy of host directory DIR
                      (default: a built-in file system with the demo and test programs in /bin)
  --env NAME=VALUE    adds a variable to the guest's (otherwise empty) environment; repeatable
  --cwd PATH          the guest's working directory (default /)
  --cpus N            runs the guest's threads on N CPUs (workers); default 1
  --stats             prints a summary on stderr when the guest exits
  -h, --help          prints this help

The exit status is the guest's; a guest killed by a signal exits with 128 + the signal.`;

/** Most CPUs `--cpus` accepts. */
export const MAX_CPUS = 64;

/**
 * Parses `argv` (the arguments after the command's name).
 *
 * @throws {UsageError} an unknown option, a missing or bad value.
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let root: string | undefined;
  let cwd: string | undefined;
  let cpus = 1;
  let stats = false;
  let help = false;
  const env: string[] = [];
  let i = 0;
  const value = (opt: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`${opt} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("-") || a === "-") break;
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const opt = eq < 0 ? a : a.slice(0, eq);
    const inline = eq < 0 ? undefined : a.slice(eq + 1);
    switch (opt) {
      case "--root":
        root = value(opt, inline);
        break;
      case "--cwd":
        cwd = value(opt, inline);
        if (!cwd.startsWith("/")) throw new UsageError(`--cwd needs an absolute guest path, not ${JSON.stringify(cwd)}`);
        break;
      case "--env": {
        const v = value(opt, inline);
        const k = v.indexOf("=");
        if (k <= 0) throw new UsageError(`--env needs NAME=VALUE, not ${JSON.stringify(v)}`);
        env.push(v);
        break;
      }
      case "--cpus": {
        const v = value(opt, inline);
        if (!/^[0-9]+$/.test(v) || Number(v) < 1 || Number(v) > MAX_CPUS) throw new UsageError(`--cpus needs a number from 1 to ${MAX_CPUS}, not ${JSON.stringify(v)}`);
        cpus = Number(v);
        break;
      }
      case "--stats":
        if (inline !== undefined) throw new UsageError("--stats takes no value");
        stats = true;
        break;
      case "-h":
      case "--help":
        help = true;
        break;
      default:
        throw new UsageError(`unknown option ${JSON.stringify(a)}`);
    }
  }
  const program = argv[i];
  return { root, env, cwd, cpus, stats, help, program, args: argv.slice(i + 1) as string[] };
}
