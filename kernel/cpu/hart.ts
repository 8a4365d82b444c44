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
 * **Decoded-instruction cache.** The hart remembers decoded instructions
 * per 4 KiB of address space, so a loop fetches each instruction once.
 * The cache is exact under these rules: the hart drops it on `fence.i`, and
 * the kernel calls {@link Hart.invalidateCode} whenever code may change under
 * the hart without a `fence.i` of its own — `munmap`, `mprotect`, `mremap`,
 * a new mapping over old code, `execve` (setting {@link Hart.memory} drops
 * everything) — on every hart that runs in that address space.
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
const TWO64 = 18446744073709551616;
/** Bytes of address space per decoded-instruction block. */
const BLOCK = 4096;
/** Blocks the direct-mapped decoded-instruction cache holds at once (a power of two). */
const SLOTS = 256;
const NO_BLOCK = new Int32Array(0);
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
  readonly xlo = new Int32Array(32);
  /** High halves (int32) of x0–x31. */
  readonly xhi = new Int32Array(32);
  /**
   * f0–f31 as raw bits (NaN-boxing is exact): the low 32 bits of f[i] at
   * `fbits[2 * i]`, the high 32 bits at `fbits[2 * i + 1]`. A single-precision
   * value is boxed: high half all ones (-1).
   */
  readonly fbits: Int32Array;

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
    const time = options.time ?? defaultTime;
    if (typeof time !== "function") invalidType("options.time", "a function", time);
    this.#memory = memory;
    this.#time = time;
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
    const first = Math.floor(Math.max(0, start - 2) / BLOCK);
    const last = Math.ceil(end / BLOCK); // exclusive
    for (let i = 0; i < SLOTS; i++) {
      const tag = this.#tags[i]!;
      if (tag >= first && tag < last) this.#blocks[i]!.fill(0);
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
    const mem = this.#memory;
    const xl = this.xlo;
    const xh = this.xhi;
    const fpu = this.#fpu;
    const fb = fpu.bits;
    let pc = this.#pc;
    let left = budget;
    let inst = 0;
    let fetching = false;
    let reason: ExitReason = "budget";
    let base = -Infinity;
    let code: Int32Array = NO_BLOCK;
    try {
      loop: while (left > 0) {
        xl[0] = 0;
        xh[0] = 0;
        let d = pc - base;
        if (!(d < BLOCK && d >= 0)) {
          code = this.#block(pc);
          d = pc % BLOCK;
          base = pc - d;
        }
        inst = code[d >>> 1]!;
        if (inst === 0) {
          fetching = true;
          inst = this.#decode(mem, pc);
          fetching = false;
          if (inst === 0) {
            reason = "illegal";
            break;
          }
          code[d >>> 1] = inst;
        }
        switch ((inst >>> 2) & 31) {
          case 0x00: {
            // LOAD
            const rs1 = (inst >>> 15) & 31;
            const rd = (inst >>> 7) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + (inst >> 20);
            if (a < 0) a += TWO64;
            switch ((inst >>> 12) & 7) {
              case 0: {
                const v = (mem.load8(a) << 24) >> 24;
                xl[rd] = v;
                xh[rd] = v >> 31;
                break;
              }
              case 1: {
                const v = (mem.load16(a) << 16) >> 16;
                xl[rd] = v;
                xh[rd] = v >> 31;
                break;
              }
              case 2: {
                const v = mem.load32(a);
                xl[rd] = v;
                xh[rd] = v >> 31;
                break;
              }
              case 3: {
                const v = mem.load64(a);
                xh[rd] = mem.hi;
                xl[rd] = v;
                break;
              }
              case 4:
                xl[rd] = mem.load8(a);
                xh[rd] = 0;
                break;
              case 5:
                xl[rd] = mem.load16(a);
                xh[rd] = 0;
                break;
              case 6:
                xl[rd] = mem.load32(a);
                xh[rd] = 0;
                break;
              default:
                reason = this.#illegal(inst);
                break loop;
            }
            pc += 2 + ((inst & 1) << 1);
            break;
          }
          case 0x01: {
            // LOAD-FP: flw, fld
            const rs1 = (inst >>> 15) & 31;
            const rd = (inst >>> 7) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + (inst >> 20);
            if (a < 0) a += TWO64;
            const f3 = (inst >>> 12) & 7;
            if (f3 === 2) {
              fb[2 * rd] = mem.load32(a);
              fb[2 * rd + 1] = -1; // NaN-boxed
            } else if (f3 === 3) {
              const v = mem.load64(a);
              fb[2 * rd + 1] = mem.hi;
              fb[2 * rd] = v;
            } else {
              reason = this.#illegal(inst);
              break loop;
            }
            pc += 2 + ((inst & 1) << 1);
            break;
          }
          case 0x03: {
            // MISC-MEM: fence, fence.i
            const f3 = (inst >>> 12) & 7;
            if (f3 === 0) mem.fence();
            else if (f3 === 1) this.invalidateCode();
            else {
              reason = this.#illegal(inst);
              break loop;
            }
            pc += 4;
            break;
          }
          case 0x04: {
            // OP-IMM
            const rd = (inst >>> 7) & 31;
            const rs1 = (inst >>> 15) & 31;
            const imm = inst >> 20;
            const al = xl[rs1]!;
            const ah = xh[rs1]!;
            switch ((inst >>> 12) & 7) {
              case 0: {
                // addi
                const l = (al + imm) | 0;
                xh[rd] = ah + (imm >> 31) + (l >>> 0 < al >>> 0 ? 1 : 0);
                xl[rd] = l;
                break;
              }
              case 1:
                // slli (imm[11:6] must be 0)
                if (inst >>> 26 !== 0) {
                  reason = this.#illegal(inst);
                  break loop;
                }
                shiftLeft(xl, xh, rd, al, ah, imm & 63);
                break;
              case 2: {
                // slti
                const ih = imm >> 31;
                xl[rd] = ah < ih || (ah === ih && al >>> 0 < imm >>> 0) ? 1 : 0;
                xh[rd] = 0;
                break;
              }
              case 3: {
                // sltiu
                const ih = imm >> 31;
                xl[rd] = ah >>> 0 < ih >>> 0 || (ah === ih && al >>> 0 < imm >>> 0) ? 1 : 0;
                xh[rd] = 0;
                break;
              }
              case 4:
                xl[rd] = al ^ imm;
                xh[rd] = ah ^ (imm >> 31);
                break;
              case 5: {
                // srli / srai (imm[11:6] = 0 or 0x10)
                const top = inst >>> 26;
                if (top === 0) shiftRightLogical(xl, xh, rd, al, ah, imm & 63);
                else if (top === 0x10) shiftRightArith(xl, xh, rd, al, ah, imm & 63);
                else {
                  reason = this.#illegal(inst);
                  break loop;
                }
                break;
              }
              case 6:
                xl[rd] = al | imm;
                xh[rd] = ah | (imm >> 31);
                break;
              default:
                xl[rd] = al & imm;
                xh[rd] = ah & (imm >> 31);
                break;
            }
            pc += 2 + ((inst & 1) << 1);
            break;
          }
          case 0x05: {
            // AUIPC
            const v = pc + (inst & 0xfffff000);
            const rd = (inst >>> 7) & 31;
            xl[rd] = v % TWO32;
            xh[rd] = Math.floor(v / TWO32);
            pc += 4;
            break;
          }
          case 0x06: {
            // OP-IMM-32
            const rd = (inst >>> 7) & 31;
            const a = xl[(inst >>> 15) & 31]!;
            const f3 = (inst >>> 12) & 7;
            const top = inst >>> 25;
            let v: number;
            if (f3 === 0) v = (a + (inst >> 20)) | 0;
            else if (f3 === 1 && top === 0) v = a << ((inst >>> 20) & 31);
            else if (f3 === 5 && top === 0) v = (a >>> ((inst >>> 20) & 31)) | 0;
            else if (f3 === 5 && top === 0x20) v = a >> ((inst >>> 20) & 31);
            else {
              reason = this.#illegal(inst);
              break loop;
            }
            xl[rd] = v;
            xh[rd] = v >> 31;
            pc += 2 + ((inst & 1) << 1);
            break;
          }
          case 0x08: {
            // STORE
            const rs1 = (inst >>> 15) & 31;
            const rs2 = (inst >>> 20) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + (((inst >> 25) << 5) | ((inst >>> 7) & 31));
            if (a < 0) a += TWO64;
            switch ((inst >>> 12) & 7) {
              case 0:
                mem.store8(a, xl[rs2]!);
                break;
              case 1:
                mem.store16(a, xl[rs2]!);
                break;
              case 2:
                mem.store32(a, xl[rs2]!);
                break;
              case 3:
                mem.store64(a, xl[rs2]!, xh[rs2]!);
                break;
              default:
                reason = this.#illegal(inst);
                break loop;
            }
            pc += 2 + ((inst & 1) << 1);
            break;
          }
          case 0x09: {
            // STORE-FP: fsw, fsd
            const rs1 = (inst >>> 15) & 31;
            const rs2 = (inst >>> 20) & 31;
            let a = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + (((inst >> 25) << 5) | ((inst >>> 7) & 31));
            if (a < 0) a += TWO64;
            const f3 = (inst >>> 12) & 7;
            if (f3 === 2) mem.store32(a, fb[2 * rs2]!);
            else if (f3 === 3) mem.store64(a, fb[2 * rs2]!, fb[2 * rs2 + 1]!);
            else {
              reason = this.#illegal(inst);
              break loop;
            }
            pc += 2 + ((inst & 1) << 1);
            break;
          }
          case 0x0b: {
            // AMO
            const r = this.#amo(mem, inst);
            if (r !== "budget") {
              reason = r;
              break loop;
            }
            pc += 4;
            break;
          }
          case 0x0c: {
            // OP
            const rd = (inst >>> 7) & 31;
            const rs1 = (inst >>> 15) & 31;
            const rs2 = (inst >>> 20) & 31;
            const al = xl[rs1]!;
            const ah = xh[rs1]!;
            const bl = xl[rs2]!;
            const bh = xh[rs2]!;
            switch (((inst >>> 25) << 3) | ((inst >>> 12) & 7)) {
              case 0x000: {
                // add
                const l = (al + bl) | 0;
                xh[rd] = ah + bh + (l >>> 0 < al >>> 0 ? 1 : 0);
                xl[rd] = l;
                break;
              }
              case 0x100: {
                // sub
                xh[rd] = ah - bh - (al >>> 0 < bl >>> 0 ? 1 : 0);
                xl[rd] = al - bl;
                break;
              }
              case 0x001:
                shiftLeft(xl, xh, rd, al, ah, bl & 63);
                break;
              case 0x002:
                xl[rd] = ah < bh || (ah === bh && al >>> 0 < bl >>> 0) ? 1 : 0;
                xh[rd] = 0;
                break;
              case 0x003:
                xl[rd] = ah >>> 0 < bh >>> 0 || (ah === bh && al >>> 0 < bl >>> 0) ? 1 : 0;
                xh[rd] = 0;
                break;
              case 0x004:
                xl[rd] = al ^ bl;
                xh[rd] = ah ^ bh;
                break;
              case 0x005:
                shiftRightLogical(xl, xh, rd, al, ah, bl & 63);
                break;
              case 0x105:
                shiftRightArith(xl, xh, rd, al, ah, bl & 63);
                break;
              case 0x006:
                xl[rd] = al | bl;
                xh[rd] = ah | bh;
                break;
              case 0x007:
                xl[rd] = al & bl;
                xh[rd] = ah & bh;
                break;
              case 0x008:
                mul(xl, xh, rd, rs1, rs2);
                break;
              case 0x009:
                mulh(xl, xh, rd, rs1, rs2, true, true);
                break;
              case 0x00a:
                mulh(xl, xh, rd, rs1, rs2, true, false);
                break;
              case 0x00b:
                mulh(xl, xh, rd, rs1, rs2, false, false);
                break;
              case 0x00c:
                div(xl, xh, rd, rs1, rs2, true, false);
                break;
              case 0x00d:
                div(xl, xh, rd, rs1, rs2, false, false);
                break;
              case 0x00e:
                div(xl, xh, rd, rs1, rs2, true, true);
                break;
              case 0x00f:
                div(xl, xh, rd, rs1, rs2, false, true);
                break;
              default:
                reason = this.#illegal(inst);
                break loop;
            }
            pc += 2 + ((inst & 1) << 1);
            break;
          }
          case 0x0d: {
            // LUI
            const rd = (inst >>> 7) & 31;
            const v = inst & 0xfffff000;
            xl[rd] = v;
            xh[rd] = v >> 31;
            pc += 2 + ((inst & 1) << 1);
            break;
          }
          case 0x0e: {
            // OP-32
            const rd = (inst >>> 7) & 31;
            const rs1 = (inst >>> 15) & 31;
            const rs2 = (inst >>> 20) & 31;
            const a = xl[rs1]!;
            const b = xl[rs2]!;
            let v: number;
            switch (((inst >>> 25) << 3) | ((inst >>> 12) & 7)) {
              case 0x000:
                v = (a + b) | 0;
                break;
              case 0x100:
                v = (a - b) | 0;
                break;
              case 0x001:
                v = a << (b & 31);
                break;
              case 0x005:
                v = (a >>> (b & 31)) | 0;
                break;
              case 0x105:
                v = a >> (b & 31);
                break;
              case 0x008:
                v = Math.imul(a, b);
                break;
              case 0x00c:
                divw(xl, xh, rd, rs1, rs2, true, false);
                pc += 2 + ((inst & 1) << 1);
                continue;
              case 0x00d:
                divw(xl, xh, rd, rs1, rs2, false, false);
                pc += 2 + ((inst & 1) << 1);
                continue;
              case 0x00e:
                divw(xl, xh, rd, rs1, rs2, true, true);
                pc += 2 + ((inst & 1) << 1);
                continue;
              case 0x00f:
                divw(xl, xh, rd, rs1, rs2, false, true);
                pc += 2 + ((inst & 1) << 1);
                continue;
              default:
                reason = this.#illegal(inst);
                break loop;
            }
            xl[rd] = v;
            xh[rd] = v >> 31;
            pc += 2 + ((inst & 1) << 1);
            break;
          }
          case 0x10:
          case 0x11:
          case 0x12:
          case 0x13:
          case 0x14:
            // FMADD, FMSUB, FNMSUB, FNMADD, OP-FP
            if (!fpu.execute(inst, xl, xh)) {
              reason = this.#illegal(inst);
              break loop;
            }
            pc += 4;
            break;
          case 0x18: {
            // BRANCH
            const rs1 = (inst >>> 15) & 31;
            const rs2 = (inst >>> 20) & 31;
            const ah = xh[rs1]!;
            const bh = xh[rs2]!;
            const al = xl[rs1]! >>> 0;
            const bl = xl[rs2]! >>> 0;
            let taken: boolean;
            switch ((inst >>> 12) & 7) {
              case 0:
                taken = al === bl && ah === bh;
                break;
              case 1:
                taken = al !== bl || ah !== bh;
                break;
              case 4:
                taken = ah < bh || (ah === bh && al < bl);
                break;
              case 5:
                taken = ah > bh || (ah === bh && al >= bl);
                break;
              case 6:
                taken = ah >>> 0 < bh >>> 0 || (ah === bh && al < bl);
                break;
              case 7:
                taken = ah >>> 0 > bh >>> 0 || (ah === bh && al >= bl);
                break;
              default:
                reason = this.#illegal(inst);
                break loop;
            }
            if (taken) {
              pc +=
                ((inst >> 31) << 12) | (((inst >>> 7) & 1) << 11) | (((inst >>> 25) & 0x3f) << 5) | (((inst >>> 8) & 0xf) << 1);
            } else pc += 2 + ((inst & 1) << 1);
            break;
          }
          case 0x19: {
            // JALR
            if (((inst >>> 12) & 7) !== 0) {
              reason = this.#illegal(inst);
              break loop;
            }
            const rs1 = (inst >>> 15) & 31;
            const rd = (inst >>> 7) & 31;
            const imm = inst >> 20;
            let t = xh[rs1]! * TWO32 + (xl[rs1]! >>> 0) + imm;
            t -= (xl[rs1]! + imm) & 1;
            if (t < 0) t += TWO64;
            const link = pc + 2 + ((inst & 1) << 1);
            xl[rd] = link % TWO32;
            xh[rd] = link / TWO32;
            pc = t;
            break;
          }
          case 0x1b: {
            // JAL
            const rd = (inst >>> 7) & 31;
            const link = pc + 2 + ((inst & 1) << 1);
            xl[rd] = link % TWO32;
            xh[rd] = link / TWO32;
            pc += ((inst >> 31) << 20) | (inst & 0xff000) | (((inst >>> 20) & 1) << 11) | (((inst >>> 21) & 0x3ff) << 1);
            break;
          }
          case 0x1c: {
            // SYSTEM
            const f3 = (inst >>> 12) & 7;
            if (f3 === 0) {
              if (inst === 0x00000073) reason = "ecall";
              else if ((inst | 1) === 0x00100073) reason = "ebreak";
              else reason = this.#illegal(inst);
              break loop;
            }
            if (f3 === 4 || !this.#csr(inst, this.#instret + (budget - left))) {
              reason = this.#illegal(inst);
              break loop;
            }
            pc += 4;
            break;
          }
          default:
            reason = this.#illegal(inst);
            break loop;
        }
        left--;
      }
    } catch (e) {
      reason = this.#fault(e, inst, fetching);
    }
    xl[0] = 0;
    xh[0] = 0;
    this.#pc = pc;
    this.#instret += budget - left;
    this.#running = false;
    return reason;
  }

  /** The decoded-instruction block holding `pc`, made (empty) if the cache has none. */
  #block(pc: number): Int32Array {
    const n = Math.floor(pc / BLOCK);
    const slot = n % SLOTS;
    let code = this.#blocks[slot]!;
    if (this.#tags[slot] !== n) {
      // Reuse the evicted block's array; zeroed, it forgets the old block.
      if (code === NO_BLOCK) {
        code = new Int32Array(BLOCK / 2);
        this.#blocks[slot] = code;
      } else code.fill(0);
      this.#tags[slot] = n;
    }
    return code;
  }

  /**
   * Fetches and decodes the instruction at `pc`: the 32-bit instruction, or
   * a compressed one's 32-bit expansion with bit 0 cleared (its length is 2:
   * 32-bit instructions end in `11`). Returns 0 for an illegal compressed
   * instruction (its bits in #exitBits). The memory may throw.
   */
  #decode(mem: CpuMemory, pc: number): number {
    this.#fetchAddr = pc;
    const lo = mem.fetch16(pc);
    if ((lo & 3) !== 3) {
      const e = expandCompressed(lo);
      if (e === 0) this.#exitBits = lo;
      return e & ~1;
    }
    this.#fetchAddr = pc + 2;
    return lo | (mem.fetch16(pc + 2) << 16);
  }

  /** Records an illegal-instruction exit for the 32-bit instruction `inst`. */
  #illegal(inst: number): ExitReason {
    this.#exitBits = inst >>> 0;
    return "illegal";
  }

  /** Records a fault exit: the memory threw `e` during `inst` at `pc` (or during its fetch). */
  #fault(e: unknown, inst: number, fetching: boolean): ExitReason {
    this.#exitError = e;
    if (fetching) {
      this.#exitAccess = "fetch";
      this.#exitAddress = this.#fetchAddr;
      return "fault";
    }
    const op = (inst >>> 2) & 31;
    const rs1 = (inst >>> 15) & 31;
    // The registers are as they were before the instruction: recompute its effective address.
    let offset = 0;
    if (op === 0x00 || op === 0x01) offset = inst >> 20;
    else if (op === 0x08 || op === 0x09) offset = ((inst >> 25) << 5) | ((inst >>> 7) & 31);
    let a = this.xhi[rs1]! * TWO32 + (this.xlo[rs1]! >>> 0) + offset;
    if (a < 0) a += TWO64;
    this.#exitAddress = a;
    const isLr = op === 0x0b && inst >>> 27 === 0b00010;
    this.#exitAccess = op === 0x00 || op === 0x01 || isLr ? "load" : "store";
    return "fault";
  }

  /** Executes an AMO, LR or SC; returns "budget" when it retired, else the exit reason. */
  #amo(mem: CpuMemory, inst: number): ExitReason {
    const f3 = (inst >>> 12) & 7;
    if (f3 !== 2 && f3 !== 3) return this.#illegal(inst);
    const wide = f3 === 3;
    const f5 = inst >>> 27;
    const rd = (inst >>> 7) & 31;
    const rs1 = (inst >>> 15) & 31;
    const rs2 = (inst >>> 20) & 31;
    const xl = this.xlo;
    const xh = this.xhi;
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
    const rd = (inst >>> 7) & 31;
    const src = (inst >>> 15) & 31; // rs1, or the 5-bit immediate for f3 >= 5
    const operand = f3 >= 5 ? src : this.xlo[src]!;
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
    this.xlo[rd] = old % TWO32;
    this.xhi[rd] = Math.floor(old / TWO32);
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
