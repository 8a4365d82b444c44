// Helpers for the CPU tests: instruction encoders (a tiny assembler), the
// location of the committed test vectors, and a hart over flat memory.
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { FlatMemory } from "../../../kernel/cpu/flat-memory.js";
import { Hart, type HartOptions } from "../../../kernel/cpu/hart.js";
import type { AmoOp, CpuMemory } from "../../../kernel/cpu/memory.js";

/** test/kernel/cpu/vectors in the source tree (tests run from build/). */
export const VECTORS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "test", "kernel", "cpu", "vectors");

/** A committed vector file's bytes (gunzipped when it ends in .gz). */
export function vectorFile(name: string): Buffer {
  const raw = readFileSync(join(VECTORS, name));
  return name.endsWith(".gz") ? gunzipSync(raw) : raw;
}

// ---- encoders ------------------------------------------------------------

export const R = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number): number =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
export const I = (imm: number, rs1: number, f3: number, rd: number, op: number): number =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
export const S = (imm: number, rs2: number, rs1: number, f3: number, op: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | op) >>> 0;
export const B = (imm: number, rs2: number, rs1: number, f3: number): number =>
  ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63) >>>
  0;
export const U = (imm: number, rd: number, op: number): number => ((imm & 0xfffff000) | (rd << 7) | op) >>> 0;
export const J = (imm: number, rd: number): number =>
  ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) | (((imm >> 12) & 0xff) << 12) | (rd << 7) | 0x6f) >>> 0;

export const asm = {
  addi: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x13),
  slti: (rd: number, rs1: number, imm: number) => I(imm, rs1, 2, rd, 0x13),
  sltiu: (rd: number, rs1: number, imm: number) => I(imm, rs1, 3, rd, 0x13),
  xori: (rd: number, rs1: number, imm: number) => I(imm, rs1, 4, rd, 0x13),
  ori: (rd: number, rs1: number, imm: number) => I(imm, rs1, 6, rd, 0x13),
  andi: (rd: number, rs1: number, imm: number) => I(imm, rs1, 7, rd, 0x13),
  slli: (rd: number, rs1: number, sh: number) => I(sh, rs1, 1, rd, 0x13),
  srli: (rd: number, rs1: number, sh: number) => I(sh, rs1, 5, rd, 0x13),
  srai: (rd: number, rs1: number, sh: number) => I(sh | 0x400, rs1, 5, rd, 0x13),
  addiw: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x1b),
  slliw: (rd: number, rs1: number, sh: number) => I(sh, rs1, 1, rd, 0x1b),
  srliw: (rd: number, rs1: number, sh: number) => I(sh, rs1, 5, rd, 0x1b),
  sraiw: (rd: number, rs1: number, sh: number) => I(sh | 0x400, rs1, 5, rd, 0x1b),
  lui: (rd: number, imm: number) => U(imm, rd, 0x37),
  auipc: (rd: number, imm: number) => U(imm, rd, 0x17),
  add: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 0, rd, 0x33),
  sub: (rd: number, rs1: number, rs2: number) => R(0x20, rs2, rs1, 0, rd, 0x33),
  sll: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 1, rd, 0x33),
  slt: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 2, rd, 0x33),
  sltu: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 3, rd, 0x33),
  xor: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 4, rd, 0x33),
  srl: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 5, rd, 0x33),
  sra: (rd: number, rs1: number, rs2: number) => R(0x20, rs2, rs1, 5, rd, 0x33),
  or: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 6, rd, 0x33),
  and: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 7, rd, 0x33),
  mul: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 0, rd, 0x33),
  mulh: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 1, rd, 0x33),
  mulhsu: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 2, rd, 0x33),
  mulhu: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 3, rd, 0x33),
  div: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 4, rd, 0x33),
  divu: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 5, rd, 0x33),
  rem: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 6, rd, 0x33),
  remu: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 7, rd, 0x33),
  addw: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 0, rd, 0x3b),
  subw: (rd: number, rs1: number, rs2: number) => R(0x20, rs2, rs1, 0, rd, 0x3b),
  sllw: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 1, rd, 0x3b),
  srlw: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 5, rd, 0x3b),
  sraw: (rd: number, rs1: number, rs2: number) => R(0x20, rs2, rs1, 5, rd, 0x3b),
  mulw: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 0, rd, 0x3b),
  divw: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 4, rd, 0x3b),
  divuw: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 5, rd, 0x3b),
  remw: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 6, rd, 0x3b),
  remuw: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 7, rd, 0x3b),
  lb: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x03),
  lh: (rd: number, rs1: number, imm: number) => I(imm, rs1, 1, rd, 0x03),
  lw: (rd: number, rs1: number, imm: number) => I(imm, rs1, 2, rd, 0x03),
  ld: (rd: number, rs1: number, imm: number) => I(imm, rs1, 3, rd, 0x03),
  lbu: (rd: number, rs1: number, imm: number) => I(imm, rs1, 4, rd, 0x03),
  lhu: (rd: number, rs1: number, imm: number) => I(imm, rs1, 5, rd, 0x03),
  lwu: (rd: number, rs1: number, imm: number) => I(imm, rs1, 6, rd, 0x03),
  sb: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 0, 0x23),
  sh: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 1, 0x23),
  sw: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 2, 0x23),
  sd: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 3, 0x23),
  flw: (rd: number, rs1: number, imm: number) => I(imm, rs1, 2, rd, 0x07),
  fld: (rd: number, rs1: number, imm: number) => I(imm, rs1, 3, rd, 0x07),
  fsw: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 2, 0x27),
  fsd: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 3, 0x27),
  beq: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 0),
  bne: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 1),
  blt: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 4),
  bge: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 5),
  bltu: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 6),
  bgeu: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 7),
  jal: (rd: number, off: number) => J(off, rd),
  jalr: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x67),
  ecall: () => 0x00000073,
  ebreak: () => 0x00100073,
  fence: () => 0x0ff0000f,
  fenceI: () => 0x0000100f,
  csrrw: (rd: number, csr: number, rs1: number) => I(csr, rs1, 1, rd, 0x73),
  csrrs: (rd: number, csr: number, rs1: number) => I(csr, rs1, 2, rd, 0x73),
  csrrc: (rd: number, csr: number, rs1: number) => I(csr, rs1, 3, rd, 0x73),
  csrrwi: (rd: number, csr: number, imm: number) => I(csr, imm, 5, rd, 0x73),
  csrrsi: (rd: number, csr: number, imm: number) => I(csr, imm, 6, rd, 0x73),
  csrrci: (rd: number, csr: number, imm: number) => I(csr, imm, 7, rd, 0x73),
  /** An A-extension instruction: funct5, width 2 (W) or 3 (D). */
  amo: (f5: number, width: number, rd: number, rs1: number, rs2: number) => R(f5 << 2, rs2, rs1, width, rd, 0x2f),
  /** OP-FP: funct5, fmt (0 S, 1 D), rm/funct3. */
  opfp: (f5: number, fmt: number, rd: number, rs1: number, rs2: number, rm: number) => R((f5 << 2) | fmt, rs2, rs1, rm, rd, 0x53),
  /** FMADD (0x43), FMSUB (0x47), FNMSUB (0x4b), FNMADD (0x4f). */
  r4: (op: number, fmt: number, rd: number, rs1: number, rs2: number, rs3: number, rm: number) =>
    ((rs3 << 27) | (fmt << 25) | (rs2 << 20) | (rs1 << 15) | (rm << 12) | (rd << 7) | op) >>> 0,
};

