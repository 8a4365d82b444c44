/**
 * preview1's process-level functions: `args_*`, `environ_*`, `clock_*`,
 * `random_get`, `proc_exit`, `proc_raise`, `sched_yield`, and `sock_*`
 * (this host opens no sockets, so no fd is one).
 *
 * @module
 */

import { u32, u64 } from "../../pod/scalars.js";
import { Clockid, Errno, SDFLAGS_ALL, type ErrnoValue } from "../abi.js";
import { CLOCK_RESOLUTION_NS, monotonicMs, nsOf, realtimeMs, storeNs } from "../clock.js";
import { ProcExit, checkPtr, checkRange, type WasiContext } from "../context.js";
import type { StringList } from "../string-list.js";

/** `args_get(argv, argv_buf)`: argv pointers, then the NUL-terminated strings. */
export function args_get(cx: WasiContext, argv: number, argvBuf: number): ErrnoValue {
  return putStrings(cx, cx.args, argv, argvBuf);
}
/** `args_sizes_get(argc, argv_buf_size)`. */
export function args_sizes_get(cx: WasiContext, argc: number, bufSize: number): ErrnoValue {
  return putSizes(cx, cx.args, argc, bufSize);
}
/** `environ_get(environ, environ_buf)`: `NAME=value` strings. */
export function environ_get(cx: WasiContext, environ: number, environBuf: number): ErrnoValue {
  return putStrings(cx, cx.env, environ, environBuf);
}
/** `environ_sizes_get(count, buf_size)`. */
export function environ_sizes_get(cx: WasiContext, count: number, bufSize: number): ErrnoValue {
  return putSizes(cx, cx.env, count, bufSize);
}

function putStrings(cx: WasiContext, list: StringList, ptrs: number, buf: number): ErrnoValue {
  const mem = cx.memory();
  const bytes = list.bytes;
  const e = checkPtr(mem, ptrs, list.count * 4, 4) || checkRange(mem, buf, bytes.length);
  if (e !== Errno.SUCCESS) return e;
  const p = ptrs >>> 0;
  const b = buf >>> 0;
  const starts = list.starts;
  for (let i = 0; i < starts.length; i++) mem.writeVal(p + i * 4, u32, b + (starts[i] as number));
  mem.writeBytes(b, bytes);
  return Errno.SUCCESS;
}

function putSizes(cx: WasiContext, list: StringList, countPtr: number, sizePtr: number): ErrnoValue {
  const mem = cx.memory();
  const e = checkPtr(mem, countPtr, 4, 4) || checkPtr(mem, sizePtr, 4, 4);
  if (e !== Errno.SUCCESS) return e;
  mem.writeVal(countPtr, u32, list.count);
  mem.writeVal(sizePtr, u32, list.bytes.length);
  return Errno.SUCCESS;
}

/**
 * The reading of clock `id` in milliseconds, or undefined for an unknown
 * clock. There is no portable CPU clock in JS: the process and thread CPU
 * clocks read the monotonic clock (elapsed time, an upper bound of CPU time).
 */
function clockMs(id: number): number | undefined {
  switch (id >>> 0) {
    case Clockid.REALTIME: return realtimeMs();
    case Clockid.MONOTONIC: case Clockid.PROCESS_CPUTIME_ID: case Clockid.THREAD_CPUTIME_ID: return monotonicMs();
    default: return undefined;
  }
}

/** The time on clock `id` in nanoseconds, or undefined for an unknown clock (see `clockMs`). */
export function clockNow(id: number): bigint | undefined {
  const ms = clockMs(id);
  return ms === undefined ? undefined : nsOf(ms);
}

/** `clock_res_get(id, resolution)`. */
export function clock_res_get(cx: WasiContext, id: number, resolution: number): ErrnoValue {
  const mem = cx.memory();
  if (id >>> 0 > Clockid.THREAD_CPUTIME_ID) return Errno.INVAL;
  const e = checkPtr(mem, resolution, 8, 8);
  if (e !== Errno.SUCCESS) return e;
  mem.writeVal(resolution, u64, CLOCK_RESOLUTION_NS);
  return Errno.SUCCESS;
}

/** `clock_time_get(id, precision, time)`; the precision is a hint this host has no use for. */
export function clock_time_get(cx: WasiContext, id: number, _precision: bigint, time: number): ErrnoValue {
  const mem = cx.memory();
  const ms = clockMs(id);
  if (ms === undefined) return Errno.INVAL;
  const e = checkPtr(mem, time, 8, 8);
  if (e !== Errno.SUCCESS) return e;
  storeNs(mem, time >>> 0, ms);
  return Errno.SUCCESS;
}

/** `random_get(buf, len)`: cryptographic random bytes (`crypto.getRandomValues`, through the guest's pool: `random-pool.ts`). */
export function random_get(cx: WasiContext, buf: number, len: number): ErrnoValue {
  const mem = cx.memory();
  const e = checkRange(mem, buf, len);
  if (e !== Errno.SUCCESS) return e;
  cx.random.fill(mem, buf >>> 0, len >>> 0);
  return Errno.SUCCESS;
}

/** `proc_exit(code)`: unwinds the guest to `WASI.start`, which returns `code`. */
export function proc_exit(_cx: WasiContext, code: number): never {
  throw new ProcExit(code >>> 0);
}

/** `proc_raise(sig)`: signals are not part of this host (`NOSYS`, as in wasmtime). */
export function proc_raise(_cx: WasiContext, _sig: number): ErrnoValue {
  return Errno.NOSYS;
}

/** `sched_yield()`: a single-threaded guest has no one to yield to. */
export function sched_yield(_cx: WasiContext): ErrnoValue {
  return Errno.SUCCESS;
}

function notSocket(cx: WasiContext, fd: number): ErrnoValue {
  return cx.fds.get(fd >>> 0) === undefined ? Errno.BADF : Errno.NOTSOCK;
}

/** `sock_accept`: `BADF` for a closed fd, `NOTSOCK` for any other. */
export function sock_accept(cx: WasiContext, fd: number, _flags: number, _result: number): ErrnoValue {
  return notSocket(cx, fd);
}
/** `sock_recv`: `BADF` for a closed fd, `NOTSOCK` for any other. */
export function sock_recv(cx: WasiContext, fd: number, _riData: number, _riCount: number, _riFlags: number, _roDatalen: number, _roFlags: number): ErrnoValue {
  return notSocket(cx, fd);
}
/** `sock_send`: `BADF` for a closed fd, `NOTSOCK` for any other. */
export function sock_send(cx: WasiContext, fd: number, _siData: number, _siCount: number, _siFlags: number, _soDatalen: number): ErrnoValue {
  return notSocket(cx, fd);
}
/** `sock_shutdown`: `BADF`, then `INVAL` for unknown `how` bits, then `NOTSOCK`. */
export function sock_shutdown(cx: WasiContext, fd: number, how: number): ErrnoValue {
  const e = notSocket(cx, fd);
  if (e === Errno.NOTSOCK && ((how >>> 0) & ~SDFLAGS_ALL) !== 0) return Errno.INVAL;
  return e;
}
