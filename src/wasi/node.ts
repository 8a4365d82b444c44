/**
 * `vmio/wasi` under Node: everything of the default entry, plus host
 * directories as preopens (`preopens: { "/": "/some/host/dir" }`) and host
 * fds as stdio. package.json's `exports["./wasi"].node` points here; the
 * host file-system backend is reachable from nowhere else.
 *
 * @module
 */

import { openHostDir } from "./fs/host-fs.js";
import { HostFdStream } from "./node-stdio.js";
import { WasiHost, type HostBindings, type WASIOptions } from "./wasi.js";

export { MemoryDir, MemoryFile, MemorySubdir, MemorySymlink, type MemoryDirTree, type MemoryEntryOptions } from "./memory-dir.js";
export { type WASIOptions, type WasiImports, type WasmInstance } from "./wasi.js";
export { type HostFunction } from "./calls/imports.js";
export { Errno, type ErrnoValue } from "./abi.js";

const bindings: HostBindings = {
  entry: "vmio/wasi for Node",
  openHostDir,
  hostStdio: (fd, input) => new HostFdStream(fd, input),
  defaultStdio: (fd) => new HostFdStream(fd, fd === 0),
  exitProcess: (code) => process.exit(code),
};

/**
 * A WASI preview1 host for one guest (README, "`vmio/wasi`"), with host
 * directories and host fds. node:wasi counterpart: `WASI` (same options
 * and methods); WASI counterpart: the `wasi_snapshot_preview1` module.
 *
 * Without options for them, stdin, stdout and stderr are the process's
 * fds 0, 1 and 2. A string preopen is a host directory: the guest can
 * reach nothing outside it, through `..`, absolute paths or symlinks.
 *
 * @throws {TypeError} an option of the wrong type; a preopen path that is not a host directory.
 * @throws {RangeError} a NUL in an argument or environment variable.
 */
export class WASI extends WasiHost {
  constructor(options: WASIOptions = {}) {
    super(options, bindings);
  }
}
