/**
 * Instruction decoding: a 32-bit RV64GC instruction (or a compressed one's
 * expansion) becomes one operation number plus its fields, packed into an
 * int32, and an immediate — what the hart caches per instruction, so
 * executing needs one switch and no field extraction beyond shifts.
 *
 * Packed word: bits 0–7 the operation ({@link Op}, never 0: 0 marks an
 * empty cache slot), bits 8–13 rd (0 becomes {@link SINK}: writes to x0
 * land in a scratch register nobody reads, so x0 stays 0 without a check),
 * bits 14–18 rs1, bits 19–23 rs2, bit 24 set for a 4-byte instruction.
 *
 * The immediate is the instruction's sign-extended immediate (a byte
 * offset for branches and jumps, the shifted value for `lui`/`auipc`), or
 * for the operations executed from the raw instruction (CSR, AMO, FP
 * arithmetic) the instruction's bits.
 *
 * Counterpart: qemu's decodetree output for RISC-V (`decode_insn32`), with
 * the translation step replaced by a cache of decoded operations.
 *
 * @module
 */

/** The register index that receives writes to x0. */
export const SINK = 32;

/**
 * Operations. The hart's switch repeats these numbers as literal case
 * labels (V8 builds a jump table only for literals); the differential and
 * unit tests catch any drift.
 */
export const Op = {
  ADDI: 1,
  SLTI: 2,
  SLTIU: 3,
  XORI: 4,
  ORI: 5,
  ANDI: 6,
  SLLI: 7,
  SRLI: 8,
  SRAI: 9,
  LUI: 10, // also `li`: rd = imm
  AUIPC: 11,
  ADDIW: 12,
  SLLIW: 13,
  SRLIW: 14,
  SRAIW: 15,
  ADD: 16,
  SUB: 17,
  SLL: 18,
  SLT: 19,
  SLTU: 20,
  XOR: 21,
  SRL: 22,
  SRA: 23,
  OR: 24,
  AND: 25,
  MUL: 26,
  MULH: 27,
  MULHSU: 28,
  MULHU: 29,
  DIV: 30,
  DIVU: 31,
  REM: 32,
  REMU: 33,
  ADDW: 34,
  SUBW: 35,
  SLLW: 36,
  SRLW: 37,
  SRAW: 38,
  MULW: 39,
  DIVW: 40,
  DIVUW: 41,
  REMW: 42,
  REMUW: 43,
  LB: 44,
  LH: 45,
  LW: 46,
  LD: 47,
  LBU: 48,
  LHU: 49,
  LWU: 50,
  SB: 51,
  SH: 52,
  SW: 53,
  SD: 54,
  FLW: 55,
  FLD: 56,
  FSW: 57,
  FSD: 58,
  BEQ: 59,
  BNE: 60,
  BLT: 61,
  BGE: 62,
  BLTU: 63,
  BGEU: 64,
  JAL: 65,
  JALR: 66,
  FENCE: 67,
  FENCE_I: 68,
  ECALL: 69,
  EBREAK: 70,
  CSR: 71, // imm: the instruction
  AMO: 72, // imm: the instruction
  FP: 73, // imm: the instruction (OP-FP and the four FMAs)
  MV: 74, // rd = rs1 (addi rd, rs, 0; add rd, x0, rs; …)
  // The most frequent D instructions, with their registers decoded (imm: the instruction, for rm and funct3):
  FARITH_D: 75, // fadd.d, fsub.d, fmul.d, fdiv.d (rd, rs1, rs2 are FP registers)
  FCMP_D: 76, // feq.d, flt.d, fle.d (rd is an integer register)
  FSGNJ_D: 77, // fsgnj.d, fsgnjn.d, fsgnjx.d (fmv.d, fneg.d, fabs.d)
  FMA_D: 78, // fmadd.d, fmsub.d, fnmsub.d, fnmadd.d (rs3 in the instruction)
} as const;

/** The immediate of the last {@link decode}. */
export let decodedImm = 0;

function pack(op: number, rd: number, rs1: number, rs2: number, imm: number): number {
  decodedImm = imm | 0;
  return op | ((rd === 0 ? SINK : rd) << 8) | (rs1 << 14) | (rs2 << 19) | (1 << 24);
}

/** {@link pack} for an FP destination register (f0 is a register like any other). */
function packFp(op: number, rd: number, rs1: number, rs2: number, imm: number): number {
  decodedImm = imm | 0;
  return op | (rd << 8) | (rs1 << 14) | (rs2 << 19) | (1 << 24);
}

/**
 * Decodes the 32-bit instruction `inst`; returns the packed word (bit 24
 * set: the caller clears it for a compressed instruction's expansion) with
 * the immediate in {@link decodedImm}, or 0 when `inst` is illegal or
 * reserved.
 */
