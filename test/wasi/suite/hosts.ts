/**
 * The WASI hosts the suite runner can run a test on: vmio/wasi with each
 * backend, and, for the comparison in the README, `node:wasi` and
 * `@bjorn3/browser_wasi_shim`. Each runs one test program in the calling
 * thread (a worker of the runner) and reports what the official runner
 * looks at: the exit code, stdout and stderr.
 *
 * @module
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MemoryDir, WASI, type MemoryDirTree } from "vmio/wasi";
import { Wasm, type WasmInstance } from "./wasm.js";

/** The hosts, by name. */
export const HOSTS = ["vmio-host", "vmio-memory", "node-wasi", "browser-shim"] as const;
/** One host's name. */
export type HostName = (typeof HOSTS)[number];

/** What a test is run with (the official runner's JSON, with `root` made absolute). */
export interface TestInput {
  /** The `.wasm` file. */
  wasm: string;
  /** argv, argv[0] (the file's name) included. */
  args: string[];
  env: Record<string, string>;
  /** A fixture directory to copy and preopen as `/`, if any. */
  root: string | undefined;
}

/** What the runner compares. */
export interface TestOutcome {
  /** The exit code; a trap is reported as 134, what the official runner sees from wasmtime. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The trap or host exception, if the program did not exit normally. */
  error?: string;
}

/** The exit status the official runner sees from wasmtime for a trap (SIGABRT's 128 + 6). */
export const TRAP_EXIT_CODE = 134;

/** Runs one test program on one host. */
export async function runOn(host: HostName, input: TestInput): Promise<TestOutcome> {
  const module = await Wasm.compile(fs.readFileSync(input.wasm));
  const scratch = input.root === undefined ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), "wasi-suite-"));
  try {
    if (scratch !== undefined) fs.cpSync(input.root!, scratch, { recursive: true, verbatimSymlinks: true });
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    let exitCode: number;
    let error: string | undefined;
    try {
      exitCode = await HOST_RUNNERS[host](module, input, scratch, out, err);
    } catch (e) {
      exitCode = TRAP_EXIT_CODE;
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString("utf8");
    return { exitCode, stdout: text(out), stderr: text(err), ...(error === undefined ? {} : { error }) };
  } finally {
    if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
  }
}

type HostRunner = (module: object, input: TestInput, root: string | undefined, out: Uint8Array[], err: Uint8Array[]) => Promise<number>;

const HOST_RUNNERS: Record<HostName, HostRunner> = {
  "vmio-host": (module, input, root, out, err) => runVmio(module, input, root, out, err),
  "vmio-memory": (module, input, root, out, err) => runVmio(module, input, root === undefined ? undefined : new MemoryDir(readTree(root)), out, err),
  "node-wasi": runNodeWasi,
  "browser-shim": runBrowserShim,
};

async function runVmio(module: object, input: TestInput, root: string | MemoryDir | undefined, out: Uint8Array[], err: Uint8Array[]): Promise<number> {
  const wasi = new WASI({
    args: input.args,
    env: input.env,
    preopens: root === undefined ? {} : { "/": root },
    stdin: new Uint8Array(0),
    stdout: (b) => out.push(b),
    stderr: (b) => err.push(b),
  });
  const instance = await Wasm.instantiate(module, wasi.getImportObject());
  return wasi.start(instance);
}

/** A host directory as a MemoryDir tree: files, directories and symlinks. */
export function readTree(dir: string): MemoryDirTree {
  const tree: MemoryDirTree = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const at = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) tree[entry.name] = MemoryDir.symlink(fs.readlinkSync(at));
    else if (entry.isDirectory()) tree[entry.name] = readTree(at);
    else tree[entry.name] = new Uint8Array(fs.readFileSync(at));
  }
  return tree;
}

async function runNodeWasi(module: object, input: TestInput, root: string | undefined, out: Uint8Array[], err: Uint8Array[]): Promise<number> {
  const { WASI: NodeWASI } = await import("node:wasi");
  const io = fs.mkdtempSync(path.join(os.tmpdir(), "wasi-suite-io-"));
  const files = ["stdin", "stdout", "stderr"].map((n) => path.join(io, n));
  fs.writeFileSync(files[0]!, "");
  const fds = [fs.openSync(files[0]!, "r"), fs.openSync(files[1]!, "w"), fs.openSync(files[2]!, "w")];
  try {
    const wasi = new NodeWASI({
      version: "preview1",
      args: input.args,
      env: input.env,
      preopens: root === undefined ? {} : { "/": root },
      stdin: fds[0]!,
      stdout: fds[1]!,
      stderr: fds[2]!,
      returnOnExit: true,
    });
    const instance = await Wasm.instantiate(module, wasi.getImportObject() as object);
    return wasi.start(instance as Parameters<typeof wasi.start>[0]);
  } finally {
    for (const fd of fds) fs.closeSync(fd);
    out.push(fs.readFileSync(files[1]!));
    err.push(fs.readFileSync(files[2]!));
    fs.rmSync(io, { recursive: true, force: true });
  }
}

async function runBrowserShim(module: object, input: TestInput, root: string | undefined, out: Uint8Array[], err: Uint8Array[]): Promise<number> {
  // Loosely typed: its typings name DOM types this project does not load.
  const shim = (await import("@bjorn3/browser_wasi_shim")) as unknown as Record<string, new (...args: unknown[]) => unknown>;
  const { WASI: ShimWASI, File, Directory, OpenFile, ConsoleStdout, PreopenDirectory } = shim;
  const toInodes = (dir: string): Map<string, unknown> => {
    const m = new Map<string, unknown>();
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const at = path.join(dir, entry.name);
      if (entry.isDirectory()) m.set(entry.name, new Directory!(toInodes(at)));
      else if (entry.isFile()) m.set(entry.name, new File!(new Uint8Array(fs.readFileSync(at))));
      // symlinks: the shim has none
    }
    return m;
  };
  const fds: unknown[] = [
    new OpenFile!(new File!(new Uint8Array(0))),
    new ConsoleStdout!((b: Uint8Array) => out.push(b.slice())),
    new ConsoleStdout!((b: Uint8Array) => err.push(b.slice())),
  ];
  if (root !== undefined) fds.push(new PreopenDirectory!("/", toInodes(root)));
  const env = Object.entries(input.env).map(([k, v]) => `${k}=${v}`);
  const wasi = new ShimWASI!(input.args, env, fds, { debug: false }) as {
    wasiImport: object;
    start(instance: WasmInstance): number;
  };
  const instance = await Wasm.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
  return wasi.start(instance);
}
