/**
 * What the fd and path functions share: stat records, time specs, closing.
 *
 * @module
 */

import type { GuestMemory } from "../../guest/guest-memory.js";
import { ALL_FSTFLAGS, Errno, FilestatRecord, Filetype, Fstflags, type ErrnoValue } from "../abi.js";
import { errnoOf } from "../context.js";
import type { Descriptor } from "../fd-table.js";
import { FsError, type Filestat, type TimeSpec } from "../fs/file-system.js";
import type { ResolvedPath } from "../path.js";

/** Stores a `filestat` record (pointer already checked). */
export function putFilestat(mem: GuestMemory, ptr: number, st: Filestat): void {
  mem.writeVal(ptr, FilestatRecord, st);
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
