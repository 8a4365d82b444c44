// The F and D extensions: every computational instruction against vectors
// recorded from qemu-riscv64 (Berkeley SoftFloat), the JavaScript fast
// paths against the exact softfloat core, and the illegal encodings.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { FlatMemory } from "../../../kernel/cpu/flat-memory.js";
import { Fpu } from "../../../kernel/cpu/fpu.js";
import { Hart } from "../../../kernel/cpu/hart.js";
import * as sf from "../../../kernel/cpu/softfloat.js";
import { asm, encodeFp, uintN, vectorFile } from "./support.js";

interface Group {
  name: string;
  kind: number; // 0 f=op(f,f) 1 f=op(f) 2 f=op(f,f,f) 3 x=op(f,f) 4 x=op(f) 5 f=op(x)
  rm: number; // 7: no rounding mode
  inputs: bigint[][];
  results: bigint[];
  flags: number[];
}

function parse(buf: Buffer): Group[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const groups: Group[] = [];
  let off = 0;
  while (off < buf.length) {
    const len = buf[off++]!;
    const name = buf.toString("latin1", off, off + len);
    off += len;
    const kind = buf[off++]!;
    const rm = buf[off++]!;
    const count = view.getUint32(off, true);
    off += 4;
    const arity = kind === 2 ? 3 : kind === 0 || kind === 3 ? 2 : 1;
    const g: Group = { name, kind, rm, inputs: [], results: [], flags: [] };
    for (let i = 0; i < count; i++) {
      const ins: bigint[] = [];
      for (let j = 0; j < arity; j++, off += 8) ins.push(view.getBigUint64(off, true));
      g.inputs.push(ins);
      g.results.push(view.getBigUint64(off, true));
      g.flags.push(buf[off + 8]!);
      off += 9;
    }
    groups.push(g);
  }
  return groups;
}

const groups = parse(vectorFile("fp.bin.gz"));

const setF = (fpu: Fpu, i: number, v: bigint): void => {
  fpu.bits[2 * i] = Number(BigInt.asIntN(32, v));
  fpu.bits[2 * i + 1] = Number(BigInt.asIntN(32, v >> 32n));
};
const getF = (fpu: Fpu, i: number): bigint => (BigInt(fpu.bits[2 * i + 1]! >>> 0) << 32n) | BigInt(fpu.bits[2 * i]! >>> 0);

/** One hart for all the vectors run through run(): the instruction is rewritten at 0 each time. */
const hartMemory = new FlatMemory(64, 0);
const hart = new Hart(hartMemory);

/** Runs one vector through a Hart (its decoder and dispatch, then the FPU): [result, flags], or undefined when illegal. */
function runVectorOnHart(g: Group, ins: bigint[], rm: number, dynamic: boolean): [bigint, number] | undefined {
  new DataView(hartMemory.bytes.buffer).setUint32(0, encodeFp(g.name, g.rm === 7 ? 0 : dynamic ? 7 : rm), true);
  hart.invalidateCode(0, 4);
  hart.pc = 0;
  if (g.kind === 5) hart.setRegBigInt(6, ins[0]!);
  else ins.forEach((v, j) => hart.setFRegBigInt(j + 1, v));
  hart.frm = dynamic ? rm : 0;
  hart.fflags = 0;
  if (hart.run(1) !== "budget") return undefined;
  const out = g.kind === 3 || g.kind === 4 ? BigInt.asUintN(64, hart.getRegBigInt(4)) : hart.getFRegBigInt(4);
  return [out, hart.fflags];
}

/** Runs one vector on an Fpu directly: returns [result, flags] or undefined when the instruction was refused. */
function runVector(g: Group, ins: bigint[], rm: number, dynamic: boolean): [bigint, number] | undefined {
  const fpu = new Fpu();
  const xl = new Int32Array(32);
  const xh = new Int32Array(32);
  if (g.kind === 5) {
    xl[6] = Number(BigInt.asIntN(32, ins[0]!));
    xh[6] = Number(BigInt.asIntN(32, ins[0]! >> 32n));
  } else ins.forEach((v, j) => setF(fpu, j + 1, v));
  fpu.frm = dynamic ? rm : 0;
  fpu.fflags = 0;
  if (!fpu.execute(encodeFp(g.name, g.rm === 7 ? 0 : dynamic ? 7 : rm) | 0, xl, xh)) return undefined;
  const out = g.kind === 3 || g.kind === 4 ? BigInt.asUintN(64, (BigInt(xh[4]!) << 32n) | BigInt(xl[4]! >>> 0)) : getF(fpu, 4);
  return [out, fpu.fflags];
}