/** Encodes an F/D instruction from its mnemonic (as the vector files name them), reading f1, f2, f3 (or x6) and writing f4 (or x4). */
export function encodeFp(name: string, rm: number): number {
  const parts = name.split(".");
  const m = parts[0]!;
  const r4: Record<string, number> = { fmadd: 0x43, fmsub: 0x47, fnmsub: 0x4b, fnmadd: 0x4f };
  const ints: Record<string, number> = { w: 0, wu: 1, l: 2, lu: 3 };
  const fmtOf = (p: string | undefined): number => (p === "d" ? 1 : 0);
  if (m in r4) return asm.r4(r4[m]!, fmtOf(parts[1]), 4, 1, 2, 3, rm);
  if (m === "fcvt") {
    const a = parts[1]!;
    const b = parts[2]!;
    if ((a === "s" || a === "d") && (b === "s" || b === "d")) return asm.opfp(8, fmtOf(a), 4, 1, b === "d" ? 1 : 0, rm);
    if (a in ints) return asm.opfp(24, fmtOf(b), 4, 1, ints[a]!, rm);
    return asm.opfp(26, fmtOf(a), 4, 6, ints[b]!, rm);
  }
  if (m === "fmv") return parts[1] === "x" ? asm.opfp(28, fmtOf(parts[2]), 4, 1, 0, 0) : asm.opfp(30, fmtOf(parts[1]), 4, 6, 0, 0);
  const table: Record<string, [f5: number, f3: number | undefined, rs2: number]> = {
    fadd: [0, undefined, 2],
    fsub: [1, undefined, 2],
    fmul: [2, undefined, 2],
    fdiv: [3, undefined, 2],
    fsqrt: [11, undefined, 0],
    fsgnj: [4, 0, 2],
    fsgnjn: [4, 1, 2],
    fsgnjx: [4, 2, 2],
    fmin: [5, 0, 2],
    fmax: [5, 1, 2],
    fle: [20, 0, 2],
    flt: [20, 1, 2],
    feq: [20, 2, 2],
    fclass: [28, 1, 0],
  };
  const t = table[m];
  if (t === undefined) throw new Error(`no encoding for ${name}`);
  return asm.opfp(t[0], fmtOf(parts[1]), 4, 1, t[2], t[1] ?? rm);
}

