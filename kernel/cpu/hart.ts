/**
 * A RISC-V hart in user mode: an RV64GC interpreter (I, M, A, F, D, C,
 * Zicsr, Zifencei) running against a {@link CpuMemory}.
 *
 * The kernel drives it: `run(budget)` executes instructions until one needs
 * the kernel (a system call, a breakpoint, an illegal instruction, a memory
 * access that faulted, a misaligned atomic) or the budget runs out, and
 * returns why. Everything a user-mode program can see of its CPU is here
 * and nothing else: no privileged state, no interrupts.
 *
 * **The fault rule.** When the memory throws, the instruction that made the
 * access does not retire: no register, no `pc`, no CSR, no counter changes,
 * and the memory has stored nothing (its contract). `run` returns
 * `"fault"`; {@link Hart.exitAddress}, {@link Hart.exitAccess} and
 * {@link Hart.exitError} say where, how and what was thrown. The kernel
 * turns that into `SIGSEGV` (or resolves it and runs again: the instruction
 * is retried from scratch).
 *
 * **Decoded-instruction cache.** Each instruction is fetched and decoded
 * once (decode.ts: an operation number, its registers and its immediate)
 * and kept in a direct-mapped cache of 4 KiB blocks, so the memory sees
 * the fetch of an instruction the first time it runs, not every time. The
 * cache is exact under these rules: the hart drops it on `fence.i`, and the
 * kernel calls {@link Hart.invalidateCode} whenever code may change under
 * the hart without a `fence.i` of its own — `munmap`, `mprotect`,
 * `mremap`, a new mapping over old code, `execve` (setting
 * {@link Hart.memory} drops everything) — on every hart that runs in that
 * address space (on other workers too: until then, they may run what they
 * had decoded).
 *
 * Counterparts: a RISC-V hart in U-mode as Linux presents it (the
 * privileged state is the kernel's); qemu-user's `cpu_loop` for RISC-V
 * (`run` returning to the kernel is qemu's `cpu_exec` returning an
 * exception number).
 *
 * @module
 */

import type { AmoOp, CpuMemory } from "./memory.js";
import { checkInteger, contractViolation, invalidType, outOfRange } from "./contract.js";
import { expandCompressed } from "./compressed.js";
import { Fpu } from "./fpu.js";
import { div, divw, mul, mulh } from "./int64.js";
import { Op, SINK, decode, decodedImm } from "./decode.js";

/**
 * Why {@link Hart.run} returned.
 *
 * - `"budget"`: it executed `budget` instructions; `pc` is the next one.
 * - `"ecall"`: `pc` is at the `ecall` (not retired); the kernel handles the
 *   system call (number in a7, arguments in a0–a5), writes a0 and adds 4 to `pc`.
 * - `"ebreak"`: `pc` is at the `ebreak` or `c.ebreak` (not retired): `SIGTRAP`.
 * - `"illegal"`: `pc` is at an instruction this hart does not implement or
 *   that is reserved, or a CSR access it forbids; {@link Hart.exitBits}
 *   holds the instruction (16 or 32 bits): `SIGILL`.
 * - `"fault"`: the memory threw (see the module's fault rule): `SIGSEGV`.
 *   Anything thrown while an instruction executes ends `run` this way,
 *   so an {@link Hart.exitError} that is not the kernel's own fault error
 *   (from a time source, say) is a bug to rethrow.
 * - `"misaligned"`: an AMO, LR or SC at an address not aligned to its size
 *   (Linux does not emulate those): `SIGBUS` with {@link Hart.exitAddress}.
 */
export type ExitReason = "budget" | "ecall" | "ebreak" | "illegal" | "fault" | "misaligned";

/** Which access of a faulting or misaligned instruction failed: an instruction fetch, a load (LR included), or a store (SC and AMOs included, as RISC-V reports them). */
export type Access = "fetch" | "load" | "store";

/** Options of a {@link Hart}. */
export interface HartOptions {
  /**
   * The clock behind the `time` CSR (`rdtime`): returns the current time in
   * ticks as a non-negative integer. Default: `performance.now()` at 10 MHz
   * (the `timebase-frequency` of qemu's `virt` machine).
   */
  readonly time?: () => number;
}

/**
 * Size in bytes of the register state {@link Hart.saveContext} writes: the
 * layout of Linux's RISC-V `struct sigcontext` with the D extension's FP
 * state — `pc`, x1–x31 (`struct user_regs_struct`, 32 × 8 bytes), then
 * f0–f31 (32 × 8 bytes) and `fcsr` (4 bytes) (`struct __riscv_d_ext_state`).
 * Linux's `struct sigcontext` is 784 bytes (its FP union is sized for the Q
 * extension): the kernel reserves that, zeroes the rest, and places it in
 * `ucontext.uc_mcontext`.
 */
export const CONTEXT_SIZE = 516;

const TWO32 = 4294967296;
/** 2^-32 (multiplying by a power of two is exact and cheaper than dividing). */
const INV32 = 1 / TWO32;
const TWO64 = 18446744073709551616;
/** Bytes of address space per decoded-instruction block. */
const BLOCK = 4096;
const INV_BLOCK = 1 / BLOCK;
/** Blocks the direct-mapped decoded-instruction cache holds at once (a power of two). */
const SLOTS = 256;
const NO_BLOCK = new Int32Array(0);
/** The most instructions one pass of the interpreter loop runs. */
const SLICE = 2 ** 30;
/** Bit f of this mask is set when funct5 = f is an A-extension instruction (AMOs, LR, SC). */
const AMO_FUNCT5 = 0x1111111f;

/** CSR numbers (Zicsr, user level). */
const CSR_FFLAGS = 0x001;
const CSR_FRM = 0x002;
const CSR_FCSR = 0x003;
const CSR_CYCLE = 0xc00;
const CSR_TIME = 0xc01;
const CSR_INSTRET = 0xc02;

function defaultTime(): number {
  return Math.floor(performance.now() * 1e4);
}

/**
 * One RISC-V hart (RV64GC, user mode). See the module documentation.
 *
 * Counterpart: Linux's `struct pt_regs` + `struct __riscv_d_ext_state` for
 * a user thread, and the CPU that runs it.
 */