test("the qemu vectors cover every F/D computational instruction, the rounding ones in all five modes", () => {
  const names = new Set(groups.map((g) => g.name));
  const fmts = ["s", "d"];
  const expected = [
    ...["fadd", "fsub", "fmul", "fdiv", "fsqrt", "fmadd", "fmsub", "fnmsub", "fnmadd", "fmin", "fmax", "fsgnj", "fsgnjn", "fsgnjx", "feq", "flt", "fle", "fclass"].flatMap((m) =>
      fmts.map((f) => `${m}.${f}`),
    ),
    "fcvt.s.d",
    "fcvt.d.s",
    ...["w", "wu", "l", "lu"].flatMap((i) => fmts.flatMap((f) => [`fcvt.${i}.${f}`, `fcvt.${f}.${i}`])),
    "fmv.x.w",
    "fmv.x.d",
    "fmv.w.x",
    "fmv.d.x",
  ];
  assert.deepEqual([...names].sort(), expected.sort());
  for (const g of groups) {
    if (g.rm !== 7) assert.ok([0, 1, 2, 3, 4].every((rm) => groups.some((h) => h.name === g.name && h.rm === rm)), `${g.name} in every mode`);
  }
  const total = groups.reduce((n, g) => n + g.results.length, 0);
  assert.ok(total > 50_000, `${total} vectors`);
});

for (const [where, run] of [
  ["on the FPU", runVector],
  ["through Hart.run (decoder and dispatch)", runVectorOnHart],
] as const) {
  test(`every F/D instruction matches qemu-riscv64 (SoftFloat) ${where}: all 64 result bits (NaN-boxing included) and fflags, static and dynamic rounding modes`, () => {
    const failures: string[] = [];
    let checked = 0;
    for (const g of groups) {
      for (let i = 0; i < g.results.length; i++) {
        for (const dynamic of g.rm === 7 ? [false] : [false, true]) {
          checked++;
          const got = run(g, g.inputs[i]!, g.rm, dynamic);
          if (got === undefined || got[0] !== g.results[i] || got[1] !== g.flags[i]) {
            if (failures.length < 10) {
              const hex = (v: bigint): string => v.toString(16).padStart(16, "0");
              failures.push(
                `${g.name} rm=${g.rm}${dynamic ? " (dyn)" : ""} ${g.inputs[i]!.map(hex).join(" ")}: want ${hex(g.results[i]!)} flags ${g.flags[i]}, got ${got === undefined ? "illegal" : `${hex(got[0])} flags ${got[1]}`}`,
              );
            } else failures.push("…");
          }
        }
      }
    }
    assert.ok(checked > 100_000);
    assert.deepEqual(failures.slice(0, 11), [], `${failures.length} mismatches`);
  });
}

// ---- fast paths against the exact core -----------------------------------

/** Doubles (as bits) weighted towards what the fast paths accept and their edges. */
const double = fc.oneof(
  uintN(64),
  fc
    .record({ sign: fc.boolean(), exp: fc.integer({ min: 1023 - 80, max: 1023 + 80 }), mant: uintN(52), keep: fc.integer({ min: 0, max: 52 }) })
    .map(({ sign, exp, mant, keep }) => (sign ? 1n << 63n : 0n) | (BigInt(exp) << 52n) | (mant & ~((1n << BigInt(52 - keep)) - 1n))),
  fc
    .record({ sign: fc.boolean(), exp: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1900, max: 2047 }), fc.integer({ min: 0, max: 2047 })), mant: uintN(52) })
    .map(({ sign, exp, mant }) => (sign ? 1n << 63n : 0n) | (BigInt(exp) << 52n) | mant),
);
const single = fc.oneof(
  uintN(32),
  fc
    .record({ sign: fc.boolean(), exp: fc.integer({ min: 127 - 40, max: 127 + 40 }), mant: uintN(23), keep: fc.integer({ min: 0, max: 23 }) })
    .map(({ sign, exp, mant, keep }) => (sign ? 1n << 31n : 0n) | (BigInt(exp) << 23n) | (mant & ~((1n << BigInt(23 - keep)) - 1n))),
  fc.record({ sign: fc.boolean(), exp: fc.integer({ min: 0, max: 255 }), mant: uintN(23) }).map(({ sign, exp, mant }) => (sign ? 1n << 31n : 0n) | (BigInt(exp) << 23n) | mant),
);

