/**
 * Clocks and sleeping: `clock_gettime`, `clock_getres`, `gettimeofday`,
 * `nanosleep`, `clock_nanosleep`.
 *
 * Linux counterpart: `kernel/time/posix-timers.c`, `kernel/time/hrtimer.c`,
 * `kernel/time/time.c`.
 *
 * @module
 */

import { i64, struct } from "vmio";
import { Errno } from "../abi/errno.js";
import { writeUser } from "../mm/user-access.js";
import type { Call } from "./call.js";
import { readTimespecMs } from "./futex.js";

const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;
const CLOCK_PROCESS_CPUTIME_ID = 2;
const CLOCK_THREAD_CPUTIME_ID = 3;
const CLOCK_MONOTONIC_RAW = 4;
const CLOCK_REALTIME_COARSE = 5;
const CLOCK_MONOTONIC_COARSE = 6;
const CLOCK_BOOTTIME = 7;
const TIMER_ABSTIME = 1;

const Timespec = struct({ sec: i64, nsec: i64 });
const Timeval = struct({ sec: i64, usec: i64 });

/** Milliseconds as a timespec. */
function timespec(ms: number): { sec: bigint; nsec: bigint } {
  const sec = Math.floor(ms / 1000);
  return { sec: BigInt(sec), nsec: BigInt(Math.min(999_999_999, Math.floor((ms - sec * 1000) * 1e6))) };
}

/** The reading of clock `clk` in ms, or undefined for an unknown clock. */
function readClock(c: Call, clk: number): number | undefined {
  switch (clk) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
      return c.sys.realtime();
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
      return c.sys.monotonic();
    default:
      return undefined;
  }
}

/** `clock_gettime(clk, tp)`. */
export function sysClockGettime(c: Call): number {
  const ms = readClock(c, c.int(0));
  if (ms === undefined) return -Errno.EINVAL;
  writeUser(c.space, c.ptr(1), Timespec, timespec(ms));
  return 0;
}

/** `clock_getres(clk, res)`: one nanosecond. */
export function sysClockGetres(c: Call): number {
  if (readClock(c, c.int(0)) === undefined) return -Errno.EINVAL;
  if (c.ptr(1) !== 0) writeUser(c.space, c.ptr(1), Timespec, { sec: 0n, nsec: 1n });
  return 0;
}

/** `gettimeofday(tv, tz)`. */
export function sysGettimeofday(c: Call): number {
  if (c.ptr(0) !== 0) {
    const ms = c.sys.realtime();
    const sec = Math.floor(ms / 1000);
    writeUser(c.space, c.ptr(0), Timeval, { sec: BigInt(sec), usec: BigInt(Math.floor((ms - sec * 1000) * 1000)) });
  }
  if (c.ptr(1) !== 0) writeUser(c.space, c.ptr(1), Timeval, { sec: 0n, usec: 0n });
  return 0;
}

/** Sleeps until the monotonic `deadline`; an interrupting handler gets `EINTR` and, with `remPtr`, the time left. */
function sleep(c: Call, deadline: number, remPtr: number): number {
  const call = c.progress();
  if (c.sys.monotonic() >= deadline) return 0;
  call.restartable = false;
  call.interruptResult = () => {
    if (remPtr !== 0) {
      try {
        writeUser(c.space, remPtr, Timespec, timespec(Math.max(0, deadline - c.sys.monotonic())));
      } catch {
        return -Errno.EFAULT;
      }
    }
    return -Errno.EINTR;
  };
  return c.sleepUntil(deadline);
}

/** `nanosleep(req, rem)`. */
export function sysNanosleep(c: Call): number {
  const call = c.progress();
  if (!c.retry || call.deadline === Infinity) {
    const ms = readTimespecMs(c, c.ptr(0));
    if (ms < 0) return -Errno.EINVAL;
    call.deadline = c.sys.monotonic() + ms;
  }
  return sleep(c, call.deadline, c.ptr(1));
}

/** `clock_nanosleep(clk, flags, req, rem)`. */
export function sysClockNanosleep(c: Call): number {
  const clk = c.int(0);
  const call = c.progress();
  if (!c.retry || call.deadline === Infinity) {
    const now = readClock(c, clk);
    if (now === undefined || clk === CLOCK_THREAD_CPUTIME_ID) return -Errno.EINVAL;
    const ms = readTimespecMs(c, c.ptr(2));
    if (ms < 0) return -Errno.EINVAL;
    const absolute = (c.int(1) & TIMER_ABSTIME) !== 0;
    call.deadline = c.sys.monotonic() + (absolute ? ms - now : ms);
  }
  return sleep(c, call.deadline, (c.int(1) & TIMER_ABSTIME) !== 0 ? 0 : c.ptr(3));
}
