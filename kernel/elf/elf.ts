/**
 * ELF64 executables: the headers, read with vmio Pod types, and every check
 * a loader needs before it trusts a file. The file is guest input: any
 * malformed field is `ENOEXEC` (as Linux's `load_elf_binary` answers), never
 * an exception of the host, and nothing is mapped before the whole file has
 * been checked.
 *
 * Supported: static RV64 executables (`ET_EXEC`), and static
 * position-independent ones (`ET_DYN` without `PT_INTERP`, loaded at a fixed
 * base). Programs that need a dynamic linker (`PT_INTERP`) are refused.
 *
 * Linux counterpart: `fs/binfmt_elf.c` (`load_elf_binary`, `elf_read_implies_exec`).
 *
 * @module
 */

import { PAGE_SIZE, VmReader, struct, u16, u32, u64, u8, array } from "vmio";
import { Errno, fail } from "../abi/errno.js";
import { pageDown, pageUp } from "../abi/page.js";

/** `e_type` of an executable. */
export const ET_EXEC = 2;
/** `e_type` of a position-independent executable or shared object. */
export const ET_DYN = 3;
/** `e_machine` of RISC-V. */
export const EM_RISCV = 243;

/** Program header types. */
export const PT_LOAD = 1;
export const PT_INTERP = 3;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_STACK = 0x6474_e551;

/** Segment permission bits (`p_flags`). */
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

/** Where an `ET_DYN` executable is loaded (Linux's `ELF_ET_DYN_BASE` is 2/3 of the address space; any fixed base will do). */
export const ET_DYN_BASE = 0x2_aaaa_a000;

/** The ELF64 file header. Linux counterpart: `Elf64_Ehdr`. */
export const Elf64Ehdr = struct({
  ident: array(u8, 16),
  type: u16,
  machine: u16,
  version: u32,
  entry: u64,
  phoff: u64,
  shoff: u64,
  flags: u32,
  ehsize: u16,
  phentsize: u16,
  phnum: u16,
  shentsize: u16,
  shnum: u16,
  shstrndx: u16,
});

/** An ELF64 program header. Linux counterpart: `Elf64_Phdr`. */
export const Elf64Phdr = struct({
  type: u32,
  flags: u32,
  offset: u64,
  vaddr: u64,
  paddr: u64,
  filesz: u64,
  memsz: u64,
  align: u64,
});

/** One program header, with its 64-bit fields as numbers (checked to be safe integers). */
export interface ProgramHeader {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
  readonly memsz: number;
  readonly align: number;
}

/** A checked executable: everything the loader needs, every address relocated by `bias`. */
export interface ElfImage {
  /** Entry point (relocated). */
  readonly entry: number;
  /** The `PT_LOAD` segments, in file order, relocated. */
  readonly loads: readonly ProgramHeader[];
  /** The `PT_TLS` segment, if any (relocated). */
  readonly tls: ProgramHeader | undefined;
  /** Whether `PT_GNU_STACK` asks for an executable stack (without one: not executable, RISC-V Linux's `VM_DATA_FLAGS_NON_EXEC`). */
  readonly execStack: boolean;
  /** Address of the program headers in the loaded image (for `AT_PHDR`). */
  readonly phdrAddr: number;
  /** `e_phentsize` and `e_phnum` (for `AT_PHENT`, `AT_PHNUM`). */
  readonly phent: number;
  readonly phnum: number;
  /** The load bias: 0 for `ET_EXEC`, {@link ET_DYN_BASE} for `ET_DYN`. */
  readonly bias: number;
  /** The end of the highest segment (page-aligned up): where the heap (`brk`) starts. */
  readonly brkStart: number;
}

/** Largest program-header table a loader accepts (Linux: 64 KiB of headers). */
const MAX_PHNUM = 65536 / 56;

/**
 * Reads and checks the headers of the ELF executable `file`, the way Linux
 * does before it commits to an `execve`. `limit` is the end of the user
 * address range segments may occupy.
 *
 * @throws {SysError} `ENOEXEC` for anything that is not a loadable static
 *   RV64 executable (with a reason), `EINVAL`-free: every field is checked.
 */
