/**
 * `vmio/wasi` for any runtime (browsers, workers, Deno, Node): a WASI
 * preview1 host on guest memory with in-memory directories.
 *
 * Node resolves `vmio/wasi` to `node.ts` instead (package.json conditional
 * exports), which adds host directories and host fds; this entry imports
 * nothing from Node and refuses those with a `TypeError`. Both export the
 * same names; only what `WASI` accepts differs (documented on `WASI` and
 * `WASIOptions`).
 *
 * @module vmio/wasi
 */

import { ConsoleOutput, BytesInput, type StdioStream } from "./stdio.js";
import { WasiHost, type HostBindings, type WASIOptions } from "./wasi.js";

export { MemoryDir, MemoryFile, MemorySubdir, MemorySymlink, type MemoryDirTree, type MemoryEntryOptions } from "./memory-dir.js";
export { type WASIOptions, type WasiImports, type WasmInstance } from "./wasi.js";
export { type HostFunction } from "./calls/imports.js";
export { Errno, type ErrnoValue } from "./abi.js";

const bindings: HostBindings = {
  entry: "this runtime's vmio/wasi entry (not Node's)",
  openHostDir: undefined,
  hostStdio: undefined,
  defaultStdio(fd: 0 | 1 | 2): StdioStream {
    if (fd === 0) return new BytesInput(new Uint8Array(0));
    return new ConsoleOutput(fd === 1 ? (line) => console.log(line) : (line) => console.error(line));
  },
  exitProcess: undefined,
};

/**
 * A WASI preview1 host for one guest (README, "`vmio/wasi`"): every guest
 * pointer checked before the call's first side effect, errnos — never JS
 * exceptions — for bad guest input. node:wasi counterpart: `WASI`; WASI
 * counterpart: the `wasi_snapshot_preview1` module.
 *
 * Without options for them, stdin is empty and stdout/stderr go to the
 * console line by line. Under Node, `vmio/wasi` is the Node entry, whose
 * `WASI` also takes host directories as preopens and host fds as stdio
 * (by default the process's fds 0, 1 and 2).
 *
 * @throws {TypeError} an option of the wrong type; a host path or a host fd (use the Node entry).
 * @throws {RangeError} `returnOnExit: false` (no process to end here); a NUL in an argument.
 */
export class WASI extends WasiHost {
  constructor(options: WASIOptions = {}) {
    super(options, bindings);
  }
}
