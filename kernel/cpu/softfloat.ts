/**
 * Exact IEEE 754 binary32/binary64 arithmetic on `bigint` significands, as
 * RISC-V's F and D extensions define it: every rounding mode, every
 * exception flag, canonical NaNs.
 *
 * This is the reference the hart's fast paths must agree with (fpu.ts
 * falls back to it whenever it cannot prove a JavaScript double result and
 * its flags exact). Each operation computes its exact result — a `bigint`
 * significand and a power of two, plus a sticky bit when the exact value
 * has bits further down (division, square root) — and rounds it once in
 * {@link roundPack}. Slow (a bigint allocation or more per step) and simple.
 *
 * RISC-V specifics (The RISC-V Instruction Set Manual, Volume I, "F"):
 * tininess is detected after rounding; any NaN result is the canonical NaN
 * (`0x7fc00000`, `0x7ff8000000000000`), payloads are never propagated;
 * `fmadd` of ∞ × 0 raises NV even when the addend is a quiet NaN; float to
 * integer conversions saturate and raise NV (never NX with it).
 *
 * Counterparts: Berkeley SoftFloat 3 (`softfloat_roundPackToF64`,
 * `f64_mulAdd`, `f64_to_i64`), which qemu and Spike use for RISC-V.
 *
 * @module
 */

/** An IEEE 754 binary interchange format. */
export interface Format {
  /** Precision in bits, the implicit bit included (24, 53). */
  readonly p: number;
  /** Exponent bits (8, 11). */
  readonly ebits: number;
  /** Total bits (32, 64). */
  readonly width: number;
  /** Exponent bias (127, 1023). */
  readonly bias: number;
}

/** binary32 (`float`, the F extension). */
export const F32: Format = { p: 24, ebits: 8, width: 32, bias: 127 };
/** binary64 (`double`, the D extension). */
export const F64: Format = { p: 53, ebits: 11, width: 64, bias: 1023 };

/** Rounding mode (as the `rm` field and `frm` encode it): to nearest, ties to even. */
export const RNE = 0;
/** Rounding mode: towards zero. */
export const RTZ = 1;
/** Rounding mode: down, towards -∞. */
export const RDN = 2;
/** Rounding mode: up, towards +∞. */
export const RUP = 3;
/** Rounding mode: to nearest, ties away from zero (max magnitude). */
export const RMM = 4;

/** Exception flag (as `fflags` encodes it): invalid operation. */
export const NV = 16;
/** Exception flag: division by zero. */
export const DZ = 8;
/** Exception flag: overflow. */
export const OF = 4;
/** Exception flag: underflow (tiny after rounding and inexact). */
export const UF = 2;
/** Exception flag: inexact. */
export const NX = 1;

/** Flags raised by the operations since the caller last cleared them. */
export const status = { flags: 0 };

/** The canonical NaN of `fmt`. */
export function canonicalNaN(fmt: Format): bigint {
  return fmt.width === 32 ? 0x7fc00000n : 0x7ff8000000000000n;
}

/** {@link unpack} class: ±0. */
export const ZERO = 0;
/** {@link unpack} class: a normal or subnormal nonzero value. */
export const FINITE = 1;
/** {@link unpack} class: ±∞. */
export const INF = 2;
/** {@link unpack} class: a quiet NaN. */
export const QNAN = 3;
/** {@link unpack} class: a signalling NaN. */
export const SNAN = 4;

/** A value taken apart: `(-1)^sign × sig × 2^exp` for finite values. */
export interface Unpacked {
  cls: number;
  sign: number;
  sig: bigint;
  exp: number;
}

/** Takes the bits of a `fmt` value apart. */
export function unpack(fmt: Format, bits: bigint): Unpacked {
  const fracBits = BigInt(fmt.p - 1);
  const emask = (1 << fmt.ebits) - 1;
  const sign = Number((bits >> BigInt(fmt.width - 1)) & 1n);
  const e = Number((bits >> fracBits) & BigInt(emask));
  const frac = bits & ((1n << fracBits) - 1n);
  if (e === emask) {
    if (frac === 0n) return { cls: INF, sign, sig: 0n, exp: 0 };
    return { cls: (frac >> (fracBits - 1n)) & 1n ? QNAN : SNAN, sign, sig: 0n, exp: 0 };
  }
  if (e === 0) {
    if (frac === 0n) return { cls: ZERO, sign, sig: 0n, exp: 0 };
    return { cls: FINITE, sign, sig: frac, exp: 1 - fmt.bias - (fmt.p - 1) };
  }
  return { cls: FINITE, sign, sig: frac | (1n << fracBits), exp: e - fmt.bias - (fmt.p - 1) };
}

