/**
 * `WASI`: a `wasi_snapshot_preview1` host for one guest instance, shaped
 * like Node's `node:wasi` so hosts can switch.
 *
 * This file holds what both entry points share; `index.ts` (any runtime)
 * and `node.ts` (Node) each subclass it with the host bindings they can
 * offer — only the Node entry can open a host directory or a host fd.
 *
 * @module
 */

import { invalidType, outOfRange, contractViolation } from "../base/contract.js";
import { DIR_INHERITING_RIGHTS, DIR_RIGHTS, STDIO_RIGHTS } from "./abi.js";
import type { FsDir } from "./fs/file-system.js";
import { GuestMemory } from "../guest/guest-memory.js";
import { memoryBuffer, type WebAssemblyMemory } from "../guest/guest-space.js";
import { preview1Imports, type HostFunction } from "./calls/imports.js";
import { closeDescriptor } from "./calls/fs-support.js";
import { ProcExit, WasiContext } from "./context.js";
import { MemoryDir, memoryDirRoot } from "./memory-dir.js";
import { BytesInput, SinkOutput, type StdioStream } from "./stdio.js";

/** Options of `new WASI(…)` (README, "`vmio/wasi`"). */
export interface WASIOptions {
  /** argv, argv[0] included; default none. */
  args?: readonly string[];
  /** The guest's whole environment; default empty. */
  env?: Readonly<Record<string, string>>;
  /** Guest path → host directory (Node entry only) or in-memory directory; fds 3, 4, … in this order. */
  preopens?: Readonly<Record<string, string | MemoryDir>>;
  /** A host fd (Node entry only) or the bytes to read. */
  stdin?: number | Uint8Array;
  /** A host fd (Node entry only) or a function handed each write's bytes (a copy it may keep). */
  stdout?: number | ((bytes: Uint8Array) => void);
  /** As `stdout`. */
  stderr?: number | ((bytes: Uint8Array) => void);
  /** Default true: `proc_exit` ends `start()` with the code. False: it ends the process (Node entry only). */
  returnOnExit?: boolean;
}

/** What {@link WasiHost.getImportObject} returns: the import object to instantiate a guest with. */
export interface WasiImports {
  /** The 46 preview1 functions by their import names (`fd_write`, `path_open`, …), bound to this host. */
  wasi_snapshot_preview1: Record<string, HostFunction>;
}

/** The part of a `WebAssembly.Instance` the host uses. */
export interface WasmInstance {
  /** The guest's exports: `memory` (a `WebAssembly.Memory`), and `_start` (a command) or `_initialize` (a reactor). */
  readonly exports: Readonly<Record<string, unknown>>;
}

/**
 * What an entry point can offer beyond what every runtime has. Not exported
 * by either entry: `node.ts` and `index.ts` each pass their own.
 */
export interface HostBindings {
  /** Which entry this is, for error messages. */
  readonly entry: string;
  /** A host directory for a string preopen; undefined where there is no host file system. */
  readonly openHostDir: ((path: string, name: string) => FsDir) | undefined;
  /** A stream over a host fd; undefined where there are none. */
  readonly hostStdio: ((fd: number, input: boolean) => StdioStream) | undefined;
  /** The stream a standard fd has when the options name none. */
  defaultStdio(fd: 0 | 1 | 2): StdioStream;
  /** Ends the process (for `returnOnExit: false`); undefined where a host cannot. */
  readonly exitProcess: ((code: number) => never) | undefined;
}

/**
 * The preview1 host both entry points subclass as `WASI` (with their own
 * {@link HostBindings}); not exported by either entry. node:wasi
 * counterpart: `WASI`.
 */
export class WasiHost {
  readonly #context: WasiContext;
  readonly #imports: Record<string, HostFunction>;
  readonly #stdio: StdioStream[];
  readonly #returnOnExit: boolean;
  readonly #exitProcess: ((code: number) => never) | undefined;
  #started = false;

