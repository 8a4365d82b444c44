/**
 * What a program asks about its system: `uname`, `sysinfo`, `getrandom`,
 * and the RISC-V and glibc start-up calls answered simply (`riscv_hwprobe`
 * and `rseq` are `ENOSYS`, as qemu answers; glibc copes).
 *
 * Linux counterpart: `kernel/sys.c` (`newuname`, `do_sysinfo`),
 * `drivers/char/random.c` (`getrandom`).
 *
 * @module
 */

import { Errno } from "../abi/errno.js";
import { UserSink, accessOk, writeBytesUser } from "../mm/user-access.js";
import type { Call } from "./call.js";

/** `struct new_utsname`: six 65-byte fields. */
const UTS_FIELD = 65;

/** What `uname` reports. */
const UNAME = {
  sysname: "Linux",
  nodename: "vmio",
  release: "6.1.0-vmio",
  version: "#1 SMP vmio-kernel",
  machine: "riscv64",
  domainname: "(none)",
} as const;

/** `uname(buf)`. */
export function sysUname(c: Call): number {
  const out = new Uint8Array(6 * UTS_FIELD);
  const enc = new TextEncoder();
  [UNAME.sysname, UNAME.nodename, UNAME.release, UNAME.version, UNAME.machine, UNAME.domainname].forEach((s, i) =>
    out.set(enc.encode(s).subarray(0, UTS_FIELD - 1), i * UTS_FIELD),
  );
  writeBytesUser(c.space, c.ptr(0), out);
  return 0;
}

/** `sysinfo(info)`: uptime, memory, process count. */
export function sysSysinfo(c: Call): number {
  const out = new Uint8Array(112);
  const v = new DataView(out.buffer);
  v.setBigInt64(0, BigInt(Math.floor(c.sys.monotonic() / 1000)), true);
  v.setBigUint64(32, BigInt(c.sys.memory.size), true);
  v.setBigUint64(40, BigInt(c.sys.memory.freeFrames() * 4096), true);
  v.setUint16(80, Math.min(c.sys.processes.size, 0xffff), true);
  v.setUint32(104, 1, true);
  writeBytesUser(c.space, c.ptr(0), out);
  return 0;
}

const GRND_NONBLOCK = 1;
const GRND_RANDOM = 2;
const GRND_INSECURE = 4;
/** Most bytes one `getrandom` returns (Linux caps at `MAX_RW_COUNT`; 32 MiB is plenty here). */
const GETRANDOM_MAX = 32 * 2 ** 20;

/** `getrandom(buf, len, flags)`: exact partial copies (10 of 20 mapped bytes: returns 10). */
export function sysGetrandom(c: Call): number {
  const flags = c.uint(2);
  if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) !== 0) return -Errno.EINVAL;
  if ((flags & (GRND_RANDOM | GRND_INSECURE)) === (GRND_RANDOM | GRND_INSECURE)) return -Errno.EINVAL;
  const buf = c.ptr(0);
  const len = Math.min(c.size(1), GETRANDOM_MAX);
  if (len === 0) return 0;
  if (!accessOk(buf, len)) return -Errno.EFAULT;
  const bytes = new Uint8Array(len);
  c.sys.random(bytes);
  const got = UserSink.buffer(c.space, buf, len).put(bytes);
  return got > 0 ? got : -Errno.EFAULT;
}

/** `membarrier(cmd, flags, cpu)`: `MEMBARRIER_CMD_QUERY` answers "none supported". */
export function sysMembarrier(c: Call): number {
  return c.int(0) === 0 ? 0 : -Errno.EINVAL;
}

/** `riscv_flush_icache(start, end, flags)`: every hart of the process forgets decoded instructions. */
export function sysRiscvFlushIcache(c: Call): number {
  c.p.mm.codeChanged(0, Infinity);
  return 0;
}