function signBit(fmt: Format, sign: number): bigint {
  return sign ? 1n << BigInt(fmt.width - 1) : 0n;
}

function infinity(fmt: Format, sign: number): bigint {
  return signBit(fmt, sign) | (BigInt((1 << fmt.ebits) - 1) << BigInt(fmt.p - 1));
}

function largest(fmt: Format, sign: number): bigint {
  return infinity(fmt, sign) - 1n;
}

function zero(fmt: Format, sign: number): bigint {
  return signBit(fmt, sign);
}

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/**
 * Whether rounding the magnitude `q` (with `rem` of `half * 2` below it, plus
 * `sticky`) away from zero is right under `rm` for a value of sign `sign`.
 */
function roundsUp(rm: number, sign: number, q: bigint, rem: bigint, half: bigint, sticky: boolean): boolean {
  if (rem === 0n && !sticky) return false; // exact: nothing to round
  switch (rm) {
    case RNE:
      return rem > half || (rem === half && (sticky || (q & 1n) === 1n));
    case RTZ:
      return false;
    case RDN:
      return sign === 1;
    case RUP:
      return sign === 0;
    default: // RMM
      return rem >= half;
  }
}

/**
 * Rounds the exact value `(-1)^sign × (sig + ε) × 2^exp` (ε in (0, 1) when
 * `sticky`, else 0) to `fmt` under `rm`, raising NX, UF (tiny after rounding
 * and inexact), OF. With `sticky`, `sig` must have at least `p + 2` bits so
 * the rounding position lies above ε. `sig = 0` without sticky is a zero of
 * the given sign.
 */
export function roundPack(fmt: Format, sign: number, exp: number, sig: bigint, sticky: boolean, rm: number): bigint {
  if (sig === 0n && !sticky) return zero(fmt, sign);
  const p = fmt.p;
  const emin = 1 - fmt.bias;
  const n = bitLength(sig);
  if (sticky && n < p + 2) throw new Error("roundPack: too few significand bits for a sticky value");
  const top = exp + n - 1; // exponent of the leading bit
  const lsb = Math.max(top, emin) - (p - 1); // exponent of the result's last bit
  const shift = lsb - exp;
  let q: bigint;
  let inexact: boolean;
  let up = false;
  if (shift <= 0) {
    q = sig << BigInt(-shift);
    inexact = false;
  } else {
    const s = BigInt(shift);
    q = sig >> s;
    const rem = sig & ((1n << s) - 1n);
    const half = 1n << (s - 1n);
    inexact = rem !== 0n || sticky;
    up = roundsUp(rm, sign, q, rem, half, sticky);
  }
  if (up) q += 1n;
  let e = lsb;
  if (q >> BigInt(p) !== 0n) {
    q >>= 1n;
    e += 1;
  }
  let flags = inexact ? NX : 0;
  if (inexact && top < emin) {
    // Tiny after rounding: the value rounded to p bits with an unbounded
    // exponent is below 2^emin. Only a value just under 2^emin can round up
    // out of tininess.
    let tiny = true;
    if (top === emin - 1) {
      // (The shift may be 0 — sig has exactly p bits — and then nothing rounds.)
      const s = BigInt(top - (p - 1) - exp);
      const qu = sig >> s;
      const rem = sig & ((1n << s) - 1n);
      tiny = !(roundsUp(rm, sign, qu, rem, 1n << (s - 1n), sticky) && qu + 1n === 1n << BigInt(p));
    }
    if (tiny) flags |= UF;
  }
  const emax = fmt.bias;
  if (q >> BigInt(p - 1) !== 0n && e + p - 1 > emax) {
    status.flags |= OF | NX;
    const toInf = rm === RNE || rm === RMM || (rm === RDN && sign === 1) || (rm === RUP && sign === 0);
    return toInf ? infinity(fmt, sign) : largest(fmt, sign);
  }
  status.flags |= flags;
  if (q >> BigInt(p - 1) === 0n) return signBit(fmt, sign) | q; // subnormal (or zero)
  const biased = BigInt(e + p - 1 + fmt.bias);
  return signBit(fmt, sign) | (biased << BigInt(p - 1)) | (q & ((1n << BigInt(p - 1)) - 1n));
}

