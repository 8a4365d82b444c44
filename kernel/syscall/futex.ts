/**
 * Futexes: `futex` (wait, wake, bitsets, requeue, wake-op), and the robust
 * list registration calls.
 *
 * A waiter enters the futex table on its first attempt and stays there
 * while it sleeps; a wake marks it and wakes its thread, whose retry then
 * returns 0. A timeout or a signal removes it.
 *
 * Linux counterpart: `kernel/futex/syscalls.c`, `waitwake.c`, `requeue.c`.
 *
 * @module
 */

import { i64, struct, u32, u64 } from "vmio";
import { Errno } from "../abi/errno.js";
import { readUser, writeUser } from "../mm/user-access.js";
import type { FutexWaiter } from "../proc/futex.js";
import { futexKey } from "../proc/futex-key.js";
import type { Call } from "./call.js";

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const FUTEX_REQUEUE = 3;
const FUTEX_CMP_REQUEUE = 4;
const FUTEX_WAKE_OP = 5;
const FUTEX_WAIT_BITSET = 9;
const FUTEX_WAKE_BITSET = 10;
const FUTEX_PRIVATE_FLAG = 128;
const FUTEX_CLOCK_REALTIME = 256;
const FUTEX_BITSET_MATCH_ANY = -1;

const Timespec = struct({ sec: i64, nsec: i64 });

/** A timespec argument as milliseconds. @throws {SysError} `EFAULT`; returns -1 when it is invalid (`EINVAL`). */
export function readTimespecMs(c: Call, addr: number): number {
  const t = readUser(c.space, addr, Timespec);
  if (t.sec < 0n || t.nsec < 0n || t.nsec >= 1_000_000_000n) return -1;
  return Number(t.sec) * 1000 + Number(t.nsec) / 1e6;
}

/** `futex(uaddr, op, val, timeout | val2, uaddr2, val3)`. */
export function sysFutex(c: Call): number {
  const uaddr = c.ptr(0);
  const op = c.int(1);
  const cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  const val = c.int(2);
  if (uaddr % 4 !== 0) return -Errno.EINVAL;
  const key = futexKey(c.p.mm, uaddr);
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
      return wait(c, uaddr, key, val, cmd === FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : c.int(5), cmd === FUTEX_WAIT_BITSET, (op & FUTEX_CLOCK_REALTIME) !== 0);
    case FUTEX_WAKE:
      return c.sys.futexes.wake(key, val);
    case FUTEX_WAKE_BITSET: {
      const bitset = c.int(5);
      if (bitset === 0) return -Errno.EINVAL;
      return c.sys.futexes.wake(key, val, bitset);
    }
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
      const nMove = c.int(3);
      if (val < 0 || nMove < 0) return -Errno.EINVAL;
      if (cmd === FUTEX_CMP_REQUEUE && (readUser(c.space, uaddr, u32) | 0) !== c.int(5)) return -Errno.EAGAIN;
      return c.sys.futexes.requeue(key, futexKey(c.p.mm, c.ptr(4)), val, nMove);
    }
    case FUTEX_WAKE_OP:
      return wakeOp(c, key, val);
    default:
      return -Errno.ENOSYS;
  }
}

function wait(c: Call, uaddr: number, key: string, val: number, bitset: number, absolute: boolean, realtime: boolean): number {
  const call = c.progress();
  const now = c.sys.monotonic();
  if (c.retry && call.data !== undefined) {
    const w = call.data as FutexWaiter;
    if (w.woken) return 0;
    if (now >= call.deadline) {
      c.sys.futexes.remove(w);
      return -Errno.ETIMEDOUT;
    }
    return c.sleepUntil(call.deadline);
  }
  if (bitset === 0) return -Errno.EINVAL;
  let deadline = Infinity;
  const tmo = c.ptr(3);
  if (tmo !== 0) {
    const ms = readTimespecMs(c, tmo);
    if (ms < 0) return -Errno.EINVAL;
    deadline = absolute ? (realtime ? now + (ms - c.sys.realtime()) : ms) : now + ms;
  }
  if ((readUser(c.space, uaddr, u32) | 0) !== val) return -Errno.EAGAIN;
  if (deadline <= now) return -Errno.ETIMEDOUT;
  const w: FutexWaiter = { thread: c.t, key, bitset, woken: false };
  c.sys.futexes.add(w);
  call.data = w;
  call.restartable = deadline === Infinity;
  call.cleanup = () => c.sys.futexes.remove(w);
  return c.sleepUntil(deadline);
}

/** `FUTEX_WAKE_OP`: update `*uaddr2`, wake `uaddr`, and wake `uaddr2` if the old value passes the comparison. */
function wakeOp(c: Call, key: string, nWake: number): number {
  const uaddr2 = c.ptr(4);
  if (uaddr2 % 4 !== 0) return -Errno.EINVAL;
  const nWake2 = c.int(3);
  const enc = c.int(5);
  const op = (enc >>> 28) & 7;
  const shift = (enc >>> 28) & 8;
  const cmp = (enc >>> 24) & 15;
  let oparg = (enc << 8) >> 20;
  const cmparg = (enc << 20) >> 20;
  if (shift !== 0) oparg = 1 << (oparg & 31);
  const old = readUser(c.space, uaddr2, u32) | 0;
  let next: number;
  switch (op) {
    case 0:
      next = oparg;
      break;
    case 1:
      next = old + oparg;
      break;
    case 2:
      next = old | oparg;
      break;
    case 3:
      next = old & ~oparg;
      break;
    case 4:
      next = old ^ oparg;
      break;
    default:
      return -Errno.ENOSYS;
  }
  writeUser(c.space, uaddr2, u32, next >>> 0);
  let woken = c.sys.futexes.wake(key, nWake);
  let pass: boolean;
  switch (cmp) {
    case 0:
      pass = old === cmparg;
      break;
    case 1:
      pass = old !== cmparg;
      break;
    case 2:
      pass = old < cmparg;
      break;
    case 3:
      pass = old <= cmparg;
      break;
    case 4:
      pass = old > cmparg;
      break;
    case 5:
      pass = old >= cmparg;
      break;
    default:
      return -Errno.ENOSYS;
  }
  if (pass) woken += c.sys.futexes.wake(futexKey(c.p.mm, uaddr2), nWake2);
  return woken;
}

/**
 * `set_robust_list(head, len)`: recorded (robust mutexes of dead threads are
 * not recovered). Linux keeps the head unchecked and `get_robust_list` gives
 * back its 64 bits exactly, whatever they are: kept as a bigint.
 */
export function sysSetRobustList(c: Call): number {
  if (c.size(1) !== 24) return -Errno.EINVAL;
  robustLists.set(c.t, c.u64(0));
  return 0;
}

const robustLists = new WeakMap<object, bigint>();

/** `get_robust_list(pid, head_ptr, len_ptr)`. */
export function sysGetRobustList(c: Call): number {
  const tid = c.int(0);
  const t = tid === 0 ? c.t : c.sys.threads.get(tid);
  if (t === undefined) return -Errno.ESRCH;
  writeUser(c.space, c.ptr(1), u64, robustLists.get(t) ?? 0n);
  writeUser(c.space, c.ptr(2), i64, 24n);
  return 0;
}
