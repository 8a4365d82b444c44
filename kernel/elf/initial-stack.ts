/**
 * The initial user stack of a new program: argument and environment
 * strings, the file name, `AT_RANDOM`'s bytes, then (16-byte aligned) argc,
 * argv, envp and the auxiliary vector — byte for byte where Linux puts them
 * with address-space randomization off.
 *
 * Linux counterpart: `fs/exec.c` (`copy_strings`, `setup_arg_pages`) and
 * `fs/binfmt_elf.c` (`create_elf_tables`).
 *
 * @module
 */

import { Errno, fail } from "../abi/errno.js";

/** Auxiliary vector keys. Linux counterpart: `include/uapi/linux/auxvec.h`. */
export const AT_NULL = 0;
export const AT_PHDR = 3;
export const AT_PHENT = 4;
export const AT_PHNUM = 5;
export const AT_PAGESZ = 6;
export const AT_BASE = 7;
export const AT_FLAGS = 8;
export const AT_ENTRY = 9;
export const AT_UID = 11;
export const AT_EUID = 12;
export const AT_GID = 13;
export const AT_EGID = 14;
export const AT_HWCAP = 16;
export const AT_CLKTCK = 17;
export const AT_SECURE = 23;
export const AT_RANDOM = 25;
export const AT_EXECFN = 31;
export const AT_MINSIGSTKSZ = 51;

/** `AT_HWCAP` of an RV64IMAFDC hart: one bit per extension letter. */
export const HWCAP_IMAFDC = (1 << 8) | (1 << 12) | (1 << 0) | (1 << 5) | (1 << 3) | (1 << 2);

/** Most bytes of argument and environment strings (Linux: a quarter of the 8 MiB stack limit). */
export const ARG_MAX = 2 * 2 ** 20;
/** Longest single argument or environment string (Linux's `MAX_ARG_STRLEN`, 32 pages). */
export const MAX_ARG_STRLEN = 32 * 4096;

/** What the stack describes. */
export interface StackSpec {
  /** Argument strings (bytes, without NUL). */
  readonly argv: readonly Uint8Array[];
  /** Environment strings. */
  readonly envp: readonly Uint8Array[];
  /** The file name `execve` was given (`AT_EXECFN`). */
  readonly execfn: Uint8Array;
  /** 16 random bytes (`AT_RANDOM`). */
  readonly random: Uint8Array;
  /** Auxiliary entries besides `AT_RANDOM`, `AT_EXECFN` and `AT_NULL`, in order. */
  readonly auxv: ReadonlyArray<readonly [number, number]>;
}

/** A stack image: its bytes, which end at `top`, and the initial stack pointer. */
export interface StackImage {
  readonly bytes: Uint8Array;
  /** The lowest address of `bytes` (the initial `sp`). */
  readonly sp: number;
}

/**
 * Lays out the initial stack ending at `top` (exclusive; page-aligned).
 *
 * @throws {SysError} `E2BIG` when the strings exceed {@link ARG_MAX} or one
 *   exceeds {@link MAX_ARG_STRLEN}.
 */
export function buildInitialStack(top: number, spec: StackSpec): StackImage {
  let strings = spec.execfn.length + 1;
  for (const s of [...spec.argv, ...spec.envp]) {
    if (s.length + 1 > MAX_ARG_STRLEN) fail(Errno.E2BIG, "argument too long");
    strings += s.length + 1;
  }
  if (strings > ARG_MAX) fail(Errno.E2BIG, "arguments too long");
  // From the top: an 8-byte end marker, the file name, envp strings, argv strings (copy_strings pushes them last to first).
  let p = top - 8;
  const placed: Array<{ at: number; bytes: Uint8Array }> = [];
  const push = (s: Uint8Array): number => {
    p -= s.length + 1;
    placed.push({ at: p, bytes: s });
    return p;
  };
  const execfnAt = push(spec.execfn);
  const envAt: number[] = [];
  for (let i = spec.envp.length - 1; i >= 0; i--) envAt[i] = push(spec.envp[i] as Uint8Array);
  const argAt: number[] = [];
  for (let i = spec.argv.length - 1; i >= 0; i--) argAt[i] = push(spec.argv[i] as Uint8Array);
  // create_elf_tables: align, then the random bytes, then the tables.
  p -= p % 16;
  p -= 16;
  const randomAt = p;
  const auxv: Array<readonly [number, number]> = [...spec.auxv, [AT_RANDOM, randomAt], [AT_EXECFN, execfnAt], [AT_NULL, 0]];
  const words = 1 + spec.argv.length + 1 + spec.envp.length + 1 + 2 * auxv.length;
  let sp = p - words * 8;
  sp -= sp % 16;
  const bytes = new Uint8Array(top - sp);
  const view = new DataView(bytes.buffer);
  for (const { at, bytes: s } of placed) bytes.set(s, at - sp);
  bytes.set(spec.random.subarray(0, 16), randomAt - sp);
  let w = 0;
  const word = (v: number): void => {
    view.setUint32(w, v % 2 ** 32, true);
    view.setUint32(w + 4, Math.floor(v / 2 ** 32), true);
    w += 8;
  };
  word(spec.argv.length);
  for (const a of argAt) word(a);
  word(0);
  for (const e of envAt) word(e);
  word(0);
  for (const [k, v] of auxv) {
    word(k);
    word(v);
  }
  return { bytes, sp };
}
