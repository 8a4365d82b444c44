/**
 * The RV64 "M" extension on registers held as two int32 halves: 64-bit
 * multiply (low and high halves of the 128-bit product) and division.
 *
 * Each function reads its operands from the register file (`xl`/`xh`, the
 * low and high halves) and writes the 64-bit result to register `rd`, so the
 * hart's hot loop calls one function and allocates nothing. Arithmetic is on
 * int32 and exact doubles only: every intermediate below stays under 2^53.
 * Division takes a double fast path when both operands are safe integers
 * (the quotient of safe integers rounds to the exact truncated quotient:
 * the distance from a/b to the next integer is at least 1/|b|, more than
 * half an ulp of |a/b| when |a| < 2^53), and `bigint` otherwise.
 *
 * Counterparts: qemu's `tcg_gen_mulu2_i64` / `helper_divu_i64`; the RISC-V
 * spec's division-by-zero and overflow results (no trap).
 *
 * @module
 */

const TWO32 = 4294967296;
/** 2^-32: multiplying by it is exact, dividing by 2^32 is not as cheap. */
const INV32 = 1 / TWO32;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The 128-bit product's four 32-bit words, low first (scratch, reused). */
const words = new Float64Array(4);

/** Unsigned 32×32 → 64 product of `a` and `b` (uint32 values): returns the high word; the low word is `Math.imul(a, b) >>> 0`. */
function mulHi32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const mid = a0 * b1 + a1 * b0; // < 2^33; `& 0xffff` takes it modulo 2^16 (ToInt32 keeps the low 32 bits)
  const low = a0 * b0 + (mid & 0xffff) * 65536; // < 2^33
  return a1 * b1 + Math.floor(mid * (1 / 65536)) + (low >= TWO32 ? 1 : 0);
}

/** Fills `words` with the unsigned 128-bit product of `ah:al` and `bh:bl`. */
function mulU128(al: number, ah: number, bl: number, bh: number): void {
  const ul = al >>> 0;
  const uh = ah >>> 0;
  const vl = bl >>> 0;
  const vh = bh >>> 0;
  const col1 = mulHi32(ul, vl) + (Math.imul(ul, vh) >>> 0) + (Math.imul(uh, vl) >>> 0);
  const col2 = mulHi32(ul, vh) + mulHi32(uh, vl) + (Math.imul(uh, vh) >>> 0) + Math.floor(col1 * INV32);
  words[0] = Math.imul(ul, vl) >>> 0;
  words[1] = col1 >>> 0;
  words[2] = col2 >>> 0;
  words[3] = (mulHi32(uh, vh) + Math.floor(col2 * INV32)) >>> 0;
}

/** Writes the integer `v` (|v| < 2^53) to register `rd`: Int32Array stores keep the low 32 bits (ToInt32). */
function writeNumber(xl: Int32Array, xh: Int32Array, rd: number, v: number): void {
  xl[rd] = v;
  xh[rd] = Math.floor(v * INV32);
}

/** `mul`: the low 64 bits of rs1 × rs2. */
export function mul(xl: Int32Array, xh: Int32Array, rd: number, rs1: number, rs2: number): void {
  const al = xl[rs1]!;
  const bl = xl[rs2]!;
  const ah = xh[rs1]!;
  const bh = xh[rs2]!;
  if (ah === al >> 31 && bh === bl >> 31) {
    // Both fit in an int32: the product is exact as a double below 2^53 (a rounded one cannot come back under it).
    const p = al * bl;
    if (p <= MAX_SAFE && p >= -MAX_SAFE) {
      writeNumber(xl, xh, rd, p);
      return;
    }
  }
  const hi = mulHi32(al >>> 0, bl >>> 0) + Math.imul(al, bh) + Math.imul(ah, bl);
  xl[rd] = Math.imul(al, bl);
  xh[rd] = hi; // modulo 2^32
}

/**
 * `mulh` (both signed), `mulhsu` (rs1 signed, rs2 unsigned), `mulhu`: the
 * high 64 bits of the 128-bit product. The signed forms correct the
 * unsigned product: a negative operand x contributes x + 2^64, so subtract
 * the other operand from the high half once per negative operand.
 */
