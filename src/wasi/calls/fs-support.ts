/**
 * What the fd and path functions share: stat records, time specs, closing.
 *
 * @module
 */

import type { GuestMemory } from "../../guest/guest-memory.js";
import { ALL_FSTFLAGS, Errno, Filetype, Fstflags, type ErrnoValue } from "../abi.js";
import { errnoOf } from "../context.js";
import type { Descriptor } from "../fd-table.js";
import { FsError, type Filestat, type TimeSpec } from "../fs/file-system.js";
import type { ResolvedPath } from "../path.js";

/**
 * Stores a `filestat` record (`FilestatRecord`'s layout) at `ptr`, which
 * the caller checked (8-aligned, 64 bytes inside memory) with no user code
 * run since.
 *
 * Why not `mem.writeVal(ptr, FilestatRecord, st)`: the struct's snapshot
 * checks and copies every field of a value a backend built from its own
 * unsigned numbers, and cost about as much as a fifth of an in-memory
 * `fd_filestat_get` (75 ns against 8 plain stores, measured in one
 * process). The check just made left the space's view covering the record
 * (the space re-reads a stale buffer when it checks), so these are plain
 * stores into it, the padding after `filetype` zeroed as the struct's are.
 */
export function putFilestat(mem: GuestMemory, ptr: number, st: Filestat): void {
  const p = ptr >>> 0;
  const dv = mem._space.runView;
  dv.setBigUint64(p, st.dev, true);
  dv.setBigUint64(p + 8, st.ino, true);
  dv.setUint32(p + 16, st.filetype, true); // a u8, then 7 bytes of padding
  dv.setUint32(p + 20, 0, true);
  dv.setBigUint64(p + 24, st.nlink, true);
  dv.setBigUint64(p + 32, st.size, true);
  dv.setBigUint64(p + 40, st.atim, true);
  dv.setBigUint64(p + 48, st.mtim, true);
  dv.setBigUint64(p + 56, st.ctim, true);
}

const STDIO_STAT: Filestat = { dev: 0n, ino: 0n, filetype: Filetype.CHARACTER_DEVICE, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };

/** The attributes of what an fd refers to (stdio: a character device with no times). */
export function statOf(d: Descriptor): Filestat {
  switch (d.kind) {
    case "dir": return d.dir.stat();
    case "file": return d.file.stat();
    default: return STDIO_STAT;
  }
}

/** The attributes of what a resolved path names; `NOENT` when absent, `NOTDIR` for a non-directory with a trailing slash. */
export function statAt(r: ResolvedPath): Filestat {
  const st = r.name === undefined ? r.dir.stat() : r.dir.lstatChild(r.name);
  if (r.trailingSlash && st.filetype !== Filetype.DIRECTORY) throw new FsError(Errno.NOTDIR);
  return st;
}

/**
 * The type of what a resolved path names, or undefined when it names
 * nothing (a dangling symlink counts: it exists); `NOTDIR` for a
 * non-directory with a trailing slash, as {@link statAt}. One lookup of the
 * type alone, where `existsAt` then `statAt` made two whole ones.
 */
export function typeAt(r: ResolvedPath): number | undefined {
  let type: number;
  if (r.name === undefined) {
    type = r.dir.stat().filetype;
  } else {
    try {
      type = r.dir.childType(r.name);
    } catch (e) {
      if (errnoOf(e) === Errno.NOENT) return undefined;
      throw e;
    }
  }
  if (r.trailingSlash && type !== Filetype.DIRECTORY) throw new FsError(Errno.NOTDIR);
  return type;
}

/** Whether a resolved path names something (a dangling symlink counts: it exists). */
export function existsAt(r: ResolvedPath): boolean {
  if (r.name === undefined) return true;
  try {
    r.dir.lstatChild(r.name);
    return true;
  } catch (e) {
    if (errnoOf(e) === Errno.NOENT) return false;
    throw e;
  }
}

/** Decodes `fstflags` and its two times; undefined for a contradictory or unknown flag (`INVAL`). */
export function timeSpecs(atim: bigint, mtim: bigint, flags: number): [TimeSpec, TimeSpec] | undefined {
  const f = flags & 0xffff;
  if ((f & ~ALL_FSTFLAGS) !== 0) return undefined;
  if ((f & Fstflags.ATIM) !== 0 && (f & Fstflags.ATIM_NOW) !== 0) return undefined;
  if ((f & Fstflags.MTIM) !== 0 && (f & Fstflags.MTIM_NOW) !== 0) return undefined;
  const a: TimeSpec = (f & Fstflags.ATIM_NOW) !== 0 ? "now" : (f & Fstflags.ATIM) !== 0 ? BigInt.asUintN(64, atim) : undefined;
  const m: TimeSpec = (f & Fstflags.MTIM_NOW) !== 0 ? "now" : (f & Fstflags.MTIM) !== 0 ? BigInt.asUintN(64, mtim) : undefined;
  return [a, m];
}

/** Releases what a descriptor holds in its backend; a failure is its errno. */
export function closeDescriptor(d: Descriptor): ErrnoValue {
  if (d.kind !== "file") return Errno.SUCCESS;
  try {
    d.file.close();
    return Errno.SUCCESS;
  } catch (e) {
    return errnoOf(e);
  }
}
