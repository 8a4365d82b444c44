/**
 * The RV64C compressed instruction set, expanded to the 32-bit instruction
 * each one stands for.
 *
 * Every RVC instruction is defined as a shorthand for one base instruction
 * (The RISC-V Instruction Set Manual, Volume I, "C" Standard Extension), so
 * the hart decodes it once into that instruction and executes one decoder
 * for both lengths. The expansion is exact: same registers, same immediate,
 * same effect. Reserved encodings expand to 0 (an illegal instruction);
 * HINT encodings (e.g. `c.addi x0, 5`, `c.mv x0, a0`, `c.slli` with a zero
 * shift) are legal and expand to an instruction that writes only `x0`.
 *
 * Counterparts: qemu's `target/riscv/insn16.decode`; the kernel's
 * `riscv_insn_is_c_*` helpers.
 *
 * @module
 */

const LOAD = 0x03;
const LOAD_FP = 0x07;
const OP_IMM = 0x13;
const OP_IMM_32 = 0x1b;
const STORE = 0x23;
const STORE_FP = 0x27;
const OP = 0x33;
const LUI = 0x37;
const OP_32 = 0x3b;
const BRANCH = 0x63;
const JALR = 0x67;
const JAL = 0x6f;
const EBREAK = 0x00100073;

function iType(op: number, rd: number, f3: number, rs1: number, imm: number): number {
  return ((imm << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) | 0;
}

function sType(op: number, f3: number, rs1: number, rs2: number, imm: number): number {
  return (((imm >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | op) | 0;
}

function rType(op: number, f7: number, rd: number, f3: number, rs1: number, rs2: number): number {
  return ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) | 0;
}

function bType(f3: number, rs1: number, rs2: number, imm: number): number {
  return (
    (((imm >> 12) & 1) << 31) |
    (((imm >> 5) & 0x3f) << 25) |
    (rs2 << 20) |
    (rs1 << 15) |
    (f3 << 12) |
    (((imm >> 1) & 0xf) << 8) |
    (((imm >> 11) & 1) << 7) |
    BRANCH
  );
}

function jType(rd: number, imm: number): number {
  return (
    (((imm >> 20) & 1) << 31) |
    (((imm >> 1) & 0x3ff) << 21) |
    (((imm >> 11) & 1) << 20) |
    (((imm >> 12) & 0xff) << 12) |
    (rd << 7) |
    JAL
  );
}

/** Bit `from` of `c`, moved to bit `to`. */
function bit(c: number, from: number, to: number): number {
  return ((c >>> from) & 1) << to;
}

/** The 6-bit signed immediate imm[5] = c[12], imm[4:0] = c[6:2] (CI format). */
function ciImm(c: number): number {
  return (((c >>> 2) & 0x1f) | (((c >>> 12) & 1) << 5)) << 26 >> 26;
}

/**
 * Expands the 16-bit RVC instruction `c` (its low two bits are not `11`)
 * into the 32-bit RV64GC instruction it stands for, or returns 0 when `c` is
 * reserved or not an RV64C instruction (then it is illegal).
 */
export function expandCompressed(c: number): number {
  const f3 = (c >>> 13) & 7;
  const rdFull = (c >>> 7) & 31;
  const rs2Full = (c >>> 2) & 31;
  const rdP = ((c >>> 2) & 7) + 8; // rd' / rs2' in bits 4:2
  const rs1P = ((c >>> 7) & 7) + 8; // rs1' / rd' in bits 9:7
  switch (c & 3) {
    case 0:
      switch (f3) {
        case 0: {
          // c.addi4spn: nzuimm[5:4|9:6|2|3] = c[12:11|10:7|6|5]
          const imm = (((c >>> 11) & 3) << 4) | (((c >>> 7) & 0xf) << 6) | bit(c, 6, 2) | bit(c, 5, 3);
          return imm === 0 ? 0 : iType(OP_IMM, rdP, 0, 2, imm);
        }
        case 1: // c.fld
          return iType(LOAD_FP, rdP, 3, rs1P, clsdImm(c));
        case 2: // c.lw
          return iType(LOAD, rdP, 2, rs1P, clswImm(c));
        case 3: // c.ld
          return iType(LOAD, rdP, 3, rs1P, clsdImm(c));
        case 5: // c.fsd
          return sType(STORE_FP, 3, rs1P, rdP, clsdImm(c));
        case 6: // c.sw
          return sType(STORE, 2, rs1P, rdP, clswImm(c));
        case 7: // c.sd
          return sType(STORE, 3, rs1P, rdP, clsdImm(c));
        default: // 4: reserved (Zcb, not in RV64GC)
          return 0;
      }
    case 1:
      switch (f3) {
        case 0: // c.addi (c.nop when rd = 0)
          return iType(OP_IMM, rdFull, 0, rdFull, ciImm(c));
        case 1: // c.addiw; rd = 0 is reserved
          return rdFull === 0 ? 0 : iType(OP_IMM_32, rdFull, 0, rdFull, ciImm(c));
        case 2: // c.li
          return iType(OP_IMM, rdFull, 0, 0, ciImm(c));
        case 3: {
          if (rdFull === 2) {
            // c.addi16sp: nzimm[9|4|6|8:7|5] = c[12|6|5|4:3|2]
            const imm =
              (((c >>> 12) & 1) << 9 | bit(c, 6, 4) | bit(c, 5, 6) | (((c >>> 3) & 3) << 7) | bit(c, 2, 5)) << 22 >> 22;
            return imm === 0 ? 0 : iType(OP_IMM, 2, 0, 2, imm);
          }
          // c.lui: nzimm[17|16:12] = c[12|6:2]; lui's immediate is the same bits shifted to 31:12
          const imm = ciImm(c);
          return imm === 0 ? 0 : ((imm << 12) | (rdFull << 7) | LUI) | 0;
        }
        case 4: {
          const shamt = ((c >>> 2) & 0x1f) | (((c >>> 12) & 1) << 5);
          switch ((c >>> 10) & 3) {
            case 0: // c.srli
              return iType(OP_IMM, rs1P, 5, rs1P, shamt);
            case 1: // c.srai
              return iType(OP_IMM, rs1P, 5, rs1P, shamt | 0x400);
            case 2: // c.andi
              return iType(OP_IMM, rs1P, 7, rs1P, ciImm(c));
            default: {
              const op2 = (c >>> 5) & 3;
              if ((c & 0x1000) === 0) {
                // c.sub, c.xor, c.or, c.and
                const f3s = [0, 4, 6, 7][op2] as number;
                return rType(OP, op2 === 0 ? 0x20 : 0, rs1P, f3s, rs1P, rdP);
              }
              // c.subw, c.addw; the other two are reserved
              if (op2 >= 2) return 0;
              return rType(OP_32, op2 === 0 ? 0x20 : 0, rs1P, 0, rs1P, rdP);
            }
          }
        }
        case 5: // c.j
          return jType(0, cjImm(c));
        case 6: // c.beqz
          return bType(0, rs1P, 0, cbImm(c));
        default: // 7: c.bnez
          return bType(1, rs1P, 0, cbImm(c));
      }
    default: // quadrant 2
      switch (f3) {
        case 0: {
          // c.slli
          const shamt = ((c >>> 2) & 0x1f) | (((c >>> 12) & 1) << 5);
          return iType(OP_IMM, rdFull, 1, rdFull, shamt);
        }
        case 1: // c.fldsp
          return iType(LOAD_FP, rdFull, 3, 2, cldspImm(c));
        case 2: {
          // c.lwsp: uimm[5|4:2|7:6] = c[12|6:4|3:2]; rd = 0 is reserved
          const imm = bit(c, 12, 5) | (((c >>> 4) & 7) << 2) | (((c >>> 2) & 3) << 6);
          return rdFull === 0 ? 0 : iType(LOAD, rdFull, 2, 2, imm);
        }
        case 3: // c.ldsp; rd = 0 is reserved
          return rdFull === 0 ? 0 : iType(LOAD, rdFull, 3, 2, cldspImm(c));
        case 4:
          if ((c & 0x1000) === 0) {
            if (rs2Full === 0) return rdFull === 0 ? 0 : iType(JALR, 0, 0, rdFull, 0); // c.jr
            return rType(OP, 0, rdFull, 0, 0, rs2Full); // c.mv
          }
          if (rs2Full === 0) return rdFull === 0 ? EBREAK : iType(JALR, 1, 0, rdFull, 0); // c.ebreak, c.jalr
          return rType(OP, 0, rdFull, 0, rdFull, rs2Full); // c.add
        case 5: // c.fsdsp
          return sType(STORE_FP, 3, 2, rs2Full, csdspImm(c));
        case 6: {
          // c.swsp: uimm[5:2|7:6] = c[12:9|8:7]
          const imm = (((c >>> 9) & 0xf) << 2) | (((c >>> 7) & 3) << 6);
          return sType(STORE, 2, 2, rs2Full, imm);
        }
        default: // 7: c.sdsp
          return sType(STORE, 3, 2, rs2Full, csdspImm(c));
      }
  }
}

/** c.lw / c.sw: uimm[5:3|2|6] = c[12:10|6|5]. */
function clswImm(c: number): number {
  return (((c >>> 10) & 7) << 3) | bit(c, 6, 2) | bit(c, 5, 6);
}

/** c.ld / c.sd / c.fld / c.fsd: uimm[5:3|7:6] = c[12:10|6:5]. */
function clsdImm(c: number): number {
  return (((c >>> 10) & 7) << 3) | (((c >>> 5) & 3) << 6);
}

/** c.ldsp / c.fldsp: uimm[5|4:3|8:6] = c[12|6:5|4:2]. */
function cldspImm(c: number): number {
  return bit(c, 12, 5) | (((c >>> 5) & 3) << 3) | (((c >>> 2) & 7) << 6);
}

/** c.sdsp / c.fsdsp: uimm[5:3|8:6] = c[12:10|9:7]. */
function csdspImm(c: number): number {
  return (((c >>> 10) & 7) << 3) | (((c >>> 7) & 7) << 6);
}

/** c.j / c.jal: offset[11|4|9:8|10|6|7|3:1|5] = c[12|11|10:9|8|7|6|5:3|2], sign-extended. */
function cjImm(c: number): number {
  const imm =
    bit(c, 12, 11) |
    bit(c, 11, 4) |
    (((c >>> 9) & 3) << 8) |
    bit(c, 8, 10) |
    bit(c, 7, 6) |
    bit(c, 6, 7) |
    (((c >>> 3) & 7) << 1) |
    bit(c, 2, 5);
  return (imm << 20) >> 20;
}

/** c.beqz / c.bnez: offset[8|4:3|7:6|2:1|5] = c[12|11:10|6:5|4:3|2], sign-extended. */
function cbImm(c: number): number {
  const imm =
    bit(c, 12, 8) | (((c >>> 10) & 3) << 3) | (((c >>> 5) & 3) << 6) | (((c >>> 3) & 3) << 1) | bit(c, 2, 5);
  return (imm << 23) >> 23;
}