export function mulh(xl: Int32Array, xh: Int32Array, rd: number, rs1: number, rs2: number, signed1: boolean, signed2: boolean): void {
  const al = xl[rs1]!;
  const ah = xh[rs1]!;
  const bl = xl[rs2]!;
  const bh = xh[rs2]!;
  mulU128(al, ah, bl, bh);
  let lo = words[2]!;
  let hi = words[3]!;
  if (signed1 && ah < 0) {
    // high -= b (mod 2^64)
    const l = lo - (bl >>> 0);
    hi -= (bh >>> 0) + (l < 0 ? 1 : 0);
    lo = l < 0 ? l + TWO32 : l;
  }
  if (signed2 && bh < 0) {
    const l = lo - (al >>> 0);
    hi -= (ah >>> 0) + (l < 0 ? 1 : 0);
    lo = l < 0 ? l + TWO32 : l;
  }
  xl[rd] = lo;
  xh[rd] = hi; // modulo 2^32
}

function writeBig(xl: Int32Array, xh: Int32Array, rd: number, v: bigint): void {
  xl[rd] = Number(BigInt.asIntN(32, v));
  xh[rd] = Number(BigInt.asIntN(32, v >> 32n));
}

function big(xl: Int32Array, xh: Int32Array, r: number, signed: boolean): bigint {
  const v = (BigInt(xh[r]!) << 32n) | BigInt(xl[r]! >>> 0);
  return signed ? v : BigInt.asUintN(64, v);
}

/**
 * `div`/`divu`/`rem`/`remu`. Division by zero gives all ones (quotient) or
 * the dividend (remainder); signed overflow (-2^63 / -1) gives -2^63 and 0.
 */
export function div(xl: Int32Array, xh: Int32Array, rd: number, rs1: number, rs2: number, signed: boolean, remainder: boolean): void {
  const ah = xh[rs1]!;
  const bh = xh[rs2]!;
  // Fast path: both operands are safe integers (|x| < 2^53) as the chosen signedness reads them.
  const safeA = signed ? ah >= -0x200000 && ah < 0x200000 : ah >>> 0 < 0x200000;
  const safeB = signed ? bh >= -0x200000 && bh < 0x200000 : bh >>> 0 < 0x200000;
  if (safeA && safeB) {
    const a = (signed ? ah : ah >>> 0) * TWO32 + (xl[rs1]! >>> 0);
    const b = (signed ? bh : bh >>> 0) * TWO32 + (xl[rs2]! >>> 0);
    if (b === 0) {
      if (remainder) writeNumber(xl, xh, rd, a);
      else xl[rd] = xh[rd] = -1;
      return;
    }
    const q = Math.trunc(a / b);
    writeNumber(xl, xh, rd, remainder ? a - q * b : q);
    return;
  }
  const a = big(xl, xh, rs1, signed);
  const b = big(xl, xh, rs2, signed);
  if (b === 0n) {
    if (remainder) writeBig(xl, xh, rd, a);
    else xl[rd] = xh[rd] = -1;
    return;
  }
  // bigint division truncates toward zero, as RISC-V does; -2^63 / -1 = 2^63 wraps to -2^63.
  writeBig(xl, xh, rd, remainder ? a % b : a / b);
}

/** `divw`/`divuw`/`remw`/`remuw`: 32-bit division, the result sign-extended. */
export function divw(xl: Int32Array, xh: Int32Array, rd: number, rs1: number, rs2: number, signed: boolean, remainder: boolean): void {
  const a = signed ? xl[rs1]! : xl[rs1]! >>> 0;
  const b = signed ? xl[rs2]! : xl[rs2]! >>> 0;
  let v: number;
  if (b === 0) v = remainder ? a | 0 : -1;
  else {
    const q = Math.trunc(a / b);
    v = remainder ? (a - q * b) | 0 : q | 0; // -2^31 / -1 = 2^31 wraps to -2^31
  }
  xl[rd] = v;
  xh[rd] = v >> 31;
}
