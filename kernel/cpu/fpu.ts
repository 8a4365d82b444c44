/**
 * The F and D extensions: the floating-point register file, `fcsr`, and the
 * execution of every F/D computational instruction (loads and stores are
 * the hart's: they are bit moves).
 *
 * **Exactness.** Every instruction has an exact implementation in
 * softfloat.ts (bigint significands, all rounding modes and flags). The
 * instructions here take a JavaScript-double fast path only where its
 * result and flags are provably those of the exact path, and fall back to
 * softfloat otherwise. The arguments, for round-to-nearest-even (JavaScript
 * rounds only that way; every other mode goes to softfloat except float →
 * integer conversions, which round with `Math.floor`/`ceil`/`trunc` exactly):
 *
 * - *Results.* `+ - × ÷ √` on doubles are IEEE 754 correctly rounded
 *   (ECMAScript Number semantics; `Math.sqrt` is the IEEE square root on
 *   every engine, and the tests check it). For binary32 operands computed
 *   in binary64 and rounded by `Math.fround`, the double rounding is
 *   innocuous: 53 ≥ 2·24 + 2 (Figueroa, "When is double rounding
 *   innocuous?", 1995). FMA is emulated with rounding to odd (Boldo and
 *   Melquiond, "Emulation of FMA and correctly rounded sums: proved
 *   algorithms using rounding to odd", IEEE TC 2008): the exact sum is
 *   rounded to odd at 53 bits, then to nearest at the target precision,
 *   which equals one rounding of the exact value when the target has at
 *   most 51 bits — for binary64 the rounding to odd is done on the small
 *   error terms only, as in their `fma` emulation.
 * - *NX.* Exactly whether the result differs from the exact value: found
 *   with error-free transformations — `TwoSum` (Knuth) for sums, Dekker's
 *   `TwoProduct` with Veltkamp splitting for products, and for a quotient
 *   `q` or a root `r` the exact residual `x - q·y` or `x - r·r` (`x - p` is
 *   exact by Sterbenz's lemma since `p ≈ x`). These are exact only away from
 *   overflow and underflow, so each fast path first checks its operands'
 *   exponents (the windows below leave margins around every bound the
 *   proofs need: no intermediate overflow, no product error below 2^-1074,
 *   no split of a value above 2^996).
 * - *UF and OF.* The fast paths accept only results that are finite and
 *   strictly above the smallest normal in magnitude (or exact zeros): such
 *   a result was neither tiny (a tiny exact value rounds to at most the
 *   smallest normal) nor an overflow, so UF and OF are clear.
 * - *NaNs.* Never read or written as doubles (engines may change NaN bits):
 *   a NaN operand sends the instruction to softfloat, and NaN results are
 *   written as canonical-NaN bits.
 *
 * Counterparts: the F/D helpers of qemu (`target/riscv/fpu_helper.c`) and
 * Spike, both on Berkeley SoftFloat.
 *
 * @module
 */

import * as sf from "./softfloat.js";

const NV = sf.NV;
const NX = sf.NX;
const RNE = sf.RNE;

const TWO32 = 4294967296;
const CANONICAL_F32 = 0x7fc00000;
const CANONICAL_F64_HI = 0x7ff80000;
const MIN_NORMAL_F64 = 2 ** -1022;
const MIN_NORMAL_F32 = 2 ** -126;
/** Veltkamp's splitting constant for binary64: 2^27 + 1. */
const SPLIT = 134217729;

const f32Scratch = new Float32Array(1);
const f32Bits = new Int32Array(f32Scratch.buffer);
const f64Scratch = new Float64Array(1);
const f64Bits = new Int32Array(f64Scratch.buffer);