export class Hart {
  /**
   * Low halves (int32) of x0–x31. x0 reads as 0 whatever is written here.
   * The kernel reads and writes system-call arguments and results here
   * (or with {@link Hart.getReg} / {@link Hart.setReg}).
   */
  readonly xlo: Int32Array;
  /** High halves (int32) of x0–x31. */
  readonly xhi: Int32Array;
  /**
   * f0–f31 as raw bits (NaN-boxing is exact): the low 32 bits of f[i] at
   * `fbits[2 * i]`, the high 32 bits at `fbits[2 * i + 1]`. A single-precision
   * value is boxed: high half all ones (-1).
   */
  readonly fbits: Int32Array;

  // x0–x31 and a sink (index 32) that receives the writes to x0: xlo/xhi are views of the first 32.
  readonly #xl = new Int32Array(33);
  readonly #xh = new Int32Array(33);
  readonly #fpu = new Fpu();
  #memory: CpuMemory;
  readonly #time: () => number;
  #pc = 0;
  #instret = 0;
  #running = false;

  // The LR reservation: address (-1: none), width, and the value LR loaded.
  #resAddr = -1;
  #resWide = false;
  #resLo = 0;
  #resHi = 0;

  // Decoded-instruction cache: slot i holds block number #tags[i] (-1: none).
  readonly #tags = new Float64Array(SLOTS).fill(-1);
  readonly #blocks: Int32Array[] = new Array<Int32Array>(SLOTS).fill(NO_BLOCK);

  // Details of the last exit.
  #exitBits = 0;
  #exitAddress = 0;
  #exitAccess: Access = "fetch";
  #exitError: unknown = undefined;
  // Where the fetch in progress reads (for a fetch fault).
  #fetchAddr = 0;

  /**
   * A hart with all registers, `pc` and `fcsr` zero, executing against `memory`.
   *
   * @throws {TypeError} `memory` is not an object, or `options.time` is not a function.
   */
  constructor(memory: CpuMemory, options: HartOptions = {}) {
    if (typeof memory !== "object" || memory === null) invalidType("memory", "a CpuMemory", memory);
    if (typeof options !== "object" || options === null) invalidType("options", "an object", options);
    const time = options.time ?? defaultTime;
    if (typeof time !== "function") invalidType("options.time", "a function", time);
    this.#memory = memory;
    this.#time = time;
    this.xlo = this.#xl.subarray(0, 32);
    this.xhi = this.#xh.subarray(0, 32);
    this.fbits = this.#fpu.bits;
  }

  /**
   * The address space the hart executes against. Setting it (`execve`)
   * drops every decoded instruction and the LR reservation.
   *
   * @throws {TypeError} (set) not an object.
   */
  get memory(): CpuMemory {
    return this.#memory;
  }

  set memory(m: CpuMemory) {
    if (typeof m !== "object" || m === null) invalidType("memory", "a CpuMemory", m);
    this.#memory = m;
    this.#resAddr = -1;
    this.invalidateCode();
  }

  /**
   * The program counter: a non-negative integer below 2^53. Setting it clears
   * bit 0, as writing `sepc` does (instructions are 2-byte aligned with C).
   *
   * @throws {RangeError} (set) not a non-negative safe integer.
   */
  get pc(): number {
    return this.#pc;
  }

  set pc(v: number) {
    checkInteger("pc", v, 0, Number.MAX_SAFE_INTEGER);
    this.#pc = v - (v % 2);
  }