  protected constructor(options: WASIOptions, bindings: HostBindings) {
    if (typeof options !== "object" || options === null) invalidType("options", "an object", options);
    // Each option is read once: a getter on the user's object runs once, before anything is built.
    const { args = [], env = {}, preopens = {}, stdin, stdout, stderr, returnOnExit = true } = options;
    if (!Array.isArray(args)) invalidType("options.args", "an array of strings", args);
    const argv = args.map((a, i) => encodeArg(a, `options.args[${i}]`));
    if (typeof env !== "object" || env === null) invalidType("options.env", "an object", env);
    const environ = Object.entries(env).map(([k, v]) => {
      if (k.includes("=")) outOfRange(`options.env[${JSON.stringify(k)}]`, "a name without `=`", k);
      return encodeArg(`${k}=${typeof v === "string" ? v : invalidType(`options.env[${JSON.stringify(k)}]`, "a string", v)}`, "options.env");
    });
    if (typeof returnOnExit !== "boolean") invalidType("options.returnOnExit", "a boolean", returnOnExit);
    if (!returnOnExit && bindings.exitProcess === undefined) {
      contractViolation(`options.returnOnExit: false ends the process, which ${bindings.entry} cannot do; use the Node entry`);
    }
    this.#returnOnExit = returnOnExit;
    this.#exitProcess = bindings.exitProcess;
    this.#stdio = [
      stdioStream(stdin, 0, bindings),
      stdioStream(stdout, 1, bindings),
      stdioStream(stderr, 2, bindings),
    ];
    if (typeof preopens !== "object" || preopens === null) invalidType("options.preopens", "an object", preopens);
    const dirs = Object.entries(preopens).map(([name, where]): [Uint8Array, FsDir] => {
      const label = `options.preopens[${JSON.stringify(name)}]`;
      if (name.includes("\0")) outOfRange(label, "a guest path without NUL", name);
      if (where instanceof MemoryDir) return [new TextEncoder().encode(name), memoryDirRoot(where)];
      if (typeof where !== "string") invalidType(label, "a host directory path (a string) or a MemoryDir", where);
      if (bindings.openHostDir === undefined) {
        invalidType(label, `a MemoryDir: ${bindings.entry} has no host file system (import "vmio/wasi" from Node for host directories)`, where);
      }
      return [new TextEncoder().encode(name), bindings.openHostDir(where, label)];
    });