function exactBinary(name: string, fmt: sf.Format, x: bigint, y: bigint, rm: number): bigint {
  switch (name) {
    case "fadd":
      return sf.add(fmt, x, y, rm);
    case "fsub":
      return sf.sub(fmt, x, y, rm);
    case "fmul":
      return sf.mul(fmt, x, y, rm);
    default:
      return sf.div(fmt, x, y, rm);
  }
}

for (const [fmtName, fmt, arb] of [["d", sf.F64, double], ["s", sf.F32, single]] as const) {
  const box = (v: bigint): bigint => (fmt === sf.F32 ? v | 0xffffffff00000000n : v);
  const unboxed = (v: bigint): bigint => (fmt === sf.F32 ? v & 0xffffffffn : v);
  const rmArb = fc.constantFrom(0, 0, 0, 1, 2, 3, 4);

  test(`fast paths of fadd/fsub/fmul/fdiv/fsqrt.${fmtName} agree with the exact softfloat core (results and flags, every mode)`, () => {
    fc.assert(
      fc.property(fc.constantFrom("fadd", "fsub", "fmul", "fdiv", "fsqrt"), arb, arb, fc.boolean(), rmArb, (op, x, y0, cancel, rm) => {
        // Half of the second operands sit near -x: cancellation, ties, exact results.
        const y = cancel ? (x ^ (1n << BigInt(fmt.width - 1))) + BigInt((Number(y0 % 64n)) - 32) : y0;
        const yy = BigInt.asUintN(fmt.width, y);
        const fpu = new Fpu();
        setF(fpu, 1, box(x));
        setF(fpu, 2, box(yy));
        assert.ok(fpu.execute(encodeFp(`${op}.${fmtName}`, rm) | 0, new Int32Array(32), new Int32Array(32)));
        sf.status.flags = 0;
        const want = op === "fsqrt" ? sf.sqrt(fmt, x, rm) : exactBinary(op, fmt, x, yy, rm);
        assert.equal(unboxed(getF(fpu, 4)).toString(16), want.toString(16));
        assert.equal(fpu.fflags, sf.status.flags);
      }),
      { seed: 0x5eed_f10a, numRuns: 6000 },
    );
  });

  test(`fast paths of the four FMAs (.${fmtName}) agree with the exact core, including addends that cancel the product`, () => {
    fc.assert(
      fc.property(fc.constantFrom("fmadd", "fmsub", "fnmsub", "fnmadd"), arb, arb, arb, fc.integer({ min: -8, max: 8 }), fc.boolean(), rmArb, (op, x, y, z0, nudge, cancel, rm) => {
        sf.status.flags = 0;
        const z = cancel ? BigInt.asUintN(fmt.width, (sf.mul(fmt, x, y, 0) ^ (op === "fmadd" || op === "fnmadd" ? 1n << BigInt(fmt.width - 1) : 0n)) + BigInt(nudge)) : z0;
        const fpu = new Fpu();
        setF(fpu, 1, box(x));
        setF(fpu, 2, box(y));
        setF(fpu, 3, box(z));
        assert.ok(fpu.execute(encodeFp(`${op}.${fmtName}`, rm) | 0, new Int32Array(32), new Int32Array(32)));
        const sign = 1n << BigInt(fmt.width - 1);
        sf.status.flags = 0;
        const want = sf.fma(fmt, op === "fnmsub" || op === "fnmadd" ? x ^ sign : x, y, op === "fmsub" || op === "fnmadd" ? z ^ sign : z, rm);
        assert.equal(unboxed(getF(fpu, 4)).toString(16), want.toString(16));
        assert.equal(fpu.fflags, sf.status.flags);
      }),
      { seed: 0x5eed_f3a0, numRuns: 6000 },
    );
  });

  test(`conversions of .${fmtName} to and from integers agree with the exact core in every mode`, () => {
    fc.assert(
      fc.property(arb, uintN(64), fc.integer({ min: 0, max: 3 }), rmArb, (x, n, kind, rm) => {
        const xl = new Int32Array(32);
        const xh = new Int32Array(32);
        const intName = ["w", "wu", "l", "lu"][kind]!;
        // float -> integer
        let fpu = new Fpu();
        setF(fpu, 1, box(x));
        assert.ok(fpu.execute(encodeFp(`fcvt.${intName}.${fmtName}`, rm) | 0, xl, xh));
        sf.status.flags = 0;
        const width = kind < 2 ? 32 : 64;
        const v = sf.toInteger(fmt, x, rm, width, kind % 2 === 0);
        const stored = BigInt.asUintN(64, width === 32 ? BigInt.asIntN(32, v) : v);
        assert.equal(BigInt.asUintN(64, (BigInt(xh[4]!) << 32n) | BigInt(xl[4]! >>> 0)), stored);
        assert.equal(fpu.fflags, sf.status.flags);
        // integer -> float
        fpu = new Fpu();
        xl[6] = Number(BigInt.asIntN(32, n));
        xh[6] = Number(BigInt.asIntN(32, n >> 32n));
        assert.ok(fpu.execute(encodeFp(`fcvt.${fmtName}.${intName}`, rm) | 0, xl, xh));
        const source = [BigInt.asIntN(32, n), BigInt.asUintN(32, n), BigInt.asIntN(64, n), n][kind]!;
        sf.status.flags = 0;
        assert.equal(unboxed(getF(fpu, 4)), sf.fromInteger(fmt, source, rm));
        assert.equal(fpu.fflags, sf.status.flags);
      }),
      { seed: 0x5eed_c0de, numRuns: 4000 },
    );
  });
}

