/**
 * The `wasi_snapshot_preview1` import object: the 46 functions of preview1,
 * each bound to one guest's {@link WasiContext}.
 *
 * @module
 */

import type { WasiContext } from "../context.js";
import * as fd from "./fd.js";
import * as path from "./path.js";
import { poll_oneoff } from "./poll.js";
import * as process from "./process.js";

/**
 * A host function as the guest imports it: wasm `i32`s arrive as numbers,
 * `i64`s as bigints. Called from JavaScript with values of another type, it
 * takes them as a wasm function of its witx signature would (the JS API's
 * `ToWebAssemblyValue`): an `i32` is `ToInt32(v)` (a bigint or a symbol
 * throws `TypeError`), an `i64` is `ToBigInt64(v)` (a bigint modulo 2^64; a
 * number, `undefined`, `null` or a symbol throws `TypeError`, a string that
 * is not an integer `SyntaxError`). Each argument is converted once, in
 * order — an object's `valueOf` runs then — before the call reads guest
 * memory or any state; a conversion that throws has done nothing.
 * WebAssembly JS API counterpart: a host function called through wasm.
 */
export type HostFunction = (...args: (number | bigint)[]) => number;

/** A wasm `i32` parameter: what a wasm caller passes (a number); any other value is coerced with `| 0`. */
type I32 = number;
/** A wasm `i64` parameter: what a wasm caller passes (a bigint); any other value goes through {@link i64}. */
type I64 = bigint;

/**
 * An `i64` argument as the WebAssembly JS API's `ToBigInt64` takes it: a
 * bigint as it is, anything else through `ToBigInt` (`BigInt.asIntN` does
 * it): a number, `undefined`, `null` or a symbol throws `TypeError`, a
 * string that is not an integer `SyntaxError`, a boolean is 0n or 1n, an
 * object is first its primitive (its `valueOf`/`Symbol.toPrimitive` runs
 * here). A bigint is not wrapped here: every call reads each of its `i64`s
 * modulo 2^64 (`BigInt.asUintN`/`asIntN(64, …)` where the value is used, or
 * not at all), which is `ToBigInt64`'s wrap — and a wasm caller, whose i64
 * is always in range, pays only the `typeof`.
 */
function i64(v: unknown): bigint {
  return typeof v === "bigint" ? v : BigInt.asIntN(64, v as bigint);
}

/**
 * The import object's functions for `cx`, in witx order.
 *
 * Arguments of the wrong JS type (only a JavaScript caller can pass them)
 * are taken as if they had come through wasm: each import behaves as a wasm
 * function of its witx signature called from JavaScript, whose arguments go
 * through the JS API's `ToWebAssemblyValue`. An `i32` is `ToInt32(v)` — `x | 0`,
 * which is exactly that for any number, so `undefined` and `NaN` are 0,
 * fractions truncate, 2^32 + 1 is 1 — except that a bigint throws `TypeError`
 * (as `ToNumber` does); an `i64` is `ToBigInt64(v)` ({@link i64}). Each
 * argument is converted once, left to right, in the arrow's argument list —
 * so an object's `valueOf` (user code, which the JS API calls too) runs
 * before the call reads guest memory or looks at any state, and a call it
 * makes into this host sees it as it was. A conversion that throws throws
 * before anything happened. For a number or a bigint in range (what wasm
 * passes), each conversion is the identity.
 *
 * Each is an arrow function taking exactly the parameters of its wasm
 * signature. Why not `fn.bind(undefined, cx)`: V8's wasm-to-JS call
 * reaches a plain function whose declared arity matches the signature
 * directly, while a bound function (or an arity mismatch) goes through the
 * generic call builtin and its argument adaptation. Each arrow is its own
 * function literal, so its call to the call's implementation is
 * monomorphic and TurboFan inlines it.
 */
