/**
 * Bad guest pointers, handed to a WASI host's `fd_write` and `path_open` as
 * a hostile guest would: the cases of the README's bad-pointer table. Each
 * host is set up with a one-page guest memory, stdout captured, and a
 * preopened directory at fd 3; the host functions are called directly,
 * exactly as the guest's `call` would.
 *
 * The right answer (wasmtime's, and vmio's) for each case is an errno with
 * nothing written: no output, no file created, no result stored.
 *
 * @module
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MemoryDir, WASI } from "vmio/wasi";
import { MEMORY_ONLY_MODULE, Wasm, type WasmMemory } from "./wasm.js";

/** One host ready for a case. */
export interface HostUnderTest {
  readonly imports: Record<string, (...args: (number | bigint)[]) => unknown>;
  readonly memory: WasmMemory;
  /** Bytes the host has written to stdout so far. */
  stdoutBytes(): number;
  /** How many entries the preopened directory holds. */
  entries(): number;
  dispose(): void;
}

/** What a host did with a case. */
export interface CaseResult {
  /** The errno returned, or the exception that escaped the host function. */
  answer: number | string;
  /** Whether anything observable happened: output, a file created, a result stored. */
  sideEffect: boolean;
}

/** One row of the table. */
export interface PointerCase {
  readonly name: string;
  /** The right answer: errno number. */
  readonly errno: number;
  /** What a wrong host does to the world: "wrote" (output) or "created a file". */
  readonly effect: string;
  readonly run: (h: HostUnderTest) => CaseResult;
}

const PAGE = 65536;
const FAULT = 21;
const INVAL = 28;
const ILSEQ = 25;
const SUCCESS = 0;

function call(h: HostUnderTest, name: string, ...args: number[]): number | string {
  try {
    const r = h.imports[name]!(...args);
    return typeof r === "number" ? r : `returned ${String(r)}`;
  } catch (e) {
    return `throws ${e instanceof Error ? e.constructor.name : typeof e}`;
  }
}

function bytes(h: HostUnderTest): Uint8Array {
  return new Uint8Array(h.memory.buffer);
}
function setU32(h: HostUnderTest, at: number, v: number): void {
  new DataView(h.memory.buffer).setUint32(at, v, true);
}

/** Writes `n` iovecs at `at`, each `[base, len]`. */
function iovecs(h: HostUnderTest, at: number, list: [number, number][]): void {
  list.forEach(([base, len], i) => {
    setU32(h, at + i * 8, base);
    setU32(h, at + i * 8 + 4, len);
  });
}

const RESULT = 200; // where the nwritten result goes
const SENTINEL = 0xdeadbeef;

/** fd_write(1, …) with the given iovecs; a side effect is output or a changed result slot. */
function fdWrite(h: HostUnderTest, iovs: number, count: number, nwritten = RESULT): CaseResult {
  if (nwritten + 4 <= h.memory.buffer.byteLength) setU32(h, nwritten, SENTINEL);
  const before = h.stdoutBytes();
  const answer = call(h, "fd_write", 1, iovs, count, nwritten);
  const stored = nwritten + 4 <= h.memory.buffer.byteLength && new DataView(h.memory.buffer).getUint32(nwritten, true) !== SENTINEL;
  return { answer, sideEffect: h.stdoutBytes() !== before || (answer !== SUCCESS && stored) };
}

/** path_open(3, 0, path, …, O_CREAT) of raw path bytes put at 300; a side effect is a file created or an fd stored. */
function pathOpen(h: HostUnderTest, raw: Uint8Array | undefined, ptr = 300, len = raw?.length ?? 0): CaseResult {
  if (raw !== undefined) bytes(h).set(raw, ptr);
  setU32(h, RESULT, SENTINEL);
  const rights = BigInt(2 | 64); // fd_read | fd_write
  let answer: number | string;
  try {
    const r = h.imports["path_open"]!(3, 0, ptr, len, 1, rights, rights, 0, RESULT);
    answer = typeof r === "number" ? r : `returned ${String(r)}`;
  } catch (e) {
    answer = `throws ${e instanceof Error ? e.constructor.name : typeof e}`;
  }
  const stored = new DataView(h.memory.buffer).getUint32(RESULT, true) !== SENTINEL;
  return { answer, sideEffect: h.entries() > 0 || (answer !== SUCCESS && stored) };
}

const text = new TextEncoder();

