/**
 * File types, permission bits and `struct stat` of RISC-V Linux
 * (`include/uapi/linux/stat.h`, `include/uapi/asm-generic/stat.h`).
 *
 * @module
 */

import { i32, i64, struct, u32, u64 } from "vmio";

/** File-type bits of `st_mode`. Linux counterpart: `S_IFMT` and friends. */
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
/** Permission bits (with set-id and sticky bits). */
export const S_IALLUGO = 0o7777;

/** `d_type` values of `getdents64`. Linux counterpart: `DT_*`. */
export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_REG = 8;
export const DT_LNK = 10;

/** The `d_type` of a file of mode `mode`. */
export function dtypeOf(mode: number): number {
  return (mode & S_IFMT) >>> 12;
}

/**
 * `struct stat` of 64-bit RISC-V (the asm-generic layout, 128 bytes).
 *
 * Linux counterpart: `include/uapi/asm-generic/stat.h`.
 */
export const Stat = struct({
  dev: u64,
  ino: u64,
  mode: u32,
  nlink: u32,
  uid: u32,
  gid: u32,
  rdev: u64,
  pad1: u64,
  size: i64,
  blksize: i32,
  pad2: i32,
  blocks: i64,
  atime: i64,
  atimeNsec: u64,
  mtime: i64,
  mtimeNsec: u64,
  ctime: i64,
  ctimeNsec: u64,
  unused4: u32,
  unused5: u32,
});

/** `struct timespec` (64-bit). */
export const Timespec = struct({ sec: i64, nsec: i64 });
