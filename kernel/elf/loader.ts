/**
 * Loads a checked ELF executable into a fresh address space: one area per
 * segment (its file bytes on demand, then zeros for the bss), the heap
 * start, the stack area with the initial stack written into it.
 *
 * Nothing is copied eagerly: the segments are file-backed areas, and each
 * page is filled from the file by the page-fault handler when the program
 * first touches it (demand paging, as Linux's page cache does).
 *
 * Linux counterpart: `fs/binfmt_elf.c` (`load_elf_binary`, `elf_map`,
 * `set_brk`, `create_elf_tables`) and `fs/exec.c` (`setup_arg_pages`).
 *
 * @module
 */

import { PAGE_SIZE } from "vmio";
import { PROT_EXEC, PROT_READ, PROT_WRITE } from "../abi/mman.js";
import { pageDown, pageUp } from "../abi/page.js";
import type { AddressSpace } from "../mm/address-space.js";
import { STACK_INITIAL, STACK_TOP } from "../mm/layout.js";
import { PF_R, PF_W, PF_X, type ElfImage } from "./elf.js";
import {
  AT_BASE,
  AT_CLKTCK,
  AT_EGID,
  AT_ENTRY,
  AT_EUID,
  AT_FLAGS,
  AT_GID,
  AT_HWCAP,
  AT_MINSIGSTKSZ,
  AT_PAGESZ,
  AT_PHDR,
  AT_PHENT,
  AT_PHNUM,
  AT_SECURE,
  AT_UID,
  HWCAP_IMAFDC,
  buildInitialStack,
} from "./initial-stack.js";

/** What a new program starts with besides its file. */
export interface ProgramArgs {
  readonly argv: readonly Uint8Array[];
  readonly envp: readonly Uint8Array[];
  /** The path `execve` was given. */
  readonly execfn: Uint8Array;
  /** 16 random bytes for `AT_RANDOM`. */
  readonly random: Uint8Array;
  readonly uid: number;
  readonly gid: number;
  /** Name of the segments' areas (the program's path). */
  readonly name: string;
}

/** Where the program starts. */
export interface LoadedProgram {
  readonly entry: number;
  readonly sp: number;
}

/** `MINSIGSTKSZ` a RISC-V program is told (the signal frame plus room). */
const MIN_SIGSTACK = 2048;

/**
 * The auxiliary vector Linux gives a static program (besides `AT_RANDOM`,
 * `AT_EXECFN` and `AT_NULL`, which the stack layout adds).
 *
 * Linux counterpart: `create_elf_tables`' `NEW_AUX_ENT` list.
 */
export function auxvOf(image: ElfImage, uid: number, gid: number): Array<readonly [number, number]> {
  return [
    [AT_HWCAP, HWCAP_IMAFDC],
    [AT_PAGESZ, PAGE_SIZE],
    [AT_CLKTCK, 100],
    [AT_PHDR, image.phdrAddr],
    [AT_PHENT, image.phent],
    [AT_PHNUM, image.phnum],
    [AT_BASE, 0],
    [AT_FLAGS, 0],
    [AT_ENTRY, image.entry],
    [AT_UID, uid],
    [AT_EUID, uid],
    [AT_GID, gid],
    [AT_EGID, gid],
    [AT_SECURE, 0],
    [AT_MINSIGSTKSZ, MIN_SIGSTACK],
  ];
}

/** The protection of a segment with ELF flags `flags`. */
function protOf(flags: number): number {
  return ((flags & PF_R) !== 0 ? PROT_READ : 0) | ((flags & PF_W) !== 0 ? PROT_WRITE : 0) | ((flags & PF_X) !== 0 ? PROT_EXEC : 0);
}

/**
 * Maps `image` (parsed from `file`) into `as`, which must be empty and
 * active on this thread, and writes the initial stack.
 *
 * @throws {SysError} `E2BIG` for too many argument bytes (nothing is left half-done: the caller disposes `as`).
 * @throws {VmError} `PageFault` when RAM runs out while writing the stack.
 */
export function loadProgram(as: AddressSpace, file: Uint8Array, image: ElfImage, args: ProgramArgs): LoadedProgram {
  for (const seg of image.loads) {
    const start = pageDown(seg.vaddr);
    const fileEnd = pageUp(seg.vaddr + seg.filesz);
    const end = pageUp(seg.vaddr + seg.memsz);
    const prot = protOf(seg.flags);
    if (seg.filesz > 0) {
      as.map(start, fileEnd - start, prot, { kind: "file", data: file, offset: pageDown(seg.offset), limit: seg.offset + seg.filesz }, { name: args.name });
    }
    const bssStart = seg.filesz > 0 ? fileEnd : start;
    if (end > bssStart) as.map(bssStart, end - bssStart, prot, { kind: "anon" }, { name: seg.filesz > 0 ? "" : args.name });
  }
  as.initBrk(image.brkStart);
  const stack = buildInitialStack(STACK_TOP, { argv: args.argv, envp: args.envp, execfn: args.execfn, random: args.random, auxv: auxvOf(image, args.uid, args.gid) });
  const stackStart = pageDown(stack.sp) - STACK_INITIAL;
  as.map(stackStart, STACK_TOP - stackStart, PROT_READ | PROT_WRITE | (image.execStack ? PROT_EXEC : 0), { kind: "anon" }, { name: "[stack]", growsDown: true });
  as.space.writeBytes(stack.sp, stack.bytes);
  return { entry: image.entry, sp: stack.sp };
}