export function decode(inst: number): number {
  const rd = (inst >>> 7) & 31;
  const rs1 = (inst >>> 15) & 31;
  const rs2 = (inst >>> 20) & 31;
  const f3 = (inst >>> 12) & 7;
  const f7 = inst >>> 25;
  const immI = inst >> 20;
  switch (inst & 0x7f) {
    case 0x03: // LOAD
      return f3 === 7 ? 0 : pack([Op.LB, Op.LH, Op.LW, Op.LD, Op.LBU, Op.LHU, Op.LWU][f3]!, rd, rs1, 0, immI);
    case 0x07: // LOAD-FP (the destination is an FP register: no sink)
      if (f3 !== 2 && f3 !== 3) return 0;
      decodedImm = immI;
      return (f3 === 2 ? Op.FLW : Op.FLD) | (rd << 8) | (rs1 << 14) | (1 << 24);
    case 0x0f: // MISC-MEM
      return f3 === 0 ? pack(Op.FENCE, 0, 0, 0, 0) : f3 === 1 ? pack(Op.FENCE_I, 0, 0, 0, 0) : 0;
    case 0x13: // OP-IMM
      switch (f3) {
        case 0:
          if (rs1 === 0) return pack(Op.LUI, rd, 0, 0, immI); // li
          return immI === 0 ? pack(Op.MV, rd, rs1, 0, 0) : pack(Op.ADDI, rd, rs1, 0, immI);
        case 1:
          return inst >>> 26 === 0 ? pack(Op.SLLI, rd, rs1, 0, immI & 63) : 0;
        case 5:
          if (inst >>> 26 === 0) return pack(Op.SRLI, rd, rs1, 0, immI & 63);
          return inst >>> 26 === 0x10 ? pack(Op.SRAI, rd, rs1, 0, immI & 63) : 0;
        default:
          return pack([0, 0, Op.SLTI, Op.SLTIU, Op.XORI, 0, Op.ORI, Op.ANDI][f3]!, rd, rs1, 0, immI);
      }
    case 0x17: // AUIPC
      return pack(Op.AUIPC, rd, 0, 0, inst & 0xfffff000);
    case 0x1b: // OP-IMM-32
      if (f3 === 0) return pack(Op.ADDIW, rd, rs1, 0, immI);
      if (f3 === 1 && f7 === 0) return pack(Op.SLLIW, rd, rs1, 0, rs2);
      if (f3 === 5 && f7 === 0) return pack(Op.SRLIW, rd, rs1, 0, rs2);
      if (f3 === 5 && f7 === 0x20) return pack(Op.SRAIW, rd, rs1, 0, rs2);
      return 0;
    case 0x23: // STORE
      return f3 > 3 ? 0 : pack([Op.SB, Op.SH, Op.SW, Op.SD][f3]!, 0, rs1, rs2, ((inst >> 25) << 5) | rd);
    case 0x27: // STORE-FP
      if (f3 !== 2 && f3 !== 3) return 0;
      return pack(f3 === 2 ? Op.FSW : Op.FSD, 0, rs1, rs2, ((inst >> 25) << 5) | rd);
    case 0x2f: // AMO (validated when executed)
      return pack(Op.AMO, 0, 0, 0, inst);
    case 0x33: {
      // OP
      const op = f7 === 0 ? [Op.ADD, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.OR, Op.AND][f3]! : f7 === 1 ? Op.MUL + f3 : f7 === 0x20 && f3 === 0 ? Op.SUB : f7 === 0x20 && f3 === 5 ? Op.SRA : 0;
      if (op === Op.ADD && (rs1 === 0 || rs2 === 0)) return pack(Op.MV, rd, rs1 | rs2, 0, 0); // mv
      return op === 0 ? 0 : pack(op, rd, rs1, rs2, 0);
    }
    case 0x37: // LUI
      return pack(Op.LUI, rd, 0, 0, inst & 0xfffff000);
    case 0x3b: {
      // OP-32
      let op = 0;
      if (f7 === 0) op = f3 === 0 ? Op.ADDW : f3 === 1 ? Op.SLLW : f3 === 5 ? Op.SRLW : 0;
      else if (f7 === 0x20) op = f3 === 0 ? Op.SUBW : f3 === 5 ? Op.SRAW : 0;
      else if (f7 === 1) op = f3 === 0 ? Op.MULW : f3 >= 4 ? Op.DIVW + f3 - 4 : 0;
      return op === 0 ? 0 : pack(op, rd, rs1, rs2, 0);
    }
    case 0x43:
    case 0x47:
    case 0x4b:
    case 0x4f:
      return (f7 & 3) === 1 ? packFp(Op.FMA_D, rd, rs1, rs2, inst) : pack(Op.FP, 0, 0, 0, inst);
    case 0x53:
      // funct7 = funct5 and fmt (1: D)
      if (f7 <= 0x0d && (f7 & 3) === 1) return packFp(Op.FARITH_D, rd, rs1, rs2, inst);
      if (f7 === 0x51 && f3 <= 2) return pack(Op.FCMP_D, rd, rs1, rs2, inst);
      if (f7 === 0x11 && f3 <= 2) return packFp(Op.FSGNJ_D, rd, rs1, rs2, inst);
      return pack(Op.FP, 0, 0, 0, inst);
    case 0x63: {
      // BRANCH
      if (f3 === 2 || f3 === 3) return 0;
      const imm = ((inst >> 31) << 12) | (((inst >>> 7) & 1) << 11) | (((inst >>> 25) & 0x3f) << 5) | (((inst >>> 8) & 0xf) << 1);
      return pack([Op.BEQ, Op.BNE, 0, 0, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU][f3]!, 0, rs1, rs2, imm);
    }
    case 0x67: // JALR
      return f3 === 0 ? pack(Op.JALR, rd, rs1, 0, immI) : 0;
    case 0x6f: // JAL
      return pack(Op.JAL, rd, 0, 0, ((inst >> 31) << 20) | (inst & 0xff000) | (((inst >>> 20) & 1) << 11) | (((inst >>> 21) & 0x3ff) << 1));
    case 0x73: // SYSTEM
      if (f3 === 0) return inst === 0x00000073 ? pack(Op.ECALL, 0, 0, 0, 0) : inst === 0x00100073 ? pack(Op.EBREAK, 0, 0, 0, 0) : 0;
      return f3 === 4 ? 0 : pack(Op.CSR, 0, 0, 0, inst);
    default:
      return 0;
  }
}
