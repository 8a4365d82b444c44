// decode(): each instruction class becomes its operation, fields and
// immediate; rd = x0 goes to the sink; reserved encodings are 0.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Op, SINK, decode, decodedImm } from "../../../kernel/cpu/decode.js";
import { asm } from "./support.js";

function fields(inst: number): { op: number; rd: number; rs1: number; rs2: number; imm: number; long: boolean } {
  const w = decode(inst | 0);
  return { op: w & 255, rd: (w >>> 8) & 63, rs1: (w >>> 14) & 31, rs2: (w >>> 19) & 31, imm: decodedImm, long: (w & (1 << 24)) !== 0 };
}

test("operations, fields and sign-extended immediates of each format", () => {
  assert.deepEqual(fields(asm.addi(5, 6, -7)), { op: Op.ADDI, rd: 5, rs1: 6, rs2: 0, imm: -7, long: true });
  assert.deepEqual(fields(asm.addi(5, 0, -7)), { op: Op.LUI, rd: 5, rs1: 0, rs2: 0, imm: -7, long: true }, "li is a constant load");
  assert.deepEqual(fields(asm.addi(5, 9, 0)), { op: Op.MV, rd: 5, rs1: 9, rs2: 0, imm: 0, long: true }, "mv");
  assert.deepEqual(fields(asm.add(5, 0, 9)), { op: Op.MV, rd: 5, rs1: 9, rs2: 0, imm: 0, long: true }, "add rd, x0, rs is a move");
  assert.deepEqual(fields(asm.sd(7, 8, -2048)), { op: Op.SD, rd: SINK, rs1: 8, rs2: 7, imm: -2048, long: true });
  assert.deepEqual(fields(asm.bgeu(1, 2, -4096)), { op: Op.BGEU, rd: SINK, rs1: 1, rs2: 2, imm: -4096, long: true });
  assert.deepEqual(fields(asm.jal(1, -(1 << 20))), { op: Op.JAL, rd: 1, rs1: 0, rs2: 0, imm: -(1 << 20), long: true });
  assert.deepEqual(fields(asm.lui(3, 0xfffff000 | 0)), { op: Op.LUI, rd: 3, rs1: 0, rs2: 0, imm: -4096, long: true });
  assert.deepEqual(fields(asm.srai(3, 4, 63)), { op: Op.SRAI, rd: 3, rs1: 4, rs2: 0, imm: 63, long: true });
  assert.deepEqual(fields(asm.sraiw(3, 4, 31)), { op: Op.SRAIW, rd: 3, rs1: 4, rs2: 0, imm: 31, long: true });
  assert.equal(fields(asm.remuw(1, 2, 3)).op, Op.REMUW);
  assert.equal(fields(asm.mulhsu(1, 2, 3)).op, Op.MULHSU);
  assert.equal(fields(asm.fld(0, 2, 8)).rd, 0, "an FP destination f0 is not the sink");
  const csr = asm.csrrs(1, 3, 0);
  assert.deepEqual(fields(csr), { op: Op.CSR, rd: SINK, rs1: 0, rs2: 0, imm: csr | 0, long: true }, "CSR, AMO and FP keep the instruction");
});

test("writes to x0 are redirected to the sink register", () => {
  for (const inst of [asm.addi(0, 1, 1), asm.lw(0, 1, 0), asm.jal(0, 8), asm.jalr(0, 1, 0), asm.add(0, 1, 2), asm.lui(0, 0x1000)]) {
    assert.equal(fields(inst).rd, SINK);
  }
});

test("reserved and unknown encodings decode to 0", () => {
  for (const inst of [0, 0xffffffff, asm.lb(1, 1, 0) | (7 << 12), asm.sb(1, 1, 0) | (4 << 12), 0x00000073 | (1 << 20) | (1 << 7), 0x00004073, asm.jalr(1, 2, 0) | (1 << 12), asm.beq(1, 2, 8) | (2 << 12), 0x0000500f]) {
    assert.equal(decode(inst | 0), 0, `0x${(inst >>> 0).toString(16)}`);
  }
});

test("the frequent D instructions are decoded with their FP registers (f0 is not the sink); other FP instructions stay raw", () => {
  const fadd = asm.opfp(0, 1, 0, 1, 2, 7);
  assert.deepEqual(fields(fadd), { op: Op.FARITH_D, rd: 0, rs1: 1, rs2: 2, imm: fadd | 0, long: true });
  assert.equal(fields(asm.opfp(20, 1, 0, 1, 2, 1)).rd, SINK, "flt.d writes an integer register");
  assert.equal(fields(asm.opfp(20, 1, 5, 1, 2, 1)).op, Op.FCMP_D);
  assert.equal(fields(asm.opfp(20, 1, 5, 1, 2, 3)).op, Op.FP, "a reserved compare is left to the FPU (illegal)");
  assert.equal(fields(asm.opfp(4, 1, 5, 1, 1, 0)).op, Op.FSGNJ_D);
  assert.equal(fields(asm.r4(0x4f, 1, 0, 1, 2, 3, 0)).op, Op.FMA_D);
  assert.equal(fields(asm.r4(0x43, 0, 0, 1, 2, 3, 0)).op, Op.FP, "single-precision FMA");
  assert.equal(fields(asm.opfp(0, 0, 0, 1, 2, 0)).op, Op.FP, "fadd.s");
  assert.equal(fields(asm.opfp(11, 1, 0, 1, 0, 0)).op, Op.FP, "fsqrt.d");
});
