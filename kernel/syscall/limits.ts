/**
 * Resource limits: `prlimit64`, `getrlimit`, `setrlimit`, and the defaults
 * a first process starts with.
 *
 * Linux counterpart: `kernel/sys.c` (`do_prlimit`), `include/asm-generic/resource.h`.
 *
 * @module
 */

import { struct, u64 } from "vmio";
import { Errno } from "../abi/errno.js";
import { NOFILE_DEFAULT, NOFILE_MAX } from "../proc/fd-table.js";
import type { Limits } from "../proc/process.js";
import { STACK_LIMIT } from "../mm/layout.js";
import { readUser, writeUser } from "../mm/user-access.js";
import type { Call } from "./call.js";

export const RLIMIT_CPU = 0;
export const RLIMIT_FSIZE = 1;
export const RLIMIT_DATA = 2;
export const RLIMIT_STACK = 3;
export const RLIMIT_CORE = 4;
export const RLIMIT_NOFILE = 7;
export const RLIMIT_AS = 9;
/** Number of resources (`RLIM_NLIMITS`). */
export const RLIM_NLIMITS = 16;
/** "No limit" as a `rlim_t`. */
const RLIM_INFINITY = 2n ** 64n - 1n;

/** `struct rlimit64`. */
const Rlimit = struct({ cur: u64, max: u64 });

/** The limits of a first process. */
export function defaultLimits(): Limits {
  return new Map([
    [RLIMIT_STACK, [STACK_LIMIT, Infinity]],
    [RLIMIT_CORE, [0, Infinity]],
    [RLIMIT_NOFILE, [NOFILE_DEFAULT, NOFILE_MAX]],
  ]);
}

function toRlim(n: number): bigint {
  return n === Infinity ? RLIM_INFINITY : BigInt(n);
}

function fromRlim(n: bigint): number {
  return n === RLIM_INFINITY || n > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(n);
}

/** `prlimit64(pid, resource, new, old)`. */
export function sysPrlimit64(c: Call): number {
  const pid = c.int(0);
  const resource = c.uint(1);
  const target = pid === 0 ? c.p : c.sys.processes.get(pid);
  if (target === undefined || target.state !== "alive") return -Errno.ESRCH;
  return prlimit(c, target.limits, resource, c.ptr(2), c.ptr(3));
}

/** `getrlimit(resource, old)`. */
export function sysGetrlimit(c: Call): number {
  return prlimit(c, c.p.limits, c.uint(0), 0, c.ptr(1));
}

/** `setrlimit(resource, new)`. */
export function sysSetrlimit(c: Call): number {
  return prlimit(c, c.p.limits, c.uint(0), c.ptr(1), 0);
}

function prlimit(c: Call, limits: Limits, resource: number, newPtr: number, oldPtr: number): number {
  if (resource >= RLIM_NLIMITS) return -Errno.EINVAL;
  const old = limits.get(resource) ?? [Infinity, Infinity];
  let next: [number, number] | undefined;
  if (newPtr !== 0) {
    const v = readUser(c.space, newPtr, Rlimit);
    const cur = fromRlim(v.cur);
    const max = fromRlim(v.max);
    if (cur > max) return -Errno.EINVAL;
    if (max > old[1] && c.p.uid !== 0) return -Errno.EPERM;
    if (resource === RLIMIT_NOFILE && max > NOFILE_MAX) return -Errno.EPERM;
    next = [cur, max];
  }
  if (oldPtr !== 0) writeUser(c.space, oldPtr, Rlimit, { cur: toRlim(old[0]), max: toRlim(old[1]) });
  if (next !== undefined) limits.set(resource, next);
  return 0;
}