/** NaN result of an operation on `inputs`: canonical, NV when any input is signalling (or `invalid`). */
function nanResult(fmt: Format, invalid: boolean, ...inputs: Unpacked[]): bigint {
  if (invalid || inputs.some((u) => u.cls === SNAN)) status.flags |= NV;
  return canonicalNaN(fmt);
}

function isNaN(u: Unpacked): boolean {
  return u.cls === QNAN || u.cls === SNAN;
}

/** The exact sum of two finite values (either may be zero) rounded; `zeroSign` is the sign of an exact zero from nonzero addends. */
function addFinite(fmt: Format, x: Unpacked, y: Unpacked, rm: number): bigint {
  if (x.cls === ZERO && y.cls === ZERO) return zero(fmt, x.sign === y.sign ? x.sign : rm === RDN ? 1 : 0);
  if (x.cls === ZERO) return roundPack(fmt, y.sign, y.exp, y.sig, false, rm);
  if (y.cls === ZERO) return roundPack(fmt, x.sign, x.exp, x.sig, false, rm);
  const e = Math.min(x.exp, y.exp);
  const a = (x.sig << BigInt(x.exp - e)) * (x.sign ? -1n : 1n);
  const b = (y.sig << BigInt(y.exp - e)) * (y.sign ? -1n : 1n);
  const s = a + b;
  if (s === 0n) return zero(fmt, rm === RDN ? 1 : 0);
  return roundPack(fmt, s < 0n ? 1 : 0, e, s < 0n ? -s : s, false, rm);
}

/** `x + y` (`fadd`). */
export function add(fmt: Format, xb: bigint, yb: bigint, rm: number): bigint {
  const x = unpack(fmt, xb);
  const y = unpack(fmt, yb);
  if (isNaN(x) || isNaN(y)) return nanResult(fmt, false, x, y);
  if (x.cls === INF || y.cls === INF) {
    if (x.cls === INF && y.cls === INF && x.sign !== y.sign) return nanResult(fmt, true);
    return infinity(fmt, x.cls === INF ? x.sign : y.sign);
  }
  return addFinite(fmt, x, y, rm);
}

/** `x - y` (`fsub`): `x + (-y)` (negating a NaN does not change the result). */
export function sub(fmt: Format, xb: bigint, yb: bigint, rm: number): bigint {
  return add(fmt, xb, yb ^ signBit(fmt, 1), rm);
}

/** `x × y` (`fmul`). */
export function mul(fmt: Format, xb: bigint, yb: bigint, rm: number): bigint {
  const x = unpack(fmt, xb);
  const y = unpack(fmt, yb);
  if (isNaN(x) || isNaN(y)) return nanResult(fmt, false, x, y);
  const sign = x.sign ^ y.sign;
  if (x.cls === INF || y.cls === INF) {
    if (x.cls === ZERO || y.cls === ZERO) return nanResult(fmt, true);
    return infinity(fmt, sign);
  }
  if (x.cls === ZERO || y.cls === ZERO) return zero(fmt, sign);
  return roundPack(fmt, sign, x.exp + y.exp, x.sig * y.sig, false, rm);
}

/** `x / y` (`fdiv`): DZ for a finite nonzero `x` over zero. */
export function div(fmt: Format, xb: bigint, yb: bigint, rm: number): bigint {
  const x = unpack(fmt, xb);
  const y = unpack(fmt, yb);
  if (isNaN(x) || isNaN(y)) return nanResult(fmt, false, x, y);
  const sign = x.sign ^ y.sign;
  if (x.cls === INF) return y.cls === INF ? nanResult(fmt, true) : infinity(fmt, sign);
  if (y.cls === INF) return zero(fmt, sign);
  if (y.cls === ZERO) {
    if (x.cls === ZERO) return nanResult(fmt, true);
    status.flags |= DZ;
    return infinity(fmt, sign);
  }
  if (x.cls === ZERO) return zero(fmt, sign);
  const k = Math.max(0, fmt.p + 3 + bitLength(y.sig) - bitLength(x.sig));
  const num = x.sig << BigInt(k);
  const q = num / y.sig;
  return roundPack(fmt, sign, x.exp - k - y.exp, q, q * y.sig !== num, rm);
}

