/**
 * Memory system calls: `brk`, `mmap`, `munmap`, `mprotect`, `mremap`,
 * `madvise`, `msync`, `mlock`, `munlock`.
 *
 * Linux counterpart: `mm/mmap.c`, `mm/mprotect.c`, `mm/mremap.c`, `mm/madvise.c`.
 *
 * @module
 */

import { Errno } from "../abi/errno.js";
import {
  MADV_DONTNEED,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_GROWSDOWN,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_TYPE,
  PROT_EXEC,
  PROT_GROWSDOWN,
  PROT_READ,
  PROT_WRITE,
} from "../abi/mman.js";
import { isPageAligned, pageUp } from "../abi/page.js";
import { RegularFile } from "../fs/inode.js";
import { TASK_SIZE } from "../mm/layout.js";
import { SharedMemory } from "../mm/shared-memory.js";
import type { VmaBacking } from "../mm/vma.js";
import type { Call } from "./call.js";
import { fileOf } from "./fd-helpers.js";

const PROT_MASK = PROT_READ | PROT_WRITE | PROT_EXEC;

/** `brk(addr)`: the new break, or the old one when it cannot move. */
export function sysBrk(c: Call): number {
  return c.p.mm.as.setBrk(c.ptr(0));
}

/** `mmap(addr, length, prot, flags, fd, offset)`. */
export function sysMmap(c: Call): number {
  const hint = c.ptr(0);
  const length = c.size(1);
  const prot = c.int(2);
  const flags = c.int(3);
  const offset = c.long(5);
  const offsetLow = c.uint(5); // the exact low bits, for the alignment check: long() saturates beyond 2^53
  const as = c.p.mm.as;
  if (length === 0) return -Errno.EINVAL;
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return -Errno.EINVAL;
  if ((prot & ~(PROT_MASK | PROT_GROWSDOWN)) !== 0) return -Errno.EINVAL;
  if (!isPageAligned(offsetLow) || offset < 0) return -Errno.EINVAL;
  const len = pageUp(length);
  if (len > TASK_SIZE) return -Errno.ENOMEM;
  const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  if (fixed && (!isPageAligned(hint) || hint + len > TASK_SIZE)) return (flags & MAP_FIXED) !== 0 && !isPageAligned(hint) ? -Errno.EINVAL : -Errno.ENOMEM;
  const shared = type !== MAP_PRIVATE;
  let backing: VmaBacking;
  let name = "";
  if ((flags & MAP_ANONYMOUS) !== 0) {
    backing = shared ? { kind: "shared", object: new SharedMemory(c.sys.memory), pgoff: 0 } : { kind: "anon" };
  } else {
    const f = fileOf(c, c.int(4));
    if (!(f.inode instanceof RegularFile)) return -Errno.ENODEV;
    if (!f.readable) return -Errno.EACCES;
    // Shared writable file mappings would need a page cache shared with read/write: not supported.
    if (shared && (prot & PROT_WRITE) !== 0) return f.writable ? -Errno.ENODEV : -Errno.EACCES;
    const data = f.inode.bytes();
    backing = { kind: "file", data, offset, limit: data.length };
    name = "file";
  }
  let addr: number;
  if ((flags & MAP_FIXED_NOREPLACE) !== 0) {
    if (!as.isFree(hint, hint + len)) return -Errno.EEXIST;
    addr = hint;
  } else if ((flags & MAP_FIXED) !== 0) {
    as.unmap(hint, hint + len);
    addr = hint;
  } else addr = as.findFree(len, hint);
  as.map(addr, len, prot & PROT_MASK, backing, { shared, name, growsDown: (flags & MAP_GROWSDOWN) !== 0 });
  return addr;
}

/** Checks an `[addr, addr + len)` argument: aligned, non-empty, in user space. */
function range(c: Call): [number, number] | number {
  const addr = c.ptr(0);
  const len = pageUp(c.size(1));
  if (!isPageAligned(addr)) return -Errno.EINVAL;
  if (addr + len > TASK_SIZE) return -Errno.EINVAL;
  return [addr, addr + len];
}

/** `munmap(addr, length)`. */
export function sysMunmap(c: Call): number {
  if (c.size(1) === 0) return -Errno.EINVAL;
  const r = range(c);
  if (typeof r === "number") return r;
  c.p.mm.as.unmap(r[0], r[1]);
  return 0;
}

/** `mprotect(addr, length, prot)`. */
export function sysMprotect(c: Call): number {
  const prot = c.int(2);
  if ((prot & ~(PROT_MASK | PROT_GROWSDOWN)) !== 0) return -Errno.EINVAL;
  const r = range(c);
  if (typeof r === "number") return r;
  c.p.mm.as.protect(r[0], r[1], prot & PROT_MASK);
  return 0;
}

/** `mremap(old_address, old_size, new_size, flags, new_address)`. */
export function sysMremap(c: Call): number {
  return c.p.mm.as.remap(c.ptr(0), c.size(1), c.size(2), c.int(3), c.ptr(4));
}

/** `madvise(addr, length, advice)`: `MADV_DONTNEED` drops private pages; other advice is accepted. */
export function sysMadvise(c: Call): number {
  const r = range(c);
  if (typeof r === "number") return r;
  if (c.int(2) === MADV_DONTNEED) c.p.mm.as.discard(r[0], r[1]);
  return 0;
}

/** `msync`, `mlock`, `munlock`: nothing to do in memory that is never paged out. */
export function sysMsync(c: Call): number {
  const r = range(c);
  return typeof r === "number" ? r : 0;
}