/** The README's bad-pointer table, in order. */
export const POINTER_CASES: readonly PointerCase[] = [
  { name: "out-of-bounds iovec array", errno: FAULT, effect: "wrote", run: (h) => fdWrite(h, PAGE - 4, 1) },
  {
    name: "out-of-bounds buffer", errno: FAULT, effect: "wrote", run: (h) => {
      bytes(h).set(text.encode("hi"), 1000);
      iovecs(h, 100, [[1000, 2], [PAGE + 4096, 4]]);
      return fdWrite(h, 100, 2);
    },
  },
  {
    name: "buffer straddling the end", errno: FAULT, effect: "wrote", run: (h) => {
      bytes(h).set(text.encode("hi"), 1000);
      iovecs(h, 100, [[1000, 2], [PAGE - 2, 4]]);
      return fdWrite(h, 100, 2);
    },
  },
  {
    name: "`nwritten` out of bounds", errno: FAULT, effect: "wrote", run: (h) => {
      bytes(h).set(text.encode("hi"), 1000);
      iovecs(h, 100, [[1000, 2]]);
      return fdWrite(h, 100, 1, PAGE);
    },
  },
  {
    name: "misaligned iovecs", errno: INVAL, effect: "wrote", run: (h) => {
      bytes(h).set(text.encode("hi"), 1000);
      iovecs(h, 101, [[1000, 2]]);
      return fdWrite(h, 101, 1);
    },
  },
  {
    name: "zero-length out-of-bounds buffer", errno: FAULT, effect: "wrote", run: (h) => {
      bytes(h).set(text.encode("hi"), 1000);
      iovecs(h, 100, [[1000, 2], [PAGE + 4096, 0]]);
      return fdWrite(h, 100, 2);
    },
  },
  { name: "NUL in a path", errno: INVAL, effect: "created a file", run: (h) => pathOpen(h, text.encode("a\0b")) },
  { name: "invalid UTF-8 path", errno: ILSEQ, effect: "created a file", run: (h) => pathOpen(h, new Uint8Array([0x61, 0xff, 0xfe])) },
  { name: "out-of-bounds path", errno: FAULT, effect: "created a file", run: (h) => pathOpen(h, undefined, PAGE - 1, 8) },
  {
    name: "write after `memory.grow()`", errno: SUCCESS, effect: "wrote", run: (h) => {
      h.memory.grow(1);
      bytes(h).set(text.encode("grown"), PAGE + 100);
      iovecs(h, PAGE + 16, [[PAGE + 100, 5]]);
      const before = h.stdoutBytes();
      const answer = call(h, "fd_write", 1, PAGE + 16, 1, PAGE + 8);
      const n = new DataView(h.memory.buffer).getUint32(PAGE + 8, true);
      // The right side effect here is all 5 bytes out and reported.
      return { answer, sideEffect: !(h.stdoutBytes() - before === 5 && n === 5) };
    },
  },
];

/** The hosts the table compares. */
export const POINTER_HOSTS = ["vmio/wasi", "node:wasi", "@bjorn3/browser_wasi_shim"] as const;

/** Sets up a fresh host with a memory-only guest. */
export async function makeHost(name: (typeof POINTER_HOSTS)[number]): Promise<HostUnderTest> {
  const module = await Wasm.compile(MEMORY_ONLY_MODULE);
  if (name === "vmio/wasi") {
    const dir = new MemoryDir({});
    let out = 0;
    const wasi = new WASI({ preopens: { "/": dir }, stdout: (b) => (out += b.length) });
    const instance = await Wasm.instantiate(module, {});
    wasi.initialize(instance);
    return {
      imports: wasi.getImportObject().wasi_snapshot_preview1 as unknown as HostUnderTest["imports"],
      memory: instance.exports["memory"] as WasmMemory,
      stdoutBytes: () => out,
      entries: () => Object.keys(dir.snapshot()).length,
      dispose: () => {},
    };
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "wasi-badptr-"));
  if (name === "node:wasi") {
    const { WASI: NodeWASI } = await import("node:wasi");
    const outFile = path.join(scratch, ".stdout");
    const fd = fs.openSync(outFile, "w");
    const wasi = new NodeWASI({ version: "preview1", preopens: { "/": scratch }, stdout: fd, returnOnExit: true });
    const instance = await Wasm.instantiate(module, {});
    wasi.initialize(instance as Parameters<typeof wasi.initialize>[0]);
    return {
      imports: wasi.wasiImport as unknown as HostUnderTest["imports"],
      memory: instance.exports["memory"] as WasmMemory,
      stdoutBytes: () => fs.fstatSync(fd).size,
      entries: () => fs.readdirSync(scratch).filter((n) => n !== ".stdout").length,
      dispose: () => {
        fs.closeSync(fd);
        fs.rmSync(scratch, { recursive: true, force: true });
      },
    };
  }
  const shim = (await import("@bjorn3/browser_wasi_shim")) as unknown as Record<string, new (...args: unknown[]) => unknown>;
  const { WASI: ShimWASI, File, OpenFile, ConsoleStdout, PreopenDirectory } = shim;
  let out = 0;
  const contents = new Map<string, unknown>();
  const fds = [
    new OpenFile!(new File!(new Uint8Array(0))),
    new ConsoleStdout!((b: Uint8Array) => (out += b.length)),
    new ConsoleStdout!(() => {}),
    new PreopenDirectory!("/", contents),
  ];
  const wasi = new ShimWASI!([], [], fds, { debug: false }) as { wasiImport: HostUnderTest["imports"]; initialize(i: object): void };
  const instance = await Wasm.instantiate(module, {});
  wasi.initialize(instance);
  fs.rmSync(scratch, { recursive: true, force: true });
  const dir = fds[3] as { dir: { contents: Map<string, unknown> } };
  return {
    imports: wasi.wasiImport,
    memory: instance.exports["memory"] as WasmMemory,
    stdoutBytes: () => out,
    entries: () => dir.dir.contents.size,
    dispose: () => {},
  };
}

/** Runs every case on a fresh instance of `host`. */
export async function runPointerCases(host: (typeof POINTER_HOSTS)[number]): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of POINTER_CASES) {
    const h = await makeHost(host);
    try {
      results.push(c.run(h));
    } finally {
      h.dispose();
    }
  }
  return results;
}
