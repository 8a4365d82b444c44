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

/** Every preview1 function, by its import name (witx order), taking the context first. */
const FUNCTIONS = {
  args_get: process.args_get, args_sizes_get: process.args_sizes_get, environ_get: process.environ_get,
  environ_sizes_get: process.environ_sizes_get, clock_res_get: process.clock_res_get, clock_time_get: process.clock_time_get,
  fd_advise: fd.fd_advise, fd_allocate: fd.fd_allocate, fd_close: fd.fd_close, fd_datasync: fd.fd_datasync,
  fd_fdstat_get: fd.fd_fdstat_get, fd_fdstat_set_flags: fd.fd_fdstat_set_flags, fd_fdstat_set_rights: fd.fd_fdstat_set_rights,
  fd_filestat_get: fd.fd_filestat_get, fd_filestat_set_size: fd.fd_filestat_set_size, fd_filestat_set_times: fd.fd_filestat_set_times,
  fd_pread: fd.fd_pread, fd_prestat_get: fd.fd_prestat_get, fd_prestat_dir_name: fd.fd_prestat_dir_name, fd_pwrite: fd.fd_pwrite,
  fd_read: fd.fd_read, fd_readdir: fd.fd_readdir, fd_renumber: fd.fd_renumber, fd_seek: fd.fd_seek, fd_sync: fd.fd_sync,
  fd_tell: fd.fd_tell, fd_write: fd.fd_write,
  path_create_directory: path.path_create_directory, path_filestat_get: path.path_filestat_get,
  path_filestat_set_times: path.path_filestat_set_times, path_link: path.path_link, path_open: path.path_open,
  path_readlink: path.path_readlink, path_remove_directory: path.path_remove_directory, path_rename: path.path_rename,
  path_symlink: path.path_symlink, path_unlink_file: path.path_unlink_file,
  poll_oneoff, proc_exit: process.proc_exit, proc_raise: process.proc_raise, sched_yield: process.sched_yield,
  random_get: process.random_get, sock_accept: process.sock_accept, sock_recv: process.sock_recv, sock_send: process.sock_send,
  sock_shutdown: process.sock_shutdown,
} as const;

/** A host function as the guest imports it: wasm `i32`s arrive as numbers, `i64`s as bigints. */
export type HostFunction = (...args: (number | bigint)[]) => number;

/** The import object's functions for `cx`. */
export function preview1Imports(cx: WasiContext): Record<keyof typeof FUNCTIONS, HostFunction> {
  const out = {} as Record<keyof typeof FUNCTIONS, HostFunction>;
  for (const name of Object.keys(FUNCTIONS) as (keyof typeof FUNCTIONS)[]) {
    // A bound function: V8 calls it as fast as the function itself, with no rest array per call.
    out[name] = (FUNCTIONS[name] as (cx: WasiContext, ...args: (number | bigint)[]) => number).bind(undefined, cx);
  }
  return out;
}