// ---- running code --------------------------------------------------------

/** Where test programs are placed. */
export const CODE = 0x10000;

/** A hart over a fresh 1 MiB flat memory at 0x10000 holding `code` (32-bit words, or a Uint8Array) at `CODE`, pc there. */
export function hartWith(code: readonly number[] | Uint8Array, options?: HartOptions): { hart: Hart; mem: FlatMemory } {
  const mem = new FlatMemory(1 << 20, CODE);
  if (code instanceof Uint8Array) mem.bytes.set(code);
  else code.forEach((w, i) => new DataView(mem.bytes.buffer).setUint32(4 * i, w >>> 0, true));
  const hart = new Hart(mem, options);
  hart.pc = CODE;
  return { hart, mem };
}

/** Reads an unsigned 64-bit register as a bigint. */
export function reg(h: Hart, i: number): bigint {
  return BigInt.asUintN(64, h.getRegBigInt(i));
}

/** fast-check: an unsigned `n`-bit bigint. */
export const uintN = (n: number): fc.Arbitrary<bigint> => fc.bigInt({ min: 0n, max: (1n << BigInt(n)) - 1n });

/**
 * Copies the PT_LOAD segments of a static little-endian ELF64 executable into
 * `mem` (bytes beyond a segment's file size stay zero) and returns its entry
 * point. Enough for the freestanding programs in test/kernel/cpu/programs.
 */
export function loadElf(mem: FlatMemory, elf: Uint8Array): number {
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (view.getUint32(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error("not a little-endian ELF64 file");
  const phoff = Number(view.getBigUint64(32, true));
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (view.getUint32(ph, true) !== 1) continue; // PT_LOAD
    const offset = Number(view.getBigUint64(ph + 8, true));
    const vaddr = Number(view.getBigUint64(ph + 16, true));
    const filesz = Number(view.getBigUint64(ph + 32, true));
    mem.bytes.set(elf.subarray(offset, offset + filesz), vaddr - mem.base);
  }
  return Number(view.getBigUint64(24, true));
}

/** test/kernel/cpu/programs/NAME.elf */
export function program(name: string): Uint8Array {
  return readFileSync(join(VECTORS, "..", "programs", `${name}.elf`));
}

/** A hart ready to run a freestanding program with `run(a0, a1)`: 8 MiB of flat memory at 0, sp at its top. */
export function programHart(name: string, a0: number, a1 = 0, memory?: FlatMemory): { hart: Hart; mem: FlatMemory } {
  const mem = memory ?? new FlatMemory(8 << 20, 0);
  const hart = new Hart(mem);
  hart.pc = loadElf(mem, program(name));
  hart.setReg(2, mem.bytes.length - 16);
  hart.setReg(10, a0);
  hart.setReg(11, a1);
  return { hart, mem };
}

/**
 * A CpuMemory that forwards to a FlatMemory, with any method replaceable
 * (to spy on calls, or to throw like a kernel's memory does on a fault).
 */
export class SpyMemory implements CpuMemory {
  hi = 0;
  constructor(
    readonly inner: FlatMemory,
    readonly hooks: Partial<Record<Exclude<keyof CpuMemory, "hi">, (...args: number[]) => number | boolean | void>> = {},
  ) {}
  #call(name: Exclude<keyof CpuMemory, "hi">, args: number[]): number | boolean | void {
    const hook = this.hooks[name];
    const r = hook !== undefined ? hook(...args) : (this.inner[name] as (...a: number[]) => number | boolean | void)(...args);
    this.hi = this.inner.hi;
    return r;
  }
  fetch16(a: number): number {
    return this.#call("fetch16", [a]) as number;
  }
  load8(a: number): number {
    return this.#call("load8", [a]) as number;
  }
  load16(a: number): number {
    return this.#call("load16", [a]) as number;
  }
  load32(a: number): number {
    return this.#call("load32", [a]) as number;
  }
  load64(a: number): number {
    return this.#call("load64", [a]) as number;
  }
  store8(a: number, v: number): void {
    this.#call("store8", [a, v]);
  }
  store16(a: number, v: number): void {
    this.#call("store16", [a, v]);
  }
  store32(a: number, v: number): void {
    this.#call("store32", [a, v]);
  }
  store64(a: number, lo: number, hi: number): void {
    this.#call("store64", [a, lo, hi]);
  }
  amo32(op: AmoOp, a: number, v: number): number {
    return this.#call("amo32", [op, a, v]) as number;
  }
  amo64(op: AmoOp, a: number, lo: number, hi: number): number {
    return this.#call("amo64", [op, a, lo, hi]) as number;
  }
  cas32(a: number, e: number, n: number): boolean {
    return this.#call("cas32", [a, e, n]) as boolean;
  }
  cas64(a: number, el: number, eh: number, lo: number, hi: number): boolean {
    return this.#call("cas64", [a, el, eh, lo, hi]) as boolean;
  }
  fence(): void {
    this.#call("fence", []);
  }
}