/** The error of the rounded product `p = RN(a × b)`: `a × b = p + e` exactly (Dekker), given the exponent windows of the callers. */
function productError(a: number, b: number, p: number): number {
  const c = SPLIT * a;
  const ah = c - (c - a);
  const al = a - ah;
  const d = SPLIT * b;
  const bh = d - (d - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** The error of the rounded sum `s = RN(a + b)`: `a + b = s + e` exactly (Knuth's TwoSum), unless an intermediate overflows (then not finite). */
function sumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/** `s` rounded to odd given the sign of its error `e` (nonzero): if `s`'s last significand bit is 0, the neighbour of `s` towards the exact value. */
function toOdd(s: number, e: number): number {
  f64Scratch[0] = s;
  const lo = f64Bits[0]!;
  if ((lo & 1) !== 0) return s;
  // Moving away from zero adds one to the magnitude's bits, towards zero subtracts one.
  if (s > 0 === e > 0) {
    f64Bits[0] = lo + 1;
    if (lo === -1) f64Bits[1] = f64Bits[1]! + 1;
  } else {
    f64Bits[0] = lo - 1;
    if (lo === 0) f64Bits[1] = f64Bits[1]! - 1;
  }
  return f64Scratch[0];
}

/** Unbiased exponent field of a double whose high half is `hi` (biased 0 for zeros and subnormals, 2047 for inf/NaN). */
function biasedExponent(hi: number): number {
  return (hi >>> 20) & 0x7ff;
}

/** `x` rounded to an integer under rounding mode `rm` (x finite). Exact for every double. */
function roundToIntegral(x: number, rm: number): number {
  switch (rm) {
    case 1:
      return Math.trunc(x);
    case 2:
      return Math.floor(x);
    case 3:
      return Math.ceil(x);
    case 0: {
      const r = Math.floor(x);
      const diff = x - r; // exact: below 2^52 x and r share their binade's grid; above, x is an integer
      return diff > 0.5 || (diff === 0.5 && r % 2 !== 0) ? r + 1 : r;
    }
    default: {
      const t = Math.trunc(x);
      return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
    }
  }
}

/**
 * The FP register file and `fcsr` of one hart, and the F/D instructions
 * that use them. The registers are one buffer seen as a Float64Array and
 * an Int32Array (low half first): that assumes a little-endian host, as
 * every JavaScript engine's targets are (x86, Arm, RISC-V, WebAssembly).
 *
 * Counterpart: Linux's `struct __riscv_d_ext_state`; qemu's `fpr[]` and
 * `fp_status`.
 */
export class Fpu {
  /** f0–f31 as raw bits: the low half of f[i] at `bits[2 * i]`, the high half at `bits[2 * i + 1]`. */
  readonly bits: Int32Array;
  /** The same registers read as doubles (never written with a NaN: NaN bits are written through `bits`). */
  readonly f64: Float64Array;
  /** Accrued exception flags (NV DZ OF UF NX, bits 4..0). */
  fflags = 0;
  /** Dynamic rounding mode (0..7; 5..7 make dynamic-rounding instructions illegal). */
  frm = 0;

  constructor() {
    const buffer = new ArrayBuffer(256);
    this.bits = new Int32Array(buffer);
    this.f64 = new Float64Array(buffer);
  }

  /**
   * Executes one OP-FP / FMADD / FMSUB / FNMSUB / FNMADD instruction
   * (`inst`, 32 bits), reading and writing integer registers in `xl`/`xh`;
   * returns false when the instruction is illegal (reserved encoding,
   * half or quad precision, an invalid static or dynamic rounding mode).
   */
  execute(inst: number, xl: Int32Array, xh: Int32Array): boolean {
    const fmt = (inst >>> 25) & 3;
    if (fmt > 1) return false; // H and Q are not implemented
    const op = (inst >>> 2) & 31;
    if (op !== 0x14) {
      const rm = this.roundingMode(inst);
      if (rm < 0) return false;
      // fmadd (0x10), fmsub (0x11), fnmsub (0x12), fnmadd (0x13): (±x)·y + (±z)
      const negProduct = op === 0x12 || op === 0x13;
      const negAddend = op === 0x11 || op === 0x13;
      const rd = (inst >>> 7) & 31;
      const rs1 = (inst >>> 15) & 31;
      const rs2 = (inst >>> 20) & 31;
      const rs3 = inst >>> 27;
      if (fmt === 1) this.fmaD(rd, rs1, rs2, rs3, negProduct, negAddend, rm);
      else this.#fmaS(rd, rs1, rs2, rs3, negProduct, negAddend, rm);
      return true;
    }
    const rd = (inst >>> 7) & 31;
    const rs1 = (inst >>> 15) & 31;
    const rs2 = (inst >>> 20) & 31;
    const f3 = (inst >>> 12) & 7;
    const f5 = inst >>> 27;
    switch (f5) {
      case 0: // fadd
      case 1: // fsub
      case 2: // fmul
      case 3: {
        // fdiv
        const rm = this.roundingMode(inst);
        if (rm < 0) return false;
        if (fmt === 1) this.arithD(f5, rd, rs1, rs2, rm);
        else this.#arithS(f5, rd, rs1, rs2, rm);
        return true;
      }
      case 11: {
        // fsqrt
        const rm = this.roundingMode(inst);
        if (rm < 0 || rs2 !== 0) return false;
        if (fmt === 1) this.#sqrtD(rd, rs1, rm);
        else this.#sqrtS(rd, rs1, rm);
        return true;
      }
      case 4: // fsgnj, fsgnjn, fsgnjx
        if (f3 > 2) return false;
        this.signInject(fmt, f3, rd, rs1, rs2);
        return true;
      case 5: // fmin, fmax
        if (f3 > 1) return false;
        this.#minMax(fmt, f3 === 1, rd, rs1, rs2);
        return true;
      case 8: {
        // fcvt.s.d (fmt S, rs2 1), fcvt.d.s (fmt D, rs2 0)
        const rm = this.roundingMode(inst);
        if (rm < 0 || rs2 !== (fmt === 0 ? 1 : 0)) return false;
        if (fmt === 0) this.#narrow(rd, rs1, rm);
        else this.#widen(rd, rs1);
        return true;
      }
      case 20: {
        // fle (0), flt (1), feq (2)
        if (f3 > 2) return false;
        xl[rd] = this.compare(fmt, f3, rs1, rs2);
        xh[rd] = 0;
        return true;
      }
      case 24: {
        // fcvt.{w,wu,l,lu}.{s,d}
        const rm = this.roundingMode(inst);
        if (rm < 0 || rs2 > 3) return false;
        this.#toInteger(fmt, rs2, rd, rs1, rm, xl, xh);
        return true;
      }
      case 26: {
        // fcvt.{s,d}.{w,wu,l,lu}
        const rm = this.roundingMode(inst);
        if (rm < 0 || rs2 > 3) return false;
        this.#fromInteger(fmt, rs2, rd, xl[rs1]!, xh[rs1]!, rm);
        return true;
      }
      case 28: {
        // fmv.x.w / fmv.x.d (f3 0), fclass (f3 1)
        if (rs2 !== 0 || f3 > 1) return false;
        const b = this.bits;
        if (f3 === 1) {
          xl[rd] = this.#classify(fmt, rs1);
          xh[rd] = 0;
        } else if (fmt === 0) {
          xl[rd] = b[2 * rs1]!; // the low 32 bits, whatever the boxing (a transfer, not an operation)
          xh[rd] = b[2 * rs1]! >> 31;
        } else {
          xl[rd] = b[2 * rs1]!;
          xh[rd] = b[2 * rs1 + 1]!;
        }
        return true;
      }
      case 30: {
        // fmv.w.x / fmv.d.x
        if (rs2 !== 0 || f3 !== 0) return false;
        this.bits[2 * rd] = xl[rs1]!;
        this.bits[2 * rd + 1] = fmt === 0 ? -1 : xh[rs1]!;
        return true;
      }
      default:
        return false;
    }
  }

  /** The instruction's rounding mode (its rm field, or `frm` for 7), or -1 when invalid. */
  roundingMode(inst: number): number {
    let rm = (inst >>> 12) & 7;
    if (rm === 7) rm = this.frm;
    return rm <= 4 ? rm : -1;
  }

  // ---- register access -------------------------------------------------

  /** f[r] as a single: its value as a double, or NaN (also when not NaN-boxed). */
  #single(r: number): number {
    if (this.bits[2 * r + 1] !== -1) return NaN;
    f32Bits[0] = this.bits[2 * r]!;
    return f32Scratch[0]!;
  }

  /** f[rd] = the single `v`, NaN-boxed (a NaN `v` becomes the canonical NaN). */
  #setSingle(rd: number, v: number): void {
    if (v !== v) this.bits[2 * rd] = CANONICAL_F32;
    else {
      f32Scratch[0] = v;
      this.bits[2 * rd] = f32Bits[0]!;
    }
    this.bits[2 * rd + 1] = -1;
  }

  /** f[rd] = the double `v` (a NaN `v` becomes the canonical NaN). */
  #setDouble(rd: number, v: number): void {
    if (v !== v) {
      this.bits[2 * rd] = 0;
      this.bits[2 * rd + 1] = CANONICAL_F64_HI;
    } else this.f64[rd] = v;
  }

  /** The bits of f[r] in `fmt` as a bigint (an improperly boxed single reads as the canonical NaN). */
  #read(fmt: number, r: number): bigint {
    const b = this.bits;
    if (fmt === 0) return b[2 * r + 1] === -1 ? BigInt(b[2 * r]! >>> 0) : BigInt(CANONICAL_F32);
    return (BigInt(b[2 * r + 1]! >>> 0) << 32n) | BigInt(b[2 * r]! >>> 0);
  }

  /** f[rd] = the `fmt` value with bits `v` (singles NaN-boxed). */
  #write(fmt: number, rd: number, v: bigint): void {
    const b = this.bits;
    b[2 * rd] = Number(v & 0xffffffffn);
    b[2 * rd + 1] = fmt === 0 ? -1 : Number(v >> 32n);
  }

  /** Whether f[r] holds a signalling NaN of `fmt` (an improperly boxed single is the canonical, quiet, NaN). */
  #signalling(fmt: number, r: number): boolean {
    const b = this.bits;
    if (fmt === 0) {
      const v = b[2 * r]!;
      return b[2 * r + 1] === -1 && (v & 0x7fc00000) === 0x7f800000 && (v & 0x3fffff) !== 0;
    }
    const hi = b[2 * r + 1]!;
    return (hi & 0x7ff80000) === 0x7ff00000 && ((hi & 0x7ffff) !== 0 || b[2 * r] !== 0);
  }

  /** Runs a softfloat operation: clears its flags, writes its result to f[rd], accrues its flags. */
  #exact(fmt: number, rd: number, compute: () => bigint): void {
    sf.status.flags = 0;
    this.#write(fmt, rd, compute());
    this.fflags |= sf.status.flags;
  }

  // ---- arithmetic ------------------------------------------------------

  /** fadd.d (f5 0), fsub.d (1), fmul.d (2), fdiv.d (3): f[rd] = f[rs1] op f[rs2] under rounding mode `rm` (0–4). */
  arithD(f5: number, rd: number, rs1: number, rs2: number, rm: number): void {
    if (rm === RNE) {
      const f = this.f64;
      const x = f[rs1]!;
      const y = f[rs2]!;
      if (f5 < 2) {
        const b = f5 === 0 ? y : -y;
        const r = x + b;
        if (r - r === 0) {
          // finite, so x and y are finite; an add never underflows inexactly
          const e = sumError(x, b, r);
          if (e - e === 0) {
            if (e !== 0) this.fflags |= NX;
            f[rd] = r;
            return;
          }
        }
      } else {
        const hx = biasedExponent(this.bits[2 * rs1 + 1]!);
        const hy = biasedExponent(this.bits[2 * rs2 + 1]!);
        if (f5 === 2) {
          const es = hx + hy - 2046;
          if (hx !== 0 && hy !== 0 && hx <= 2018 && hy <= 2018 && es >= -968 && es <= 1021) {
            const r = x * y;
            if (productError(x, y, r) !== 0) this.fflags |= NX;
            f[rd] = r;
            return;
          }
          if ((x === 0 && hy !== 0x7ff) || (y === 0 && hx !== 0x7ff)) {
            f[rd] = x * y; // an exact signed zero
            return;
          }
        } else {
          const ux = hx - 1023;
          const uy = hy - 1023;
          if (hx !== 0 && hy !== 0 && ux <= 960 && uy >= -960 && uy <= 960 && ux >= -960 && ux - uy >= -1000 && ux - uy <= 990) {
            const q = x / y;
            const p = q * y;
            if (x - p !== productError(q, y, p)) this.fflags |= NX;
            f[rd] = q;
            return;
          }
          if (x === 0 && hy !== 0 && hy !== 0x7ff) {
            f[rd] = x / y; // 0 / finite nonzero: an exact signed zero
            return;
          }
        }
      }
    }
    const x = this.#read(1, rs1);
    const y = this.#read(1, rs2);
    const ops = [sf.add, sf.sub, sf.mul, sf.div] as const;
    this.#exact(1, rd, () => ops[f5]!(sf.F64, x, y, rm));
  }

  #arithS(f5: number, rd: number, rs1: number, rs2: number, rm: number): void {
    if (rm === RNE) {
      const x = this.#single(rs1);
      const y = this.#single(rs2);
      let r: number;
      let inexact: boolean;
      switch (f5) {
        case 0:
        case 1: {
          const b = f5 === 0 ? y : -y;
          const d = x + b;
          r = Math.fround(d);
          inexact = r !== d || sumError(x, b, d) !== 0;
          break;
        }
        case 2: {
          const d = x * y; // exact: 48 bits
          r = Math.fround(d);
          inexact = r !== d;
          break;
        }
        default:
          r = Math.fround(x / y);
          inexact = r * y !== x; // r·y is exact (48 bits) for a normal r
      }
      if ((r - r === 0 && Math.abs(r) > MIN_NORMAL_F32) || (r === 0 && f5 !== 3 && (x === 0 || y === 0) && x - x === 0 && y - y === 0)) {
        if (inexact) this.fflags |= NX;
        this.#setSingle(rd, r);
        return;
      }
    }
    const x = this.#read(0, rs1);
    const y = this.#read(0, rs2);
    const ops = [sf.add, sf.sub, sf.mul, sf.div] as const;
    this.#exact(0, rd, () => ops[f5]!(sf.F32, x, y, rm));
  }

  #sqrtD(rd: number, rs1: number, rm: number): void {
    const x = this.f64[rs1]!;
    const hx = biasedExponent(this.bits[2 * rs1 + 1]!);
    if (rm === RNE && x > 0 && hx >= 1023 - 968 && hx !== 0x7ff) {
      const r = Math.sqrt(x);
      const p = r * r;
      if (x - p !== productError(r, r, p)) this.fflags |= NX;
      this.f64[rd] = r;
      return;
    }
    if (x === 0) {
      this.f64[rd] = x; // √±0 = ±0, exact in every mode
      return;
    }
    this.#exact(1, rd, () => sf.sqrt(sf.F64, this.#read(1, rs1), rm));
  }

  #sqrtS(rd: number, rs1: number, rm: number): void {
    const x = this.#single(rs1);
    if (rm === RNE && x > 0 && x !== Infinity) {
      const r = Math.fround(Math.sqrt(x)); // √ of a single is never tiny
      if (r * r !== x) this.fflags |= NX;
      this.#setSingle(rd, r);
      return;
    }
    if (x === 0) {
      this.#setSingle(rd, x);
      return;
    }
    this.#exact(0, rd, () => sf.sqrt(sf.F32, this.#read(0, rs1), rm));
  }

  /** The four FMAs on doubles: f[rd] = (±f[rs1])·f[rs2] + (±f[rs3]), one rounding under `rm` (0–4). */
  fmaD(rd: number, rs1: number, rs2: number, rs3: number, negProduct: boolean, negAddend: boolean, rm: number): void {
    if (rm === RNE) {
      const f = this.f64;
      const b = this.bits;
      const ex = biasedExponent(b[2 * rs1 + 1]!) - 1023;
      const ey = biasedExponent(b[2 * rs2 + 1]!) - 1023;
      const ez = biasedExponent(b[2 * rs3 + 1]!) - 1023;
      // All three normal; the product and the addend between 2^-900 and 2^1001.
      if (ex > -1023 && ey > -1023 && ez > -1023 && ex <= 995 && ey <= 995 && ex + ey >= -900 && ex + ey <= 1000 && ez >= -900 && ez <= 1000) {
        const x = negProduct ? -f[rs1]! : f[rs1]!;
        const y = f[rs2]!;
        const z = negAddend ? -f[rs3]! : f[rs3]!;
        const ph = x * y;
        const pl = productError(x, y, ph);
        const th = z + ph;
        const tl = sumError(z, ph, th);
        let v = tl + pl;
        const ve = sumError(tl, pl, v);
        if (ve !== 0) v = toOdd(v, ve);
        const r = th + v;
        if (r - r === 0 && Math.abs(r) > MIN_NORMAL_F64) {
          if (ve !== 0 || sumError(th, v, r) !== 0) this.fflags |= NX;
          f[rd] = r;
          return;
        }
      }
    }
    const signBit = 1n << 63n;
    const x = this.#read(1, rs1) ^ (negProduct ? signBit : 0n);
    const z = this.#read(1, rs3) ^ (negAddend ? signBit : 0n);
    this.#exact(1, rd, () => sf.fma(sf.F64, x, this.#read(1, rs2), z, rm));
  }

  /** The four FMAs on singles: the product is exact in a double; the sum is rounded to odd, then to single. */
  #fmaS(rd: number, rs1: number, rs2: number, rs3: number, negProduct: boolean, negAddend: boolean, rm: number): void {
    if (rm === RNE) {
      const x = this.#single(rs1);
      const y = this.#single(rs2);
      const z = this.#single(rs3);
      const p = (negProduct ? -x : x) * y; // exact: 48 bits, never below 2^-298
      const zz = negAddend ? -z : z;
      let s = p + zz;
      const e = sumError(p, zz, s);
      if (e !== 0 && e - e === 0) s = toOdd(s, e);
      const r = Math.fround(s);
      if (r - r === 0 && Math.abs(r) > MIN_NORMAL_F32) {
        if (e !== 0 || r !== s) this.fflags |= NX;
        this.#setSingle(rd, r);
        return;
      }
    }
    const signBit = 1n << 31n;
    const x = this.#read(0, rs1) ^ (negProduct ? signBit : 0n);
    const z = this.#read(0, rs3) ^ (negAddend ? signBit : 0n);
    this.#exact(0, rd, () => sf.fma(sf.F32, x, this.#read(0, rs2), z, rm));
  }

  // ---- conversions -----------------------------------------------------

  /** fcvt.s.d */
  #narrow(rd: number, rs1: number, rm: number): void {
    const x = this.f64[rs1]!;
    if (rm === RNE) {
      const r = Math.fround(x);
      if ((r - r === 0 && Math.abs(r) > MIN_NORMAL_F32) || x === 0 || x === Infinity || x === -Infinity) {
        if (r !== x) this.fflags |= NX;
        this.#setSingle(rd, r);
        return;
      }
    }
    this.#exact(0, rd, () => sf.convert(sf.F64, sf.F32, this.#read(1, rs1), rm));
  }

  /** fcvt.d.s: exact; a NaN becomes the canonical NaN (NV if signalling). */
  #widen(rd: number, rs1: number): void {
    const x = this.#single(rs1);
    if (x !== x && this.#signalling(0, rs1)) this.fflags |= NV;
    this.#setDouble(rd, x);
  }

  /** fcvt.{w,wu,l,lu}.{s,d}: `kind` 0 w, 1 wu, 2 l, 3 lu. */
  #toInteger(fmt: number, kind: number, rd: number, rs1: number, rm: number, xl: Int32Array, xh: Int32Array): void {
    const x = fmt === 1 ? this.f64[rs1]! : this.#single(rs1);
    let r = x !== x ? NaN : x - x === 0 ? roundToIntegral(x, rm) : x;
    // In range? (NaN fails every comparison.)
    let ok: boolean;
    switch (kind) {
      case 0:
        ok = r >= -2147483648 && r <= 2147483647;
        break;
      case 1:
        ok = r >= 0 && r <= 4294967295;
        break;
      case 2:
        ok = r >= -9223372036854775808 && r < 9223372036854775808;
        break;
      default:
        ok = r >= 0 && r < 18446744073709551616;
    }
    if (!ok) {
      this.fflags |= NV;
      const low = x < 0; // NaN saturates high
      if (kind === 0) r = low ? -2147483648 : 2147483647;
      else if (kind === 1) r = low ? 0 : -1; // 0xffffffff sign-extended
      else {
        // 64-bit saturation values are not doubles: write the halves.
        xl[rd] = low ? 0 : -1;
        xh[rd] = kind === 2 ? (low ? -2147483648 : 2147483647) : low ? 0 : -1;
        return;
      }
    } else if (r !== x) this.fflags |= NX;
    if (kind < 2) {
      xl[rd] = r;
      xh[rd] = (r | 0) >> 31; // 32-bit results are sign-extended, wu included
    } else {
      const hi = Math.floor(r / TWO32);
      xl[rd] = r - hi * TWO32;
      xh[rd] = hi;
    }
  }

  /** fcvt.{s,d}.{w,wu,l,lu}: `kind` 0 w, 1 wu, 2 l, 3 lu, of the integer register with halves `lo`, `hi`. */
  #fromInteger(fmt: number, kind: number, rd: number, lo: number, hi: number, rm: number): void {
    let v: number;
    if (kind === 0) v = lo;
    else if (kind === 1) v = lo >>> 0;
    else if (kind === 2) v = hi >= -0x200000 && hi < 0x200000 ? hi * TWO32 + (lo >>> 0) : NaN;
    else v = hi >>> 0 < 0x200000 ? (hi >>> 0) * TWO32 + (lo >>> 0) : NaN;
    if (v === v) {
      // |v| < 2^53: exact as a double
      if (fmt === 1) {
        this.f64[rd] = v;
        return;
      }
      if (rm === RNE) {
        const r = Math.fround(v);
        if (r !== v) this.fflags |= NX;
        this.#setSingle(rd, r);
        return;
      }
    }
    let big: bigint;
    if (kind === 0) big = BigInt(lo);
    else if (kind === 1) big = BigInt(lo >>> 0);
    else {
      big = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
      if (kind === 3) big = BigInt.asUintN(64, big);
    }
    this.#exact(fmt, rd, () => sf.fromInteger(fmt === 1 ? sf.F64 : sf.F32, big, rm));
  }

  // ---- sign injection, min/max, compare, classify ----------------------

  signInject(fmt: number, mode: number, rd: number, rs1: number, rs2: number): void {
    const b = this.bits;
    if (fmt === 1) {
      const a = b[2 * rs1 + 1]!;
      const s = b[2 * rs2 + 1]!;
      const sign = mode === 0 ? s : mode === 1 ? ~s : a ^ s;
      b[2 * rd] = b[2 * rs1]!;
      b[2 * rd + 1] = (a & 0x7fffffff) | (sign & 0x80000000);
      return;
    }
    // Improperly boxed inputs read as the canonical NaN.
    const a = b[2 * rs1 + 1] === -1 ? b[2 * rs1]! : CANONICAL_F32;
    const s = b[2 * rs2 + 1] === -1 ? b[2 * rs2]! : CANONICAL_F32;
    const sign = mode === 0 ? s : mode === 1 ? ~s : a ^ s;
    b[2 * rd] = (a & 0x7fffffff) | (sign & 0x80000000);
    b[2 * rd + 1] = -1;
  }

  /** fmin/fmax (IEEE 754-2019 minimumNumber/maximumNumber): a NaN operand yields the other; -0 < +0; NV for a signalling NaN. */
  #minMax(fmt: number, max: boolean, rd: number, rs1: number, rs2: number): void {
    const x = fmt === 1 ? this.f64[rs1]! : this.#single(rs1);
    const y = fmt === 1 ? this.f64[rs2]! : this.#single(rs2);
    if (this.#signalling(fmt, rs1) || this.#signalling(fmt, rs2)) this.fflags |= NV;
    let from: number;
    if (x !== x) from = y !== y ? -1 : rs2;
    else if (y !== y) from = rs1;
    else if (x === y) {
      // Equal: only ±0 differ; min takes the negative one, max the positive one.
      const xNeg = this.bits[2 * rs1 + (fmt === 1 ? 1 : 0)]! < 0;
      from = xNeg === !max ? rs1 : rs2;
    } else from = x < y !== max ? rs1 : rs2;
    if (from < 0) {
      if (fmt === 1) this.#setDouble(rd, NaN);
      else this.#setSingle(rd, NaN);
      return;
    }
    this.bits[2 * rd] = this.bits[2 * from]!;
    this.bits[2 * rd + 1] = this.bits[2 * from + 1]!;
  }

  /** feq (quiet: NV only for a signalling NaN), flt and fle (signalling: NV for any NaN). */
  compare(fmt: number, f3: number, rs1: number, rs2: number): number {
    const x = fmt === 1 ? this.f64[rs1]! : this.#single(rs1);
    const y = fmt === 1 ? this.f64[rs2]! : this.#single(rs2);
    if (x !== x || y !== y) {
      if (f3 !== 2 || this.#signalling(fmt, rs1) || this.#signalling(fmt, rs2)) this.fflags |= NV;
      return 0;
    }
    return (f3 === 2 ? x === y : f3 === 1 ? x < y : x <= y) ? 1 : 0;
  }

  /** fclass: one bit of ten. */
  #classify(fmt: number, r: number): number {
    const b = this.bits;
    let neg: boolean;
    let e: number;
    let fracZero: boolean;
    let quiet: boolean;
    if (fmt === 1) {
      const hi = b[2 * r + 1]!;
      neg = hi < 0;
      e = (hi >>> 20) & 0x7ff;
      fracZero = (hi & 0xfffff) === 0 && b[2 * r] === 0;
      quiet = (hi & 0x80000) !== 0;
      if (e === 0x7ff) e = -1;
    } else {
      const v = b[2 * r + 1] === -1 ? b[2 * r]! : CANONICAL_F32;
      neg = v < 0;
      e = (v >>> 23) & 0xff;
      fracZero = (v & 0x7fffff) === 0;
      quiet = (v & 0x400000) !== 0;
      if (e === 0xff) e = -1;
    }
    if (e === -1) {
      if (fracZero) return neg ? 1 << 0 : 1 << 7;
      return quiet ? 1 << 9 : 1 << 8;
    }
    if (e === 0) {
      if (fracZero) return neg ? 1 << 3 : 1 << 4;
      return neg ? 1 << 2 : 1 << 5;
    }
    return neg ? 1 << 1 : 1 << 6;
  }
}