// ---- targeted cases --------------------------------------------------------

function run1(inst: number, f: Array<[number, bigint]>, frm = 0): { fpu: Fpu; ok: boolean; xl: Int32Array } {
  const fpu = new Fpu();
  const xl = new Int32Array(32);
  for (const [i, v] of f) setF(fpu, i, v);
  fpu.frm = frm;
  const ok = fpu.execute(inst | 0, xl, new Int32Array(32));
  return { fpu, ok, xl };
}

test("fmadd.d rounds once: a case where rounding the product first gives a different answer", () => {
  // x = y = 1 + 2^-30: x·y = 1 + 2^-29 + 2^-60; minus (1 + 2^-29) leaves exactly 2^-60.
  const x = 0x3ff0000000400000n;
  const c = 0xbff0000000800000n;
  const { fpu } = run1(asm.r4(0x43, 1, 4, 1, 2, 3, 0), [
    [1, x],
    [2, x],
    [3, c],
  ]);
  assert.equal(getF(fpu, 4), 0x3c30000000000000n); // 2^-60: a separate multiply would have rounded it away (0)
  assert.equal(fpu.fflags, 0);
});

test("fmadd of ∞ × 0 raises NV even with a quiet NaN addend (RISC-V), and returns the canonical NaN", () => {
  const { fpu } = run1(asm.r4(0x43, 1, 4, 1, 2, 3, 0), [
    [1, 0x7ff0000000000000n],
    [2, 0n],
    [3, 0x7ff8000000000123n],
  ]);
  assert.equal(getF(fpu, 4), 0x7ff8000000000000n);
  assert.equal(fpu.fflags, sf.NV);
});

test("single-precision operations read an improperly NaN-boxed input as the canonical NaN; results are boxed", () => {
  // fadd.s f4, f1, f2 with f1 = 1.0f unboxed (high half not all ones)
  let r = run1(asm.opfp(0, 0, 4, 1, 2, 0), [
    [1, 0x000000003f800000n],
    [2, 0xffffffff3f800000n],
  ]);
  assert.equal(getF(r.fpu, 4), 0xffffffff7fc00000n);
  assert.equal(r.fpu.fflags, 0, "the canonical NaN is quiet");
  r = run1(asm.opfp(0, 0, 4, 1, 2, 0), [
    [1, 0xffffffff3f800000n],
    [2, 0xffffffff3f800000n],
  ]);
  assert.equal(getF(r.fpu, 4), 0xffffffff40000000n);
  // fmv.x.w is a transfer: it moves the low 32 bits whatever the boxing, sign-extended.
  r = run1(asm.opfp(28, 0, 4, 1, 0, 0), [[1, 0x12345678_bf800000n]]);
  assert.equal(r.xl[4], 0xbf800000 | 0);
});

