/**
 * The state one guest's preview1 functions share, and the checks every
 * function starts with: fd lookups with kind and rights, guest pointers
 * (alignment → `INVAL`, bounds → `FAULT`), paths.
 *
 * Every guest access goes through the guest's `GuestMemory`. A function
 * checks all its pointers with these helpers before its first side effect,
 * so a call that fails on guest input has changed nothing.
 *
 * @module
 */

import { GuestMemory } from "../guest/guest-memory.js";
import { VmError } from "../io/vm-error.js";
import { Errno, type ErrnoValue } from "./abi.js";
import { Scratch } from "./byte-slab.js";
import { FdTable, type Descriptor, type DirDescriptor } from "./fd-table.js";
import { FsError } from "./fs/file-system.js";
import { RandomPool } from "./random-pool.js";
import { StringList } from "./string-list.js";

/** Thrown by `proc_exit` through the guest's frames to `WASI.start`. */
export class ProcExit {
  readonly code: number;
  constructor(code: number) {
    this.code = code;
  }
}

/** One guest's WASI state: its fds, argv and environment, and (once bound) its memory. */
export class WasiContext {
  readonly fds = new FdTable();
  /** argv and the environment (`NAME=value`), laid out as the guest receives them. */
  readonly args: StringList;
  readonly env: StringList;
  /** Where writes to files are gathered: backends consume the bytes before the call returns. */
  readonly scratch = new Scratch();
  /** Where `random_get` draws its bytes from. */
  readonly random = new RandomPool();
  #memory: GuestMemory | undefined;

  constructor(args: readonly Uint8Array[], env: readonly Uint8Array[]) {
    this.args = new StringList(args);
    this.env = new StringList(env);
  }

  /** Binds the guest's memory (at `start`/`initialize`). */
  bind(memory: GuestMemory): void {
    this.#memory = memory;
  }

  /** The guest's memory. @throws {TypeError} before `start`/`initialize` (a host bug). */
  memory(): GuestMemory {
    return this.#memory ?? notStarted();
  }

  /** A directory fd with `rights`: `BADF` closed, `NOTDIR` not a directory, `NOTCAPABLE` lacking a right. */
  dirFd(fd: number, rights: number): DirDescriptor | ErrnoValue {
    const d = this.fds.get(fd >>> 0);
    if (d === undefined) return Errno.BADF;
    if (d.kind !== "dir") return Errno.NOTDIR;
    if ((d.base & rights) !== rights) return Errno.NOTCAPABLE;
    return d;
  }

  /** A file or stdio fd with `rights`: `BADF` closed or a directory, `NOTCAPABLE` lacking a right. */
  ioFd(fd: number, rights: number): Exclude<Descriptor, DirDescriptor> | ErrnoValue {
    const d = this.fds.get(fd >>> 0);
    if (d === undefined || d.kind === "dir") return Errno.BADF;
    if ((d.base & rights) !== rights) return Errno.NOTCAPABLE;
    return d;
  }

  /** Any fd with `rights`. */
  anyFd(fd: number, rights: number): Descriptor | ErrnoValue {
    const d = this.fds.get(fd >>> 0);
    if (d === undefined) return Errno.BADF;
    if ((d.base & rights) !== rights) return Errno.NOTCAPABLE;
    return d;
  }
}

function notStarted(): never {
  throw new TypeError("vmio/wasi: a host function was called before start() or initialize() bound the guest's memory");
}

/**
 * Checks a guest pointer to a `size`-byte value of alignment `align`:
 * `INVAL` misaligned, `FAULT` not wholly inside memory, else `SUCCESS`
 * (wasmtime's `GuestPtr` validation).
 */
export function checkPtr(mem: GuestMemory, ptr: number, size: number, align: number): ErrnoValue {
  if (((ptr >>> 0) & (align - 1)) !== 0) return Errno.INVAL;
  return checkRange(mem, ptr, size);
}

/**
 * Checks a guest byte range: `FAULT` unless `[ptr, ptr + len)` is inside
 * memory. `len` may be computed from guest counts (n × record size) and
 * exceed 4 GiB: no such range fits wasm32 memory.
 */
export function checkRange(mem: GuestMemory, ptr: number, len: number): ErrnoValue {
  if (len > 0xffff_ffff) return Errno.FAULT;
  try {
    mem.check(ptr, len);
    return Errno.SUCCESS;
  } catch (e) {
    return errnoOf(e);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The longest path, counting a terminating NUL as C does (Linux's
 * `PATH_MAX`): what a guest may make the host copy for one path.
 */
const PATH_MAX = 4096;

/**
 * Reads the guest path `[ptr, ptr + len)`: `FAULT` outside memory,
 * `NAMETOOLONG` of `PATH_MAX` bytes or more (Linux's `getname`), `ILSEQ`
 * not UTF-8, `INVAL` with a NUL (WASI paths are counted, not C strings).
 */
export function readPath(mem: GuestMemory, ptr: number, len: number): string | ErrnoValue {
  const e = checkRange(mem, ptr, len);
  if (e !== Errno.SUCCESS) return e;
  if (len >>> 0 >= PATH_MAX) return Errno.NAMETOOLONG;
  const bytes = new Uint8Array(len >>> 0);
  mem.readBytes(ptr, bytes);
  if (bytes.includes(0)) return Errno.INVAL;
  try {
    return utf8.decode(bytes);
  } catch {
    return Errno.ILSEQ;
  }
}

/**
 * The errno of a failure on the guest's behalf: a backend's `FsError`, or a
 * guest-memory `VmError` (`PageFault` → `FAULT`, `InvalidArgs` → `INVAL`).
 * Anything else is a host bug and is rethrown.
 */
export function errnoOf(e: unknown): ErrnoValue {
  if (e instanceof FsError) return e.errno;
  if (e instanceof VmError) return e.code === "PageFault" ? Errno.FAULT : Errno.INVAL;
  throw e;
}

/** Runs a backend operation: its failure's errno, or `SUCCESS`. */
export function attempt(op: () => void): ErrnoValue {
  try {
    op();
    return Errno.SUCCESS;
  } catch (e) {
    return errnoOf(e);
  }
}