  /** `fcsr`: `frm` in bits 7..5, `fflags` in bits 4..0. Setting it keeps those 8 bits (as `csrw fcsr` does). @throws {RangeError} (set) not an integer. */
  get fcsr(): number {
    return (this.#fpu.frm << 5) | this.#fpu.fflags;
  }

  set fcsr(v: number) {
    checkInteger("fcsr", v, -(2 ** 31), 2 ** 32 - 1);
    this.#fpu.frm = (v >>> 5) & 7;
    this.#fpu.fflags = v & 31;
  }

  /** Accrued FP exception flags: NV (16), DZ (8), OF (4), UF (2), NX (1). @throws {RangeError} (set) not an integer. */
  get fflags(): number {
    return this.#fpu.fflags;
  }

  set fflags(v: number) {
    checkInteger("fflags", v, -(2 ** 31), 2 ** 32 - 1);
    this.#fpu.fflags = v & 31;
  }

  /** Dynamic rounding mode: 0 RNE, 1 RTZ, 2 RDN, 3 RUP, 4 RMM (5–7 make FP instructions that use it illegal). @throws {RangeError} (set) not an integer. */
  get frm(): number {
    return this.#fpu.frm;
  }

  set frm(v: number) {
    checkInteger("frm", v, -(2 ** 31), 2 ** 32 - 1);
    this.#fpu.frm = v & 7;
  }

  /**
   * Instructions retired by this hart (the `instret` CSR; `cycle` reads the
   * same count: the hart has no cycle model). An `ecall`, `ebreak`, illegal
   * or faulting instruction does not retire.
   *
   * @throws {RangeError} (set) not a non-negative safe integer.
   */
  get instret(): number {
    return this.#instret;
  }

  set instret(v: number) {
    this.#instret = checkInteger("instret", v, 0, Number.MAX_SAFE_INTEGER);
  }

  /** After an `"illegal"` exit: the instruction's bits (a 16-bit parcel for a compressed one). */
  get exitBits(): number {
    return this.#exitBits;
  }

  /**
   * After a `"fault"` or `"misaligned"` exit: the address of the access —
   * the effective address of the load, store or AMO, or the address of the
   * instruction parcel that could not be fetched (`pc` or `pc + 2`). An
   * address of 2^53 or more is rounded to a double (it is outside user space
   * either way).
   */
  get exitAddress(): number {
    return this.#exitAddress;
  }

  /** After a `"fault"` or `"misaligned"` exit: which access failed. */
  get exitAccess(): Access {
    return this.#exitAccess;
  }

  /** After a `"fault"` exit: the value the memory threw (the kernel's `VmError`). */
  get exitError(): unknown {
    return this.#exitError;
  }

  /**
   * Register `i` (0–31) as a signed 64-bit value. Exact when its magnitude is
   * below 2^53 (`Number.isSafeInteger` tells); otherwise the nearest double.
   *
   * @throws {RangeError} `i` is not an integer in [0, 31].
   */
  getReg(i: number): number {
    checkInteger("register", i, 0, 31);
    return i === 0 ? 0 : this.xhi[i]! * TWO32 + (this.xlo[i]! >>> 0);
  }

  /**
   * Register `i` as an unsigned 64-bit value (a pointer or a size). Exact
   * below 2^53, otherwise the nearest double (so a check such as `< 2^47`
   * stays right).
   *
   * @throws {RangeError} `i` is not an integer in [0, 31].
   */
  getRegUnsigned(i: number): number {
    checkInteger("register", i, 0, 31);
    return i === 0 ? 0 : (this.xhi[i]! >>> 0) * TWO32 + (this.xlo[i]! >>> 0);
  }

  /** Register `i` as a signed 64-bit `bigint` (`BigInt.asUintN(64, …)` for unsigned). @throws {RangeError} `i` is not an integer in [0, 31]. */
  getRegBigInt(i: number): bigint {
    checkInteger("register", i, 0, 31);
    return i === 0 ? 0n : (BigInt(this.xhi[i]!) << 32n) | BigInt(this.xlo[i]! >>> 0);
  }

  /**
   * Sets register `i` to `v`, a safe integer (negative values are stored in
   * two's complement: `setReg(10, -14)` returns `-EFAULT`). Writes to x0 are
   * ignored.
   *
   * @throws {RangeError} `i` is not in [0, 31], or `v` is not a safe integer.
   */
  setReg(i: number, v: number): void {
    checkInteger("register", i, 0, 31);
    checkInteger("value", v, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    if (i === 0) return;
    this.xlo[i] = v % TWO32;
    this.xhi[i] = Math.floor(v / TWO32);
  }

  /**
   * Sets register `i` to `v` modulo 2^64 (any `bigint`, signed or unsigned).
   *
   * @throws {RangeError} `i` is not in [0, 31]. @throws {TypeError} `v` is not a bigint.
   */
  setRegBigInt(i: number, v: bigint): void {
    checkInteger("register", i, 0, 31);
    if (typeof v !== "bigint") invalidType("value", "a bigint", v);
    if (i === 0) return;
    this.xlo[i] = Number(BigInt.asIntN(32, v));
    this.xhi[i] = Number(BigInt.asIntN(32, v >> 32n));
  }

  /** The raw 64 bits of FP register `i` (0–31), unsigned. @throws {RangeError} `i` is not in [0, 31]. */
  getFRegBigInt(i: number): bigint {
    checkInteger("register", i, 0, 31);
    return (BigInt(this.fbits[2 * i + 1]! >>> 0) << 32n) | BigInt(this.fbits[2 * i]! >>> 0);
  }

  /** Sets the raw bits of FP register `i` to `v` modulo 2^64. @throws {RangeError} `i` is not in [0, 31]. @throws {TypeError} `v` is not a bigint. */
  setFRegBigInt(i: number, v: bigint): void {
    checkInteger("register", i, 0, 31);
    if (typeof v !== "bigint") invalidType("value", "a bigint", v);
    this.fbits[2 * i] = Number(BigInt.asIntN(32, v));
    this.fbits[2 * i + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  /**
   * Copies the architectural state a new thread or process inherits to
   * `other`: x1–x31, `pc`, f0–f31 and `fcsr`. Not copied: the counters
   * (each hart counts its own), the LR reservation (a trap clears it), the
   * memory and the decoded-instruction cache. For `fork`/`clone`, then set
   * the child's a0 (and sp, tp) as Linux does.
   *
   * @throws {TypeError} `other` is not a Hart.
   */
  copyStateTo(other: Hart): void {
    if (!(other instanceof Hart)) invalidType("other", "a Hart", other);
    other.xlo.set(this.xlo);
    other.xhi.set(this.xhi);
    other.fbits.set(this.fbits);
    other.#pc = this.#pc;
    other.#fpu.fflags = this.#fpu.fflags;
    other.#fpu.frm = this.#fpu.frm;
    other.#resAddr = -1;
  }

  /**
   * Writes the register state to `out` at `offset` in the layout of
   * Linux's RISC-V `struct sigcontext` (see {@link CONTEXT_SIZE}), little-endian:
   * what a signal frame or a core dump holds.
   *
   * @throws {RangeError} fewer than {@link CONTEXT_SIZE} bytes at `offset`.
   */
  saveContext(out: Uint8Array, offset = 0): void {
    const view = contextView(out, offset);
    view.setUint32(0, this.#pc % TWO32, true);
    view.setUint32(4, Math.floor(this.#pc / TWO32), true);
    for (let i = 1; i < 32; i++) {
      view.setInt32(8 * i, this.xlo[i]!, true);
      view.setInt32(8 * i + 4, this.xhi[i]!, true);
    }
    for (let i = 0; i < 64; i++) view.setInt32(256 + 4 * i, this.fbits[i]!, true);
    view.setUint32(512, this.fcsr, true);
  }

  /**
   * Loads the register state from a {@link saveContext} layout (what
   * `rt_sigreturn` does): x1–x31, f0–f31, `fcsr` (its low 8 bits), and `pc`
   * (bit 0 cleared; a value of 2^53 or more becomes 2^53 - 2, outside user
   * space, so that the next fetch faults as it would on hardware). Clears the
   * LR reservation.
   *
   * @throws {RangeError} fewer than {@link CONTEXT_SIZE} bytes at `offset`.
   */
  restoreContext(src: Uint8Array, offset = 0): void {
    const view = contextView(src, offset);
    const pcHi = view.getUint32(4, true);
    const pc = pcHi >= 0x200000 ? Number.MAX_SAFE_INTEGER - 1 : pcHi * TWO32 + view.getUint32(0, true);
    for (let i = 1; i < 32; i++) {
      this.xlo[i] = view.getInt32(8 * i, true);
      this.xhi[i] = view.getInt32(8 * i + 4, true);
    }
    for (let i = 0; i < 64; i++) this.fbits[i] = view.getInt32(256 + 4 * i, true);
    const fcsr = view.getUint32(512, true);
    this.#fpu.frm = (fcsr >>> 5) & 7;
    this.#fpu.fflags = fcsr & 31;
    this.#pc = pc - (pc % 2);
    this.#resAddr = -1;
  }

  /**
   * Forgets decoded instructions in `[start, end)` (default: all), for when
   * code may have changed under this hart without its own `fence.i`:
   * `munmap`, `mprotect`, `mremap`, a mapping over old code, another
   * thread's code writes. Exact: an instruction that straddles `start` is
   * forgotten too. Safe to call at any time, also from inside a memory
   * callback while `run` is executing.
   *
   * @throws {RangeError} `start` or `end` is not a non-negative number, or `end < start`.
   */
  invalidateCode(start = 0, end = Infinity): void {
    if (!(start >= 0) || !(end >= start)) outOfRange("[start, end)", "a range of addresses", `${start}..${end}`);
    const from = Math.max(0, start - 2); // an instruction starting 2 bytes before start overlaps it
    for (let i = 0; i < SLOTS; i++) {
      const blockStart = this.#tags[i]! * BLOCK;
      if (blockStart < 0 || blockStart >= end || blockStart + BLOCK <= from) continue;
      // Each 2 bytes of code own 2 words: the word index is the byte offset.
      this.#blocks[i]!.fill(0, Math.max(from, blockStart) - blockStart, Math.min(end, blockStart + BLOCK) - blockStart);
    }
  }

  /**
   * Executes up to `budget` instructions and returns why it stopped (see
   * {@link ExitReason}). Clears the LR reservation first, as Linux does on
   * every return to user mode. Not re-entrant: a memory callback must not
   * call `run` on the same hart.
   *
   * @throws {RangeError} `budget` is not a non-negative safe integer, or `run` is re-entered.
   */
  run(budget: number): ExitReason {
    checkInteger("budget", budget, 0, Number.MAX_SAFE_INTEGER);
    if (this.#running) contractViolation("Hart.run re-entered from inside its own memory access");
    this.#running = true;
    this.#resAddr = -1;
    try {
      // Slices of at most 2^30 keep the instruction counter a small integer for V8.
      for (;;) {
        const slice = Math.min(budget, SLICE);
        const reason = this.#execute(slice);
        budget -= slice;
        if (reason !== "budget" || budget === 0) return reason;
      }
    } finally {
      this.#running = false;
    }
  }

  /** The interpreter loop: up to `budget` (≤ 2^30) instructions. */
  #execute(budget: number): ExitReason {
    const mem = this.#memory;
    const xl = this.#xl;
    const xh = this.#xh;
    const fpu = this.#fpu;
    const fb = fpu.bits;
    xl[0] = 0; // whatever the kernel wrote there
    xh[0] = 0;
    // The pc is base + off: base is the current block's address, off an int
    // (a byte offset, and the index of the instruction's two cache words).
    let base = Math.floor(this.#pc * INV_BLOCK) * BLOCK;
    let off = (this.#pc - base) | 0;
    let code = this.#block(base);
    let left = budget;
    let w = 0; // the packed instruction being executed
    let imm = 0;
    let fetching = false;
    let reason: ExitReason = "budget";
    try {
      loop: while (left > 0) {
        if (off >>> 0 >= BLOCK) {
          const pc = base + off;
          base = Math.floor(pc * INV_BLOCK) * BLOCK;
          off = (pc - base) | 0;
          code = this.#block(base);
        }
        w = code[off]!;
        if (w === 0) {
          fetching = true;
          w = this.#fetch(mem, base + off);
          fetching = false;
          if (w === 0) {
            reason = "illegal";
            break;
          }
          code[off] = w;
          code[off + 1] = decodedImm;
        }
        imm = code[off + 1]!;
        left--;
        // Literal case labels: V8 compiles a switch to a jump table only for those (named
        // constants become a chain of comparisons). The numbers are decode.ts's Op.
        switch (w & 255) {
          case 1: { // ADDI
            const rs1 = (w >>> 14) & 31;
            const rd = (w >>> 8) & 63;
            const al = xl[rs1]!;
            const l = (al + imm) | 0;
            xh[rd] = xh[rs1]! + (imm >> 31) + (l >>> 0 < al >>> 0 ? 1 : 0);
            xl[rd] = l;
            break;
          }
          case 74: { // MV
            const rs1 = (w >>> 14) & 31;
            const rd = (w >>> 8) & 63;
            xl[rd] = xl[rs1]!;
            xh[rd] = xh[rs1]!;
            break;
          }
          case 10: { // LUI
            const rd = (w >>> 8) & 63;
            xl[rd] = imm;
            xh[rd] = imm >> 31;
            break;
          }
          case 2: { // SLTI
            const rs1 = (w >>> 14) & 31;
            const rd = (w >>> 8) & 63;
            const ah = xh[rs1]!;
            const ih = imm >> 31;
            xl[rd] = ah < ih || (ah === ih && xl[rs1]! >>> 0 < imm >>> 0) ? 1 : 0;
            xh[rd] = 0;
            break;
          }
          case 3: { // SLTIU
            const rs1 = (w >>> 14) & 31;
            const rd = (w >>> 8) & 63;
            const ah = xh[rs1]!;
            const ih = imm >> 31;
            xl[rd] = ah >>> 0 < ih >>> 0 || (ah === ih && xl[rs1]! >>> 0 < imm >>> 0) ? 1 : 0;
            xh[rd] = 0;
            break;
          }
          case 4: { // XORI
            const rs1 = (w >>> 14) & 31;
            const rd = (w >>> 8) & 63;
            xl[rd] = xl[rs1]! ^ imm;
            xh[rd] = xh[rs1]! ^ (imm >> 31);
            break;
          }
          case 5: { // ORI
            const rs1 = (w >>> 14) & 31;
            const rd = (w >>> 8) & 63;
            xl[rd] = xl[rs1]! | imm;
            xh[rd] = xh[rs1]! | (imm >> 31);
            break;
          }
          case 6: { // ANDI
            const rs1 = (w >>> 14) & 31;
            const rd = (w >>> 8) & 63;
            xl[rd] = xl[rs1]! & imm;
            xh[rd] = xh[rs1]! & (imm >> 31);
            break;
          }
          case 7: { // SLLI
            const rs1 = (w >>> 14) & 31;
            shiftLeft(xl, xh, (w >>> 8) & 63, xl[rs1]!, xh[rs1]!, imm);
            break;
          }
          case 8: { // SRLI
            const rs1 = (w >>> 14) & 31;
            shiftRightLogical(xl, xh, (w >>> 8) & 63, xl[rs1]!, xh[rs1]!, imm);
            break;
          }
          case 9: { // SRAI
            const rs1 = (w >>> 14) & 31;
            shiftRightArith(xl, xh, (w >>> 8) & 63, xl[rs1]!, xh[rs1]!, imm);
            break;
          }
          case 11: { // AUIPC
            const v = base + off + imm;
            const rd = (w >>> 8) & 63;
            xl[rd] = v; // Int32Array stores keep the low 32 bits
            xh[rd] = Math.floor(v * INV32);
            break;
          }
          case 12: { // ADDIW
            const rd = (w >>> 8) & 63;
            const v = (xl[(w >>> 14) & 31]! + imm) | 0;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 13: { // SLLIW
            const rd = (w >>> 8) & 63;
            const v = xl[(w >>> 14) & 31]! << imm;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 14: { // SRLIW
            const rd = (w >>> 8) & 63;
            const v = (xl[(w >>> 14) & 31]! >>> imm) | 0;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 15: { // SRAIW
            const rd = (w >>> 8) & 63;
            const v = xl[(w >>> 14) & 31]! >> imm;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 16: { // ADD
            const rs1 = (w >>> 14) & 31;
            const rs2 = (w >>> 19) & 31;
            const rd = (w >>> 8) & 63;
            const al = xl[rs1]!;
            const l = (al + xl[rs2]!) | 0;
            xh[rd] = xh[rs1]! + xh[rs2]! + (l >>> 0 < al >>> 0 ? 1 : 0);
            xl[rd] = l;
            break;
          }
          case 17: { // SUB
            const rs1 = (w >>> 14) & 31;
            const rs2 = (w >>> 19) & 31;
            const rd = (w >>> 8) & 63;
            const al = xl[rs1]!;
            const bl = xl[rs2]!;
            xh[rd] = xh[rs1]! - xh[rs2]! - (al >>> 0 < bl >>> 0 ? 1 : 0);
            xl[rd] = al - bl;
            break;
          }
          case 18: { // SLL
            const rs1 = (w >>> 14) & 31;
            shiftLeft(xl, xh, (w >>> 8) & 63, xl[rs1]!, xh[rs1]!, xl[(w >>> 19) & 31]! & 63);
            break;
          }
          case 19: { // SLT
            const rs1 = (w >>> 14) & 31;
            const rs2 = (w >>> 19) & 31;
            const rd = (w >>> 8) & 63;
            const ah = xh[rs1]!;
            const bh = xh[rs2]!;
            xl[rd] = ah < bh || (ah === bh && xl[rs1]! >>> 0 < xl[rs2]! >>> 0) ? 1 : 0;
            xh[rd] = 0;
            break;
          }
          case 20: { // SLTU
            const rs1 = (w >>> 14) & 31;
            const rs2 = (w >>> 19) & 31;
            const rd = (w >>> 8) & 63;
            const ah = xh[rs1]!;
            const bh = xh[rs2]!;
            xl[rd] = ah >>> 0 < bh >>> 0 || (ah === bh && xl[rs1]! >>> 0 < xl[rs2]! >>> 0) ? 1 : 0;
            xh[rd] = 0;
            break;
          }
          case 21: { // XOR
            const rs1 = (w >>> 14) & 31;
            const rs2 = (w >>> 19) & 31;
            const rd = (w >>> 8) & 63;
            xl[rd] = xl[rs1]! ^ xl[rs2]!;
            xh[rd] = xh[rs1]! ^ xh[rs2]!;
            break;
          }
          case 22: { // SRL
            const rs1 = (w >>> 14) & 31;
            shiftRightLogical(xl, xh, (w >>> 8) & 63, xl[rs1]!, xh[rs1]!, xl[(w >>> 19) & 31]! & 63);
            break;
          }
          case 23: { // SRA
            const rs1 = (w >>> 14) & 31;
            shiftRightArith(xl, xh, (w >>> 8) & 63, xl[rs1]!, xh[rs1]!, xl[(w >>> 19) & 31]! & 63);
            break;
          }
          case 24: { // OR
            const rs1 = (w >>> 14) & 31;
            const rs2 = (w >>> 19) & 31;
            const rd = (w >>> 8) & 63;
            xl[rd] = xl[rs1]! | xl[rs2]!;
            xh[rd] = xh[rs1]! | xh[rs2]!;
            break;
          }
          case 25: { // AND
            const rs1 = (w >>> 14) & 31;
            const rs2 = (w >>> 19) & 31;
            const rd = (w >>> 8) & 63;
            xl[rd] = xl[rs1]! & xl[rs2]!;
            xh[rd] = xh[rs1]! & xh[rs2]!;
            break;
          }
          case 26: // MUL
            mul(xl, xh, (w >>> 8) & 63, (w >>> 14) & 31, (w >>> 19) & 31);
            break;
          case 27: // MULH
            mulh(xl, xh, (w >>> 8) & 63, (w >>> 14) & 31, (w >>> 19) & 31, true, true);
            break;
          case 28: // MULHSU
            mulh(xl, xh, (w >>> 8) & 63, (w >>> 14) & 31, (w >>> 19) & 31, true, false);
            break;
          case 29: // MULHU
            mulh(xl, xh, (w >>> 8) & 63, (w >>> 14) & 31, (w >>> 19) & 31, false, false);
            break;
          case 30: // DIV
            div(xl, xh, (w >>> 8) & 63, (w >>> 14) & 31, (w >>> 19) & 31, true, false);
            break;
          case 31: // DIVU
            div(xl, xh, (w >>> 8) & 63, (w >>> 14) & 31, (w >>> 19) & 31, false, false);
            break;
          case 32: // REM
            div(xl, xh, (w >>> 8) & 63, (w >>> 14) & 31, (w >>> 19) & 31, true, true);
            break;
          case 33: // REMU
            div(xl, xh, (w >>> 8) & 63, (w >>> 14) & 31, (w >>> 19) & 31, false, true);
            break;
          case 34: { // ADDW
            const rd = (w >>> 8) & 63;
            const v = (xl[(w >>> 14) & 31]! + xl[(w >>> 19) & 31]!) | 0;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 35: { // SUBW
            const rd = (w >>> 8) & 63;
            const v = (xl[(w >>> 14) & 31]! - xl[(w >>> 19) & 31]!) | 0;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 36: { // SLLW
            const rd = (w >>> 8) & 63;
            const v = xl[(w >>> 14) & 31]! << (xl[(w >>> 19) & 31]! & 31);
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 37: { // SRLW
            const rd = (w >>> 8) & 63;
            const v = (xl[(w >>> 14) & 31]! >>> (xl[(w >>> 19) & 31]! & 31)) | 0;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 38: { // SRAW
            const rd = (w >>> 8) & 63;
            const v = xl[(w >>> 14) & 31]! >> (xl[(w >>> 19) & 31]! & 31);
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 39: { // MULW
            const rd = (w >>> 8) & 63;
            const v = Math.imul(xl[(w >>> 14) & 31]!, xl[(w >>> 19) & 31]!);
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 40: // DIVW
            divw(xl, xh, (w >>> 8) & 63, (w >>> 14) & 31, (w >>> 19) & 31, true, false);
            break;
          case 41: // DIVUW
            divw(xl, xh, (w >>> 8) & 63, (w >>> 14) & 31, (w >>> 19) & 31, false, false);
            break;
          case 42: // REMW
            divw(xl, xh, (w >>> 8) & 63, (w >>> 14) & 31, (w >>> 19) & 31, true, true);
            break;
          case 43: // REMUW
            divw(xl, xh, (w >>> 8) & 63, (w >>> 14) & 31, (w >>> 19) & 31, false, true);
            break;
          case 44: { // LB
            const rs1 = (w >>> 14) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            if (a < 0) a += TWO64;
            const v = (mem.load8(a) << 24) >> 24;
            const rd = (w >>> 8) & 63;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 45: { // LH
            const rs1 = (w >>> 14) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            if (a < 0) a += TWO64;
            const v = (mem.load16(a) << 16) >> 16;
            const rd = (w >>> 8) & 63;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 46: { // LW
            const rs1 = (w >>> 14) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            if (a < 0) a += TWO64;
            const v = mem.load32(a);
            const rd = (w >>> 8) & 63;
            xl[rd] = v;
            xh[rd] = v >> 31;
            break;
          }
          case 47: { // LD
            const rs1 = (w >>> 14) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            if (a < 0) a += TWO64;
            const v = mem.load64(a);
            const rd = (w >>> 8) & 63;
            xh[rd] = mem.hi;
            xl[rd] = v;
            break;
          }
          case 48: { // LBU
            const rs1 = (w >>> 14) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            if (a < 0) a += TWO64;
            const rd = (w >>> 8) & 63;
            xl[rd] = mem.load8(a);
            xh[rd] = 0;
            break;
          }
          case 49: { // LHU
            const rs1 = (w >>> 14) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            if (a < 0) a += TWO64;
            const rd = (w >>> 8) & 63;
            xl[rd] = mem.load16(a);
            xh[rd] = 0;
            break;
          }
          case 50: { // LWU
            const rs1 = (w >>> 14) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            if (a < 0) a += TWO64;
            const rd = (w >>> 8) & 63;
            xl[rd] = mem.load32(a);
            xh[rd] = 0;
            break;
          }
          case 51: { // SB
            const rs1 = (w >>> 14) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            if (a < 0) a += TWO64;
            mem.store8(a, xl[(w >>> 19) & 31]!);
            break;
          }
          case 52: { // SH
            const rs1 = (w >>> 14) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            if (a < 0) a += TWO64;
            mem.store16(a, xl[(w >>> 19) & 31]!);
            break;
          }
          case 53: { // SW
            const rs1 = (w >>> 14) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            if (a < 0) a += TWO64;
            mem.store32(a, xl[(w >>> 19) & 31]!);
            break;
          }
          case 54: { // SD
            const rs1 = (w >>> 14) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            if (a < 0) a += TWO64;
            const rs2 = (w >>> 19) & 31;
            mem.store64(a, xl[rs2]!, xh[rs2]!);
            break;
          }
          case 55: { // FLW
            const rs1 = (w >>> 14) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            if (a < 0) a += TWO64;
            const v = mem.load32(a);
            const rd = (w >>> 8) & 31;
            fb[2 * rd] = v;
            fb[2 * rd + 1] = -1; // NaN-boxed
            break;
          }
          case 56: { // FLD
            const rs1 = (w >>> 14) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            if (a < 0) a += TWO64;
            const v = mem.load64(a);
            const rd = (w >>> 8) & 31;
            fb[2 * rd + 1] = mem.hi;
            fb[2 * rd] = v;
            break;
          }
          case 57: { // FSW
            const rs1 = (w >>> 14) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            if (a < 0) a += TWO64;
            mem.store32(a, fb[2 * ((w >>> 19) & 31)]!);
            break;
          }
          case 58: { // FSD
            const rs1 = (w >>> 14) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            if (a < 0) a += TWO64;
            const rs2 = (w >>> 19) & 31;
            mem.store64(a, fb[2 * rs2]!, fb[2 * rs2 + 1]!);
            break;
          }
          case 59: { // BEQ
            const rs1 = (w >>> 14) & 31;
            const rs2 = (w >>> 19) & 31;
            if (xl[rs1] === xl[rs2] && xh[rs1] === xh[rs2]) {
              off += imm;
              continue;
            }
            break;
          }
          case 60: { // BNE
            const rs1 = (w >>> 14) & 31;
            const rs2 = (w >>> 19) & 31;
            if (xl[rs1] !== xl[rs2] || xh[rs1] !== xh[rs2]) {
              off += imm;
              continue;
            }
            break;
          }
          case 61: { // BLT
            const rs1 = (w >>> 14) & 31;
            const rs2 = (w >>> 19) & 31;
            const ah = xh[rs1]!;
            const bh = xh[rs2]!;
            if (ah < bh || (ah === bh && xl[rs1]! >>> 0 < xl[rs2]! >>> 0)) {
              off += imm;
              continue;
            }
            break;
          }
          case 62: { // BGE
            const rs1 = (w >>> 14) & 31;
            const rs2 = (w >>> 19) & 31;
            const ah = xh[rs1]!;
            const bh = xh[rs2]!;
            if (ah > bh || (ah === bh && xl[rs1]! >>> 0 >= xl[rs2]! >>> 0)) {
              off += imm;
              continue;
            }
            break;
          }
          case 63: { // BLTU
            const rs1 = (w >>> 14) & 31;
            const rs2 = (w >>> 19) & 31;
            const ah = xh[rs1]! >>> 0;
            const bh = xh[rs2]! >>> 0;
            if (ah < bh || (ah === bh && xl[rs1]! >>> 0 < xl[rs2]! >>> 0)) {
              off += imm;
              continue;
            }
            break;
          }
          case 64: { // BGEU
            const rs1 = (w >>> 14) & 31;
            const rs2 = (w >>> 19) & 31;
            const ah = xh[rs1]! >>> 0;
            const bh = xh[rs2]! >>> 0;
            if (ah > bh || (ah === bh && xl[rs1]! >>> 0 >= xl[rs2]! >>> 0)) {
              off += imm;
              continue;
            }
            break;
          }
          case 65: { // JAL
            const link = base + off + 2 + ((w >>> 23) & 2);
            const rd = (w >>> 8) & 63;
            xl[rd] = link; // Int32Array stores keep the low 32 bits, and truncate the positive high half
            xh[rd] = link * INV32;
            off += imm;
            continue;
          }
          case 66: { // JALR
            const rs1 = (w >>> 14) & 31;
            // The target, from rs1 as it was (rd may be rs1), bit 0 cleared.
            let t = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            t -= (xl[rs1]! + imm) & 1;
            if (t < 0) t += TWO64;
            const link = base + off + 2 + ((w >>> 23) & 2);
            const rd = (w >>> 8) & 63;
            xl[rd] = link; // Int32Array stores keep the low 32 bits, and truncate the positive high half
            xh[rd] = link * INV32;
            const o = t - base;
            if (o >= 0 && o < BLOCK) off = o | 0;
            else {
              base = Math.floor(t * INV_BLOCK) * BLOCK;
              off = (t - base) | 0;
              code = this.#block(base);
            }
            continue;
          }
          case 67: // FENCE
            mem.fence();
            break;
          case 68: // FENCE_I
            this.invalidateCode();
            break;
          case 69: // ECALL
            left++;
            reason = "ecall";
            break loop;
          case 70: // EBREAK
            left++;
            reason = "ebreak";
            break loop;
          case 71: // CSR
            if (!this.#csr(imm, this.#instret + (budget - left) - 1)) {
              left++;
              reason = this.#illegal(imm);
              break loop;
            }
            break;
          case 72: { // AMO
            const r = this.#amo(mem, imm);
            if (r !== "budget") {
              left++;
              reason = r;
              break loop;
            }
            break;
          }
          case 75: { // FARITH_D
            const rm = fpu.roundingMode(imm);
            if (rm < 0) {
              left++;
              reason = this.#illegal(imm);
              break loop;
            }
            fpu.arithD(imm >>> 27, (w >>> 8) & 63, (w >>> 14) & 31, (w >>> 19) & 31, rm);
            break;
          }
          case 76: { // FCMP_D
            const rd = (w >>> 8) & 63;
            xl[rd] = fpu.compare(1, (imm >>> 12) & 7, (w >>> 14) & 31, (w >>> 19) & 31);
            xh[rd] = 0;
            break;
          }
          case 77: // FSGNJ_D
            fpu.signInject(1, (imm >>> 12) & 7, (w >>> 8) & 63, (w >>> 14) & 31, (w >>> 19) & 31);
            break;
          case 78: { // FMA_D
            const rm = fpu.roundingMode(imm);
            if (rm < 0) {
              left++;
              reason = this.#illegal(imm);
              break loop;
            }
            const op = (imm >>> 2) & 31; // 0x10 fmadd, 0x11 fmsub, 0x12 fnmsub, 0x13 fnmadd
            fpu.fmaD((w >>> 8) & 63, (w >>> 14) & 31, (w >>> 19) & 31, imm >>> 27, op >= 0x12, op === 0x11 || op === 0x13, rm);
            break;
          }
          default:
            // 73: FP
            if (!fpu.execute(imm, xl, xh)) {
              left++;
              reason = this.#illegal(imm);
              break loop;
            }
            xl[0] = 0; // an FP compare or move to x0
            xh[0] = 0;
        }
        off += 2 + ((w >>> 23) & 2);
      }
    } catch (e) {
      if (!fetching) left++; // the faulting instruction did not retire
      reason = this.#fault(e, w, imm, fetching);
    }
    this.#pc = base + off;
    this.#instret += budget - left;
    return reason;
  }

  /** The decoded-instruction block at `base` (a multiple of BLOCK), made (empty) if the cache has none. */
  #block(base: number): Int32Array {
    const n = base * INV_BLOCK;
    const slot = n & (SLOTS - 1); // exact: SLOTS divides 2^32, and ToInt32 keeps n modulo 2^32
    let code = this.#blocks[slot]!;
    if (this.#tags[slot] !== n) {
      // Reuse the evicted block's array; zeroed, it forgets the old block.
      if (code === NO_BLOCK) {
        code = new Int32Array(BLOCK);
        this.#blocks[slot] = code;
      } else code.fill(0);
      this.#tags[slot] = n;
    }
    return code;
  }

  /**
   * Fetches and decodes the instruction at `pc` (see decode.ts); returns 0
   * for an illegal instruction (its bits in #exitBits). The memory may throw.
   */
  #fetch(mem: CpuMemory, pc: number): number {
    this.#fetchAddr = pc;
    const lo = mem.fetch16(pc);
    if ((lo & 3) !== 3) {
      const e = expandCompressed(lo);
      const w = e === 0 ? 0 : decode(e) & ~(1 << 24);
      if (w === 0) this.#exitBits = lo;
      return w;
    }
    this.#fetchAddr = pc + 2;
    const inst = lo | (mem.fetch16(pc + 2) << 16);
    const w = decode(inst);
    if (w === 0) this.#exitBits = inst >>> 0;
    return w;
  }

  /** Records an illegal-instruction exit for the 32-bit instruction `inst`. */
  #illegal(inst: number): ExitReason {
    this.#exitBits = inst >>> 0;
    return "illegal";
  }

  /** Records a fault exit: the memory threw `e` while executing packed instruction `w` (immediate `imm`), or fetching it. */
  #fault(e: unknown, w: number, imm: number, fetching: boolean): ExitReason {
    this.#exitError = e;
    if (fetching) {
      this.#exitAccess = "fetch";
      this.#exitAddress = this.#fetchAddr;
      return "fault";
    }
    const op = w & 255;
    const amo = op === Op.AMO;
    // The registers are as they were before the instruction: recompute its effective address.
    const rs1 = amo ? (imm >>> 15) & 31 : (w >>> 14) & 31;
    let a = this.#xh[rs1]! * TWO32 + (this.#xl[rs1]! >>> 0) + (amo ? 0 : imm);
    if (a < 0) a += TWO64;
    this.#exitAddress = a;
    const load = (op >= Op.LB && op <= Op.LWU) || op === Op.FLW || op === Op.FLD || (amo && imm >>> 27 === 0b00010);
    this.#exitAccess = load ? "load" : "store";
    return "fault";
  }

  /** Executes an AMO, LR or SC; returns "budget" when it retired, else the exit reason. */
  #amo(mem: CpuMemory, inst: number): ExitReason {
    const f3 = (inst >>> 12) & 7;
    if (f3 !== 2 && f3 !== 3) return this.#illegal(inst);
    const wide = f3 === 3;
    const f5 = inst >>> 27;
    const rd = (inst >>> 7) & 31 || SINK;
    const rs1 = (inst >>> 15) & 31;
    const rs2 = (inst >>> 20) & 31;
    const xl = this.#xl;
    const xh = this.#xh;
    if (((AMO_FUNCT5 >>> f5) & 1) === 0 || (f5 === 0b00010 && rs2 !== 0)) return this.#illegal(inst); // lr with rs2 != 0 is reserved
    const a = (xh[rs1]! >>> 0) * TWO32 + (xl[rs1]! >>> 0);
    if ((xl[rs1]! & (wide ? 7 : 3)) !== 0) {
      this.#exitAddress = a;
      this.#exitAccess = f5 === 0b00010 ? "load" : "store";
      return "misaligned";
    }
    if (f5 === 0b00010) {
      // lr
      if (wide) {
        const v = mem.load64(a);
        const h = mem.hi;
        this.#resLo = v;
        this.#resHi = h;
        xl[rd] = v;
        xh[rd] = h;
      } else {
        const v = mem.load32(a);
        this.#resLo = v;
        xl[rd] = v;
        xh[rd] = v >> 31;
      }
      this.#resAddr = a;
      this.#resWide = wide;
      return "budget";
    }
    if (f5 === 0b00011) {
      // sc: a compare-and-swap against the value LR saw, so that a store
      // by any hart in between (that changed the value) makes it fail.
      // Without a matching reservation it fails with no memory access, as
      // qemu's does (the spec lets a failing SC skip the store).
      let ok = false;
      if (this.#resAddr === a && this.#resWide === wide) {
        ok = wide
          ? mem.cas64(a, this.#resLo, this.#resHi, xl[rs2]!, xh[rs2]!)
          : mem.cas32(a, this.#resLo, xl[rs2]!);
      }
      this.#resAddr = -1;
      xl[rd] = ok ? 0 : 1;
      xh[rd] = 0;
      return "budget";
    }
    if (wide) {
      const v = mem.amo64(f5 as AmoOp, a, xl[rs2]!, xh[rs2]!);
      xh[rd] = mem.hi;
      xl[rd] = v;
    } else {
      const v = mem.amo32(f5 as AmoOp, a, xl[rs2]!);
      xl[rd] = v;
      xh[rd] = v >> 31;
    }
    return "budget";
  }

  /** Executes a CSR instruction (f3 1–3, 5–7); false when it is illegal (unknown CSR, or a write to a read-only one). */
  #csr(inst: number, retired: number): boolean {
    const f3 = (inst >>> 12) & 7;
    const csr = inst >>> 20;
    const rd = (inst >>> 7) & 31 || SINK;
    const src = (inst >>> 15) & 31; // rs1, or the 5-bit immediate for f3 >= 5
    const operand = f3 >= 5 ? src : this.#xl[src]!;
    const op = f3 & 3; // 1 write, 2 set, 3 clear
    const writes = op === 1 || src !== 0;
    const fpu = this.#fpu;
    let old: number;
    switch (csr) {
      case CSR_FFLAGS:
        old = fpu.fflags;
        break;
      case CSR_FRM:
        old = fpu.frm;
        break;
      case CSR_FCSR:
        old = (fpu.frm << 5) | fpu.fflags;
        break;
      case CSR_CYCLE:
      case CSR_INSTRET:
        if (writes) return false;
        old = retired;
        break;
      case CSR_TIME: {
        if (writes) return false;
        const t = Math.floor(this.#time());
        old = t >= 0 && t <= Number.MAX_SAFE_INTEGER ? t : 0;
        break;
      }
      default:
        return false;
    }
    if (writes) {
      const v = op === 1 ? operand : op === 2 ? old | operand : old & ~operand;
      if (csr === CSR_FFLAGS) fpu.fflags = v & 31;
      else if (csr === CSR_FRM) fpu.frm = v & 7;
      else {
        fpu.frm = (v >>> 5) & 7;
        fpu.fflags = v & 31;
      }
    }
    this.#xl[rd] = old;
    this.#xh[rd] = Math.floor(old * INV32);
    return true;
  }
}

function contextView(bytes: Uint8Array, offset: number): DataView {
  if (!(bytes instanceof Uint8Array)) invalidType("bytes", "a Uint8Array", bytes);
  checkInteger("offset", offset, 0, Math.max(0, bytes.length - CONTEXT_SIZE));
  if (bytes.length - offset < CONTEXT_SIZE) outOfRange("bytes", `at least ${CONTEXT_SIZE} bytes from offset`, bytes.length);
  return new DataView(bytes.buffer, bytes.byteOffset + offset, CONTEXT_SIZE);
}

function shiftLeft(xl: Int32Array, xh: Int32Array, rd: number, al: number, ah: number, n: number): void {
  if (n === 0) {
    xl[rd] = al;
    xh[rd] = ah;
  } else if (n < 32) {
    xh[rd] = (ah << n) | (al >>> (32 - n));
    xl[rd] = al << n;
  } else {
    xh[rd] = al << (n - 32);
    xl[rd] = 0;
  }
}

function shiftRightLogical(xl: Int32Array, xh: Int32Array, rd: number, al: number, ah: number, n: number): void {
  if (n === 0) {
    xl[rd] = al;
    xh[rd] = ah;
  } else if (n < 32) {
    xl[rd] = (al >>> n) | (ah << (32 - n));
    xh[rd] = ah >>> n;
  } else {
    xl[rd] = ah >>> (n - 32);
    xh[rd] = 0;
  }
}

function shiftRightArith(xl: Int32Array, xh: Int32Array, rd: number, al: number, ah: number, n: number): void {
  if (n === 0) {
    xl[rd] = al;
    xh[rd] = ah;
  } else if (n < 32) {
    xl[rd] = (al >>> n) | (ah << (32 - n));
    xh[rd] = ah >> n;
  } else {
    xl[rd] = ah >> (n - 32);
    xh[rd] = ah >> 31;
  }
}
