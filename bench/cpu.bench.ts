/**
 * The RV64GC hart over FlatMemory: instructions per second on compiler-built
 * programs (a compute loop and a memory-heavy one, the same work as the
 * kernel's bench-primes and bench-sha256, and a double-precision loop), and
 * the cost of the full decoder against a minimal RV64I interpreter on the
 * same instruction stream.
 *
 * One operation is one instruction: the ns/op column is ns per instruction
 * and MIPS = 1000 / ns. The kernel's benchmark compares this same hart over
 * FlatMemory and over vmio.
 *
 * @module
 */

import { Hart } from "../kernel/cpu/index.js";
import { asm, hartWith, programHart } from "../test/kernel/cpu/support.js";
import type { BenchCase } from "./harness.js";

/** Runs `hart` for exactly `n` instructions, restarting the program (`reset`) whenever it exits. */
function runFor(hart: Hart, n: number, reset: () => void): number {
  let done = 0;
  while (done < n) {
    const before = hart.instret;
    const reason = hart.run(n - done);
    done += hart.instret - before;
    if (reason !== "budget") {
      if (reason !== "ecall") throw new Error(`benchmark program stopped: ${reason}`);
      reset();
    }
  }
  return hart.getReg(10);
}

function programCase(id: string, title: string, name: string, a0: number, a1: number): BenchCase {
  return {
    id,
    group: "cpu",
    title,
    ops: 2_000_000,
    unit: "instr",
    warmup: 3,
    setup() {
      const { hart, mem } = programHart(name, a0, a1);
      const entry = hart.pc;
      const reset = (): void => {
        hart.pc = entry;
        hart.setReg(2, mem.bytes.length - 16);
        hart.setReg(10, a0);
        hart.setReg(11, a1);
      };
      return { vmio: (n) => runFor(hart, n, reset) };
    },
  };
}

/**
 * The plain-JS limit for an interpreter: RV64I only (no C, M, A, F, D),
 * registers as two int32 halves, instructions fetched from a flat
 * Uint8Array through a DataView and decoded every time, one switch. It is
 * the kind of interpreter the README's 50–68 MIPS was measured with.
 */
function minimalRv64i(bytes: Uint8Array, pc: number, n: number, xl: Int32Array, xh: Int32Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) {
    const inst = view.getInt32(pc, true);
    const rd = (inst >>> 7) & 31;
    const rs1 = (inst >>> 15) & 31;
    const rs2 = (inst >>> 20) & 31;
    switch (inst & 0x7f) {
      case 0x13: {
        // addi (the only OP-IMM in the loop)
        const imm = inst >> 20;
        const al = xl[rs1]!;
        const l = (al + imm) | 0;
        xh[rd] = xh[rs1]! + (imm >> 31) + (l >>> 0 < al >>> 0 ? 1 : 0);
        xl[rd] = l;
        pc += 4;
        break;
      }
      case 0x33: {
        // add, xor
        if (((inst >>> 12) & 7) === 4) {
          xl[rd] = xl[rs1]! ^ xl[rs2]!;
          xh[rd] = xh[rs1]! ^ xh[rs2]!;
        } else {
          const al = xl[rs1]!;
          const l = (al + xl[rs2]!) | 0;
          xh[rd] = xh[rs1]! + xh[rs2]! + (l >>> 0 < al >>> 0 ? 1 : 0);
          xl[rd] = l;
        }
        pc += 4;
        break;
      }
      case 0x63: {
        // bne
        const imm = ((inst >> 31) << 12) | (((inst >>> 7) & 1) << 11) | (((inst >>> 25) & 0x3f) << 5) | (((inst >>> 8) & 0xf) << 1);
        pc += xl[rs1] !== xl[rs2] || xh[rs1] !== xh[rs2] ? imm : 4;
        break;
      }
      default:
        throw new Error("unexpected instruction");
    }
    xl[0] = 0;
    xh[0] = 0;
  }
  return pc;
}

/** An endless RV64I loop: x12 += x11; x13 ^= x12; x11 -= 1; bne x11, x0, loop (x11 never reaches 0 in a sample). */
const LOOP = [asm.add(12, 12, 11), asm.xor(13, 13, 12), asm.addi(11, 11, -1), asm.bne(11, 0, -12)];

const dispatch: BenchCase = {
  id: "cpu-dispatch",
  group: "cpu",
  title: "RV64GC hart (decoded-instruction cache) vs a minimal RV64I interpreter, same add/xor/addi/bne loop",
  limitLabel: "minimal RV64I interpreter (decode every fetch)",
  ops: 2_000_000,
  unit: "instr",
  setup() {
    const { hart, mem } = hartWith(LOOP);
    hart.setReg(11, 2 ** 40);
    const xl = new Int32Array(32);
    const xh = new Int32Array(32);
    xh[11] = 256;
    let pc = 0;
    return {
      vmio: (n) => {
        hart.run(n);
        return hart.pc;
      },
      limit: (n) => (pc = minimalRv64i(mem.bytes, pc, n, xl, xh)),
    };
  },
};

export const cases: BenchCase[] = [
  programCase("cpu-primes", "RV64GC hart over FlatMemory: primes below 10^6 (gcc -O2; division, multiply, branches)", "primes", 1_000_000, 0),
  programCase("cpu-sha256", "RV64GC hart over FlatMemory: SHA-256 of 1 MiB (gcc -O2; loads, stores, 32-bit arithmetic)", "sha256", 1024, 0x700000),
  programCase("cpu-mandel", "RV64GC hart over FlatMemory: Mandelbrot sums (gcc -O2; double multiply, add, compare)", "mandel", 400, 500),
  dispatch,
];