function isqrt(v: bigint): bigint {
  if (v < 2n) return v;
  let x = 1n << BigInt(Math.ceil(bitLength(v) / 2));
  for (;;) {
    const y = (x + v / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** `√x` (`fsqrt`): NV for a negative nonzero `x`; `√-0 = -0`. */
export function sqrt(fmt: Format, xb: bigint, rm: number): bigint {
  const x = unpack(fmt, xb);
  if (isNaN(x)) return nanResult(fmt, false, x);
  if (x.cls === ZERO) return xb;
  if (x.sign === 1) return nanResult(fmt, true);
  if (x.cls === INF) return xb;
  let sig = x.sig;
  let exp = x.exp;
  if (exp % 2 !== 0) {
    sig <<= 1n;
    exp -= 1;
  }
  // Scale by an even power so the root has at least p + 2 bits.
  const k = Math.max(0, Math.ceil((2 * (fmt.p + 3) - bitLength(sig)) / 2));
  const scaled = sig << BigInt(2 * k);
  const root = isqrt(scaled);
  return roundPack(fmt, 0, exp / 2 - k, root, root * root !== scaled, rm);
}

/**
 * `x × y + z` with a single rounding (`fmadd`; the other three are this
 * with `x` and/or `z` negated). NV for ∞ × 0 even when `z` is a quiet NaN.
 */
export function fma(fmt: Format, xb: bigint, yb: bigint, zb: bigint, rm: number): bigint {
  const x = unpack(fmt, xb);
  const y = unpack(fmt, yb);
  const z = unpack(fmt, zb);
  const infTimesZero = (x.cls === INF && y.cls === ZERO) || (x.cls === ZERO && y.cls === INF);
  if (isNaN(x) || isNaN(y) || isNaN(z)) return nanResult(fmt, infTimesZero, x, y, z);
  if (infTimesZero) return nanResult(fmt, true);
  const psign = x.sign ^ y.sign;
  if (x.cls === INF || y.cls === INF) {
    if (z.cls === INF && z.sign !== psign) return nanResult(fmt, true);
    return infinity(fmt, psign);
  }
  if (z.cls === INF) return infinity(fmt, z.sign);
  const product: Unpacked =
    x.cls === ZERO || y.cls === ZERO
      ? { cls: ZERO, sign: psign, sig: 0n, exp: 0 }
      : { cls: FINITE, sign: psign, sig: x.sig * y.sig, exp: x.exp + y.exp };
  return addFinite(fmt, product, z, rm);
}

/** Converts between formats (`fcvt.s.d`, `fcvt.d.s`): NaN → canonical NaN (NV if signalling). */
export function convert(from: Format, to: Format, xb: bigint, rm: number): bigint {
  const x = unpack(from, xb);
  if (isNaN(x)) return nanResult(to, false, x);
  if (x.cls === INF) return infinity(to, x.sign);
  if (x.cls === ZERO) return zero(to, x.sign);
  return roundPack(to, x.sign, x.exp, x.sig, false, rm);
}

/** Converts the integer `v` (any `bigint`) to `fmt` (`fcvt.s.l` and the like). */
export function fromInteger(fmt: Format, v: bigint, rm: number): bigint {
  if (v === 0n) return 0n;
  return roundPack(fmt, v < 0n ? 1 : 0, 0, v < 0n ? -v : v, false, rm);
}

/**
 * Converts to an integer of `width` bits (`fcvt.w.d` and the like): rounds
 * under `rm`; out of range or NaN saturates with NV (a NaN to the largest
 * value) and no NX; otherwise NX when inexact. Returns the integer value
 * (not sign-extended or truncated: the caller stores it).
 */
export function toInteger(fmt: Format, xb: bigint, rm: number, width: 32 | 64, signed: boolean): bigint {
  const x = unpack(fmt, xb);
  const max = signed ? (1n << BigInt(width - 1)) - 1n : (1n << BigInt(width)) - 1n;
  const min = signed ? -(1n << BigInt(width - 1)) : 0n;
  if (isNaN(x)) {
    status.flags |= NV;
    return max;
  }
  if (x.cls === INF) {
    status.flags |= NV;
    return x.sign ? min : max;
  }
  if (x.cls === ZERO) return 0n;
  let mag: bigint;
  let inexact = false;
  if (x.exp >= 0) mag = x.sig << BigInt(x.exp);
  else {
    const s = BigInt(-x.exp);
    const q = x.sig >> s;
    const rem = x.sig & ((1n << s) - 1n);
    inexact = rem !== 0n;
    mag = roundsUp(rm, x.sign, q, rem, 1n << (s - 1n), false) ? q + 1n : q;
  }
  const v = x.sign ? -mag : mag;
  if (v > max || v < min) {
    status.flags |= NV;
    return x.sign ? min : max;
  }
  if (inexact) status.flags |= NX;
  return v;
}
