/**
 * `poll_oneoff`: wait for the first of several events.
 *
 * This host never blocks on an fd: files, stdin bytes and output sinks are
 * always ready (a regular file reports the bytes left to read, stdin the
 * bytes it holds, with `hangup` at its end). So when any fd subscription is
 * present its events come back at once, and the clocks only matter when
 * there are none: then the call sleeps until the earliest deadline, every
 * clock measured on the monotonic clock, and reports that clock.
 *
 * @module
 */

import { u32 } from "../../pod/scalars.js";
import {
  EVENT_FD_READWRITE_HANGUP, EVENT_SIZE, Errno, EventRecord, Eventtype, Rights, SUBCLOCK_ABSTIME, SUBSCRIPTION_BODY,
  SUBSCRIPTION_SIZE, SubscriptionClock, SubscriptionHead, type ErrnoValue,
} from "../abi.js";
import { monotonicNs } from "../clock.js";
import { checkPtr, errnoOf, type WasiContext } from "../context.js";
import { sleepNs } from "../sleep.js";
import { clockNow } from "./process.js";

interface Event {
  userdata: bigint;
  error: number;
  type: number;
  nbytes: bigint;
  flags: number;
}

/** `poll_oneoff(in, out, nsubscriptions, nevents)`. No subscriptions is `INVAL`, as in wasmtime. */
export function poll_oneoff(cx: WasiContext, inPtr: number, outPtr: number, nsubscriptions: number, neventsPtr: number): ErrnoValue {
  const mem = cx.memory();
  const n = nsubscriptions >>> 0;
  if (n === 0) return Errno.INVAL;
  const e = checkPtr(mem, inPtr, n * SUBSCRIPTION_SIZE, 8) || checkPtr(mem, outPtr, n * EVENT_SIZE, 8) || checkPtr(mem, neventsPtr, 4, 4);
  if (e !== Errno.SUCCESS) return e;
  const ready: Event[] = [];
  let deadline: bigint | undefined;
  let timer = 0n;
  const now = monotonicNs();
  for (let i = 0; i < n; i++) {
    const at = (inPtr >>> 0) + i * SUBSCRIPTION_SIZE;
    const { userdata, tag } = mem.readVal(at, SubscriptionHead);
    if (tag === Eventtype.CLOCK) {
      const clock = mem.readVal(at + SUBSCRIPTION_BODY, SubscriptionClock);
      const current = clockNow(clock.id);
      if (current === undefined) {
        ready.push({ userdata, error: Errno.INVAL, type: tag, nbytes: 0n, flags: 0 });
        continue;
      }
      const wait = (clock.flags & SUBCLOCK_ABSTIME) !== 0 ? clock.timeout - current : clock.timeout;
      const due = now + (wait > 0n ? wait : 0n);
      if (deadline === undefined || due < deadline) {
        deadline = due;
        timer = userdata;
      }
    } else if (tag === Eventtype.FD_READ || tag === Eventtype.FD_WRITE) {
      ready.push({ userdata, type: tag, ...readiness(cx, mem.readVal(at + SUBSCRIPTION_BODY, u32), tag) });
    } else {
      return Errno.INVAL;
    }
  }
  if (ready.length === 0 && deadline !== undefined) {
    const wait = deadline - monotonicNs();
    if (wait > 0n) sleepNs(wait);
    ready.push({ userdata: timer, error: Errno.SUCCESS, type: Eventtype.CLOCK, nbytes: 0n, flags: 0 });
  }
  ready.forEach((event, i) => mem.writeVal((outPtr >>> 0) + i * EVENT_SIZE, EventRecord, event));
  mem.writeVal(neventsPtr, u32, ready.length);
  return Errno.SUCCESS;
}

/** Whether `fd` can be read or written now: always yes for an open file or stream, with the bytes readable. */
function readiness(cx: WasiContext, fd: number, type: number): { error: number; nbytes: bigint; flags: number } {
  const d = cx.fds.get(fd);
  if (d === undefined || d.kind === "dir") return { error: Errno.BADF, nbytes: 0n, flags: 0 };
  const right = type === Eventtype.FD_READ ? Rights.FD_READ : Rights.FD_WRITE;
  if ((d.base & (right | Rights.POLL_FD_READWRITE)) === 0) return { error: Errno.NOTCAPABLE, nbytes: 0n, flags: 0 };
  if (type === Eventtype.FD_WRITE) return { error: Errno.SUCCESS, nbytes: 0n, flags: 0 };
  try {
    if (d.kind === "file") return { error: Errno.SUCCESS, nbytes: BigInt(Math.max(0, d.file.size() - d.position)), flags: 0 };
    const n = d.stream.readable();
    if (n === undefined) return { error: Errno.SUCCESS, nbytes: 0n, flags: 0 };
    return { error: Errno.SUCCESS, nbytes: BigInt(n), flags: n === 0 ? EVENT_FD_READWRITE_HANGUP : 0 };
  } catch (e) {
    return { error: errnoOf(e), nbytes: 0n, flags: 0 };
  }
}