export function preview1Imports(cx: WasiContext): Record<string, HostFunction> {
  const imports = {
    args_get: (argv: I32, buf: I32) => process.args_get(cx, argv | 0, buf | 0),
    args_sizes_get: (argc: I32, size: I32) => process.args_sizes_get(cx, argc | 0, size | 0),
    environ_get: (environ: I32, buf: I32) => process.environ_get(cx, environ | 0, buf | 0),
    environ_sizes_get: (count: I32, size: I32) => process.environ_sizes_get(cx, count | 0, size | 0),
    clock_res_get: (id: I32, resolution: I32) => process.clock_res_get(cx, id | 0, resolution | 0),
    clock_time_get: (id: I32, precision: I64, time: I32) => process.clock_time_get(cx, id | 0, i64(precision), time | 0),
    fd_advise: (f: I32, offset: I64, len: I64, advice: I32) => fd.fd_advise(cx, f | 0, i64(offset), i64(len), advice | 0),
    fd_allocate: (f: I32, offset: I64, len: I64) => fd.fd_allocate(cx, f | 0, i64(offset), i64(len)),
    fd_close: (f: I32) => fd.fd_close(cx, f | 0),
    fd_datasync: (f: I32) => fd.fd_datasync(cx, f | 0),
    fd_fdstat_get: (f: I32, buf: I32) => fd.fd_fdstat_get(cx, f | 0, buf | 0),
    fd_fdstat_set_flags: (f: I32, flags: I32) => fd.fd_fdstat_set_flags(cx, f | 0, flags | 0),
    fd_fdstat_set_rights: (f: I32, base: I64, inheriting: I64) => fd.fd_fdstat_set_rights(cx, f | 0, i64(base), i64(inheriting)),
    fd_filestat_get: (f: I32, buf: I32) => fd.fd_filestat_get(cx, f | 0, buf | 0),
    fd_filestat_set_size: (f: I32, size: I64) => fd.fd_filestat_set_size(cx, f | 0, i64(size)),
    fd_filestat_set_times: (f: I32, atim: I64, mtim: I64, flags: I32) => fd.fd_filestat_set_times(cx, f | 0, i64(atim), i64(mtim), flags | 0),
    fd_pread: (f: I32, iovs: I32, count: I32, offset: I64, nread: I32) => fd.fd_pread(cx, f | 0, iovs | 0, count | 0, i64(offset), nread | 0),
    fd_prestat_get: (f: I32, buf: I32) => fd.fd_prestat_get(cx, f | 0, buf | 0),
    fd_prestat_dir_name: (f: I32, p: I32, len: I32) => fd.fd_prestat_dir_name(cx, f | 0, p | 0, len | 0),
    fd_pwrite: (f: I32, iovs: I32, count: I32, offset: I64, nwritten: I32) => fd.fd_pwrite(cx, f | 0, iovs | 0, count | 0, i64(offset), nwritten | 0),
    fd_read: (f: I32, iovs: I32, count: I32, nread: I32) => fd.fd_read(cx, f | 0, iovs | 0, count | 0, nread | 0),
    fd_readdir: (f: I32, buf: I32, len: I32, cookie: I64, used: I32) => fd.fd_readdir(cx, f | 0, buf | 0, len | 0, i64(cookie), used | 0),
    fd_renumber: (from: I32, to: I32) => fd.fd_renumber(cx, from | 0, to | 0),
    fd_seek: (f: I32, offset: I64, whence: I32, newOffset: I32) => fd.fd_seek(cx, f | 0, i64(offset), whence | 0, newOffset | 0),
    fd_sync: (f: I32) => fd.fd_sync(cx, f | 0),
    fd_tell: (f: I32, offset: I32) => fd.fd_tell(cx, f | 0, offset | 0),
    fd_write: (f: I32, iovs: I32, count: I32, nwritten: I32) => fd.fd_write(cx, f | 0, iovs | 0, count | 0, nwritten | 0),
    path_create_directory: (f: I32, p: I32, len: I32) => path.path_create_directory(cx, f | 0, p | 0, len | 0),
    path_filestat_get: (f: I32, flags: I32, p: I32, len: I32, buf: I32) => path.path_filestat_get(cx, f | 0, flags | 0, p | 0, len | 0, buf | 0),
    path_filestat_set_times: (f: I32, flags: I32, p: I32, len: I32, atim: I64, mtim: I64, fstflags: I32) =>
      path.path_filestat_set_times(cx, f | 0, flags | 0, p | 0, len | 0, i64(atim), i64(mtim), fstflags | 0),
    path_link: (oldFd: I32, oldFlags: I32, oldPath: I32, oldLen: I32, newFd: I32, newPath: I32, newLen: I32) =>
      path.path_link(cx, oldFd | 0, oldFlags | 0, oldPath | 0, oldLen | 0, newFd | 0, newPath | 0, newLen | 0),
    path_open: (f: I32, dirflags: I32, p: I32, len: I32, oflags: I32, base: I64, inheriting: I64, fdflags: I32, opened: I32) =>
      path.path_open(cx, f | 0, dirflags | 0, p | 0, len | 0, oflags | 0, i64(base), i64(inheriting), fdflags | 0, opened | 0),
    path_readlink: (f: I32, p: I32, len: I32, buf: I32, bufLen: I32, used: I32) => path.path_readlink(cx, f | 0, p | 0, len | 0, buf | 0, bufLen | 0, used | 0),
    path_remove_directory: (f: I32, p: I32, len: I32) => path.path_remove_directory(cx, f | 0, p | 0, len | 0),
    path_rename: (oldFd: I32, oldPath: I32, oldLen: I32, newFd: I32, newPath: I32, newLen: I32) =>
      path.path_rename(cx, oldFd | 0, oldPath | 0, oldLen | 0, newFd | 0, newPath | 0, newLen | 0),
    path_symlink: (oldPath: I32, oldLen: I32, f: I32, newPath: I32, newLen: I32) => path.path_symlink(cx, oldPath | 0, oldLen | 0, f | 0, newPath | 0, newLen | 0),
    path_unlink_file: (f: I32, p: I32, len: I32) => path.path_unlink_file(cx, f | 0, p | 0, len | 0),
    poll_oneoff: (inPtr: I32, outPtr: I32, n: I32, nevents: I32) => poll_oneoff(cx, inPtr | 0, outPtr | 0, n | 0, nevents | 0),
    proc_exit: (code: I32) => process.proc_exit(cx, code | 0),
    proc_raise: (sig: I32) => process.proc_raise(cx, sig | 0),
    sched_yield: () => process.sched_yield(cx),
    random_get: (buf: I32, len: I32) => process.random_get(cx, buf | 0, len | 0),
    sock_accept: (f: I32, flags: I32, result: I32) => process.sock_accept(cx, f | 0, flags | 0, result | 0),
    sock_recv: (f: I32, riData: I32, riCount: I32, riFlags: I32, roDatalen: I32, roFlags: I32) =>
      process.sock_recv(cx, f | 0, riData | 0, riCount | 0, riFlags | 0, roDatalen | 0, roFlags | 0),
    sock_send: (f: I32, siData: I32, siCount: I32, siFlags: I32, soDatalen: I32) => process.sock_send(cx, f | 0, siData | 0, siCount | 0, siFlags | 0, soDatalen | 0),
    sock_shutdown: (f: I32, how: I32) => process.sock_shutdown(cx, f | 0, how | 0),
  };
  return imports as Record<keyof typeof imports, HostFunction>;
}