    const cx = new WasiContext(argv, environ);
    this.#stdio.forEach((stream) => cx.fds.add({ kind: "stdio", stream, base: STDIO_RIGHTS, inheriting: 0, fdflags: 0 }));
    for (const [name, dir] of dirs) {
      cx.fds.add({ kind: "dir", dir, preopen: name, base: DIR_RIGHTS, inheriting: DIR_INHERITING_RIGHTS, fdflags: 0 });
    }
    this.#context = cx;
    this.#imports = preview1Imports(cx);
  }

  /**
   * The imports to instantiate the guest with: `{ wasi_snapshot_preview1: { … } }`,
   * all 46 preview1 functions. node:wasi counterpart: `wasi.getImportObject()`.
   */
  getImportObject(): WasiImports {
    return { wasi_snapshot_preview1: { ...this.#imports } };
  }

  /**
   * Runs a command's `_start` and returns its exit code: 0 when `_start`
   * returns, the code given to `proc_exit` otherwise. A trap propagates
   * (as a `WebAssembly.RuntimeError`). Files the guest left open are
   * closed and buffered output is flushed when it ends.
   * node:wasi counterpart: `wasi.start(instance)`.
   *
   * @throws {TypeError} `instance` exports no memory or no `_start`, or exports `_initialize`.
   * @throws {RangeError} this WASI was already started or initialized.
   */
  start(instance: WasmInstance): number {
    const { memory, start, initialize } = this.#exportsOf(instance);
    if (typeof start !== "function") invalidType("instance.exports._start", "a function", start);
    if (initialize !== undefined) invalidType("instance.exports._initialize", "absent in a command (it has _start)", initialize);
    this.#bind(memory);
    let code = 0;
    try {
      (start as () => void)();
    } catch (e) {
      if (!(e instanceof ProcExit)) throw e;
      code = e.code;
    } finally {
      this.#finish();
    }
    if (!this.#returnOnExit) this.#exitProcess!(code);
    return code;
  }

  /**
   * Prepares a reactor: binds its memory and calls its `_initialize`, if any.
   * node:wasi counterpart: `wasi.initialize(instance)`.
   *
   * @throws {TypeError} no memory export; `_start` exported; `_initialize` not a function.
   * @throws {RangeError} this WASI was already started or initialized.
   * @throws {Error} `_initialize` called `proc_exit` (with `returnOnExit`; without it the process ends).
   */
  initialize(instance: WasmInstance): void {
    const { memory, start, initialize } = this.#exportsOf(instance);
    if (start !== undefined) invalidType("instance.exports._start", "absent in a reactor", start);
    if (initialize !== undefined && typeof initialize !== "function") invalidType("instance.exports._initialize", "a function", initialize);
    this.#bind(memory);
    if (initialize === undefined) return;
    try {
      (initialize as () => void)();
    } catch (e) {
      if (!(e instanceof ProcExit)) throw e;
      this.#finish();
      if (!this.#returnOnExit) this.#exitProcess!(e.code);
      throw new Error(`the reactor called proc_exit(${e.code}) during _initialize`);
    }
  }

  /** Reads the exports a host needs, each once (they may be getters), and checks the memory; changes nothing. */
  #exportsOf(instance: WasmInstance): { memory: WebAssemblyMemory; start: unknown; initialize: unknown } {
    if (this.#started) contractViolation("this WASI instance has already been started or initialized");
    if (typeof instance !== "object" || instance === null) invalidType("instance", "a WebAssembly.Instance", instance);
    const exports = instance.exports;
    if (typeof exports !== "object" || exports === null) invalidType("instance.exports", "an object", exports);
    const memory = exports["memory"];
    if (memoryBuffer(memory) === undefined) invalidType("instance.exports.memory", "a WebAssembly.Memory", memory);
    return { memory: memory as WebAssemblyMemory, start: exports["_start"], initialize: exports["_initialize"] };
  }

  /** Binds the guest's memory: from here on the host functions work, and this WASI cannot be started again. */
  #bind(memory: WebAssemblyMemory): void {
    this.#started = true;
    this.#context.bind(new GuestMemory(memory));
  }

  #finish(): void {
    for (const d of this.#context.fds.all()) closeDescriptor(d);
    for (const s of this.#stdio) s.flush();
  }
}

function encodeArg(value: unknown, name: string): Uint8Array {
  if (typeof value !== "string") invalidType(name, "a string", value);
  if (value.includes("\0")) outOfRange(name, "a string without NUL", value);
  return new TextEncoder().encode(value);
}

function stdioStream(option: unknown, fd: 0 | 1 | 2, bindings: HostBindings): StdioStream {
  const name = ["options.stdin", "options.stdout", "options.stderr"][fd]!;
  if (option === undefined) return bindings.defaultStdio(fd);
  if (typeof option === "number") {
    if (!Number.isSafeInteger(option) || option < 0) outOfRange(name, "a host file descriptor (a non-negative integer)", option);
    if (bindings.hostStdio === undefined) invalidType(name, `${fd === 0 ? "a Uint8Array" : "a function"}: ${bindings.entry} has no host fds`, option);
    return bindings.hostStdio(option, fd === 0);
  }
  if (fd === 0) {
    if (option instanceof Uint8Array) return new BytesInput(option);
    return invalidType(name, "a host fd or a Uint8Array", option);
  }
  if (typeof option === "function") return new SinkOutput(option as (bytes: Uint8Array) => void);
  return invalidType(name, "a host fd or a function", option);
}