test("fmin/fmax: -0 < +0, a NaN operand yields the other, two NaNs the canonical NaN, a signalling NaN raises NV", () => {
  const fmin = asm.opfp(5, 1, 4, 1, 2, 0);
  const fmax = asm.opfp(5, 1, 4, 1, 2, 1);
  const cases: Array<[number, bigint, bigint, bigint, number]> = [
    [fmin, 0n, 1n << 63n, 1n << 63n, 0],
    [fmax, 1n << 63n, 0n, 0n, 0],
    [fmin, 0x7ff8000000000000n, 0x3ff0000000000000n, 0x3ff0000000000000n, 0],
    [fmax, 0x7ff0000000000001n, 0x3ff0000000000000n, 0x3ff0000000000000n, sf.NV],
    [fmin, 0x7ff0000000000001n, 0x7ff8000000000000n, 0x7ff8000000000000n, sf.NV],
  ];
  for (const [inst, a, b, want, flags] of cases) {
    const { fpu } = run1(inst, [
      [1, a],
      [2, b],
    ]);
    assert.equal(getF(fpu, 4), want);
    assert.equal(fpu.fflags, flags);
  }
});

test("fcvt.w.d saturates with NV and no NX; NaN converts to the largest integer", () => {
  const cvtW = (rm: number) => asm.opfp(24, 1, 4, 1, 0, rm);
  const cases: Array<[bigint, number, number, number]> = [
    [0x41e0000000000000n, 1, 0x7fffffff, sf.NV], // 2^31
    [0xc1e0000000200000n, 1, -0x80000000, sf.NV], // -2^31 - 1
    [0x7ff8000000000000n, 1, 0x7fffffff, sf.NV],
    [0xfff0000000000000n, 1, -0x80000000, sf.NV],
    [0x4004000000000000n, 0, 2, sf.NX], // 2.5 RNE -> 2
    [0x4004000000000000n, 4, 3, sf.NX], // 2.5 RMM -> 3
    [0xc004000000000000n, 2, -3, sf.NX], // -2.5 RDN -> -3
    [0xc004000000000000n, 3, -2, sf.NX], // -2.5 RUP -> -2
  ];
  for (const [x, rm, want, flags] of cases) {
    const { fpu, xl } = run1(cvtW(rm), [[1, x]]);
    assert.equal(xl[4], want, `${x.toString(16)} rm ${rm}`);
    assert.equal(fpu.fflags, flags);
  }
});

test("illegal F/D encodings: reserved rounding modes (static 5, 6; dynamic with frm 5–7), H/Q formats, bad funct fields", () => {
  const fadd = (rm: number, fmt = 1) => asm.opfp(0, fmt, 4, 1, 2, rm);
  assert.equal(run1(fadd(5), []).ok, false);
  assert.equal(run1(fadd(6), []).ok, false);
  for (const frm of [5, 6, 7]) assert.equal(run1(fadd(7), [], frm).ok, false, `frm ${frm}`);
  assert.equal(run1(fadd(7), [], 4).ok, true);
  assert.equal(run1(fadd(0, 2), []).ok, false, "half precision");
  assert.equal(run1(fadd(0, 3), []).ok, false, "quad precision");
  assert.equal(run1(asm.r4(0x43, 1, 4, 1, 2, 3, 5), []).ok, false);
  assert.equal(run1(asm.opfp(11, 1, 4, 1, 3, 0), []).ok, false, "fsqrt with rs2 != 0");
  assert.equal(run1(asm.opfp(4, 1, 4, 1, 2, 3), []).ok, false, "fsgnj funct3 3");
  assert.equal(run1(asm.opfp(5, 1, 4, 1, 2, 2), []).ok, false, "fmin funct3 2");
  assert.equal(run1(asm.opfp(20, 1, 4, 1, 2, 3), []).ok, false, "compare funct3 3");
  assert.equal(run1(asm.opfp(8, 1, 4, 1, 1, 0), []).ok, false, "fcvt.d.d");
  assert.equal(run1(asm.opfp(24, 1, 4, 1, 4, 0), []).ok, false, "fcvt to a 128-bit integer");
  assert.equal(run1(asm.opfp(28, 1, 4, 1, 0, 2), []).ok, false);
  assert.equal(run1(asm.opfp(30, 1, 4, 1, 0, 1), []).ok, false);
  assert.equal(run1(asm.opfp(9, 1, 4, 1, 2, 0), []).ok, false, "unassigned funct5");
  // Instructions without a rounding mode ignore frm: fsgnj with an invalid frm is fine.
  assert.equal(run1(asm.opfp(4, 1, 4, 1, 2, 0), [], 7).ok, true);
});