export function parseElf(file: Uint8Array, limit: number): ElfImage {
  if (file.length < 64) fail(Errno.ENOEXEC, "shorter than an ELF header");
  const h = VmReader.from(file).readVal(Elf64Ehdr);
  const id = h.ident;
  if (id[0] !== 0x7f || id[1] !== 0x45 || id[2] !== 0x4c || id[3] !== 0x46) fail(Errno.ENOEXEC, "not an ELF file");
  if (id[4] !== 2) fail(Errno.ENOEXEC, "not a 64-bit ELF file");
  if (id[5] !== 1) fail(Errno.ENOEXEC, "not little-endian");
  if (id[6] !== 1 || h.version !== 1) fail(Errno.ENOEXEC, "unknown ELF version");
  if (h.machine !== EM_RISCV) fail(Errno.ENOEXEC, `not a RISC-V executable (e_machine ${h.machine})`);
  if (h.type !== ET_EXEC && h.type !== ET_DYN) fail(Errno.ENOEXEC, `not an executable (e_type ${h.type})`);
  if (h.phentsize !== Elf64Phdr.size) fail(Errno.ENOEXEC, `e_phentsize ${h.phentsize}`);
  if (h.phnum === 0 || h.phnum > MAX_PHNUM) fail(Errno.ENOEXEC, `e_phnum ${h.phnum}`);
  const phoff = toNumber(h.phoff, "e_phoff");
  if (phoff > file.length || phoff + h.phnum * h.phentsize > file.length) fail(Errno.ENOEXEC, "program headers past the end of the file");
  const bias = h.type === ET_DYN ? ET_DYN_BASE : 0;

  const reader = VmReader.from(file);
  const loads: ProgramHeader[] = [];
  let tls: ProgramHeader | undefined;
  let phdrVaddr: number | undefined;
  let execStack = false;
  for (let i = 0; i < h.phnum; i++) {
    const raw = reader.clone().skip(phoff + i * h.phentsize).readVal(Elf64Phdr);
    const p: ProgramHeader = {
      type: raw.type,
      flags: raw.flags,
      offset: toNumber(raw.offset, "p_offset"),
      vaddr: toNumber(raw.vaddr, "p_vaddr") + bias,
      filesz: toNumber(raw.filesz, "p_filesz"),
      memsz: toNumber(raw.memsz, "p_memsz"),
      align: toNumber(raw.align, "p_align"),
    };
    switch (p.type) {
      case PT_INTERP:
        return fail(Errno.ENOEXEC, "dynamically linked (PT_INTERP): only static executables run here");
      case PT_LOAD:
        checkLoad(p, file.length, limit);
        loads.push(p);
        break;
      case PT_TLS:
        if (p.filesz > p.memsz || p.offset + p.filesz > file.length) fail(Errno.ENOEXEC, "bad PT_TLS");
        tls = p;
        break;
      case PT_PHDR:
        phdrVaddr = p.vaddr;
        break;
      case PT_GNU_STACK:
        execStack = (p.flags & PF_X) !== 0;
        break;
    }
  }
  if (loads.length === 0) fail(Errno.ENOEXEC, "no PT_LOAD segment");
  // Segments must not share a page: each becomes its own region.
  const sorted = [...loads].sort((a, b) => a.vaddr - b.vaddr);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as ProgramHeader;
    const next = sorted[i] as ProgramHeader;
    if (pageUp(prev.vaddr + prev.memsz) > pageDown(next.vaddr)) fail(Errno.ENOEXEC, "PT_LOAD segments overlap or share a page");
  }
  const entry = toNumber(h.entry, "e_entry") + bias;
  if (!loads.some((p) => (p.flags & PF_X) !== 0 && entry >= p.vaddr && entry < p.vaddr + p.memsz)) {
    fail(Errno.ENOEXEC, "the entry point is not in an executable segment");
  }
  const t = tls;
  if (t !== undefined && !loads.some((p) => t.vaddr >= p.vaddr && t.vaddr + t.memsz <= p.vaddr + p.memsz)) {
    fail(Errno.ENOEXEC, "PT_TLS is not inside a PT_LOAD segment");
  }
  // AT_PHDR: PT_PHDR if there is one, else the headers' place in the segment that maps them.
  let phdrAddr = phdrVaddr ?? -1;
  if (phdrAddr < 0) {
    const holder = loads.find((p) => phoff >= p.offset && phoff + h.phnum * h.phentsize <= p.offset + p.filesz);
    phdrAddr = holder === undefined ? 0 : holder.vaddr + (phoff - holder.offset);
  }
  const brkStart = pageUp(Math.max(...loads.map((p) => p.vaddr + p.memsz)));
  return { entry, loads, tls, execStack, phdrAddr, phent: h.phentsize, phnum: h.phnum, bias, brkStart };
}

function checkLoad(p: ProgramHeader, fileSize: number, limit: number): void {
  if (p.filesz > p.memsz) fail(Errno.ENOEXEC, "PT_LOAD with p_filesz > p_memsz");
  if (p.offset + p.filesz > fileSize) fail(Errno.ENOEXEC, "PT_LOAD past the end of the file");
  if (p.offset % PAGE_SIZE !== p.vaddr % PAGE_SIZE) fail(Errno.ENOEXEC, "PT_LOAD offset and address disagree modulo the page size");
  if (p.memsz === 0) fail(Errno.ENOEXEC, "empty PT_LOAD");
  if (p.vaddr < PAGE_SIZE || p.vaddr + p.memsz > limit) fail(Errno.ENOEXEC, "PT_LOAD outside the user address range");
  if ((p.flags & (PF_R | PF_W | PF_X)) === 0) fail(Errno.ENOEXEC, "PT_LOAD without permissions");
}

function toNumber(v: bigint, name: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(Errno.ENOEXEC, `${name} out of range`);
  return Number(v);
}
