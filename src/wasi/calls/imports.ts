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

/** A host function as the guest imports it: wasm `i32`s arrive as numbers, `i64`s as bigints. */
export type HostFunction = (...args: (number | bigint)[]) => number;

type I32 = number;
type I64 = bigint;

/**
 * The import object's functions for `cx`, in witx order.
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
    args_get: (argv: I32, buf: I32) => process.args_get(cx, argv, buf),
    args_sizes_get: (argc: I32, size: I32) => process.args_sizes_get(cx, argc, size),
    environ_get: (environ: I32, buf: I32) => process.environ_get(cx, environ, buf),
    environ_sizes_get: (count: I32, size: I32) => process.environ_sizes_get(cx, count, size),
    clock_res_get: (id: I32, resolution: I32) => process.clock_res_get(cx, id, resolution),
    clock_time_get: (id: I32, precision: I64, time: I32) => process.clock_time_get(cx, id, precision, time),
    fd_advise: (f: I32, offset: I64, len: I64, advice: I32) => fd.fd_advise(cx, f, offset, len, advice),
    fd_allocate: (f: I32, offset: I64, len: I64) => fd.fd_allocate(cx, f, offset, len),
    fd_close: (f: I32) => fd.fd_close(cx, f),
    fd_datasync: (f: I32) => fd.fd_datasync(cx, f),
    fd_fdstat_get: (f: I32, buf: I32) => fd.fd_fdstat_get(cx, f, buf),
    fd_fdstat_set_flags: (f: I32, flags: I32) => fd.fd_fdstat_set_flags(cx, f, flags),
    fd_fdstat_set_rights: (f: I32, base: I64, inheriting: I64) => fd.fd_fdstat_set_rights(cx, f, base, inheriting),
    fd_filestat_get: (f: I32, buf: I32) => fd.fd_filestat_get(cx, f, buf),
    fd_filestat_set_size: (f: I32, size: I64) => fd.fd_filestat_set_size(cx, f, size),
    fd_filestat_set_times: (f: I32, atim: I64, mtim: I64, flags: I32) => fd.fd_filestat_set_times(cx, f, atim, mtim, flags),
    fd_pread: (f: I32, iovs: I32, count: I32, offset: I64, nread: I32) => fd.fd_pread(cx, f, iovs, count, offset, nread),
    fd_prestat_get: (f: I32, buf: I32) => fd.fd_prestat_get(cx, f, buf),
    fd_prestat_dir_name: (f: I32, p: I32, len: I32) => fd.fd_prestat_dir_name(cx, f, p, len),
    fd_pwrite: (f: I32, iovs: I32, count: I32, offset: I64, nwritten: I32) => fd.fd_pwrite(cx, f, iovs, count, offset, nwritten),
    fd_read: (f: I32, iovs: I32, count: I32, nread: I32) => fd.fd_read(cx, f, iovs, count, nread),
    fd_readdir: (f: I32, buf: I32, len: I32, cookie: I64, used: I32) => fd.fd_readdir(cx, f, buf, len, cookie, used),
    fd_renumber: (from: I32, to: I32) => fd.fd_renumber(cx, from, to),
    fd_seek: (f: I32, offset: I64, whence: I32, newOffset: I32) => fd.fd_seek(cx, f, offset, whence, newOffset),
    fd_sync: (f: I32) => fd.fd_sync(cx, f),
    fd_tell: (f: I32, offset: I32) => fd.fd_tell(cx, f, offset),
    fd_write: (f: I32, iovs: I32, count: I32, nwritten: I32) => fd.fd_write(cx, f, iovs, count, nwritten),
    path_create_directory: (f: I32, p: I32, len: I32) => path.path_create_directory(cx, f, p, len),
    path_filestat_get: (f: I32, flags: I32, p: I32, len: I32, buf: I32) => path.path_filestat_get(cx, f, flags, p, len, buf),
    path_filestat_set_times: (f: I32, flags: I32, p: I32, len: I32, atim: I64, mtim: I64, fstflags: I32) =>
      path.path_filestat_set_times(cx, f, flags, p, len, atim, mtim, fstflags),
    path_link: (oldFd: I32, oldFlags: I32, oldPath: I32, oldLen: I32, newFd: I32, newPath: I32, newLen: I32) =>
      path.path_link(cx, oldFd, oldFlags, oldPath, oldLen, newFd, newPath, newLen),
    path_open: (f: I32, dirflags: I32, p: I32, len: I32, oflags: I32, base: I64, inheriting: I64, fdflags: I32, opened: I32) =>
      path.path_open(cx, f, dirflags, p, len, oflags, base, inheriting, fdflags, opened),
    path_readlink: (f: I32, p: I32, len: I32, buf: I32, bufLen: I32, used: I32) => path.path_readlink(cx, f, p, len, buf, bufLen, used),
    path_remove_directory: (f: I32, p: I32, len: I32) => path.path_remove_directory(cx, f, p, len),
    path_rename: (oldFd: I32, oldPath: I32, oldLen: I32, newFd: I32, newPath: I32, newLen: I32) =>
      path.path_rename(cx, oldFd, oldPath, oldLen, newFd, newPath, newLen),
    path_symlink: (oldPath: I32, oldLen: I32, f: I32, newPath: I32, newLen: I32) => path.path_symlink(cx, oldPath, oldLen, f, newPath, newLen),
    path_unlink_file: (f: I32, p: I32, len: I32) => path.path_unlink_file(cx, f, p, len),
    poll_oneoff: (inPtr: I32, outPtr: I32, n: I32, nevents: I32) => poll_oneoff(cx, inPtr, outPtr, n, nevents),
    proc_exit: (code: I32) => process.proc_exit(cx, code),
    proc_raise: (sig: I32) => process.proc_raise(cx, sig),
    sched_yield: () => process.sched_yield(cx),
    random_get: (buf: I32, len: I32) => process.random_get(cx, buf, len),
    sock_accept: (f: I32, flags: I32, result: I32) => process.sock_accept(cx, f, flags, result),
    sock_recv: (f: I32, riData: I32, riCount: I32, riFlags: I32, roDatalen: I32, roFlags: I32) =>
      process.sock_recv(cx, f, riData, riCount, riFlags, roDatalen, roFlags),
    sock_send: (f: I32, siData: I32, siCount: I32, siFlags: I32, soDatalen: I32) => process.sock_send(cx, f, siData, siCount, siFlags, soDatalen),
    sock_shutdown: (f: I32, how: I32) => process.sock_shutdown(cx, f, how),
  };
  return imports as Record<keyof typeof imports, HostFunction>;
}
