// The hart: every instruction class through run(), every exit reason, the
// fault rule (nothing retires), LR/SC and AMOs, CSRs, the decoded-instruction
// cache and its invalidation, state copies and the kernel-facing accessors.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { FlatMemory, MemoryFault } from "../../../kernel/cpu/flat-memory.js";
import { CONTEXT_SIZE, Hart } from "../../../kernel/cpu/hart.js";
import type { AmoOp, CpuMemory } from "../../../kernel/cpu/memory.js";
import { CODE, SpyMemory, asm, hartWith, reg, uintN } from "./support.js";

const M64 = (1n << 64n) - 1n;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** Runs one instruction with x1 = a, x2 = b and returns x3 (unsigned). */
function exec1(inst: number, a: bigint, b: bigint): bigint {
  const { hart } = hartWith([inst]);
  hart.setRegBigInt(1, a);
  hart.setRegBigInt(2, b);
  assert.equal(hart.run(1), "budget");
  assert.equal(hart.pc, CODE + 4);
  return reg(hart, 3);
}

// ---- integer arithmetic against a bigint model ----------------------------

const sh = (b: bigint): bigint => b & 63n;
const w32 = (v: bigint): bigint => u64(BigInt.asIntN(32, v));
const rOps: Array<[string, (rd: number, rs1: number, rs2: number) => number, (a: bigint, b: bigint) => bigint]> = [
  ["add", asm.add, (a, b) => u64(a + b)],
  ["sub", asm.sub, (a, b) => u64(a - b)],
  ["sll", asm.sll, (a, b) => u64(a << sh(b))],
  ["slt", asm.slt, (a, b) => (s64(a) < s64(b) ? 1n : 0n)],
  ["sltu", asm.sltu, (a, b) => (a < b ? 1n : 0n)],
  ["xor", asm.xor, (a, b) => a ^ b],
  ["srl", asm.srl, (a, b) => a >> sh(b)],
  ["sra", asm.sra, (a, b) => u64(s64(a) >> sh(b))],
  ["or", asm.or, (a, b) => a | b],
  ["and", asm.and, (a, b) => a & b],
  ["mul", asm.mul, (a, b) => u64(a * b)],
  ["mulh", asm.mulh, (a, b) => u64((s64(a) * s64(b)) >> 64n)],
  ["mulhsu", asm.mulhsu, (a, b) => u64((s64(a) * b) >> 64n)],
  ["mulhu", asm.mulhu, (a, b) => (a * b) >> 64n],
  ["div", asm.div, (a, b) => (b === 0n ? M64 : u64(s64(a) / s64(b)))],
  ["divu", asm.divu, (a, b) => (b === 0n ? M64 : a / b)],
  ["rem", asm.rem, (a, b) => (b === 0n ? a : u64(s64(a) % s64(b)))],
  ["remu", asm.remu, (a, b) => (b === 0n ? a : a % b)],
  ["addw", asm.addw, (a, b) => w32(a + b)],
  ["subw", asm.subw, (a, b) => w32(a - b)],
  ["sllw", asm.sllw, (a, b) => w32(a << (b & 31n))],
  ["srlw", asm.srlw, (a, b) => w32((a & 0xffffffffn) >> (b & 31n))],
  ["sraw", asm.sraw, (a, b) => w32(BigInt.asIntN(32, a) >> (b & 31n))],
  ["mulw", asm.mulw, (a, b) => w32(a * b)],
  ["divw", asm.divw, (a, b) => (BigInt.asIntN(32, b) === 0n ? M64 : w32(BigInt.asIntN(32, a) / BigInt.asIntN(32, b)))],
  ["divuw", asm.divuw, (a, b) => ((b & 0xffffffffn) === 0n ? M64 : w32((a & 0xffffffffn) / (b & 0xffffffffn)))],
  ["remw", asm.remw, (a, b) => (BigInt.asIntN(32, b) === 0n ? w32(a) : w32(BigInt.asIntN(32, a) % BigInt.asIntN(32, b)))],
  ["remuw", asm.remuw, (a, b) => ((b & 0xffffffffn) === 0n ? w32(a) : w32((a & 0xffffffffn) % (b & 0xffffffffn)))],
];

/** 64-bit operands weighted towards the edges (signs, 32-bit boundaries, small values). */
const operand = fc.oneof(
  uintN(64),
  fc.constantFrom(0n, 1n, 2n, M64, 1n << 63n, (1n << 63n) - 1n, 1n << 31n, (1n << 31n) - 1n, 0xffffffff80000000n, 0xffffffffn, 1n << 32n, M64 - 1n),
  fc.integer({ min: -5000, max: 5000 }).map((n) => u64(BigInt(n))),
  uintN(32).map((v) => u64(BigInt.asIntN(32, v))),
  fc.integer({ min: 0, max: 63 }).map((k) => u64(-(1n << BigInt(k)))),
);

test("R-type integer and M instructions (64- and 32-bit forms) agree with a bigint model", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: rOps.length - 1 }), operand, operand, (k, a, b) => {
      const [name, enc, model] = rOps[k]!;
      assert.equal(exec1(enc(3, 1, 2), a, b), model(a, b), `${name} 0x${a.toString(16)}, 0x${b.toString(16)}`);
    }),
    { seed: 0x17e9, numRuns: 4000 },
  );
});

test("I-type instructions: immediates sign-extended, 6-bit shifts, the W forms", () => {
  const iOps: Array<[string, (rd: number, rs1: number, imm: number) => number, (a: bigint, imm: bigint) => bigint, number, number]> = [
    ["addi", asm.addi, (a, i) => u64(a + i), -2048, 2047],
    ["slti", asm.slti, (a, i) => (s64(a) < i ? 1n : 0n), -2048, 2047],
    ["sltiu", asm.sltiu, (a, i) => (a < u64(i) ? 1n : 0n), -2048, 2047],
    ["xori", asm.xori, (a, i) => u64(a ^ u64(i)), -2048, 2047],
    ["ori", asm.ori, (a, i) => u64(a | u64(i)), -2048, 2047],
    ["andi", asm.andi, (a, i) => a & u64(i), -2048, 2047],
    ["slli", asm.slli, (a, i) => u64(a << i), 0, 63],
    ["srli", asm.srli, (a, i) => a >> i, 0, 63],
    ["srai", asm.srai, (a, i) => u64(s64(a) >> i), 0, 63],
    ["addiw", asm.addiw, (a, i) => w32(a + i), -2048, 2047],
    ["slliw", asm.slliw, (a, i) => w32(a << i), 0, 31],
    ["srliw", asm.srliw, (a, i) => w32((a & 0xffffffffn) >> i), 0, 31],
    ["sraiw", asm.sraiw, (a, i) => w32(BigInt.asIntN(32, a) >> i), 0, 31],
  ];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: iOps.length - 1 }), operand, fc.integer({ min: -2048, max: 2047 }), (k, a, raw) => {
      const [name, enc, model, lo, hi] = iOps[k]!;
      const imm = lo + (((raw % (hi - lo + 1)) + (hi - lo + 1)) % (hi - lo + 1));
      assert.equal(exec1(enc(3, 1, imm), a, 0n), model(a, BigInt(imm)), `${name} ${imm}`);
    }),
    { seed: 0x1771, numRuns: 3000 },
  );
});

test("reserved shift encodings are illegal on RV64: slli with imm[11:6] not 0, slliw with imm[5] set, srai with a bad funct6", () => {
  for (const inst of [asm.slli(3, 1, 0) | (1 << 26), asm.srli(3, 1, 0) | (0x11 << 26), asm.slliw(3, 1, 0) | (1 << 25), asm.sraiw(3, 1, 0) | (1 << 25)]) {
    const { hart } = hartWith([inst]);
    assert.equal(hart.run(1), "illegal");
    assert.equal(hart.exitBits, inst >>> 0);
    assert.equal(hart.pc, CODE);
    assert.equal(hart.instret, 0);
  }
});

test("lui, auipc, jal and jalr compute from the pc; jalr clears bit 0 and reads rs1 before writing rd", () => {
  const { hart } = hartWith([asm.lui(1, 0x80000000 | 0), asm.auipc(2, -4096), asm.jal(3, 8), 0, asm.addi(4, 0, CODE + 21 - CODE), asm.jalr(5, 5, 0)]);
  hart.setReg(5, CODE + 25); // odd: bit 0 is cleared
  assert.equal(hart.run(3), "budget");
  assert.equal(reg(hart, 1), 0xffffffff80000000n);
  assert.equal(reg(hart, 2), BigInt(CODE + 4 - 4096));
  assert.equal(reg(hart, 3), BigInt(CODE + 12));
  assert.equal(hart.pc, CODE + 16);
  assert.equal(hart.run(2), "budget");
  assert.equal(reg(hart, 5), BigInt(CODE + 24), "link = the jalr's pc + 4");
  assert.equal(hart.pc, CODE + 24, "target 0x10019 with bit 0 cleared");
});

test("branches: all six conditions, signed and unsigned, taken and not, backwards across a 4 KiB block boundary", () => {
  const conds: Array<[(a: number, b: number, off: number) => number, (a: bigint, b: bigint) => boolean]> = [
    [asm.beq, (a, b) => a === b],
    [asm.bne, (a, b) => a !== b],
    [asm.blt, (a, b) => s64(a) < s64(b)],
    [asm.bge, (a, b) => s64(a) >= s64(b)],
    [asm.bltu, (a, b) => a < b],
    [asm.bgeu, (a, b) => a >= b],
  ];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 5 }), operand, fc.boolean(), operand, (k, a, same, b0) => {
      const b = same ? a : b0;
      const [enc, model] = conds[k]!;
      const { hart } = hartWith([enc(1, 2, 64)]);
      hart.setRegBigInt(1, a);
      hart.setRegBigInt(2, b);
      hart.run(1);
      assert.equal(hart.pc, CODE + (model(a, b) ? 64 : 4));
    }),
    { seed: 0xb4a, numRuns: 1500 },
  );
  // A loop whose branch at 0x11000 jumps back into the previous block.
  const mem = new FlatMemory(1 << 20, CODE);
  const view = new DataView(mem.bytes.buffer);
  view.setUint32(0xffc, asm.addi(1, 1, 1), true);
  view.setUint32(0x1000, asm.bne(1, 2, -4), true);
  view.setUint32(0x1004, asm.ecall(), true);
  const hart = new Hart(mem);
  hart.pc = CODE + 0xffc;
  hart.setReg(2, 10);
  assert.equal(hart.run(100), "ecall");
  assert.equal(hart.getReg(1), 10);
  assert.equal(hart.instret, 20);
});

test("loads and stores of every width: sign and zero extension, little-endian, misaligned accesses work", () => {
  const { hart, mem } = hartWith([
    asm.sd(1, 10, 1), // misaligned store at data + 1
    asm.lb(11, 10, 8),
    asm.lbu(12, 10, 8),
    asm.lh(13, 10, 7),
    asm.lhu(14, 10, 7),
    asm.lw(15, 10, 5),
    asm.lwu(16, 10, 5),
    asm.ld(17, 10, 1),
    asm.sb(1, 10, 100),
    asm.sh(1, 10, 103),
    asm.sw(1, 10, 109),
  ]);
  const data = CODE + 0x8000;
  hart.setReg(10, data);
  hart.setRegBigInt(1, 0x8899aabbccddeeffn);
  assert.equal(hart.run(11), "budget");
  const bytes = mem.bytes.subarray(0x8000, 0x8000 + 120);
  assert.deepEqual([...bytes.subarray(1, 9)], [0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88]);
  assert.equal(reg(hart, 11), u64(-0x78n)); // byte 0x88
  assert.equal(reg(hart, 12), 0x88n);
  assert.equal(reg(hart, 13), u64(-0x7767n)); // 0x8899
  assert.equal(reg(hart, 14), 0x8899n);
  assert.equal(reg(hart, 15), u64(BigInt.asIntN(32, 0x8899aabbn)));
  assert.equal(reg(hart, 16), 0x8899aabbn);
  assert.equal(reg(hart, 17), 0x8899aabbccddeeffn);
  assert.deepEqual([...bytes.subarray(100, 101)], [0xff]);
  assert.deepEqual([...bytes.subarray(103, 105)], [0xff, 0xee]);
  assert.deepEqual([...bytes.subarray(109, 113)], [0xff, 0xee, 0xdd, 0xcc]);
});

test("compressed instructions execute with their expansion's semantics and advance the pc by 2", () => {
  // c.li a0, 5; c.addi a0, -1; c.mv a1, a0; c.add a1, a0; c.slli a1, 3; c.ebreak
  const code = new Uint8Array(new Uint16Array([0x4515, 0x157d, 0x85aa, 0x95aa, 0x058e, 0x9002]).buffer);
  const { hart } = hartWith(code);
  assert.equal(hart.run(10), "ebreak");
  assert.equal(hart.getReg(10), 4);
  assert.equal(hart.getReg(11), 64);
  assert.equal(hart.pc, CODE + 10);
  assert.equal(hart.instret, 5);
});

test("x0 reads as zero whatever is written to it (by instructions or by the kernel through xlo/xhi)", () => {
  const { hart } = hartWith([asm.addi(0, 0, 5), asm.lw(0, 1, 0), asm.jal(0, 4), asm.add(3, 0, 0), asm.ecall()]);
  hart.setReg(1, CODE);
  hart.xlo[0] = 123;
  hart.xhi[0] = -1;
  assert.equal(hart.run(10), "ecall");
  assert.equal(hart.getReg(3), 0);
  assert.equal(hart.xlo[0], 0);
  assert.equal(hart.xhi[0], 0);
  assert.equal(hart.xlo.length, 32);
});

// ---- exits -----------------------------------------------------------------

test("run(budget) executes exactly budget instructions, counts them in instret, and run(0) executes nothing", () => {
  const { hart } = hartWith([asm.addi(1, 1, 1), asm.jal(0, -4)]);
  assert.equal(hart.run(0), "budget");
  assert.equal(hart.instret, 0);
  assert.equal(hart.run(7), "budget");
  assert.equal(hart.instret, 7);
  assert.equal(hart.getReg(1), 4);
  assert.equal(hart.pc, CODE + 4);
  assert.throws(() => hart.run(-1), { name: "RangeError", code: "ERR_OUT_OF_RANGE" });
  assert.throws(() => hart.run(1.5), { name: "RangeError" });
  assert.throws(() => hart.run("3" as unknown as number), { name: "TypeError", code: "ERR_INVALID_ARG_TYPE" });
  // A budget beyond what one pass of the loop takes (2^30) still stops at the first exit.
  const { hart: h2 } = hartWith([asm.addi(1, 1, 1), asm.ecall()]);
  assert.equal(h2.run(2 ** 40), "ecall");
  assert.equal(h2.instret, 1);
});

test("ecall and ebreak stop with the pc at the instruction, not retired; the kernel advances past an ecall", () => {
  const { hart } = hartWith([asm.addi(17, 0, 64), asm.ecall(), asm.addi(10, 0, 7), asm.ebreak()]);
  assert.equal(hart.run(100), "ecall");
  assert.equal(hart.pc, CODE + 4);
  assert.equal(hart.instret, 1);
  assert.equal(hart.getReg(17), 64);
  hart.pc += 4;
  assert.equal(hart.run(100), "ebreak");
  assert.equal(hart.pc, CODE + 12);
  assert.equal(hart.instret, 2);
  assert.equal(hart.getReg(10), 7);
});

test("illegal instructions stop the hart with their bits: 32-bit, 16-bit, reserved compressed, privileged ones", () => {
  const cases: Array<[Uint8Array, number]> = [
    [new Uint8Array(new Uint32Array([0xffffffff]).buffer), 0xffffffff],
    [new Uint8Array(new Uint32Array([0x30200073]).buffer), 0x30200073], // mret
    [new Uint8Array(new Uint32Array([0x10500073]).buffer), 0x10500073], // wfi
    [new Uint8Array(new Uint32Array([0x0000002f | (5 << 27) | (2 << 12)]).buffer), 0x0000002f | (5 << 27) | (2 << 12)], // AMO funct5 00101
    [new Uint8Array(new Uint32Array([0x00002007 | (4 << 12)]).buffer), 0x00004007 | 0x2000], // flq-like: LOAD-FP funct3 6
    [new Uint8Array(new Uint16Array([0x0000, 0]).buffer), 0x0000],
    [new Uint8Array(new Uint16Array([0x6101, 0]).buffer), 0x6101], // c.addi16sp 0
    [new Uint8Array(new Uint16Array([0x8000, 0]).buffer), 0x8000],
  ];
  for (const [code, bits] of cases) {
    const { hart } = hartWith(code);
    hart.setReg(1, 3);
    assert.equal(hart.run(5), "illegal", `0x${bits.toString(16)}`);
    assert.equal(hart.exitBits, bits >>> 0);
    assert.equal(hart.pc, CODE);
    assert.equal(hart.instret, 0);
  }
});

test("a fetch fault: outside memory, or on the second half of an instruction that straddles the end", () => {
  const mem = new FlatMemory(4096, CODE);
  const hart = new Hart(mem);
  hart.pc = CODE + 8192;
  assert.equal(hart.run(1), "fault");
  assert.equal(hart.exitAccess, "fetch");
  assert.equal(hart.exitAddress, CODE + 8192);
  assert.ok(hart.exitError instanceof MemoryFault);
  new DataView(mem.bytes.buffer).setUint16(4094, 0x0013, true); // the first half of an addi
  hart.pc = CODE + 4094;
  assert.equal(hart.run(1), "fault");
  assert.equal(hart.exitAddress, CODE + 4096);
  assert.equal(hart.pc, CODE + 4094);
});

test("the fault rule: a faulting load, store, FP load, AMO or SC retires nothing and stores nothing", () => {
  const end = CODE + (1 << 20);
  const insts = [
    asm.ld(3, 1, 0),
    asm.sd(2, 1, 0),
    asm.fld(3, 1, 0),
    asm.amo(0, 3, 3, 1, 2), // amoadd.d
    asm.lw(1, 1, 0), // rd = rs1: the base must survive
  ];
  for (const inst of insts) {
    const { hart, mem } = hartWith([inst]);
    hart.setReg(1, end - 4); // an 8-byte access there crosses the end (misaligned for the AMO: see below)
    hart.setReg(2, -1);
    hart.setReg(3, 77);
    hart.setFRegBigInt(3, 0x1234n);
    hart.fflags = 5;
    if ((inst & 0x7f) === 0x2f) hart.setReg(1, end); // aligned, outside
    if (inst === asm.lw(1, 1, 0)) hart.setReg(1, end);
    const before = Uint8Array.from(mem.bytes.subarray(-8));
    assert.equal(hart.run(1), "fault");
    assert.equal(hart.pc, CODE);
    assert.equal(hart.instret, 0);
    assert.equal(hart.getReg(3), 77);
    assert.equal(hart.getFRegBigInt(3), 0x1234n);
    assert.equal(hart.fflags, 5);
    assert.deepEqual(mem.bytes.subarray(-8), before, "no byte of the part inside memory was written");
    assert.equal(hart.exitAddress, hart.getRegUnsigned(1));
    assert.equal(hart.exitAccess, (inst & 0x7f) === 0x03 || (inst & 0x7f) === 0x07 ? "load" : "store");
  }
});

test("a resolved fault is retried from scratch: the memory's handler maps the page, run again completes the instruction", () => {
  const flat = new FlatMemory(1 << 20, CODE);
  let faults = 0;
  const memory = new SpyMemory(flat, {
    load64(addr: number): number {
      if (faults++ === 0) throw new Error("not mapped yet");
      return flat.load64(addr);
    },
  });
  const hart = new Hart(memory);
  new DataView(flat.bytes.buffer).setUint32(0, asm.ld(3, 1, 0), true);
  new DataView(flat.bytes.buffer).setBigUint64(0x100, 0x1122334455667788n, true);
  hart.pc = CODE;
  hart.setReg(1, CODE + 0x100);
  assert.equal(hart.run(1), "fault");
  assert.equal(hart.run(1), "budget");
  assert.equal(reg(hart, 3), 0x1122334455667788n);
  assert.equal(hart.instret, 1);
});

test("misaligned AMOs, LR and SC stop with a misaligned exit (address and access); misaligned loads do not", () => {
  for (const [f5, width, access] of [
    [0, 2, "store"],
    [1, 3, "store"],
    [2, 2, "load"],
    [3, 3, "store"],
  ] as const) {
    const { hart } = hartWith([asm.amo(f5, width, 3, 1, f5 === 2 ? 0 : 2)]);
    hart.setReg(1, CODE + 0x102);
    assert.equal(hart.run(1), "misaligned");
    assert.equal(hart.exitAddress, CODE + 0x102);
    assert.equal(hart.exitAccess, access);
    assert.equal(hart.pc, CODE);
    assert.equal(hart.instret, 0);
  }
});

test("an address of 2^47 or more faults in the memory, the exit reporting it (jalr to a kernel address faults on the fetch)", () => {
  const { hart } = hartWith([asm.jalr(1, 2, 0)]);
  hart.setRegBigInt(2, 0xffffffffffff0000n);
  assert.equal(hart.run(2), "fault");
  assert.equal(hart.exitAccess, "fetch");
  assert.equal(hart.exitAddress, 2 ** 64 - 2 ** 16);
  assert.equal(hart.getReg(1), CODE + 4, "the jalr retired");
  assert.equal(hart.instret, 1);
});

// ---- atomics ---------------------------------------------------------------

const amoModel = (op: number, old: bigint, v: bigint, bits: number): bigint => {
  const s = (x: bigint): bigint => BigInt.asIntN(bits, x);
  const u = (x: bigint): bigint => BigInt.asUintN(bits, x);
  switch (op) {
    case 0:
      return u(old + v);
    case 1:
      return u(v);
    case 4:
      return u(old ^ v);
    case 8:
      return u(old | v);
    case 12:
      return u(old & v);
    case 16:
      return s(old) < s(v) ? u(old) : u(v);
    case 20:
      return s(old) > s(v) ? u(old) : u(v);
    case 24:
      return u(old) < u(v) ? u(old) : u(v);
    default:
      return u(old) > u(v) ? u(old) : u(v);
  }
};

test("every AMO, W and D: rd gets the old value (sign-extended for W), memory the operation's result", () => {
  fc.assert(
    fc.property(fc.constantFrom(0, 1, 4, 8, 12, 16, 20, 24, 28), fc.boolean(), operand, operand, (op, wide, old, v) => {
      const { hart, mem } = hartWith([asm.amo(op, wide ? 3 : 2, 3, 1, 2)]);
      const view = new DataView(mem.bytes.buffer);
      view.setBigUint64(0x800, old, true);
      hart.setReg(1, CODE + 0x800);
      hart.setRegBigInt(2, v);
      assert.equal(hart.run(1), "budget");
      const bits = wide ? 64 : 32;
      const stored = wide ? view.getBigUint64(0x800, true) : BigInt(view.getUint32(0x800, true));
      assert.equal(stored, amoModel(op, BigInt.asUintN(bits, old), BigInt.asUintN(bits, v), bits));
      assert.equal(reg(hart, 3), u64(BigInt.asIntN(bits, old)));
      if (!wide) assert.equal(view.getUint32(0x804, true), Number((old >> 32n) & 0xffffffffn), "the upper word is untouched");
    }),
    { seed: 0xa70, numRuns: 800 },
  );
});

test("LR/SC: SC succeeds after LR of the same address and width while the value is unchanged, and fails otherwise", () => {
  const lrw = asm.amo(2, 2, 3, 1, 0);
  const scw = asm.amo(3, 2, 4, 1, 2);
  const lrd = asm.amo(2, 3, 3, 1, 0);
  const scd = asm.amo(3, 3, 4, 1, 2);
  const setup = (code: number[]) => {
    const r = hartWith(code);
    new DataView(r.mem.bytes.buffer).setBigUint64(0x800, 0xaaaaaaaa_80000001n, true);
    r.hart.setReg(1, CODE + 0x800);
    r.hart.setReg(2, 42);
    r.hart.setReg(5, 7);
    return r;
  };
  // success, W: loads sign-extended, stores the low word
  let { hart, mem } = setup([lrw, scw]);
  hart.run(2);
  assert.equal(reg(hart, 3), 0xffffffff80000001n);
  assert.equal(hart.getReg(4), 0);
  assert.equal(new DataView(mem.bytes.buffer).getBigUint64(0x800, true), 0xaaaaaaaa_0000002an);
  // success, D
  ({ hart, mem } = setup([lrd, scd]));
  hart.run(2);
  assert.equal(hart.getReg(4), 0);
  assert.equal(new DataView(mem.bytes.buffer).getBigUint64(0x800, true), 42n);
  // a store that changes the value in between: fail, nothing stored
  ({ hart, mem } = setup([lrd, asm.sw(5, 1, 0), scd]));
  hart.run(3);
  assert.equal(hart.getReg(4), 1);
  assert.equal(new DataView(mem.bytes.buffer).getBigUint64(0x800, true), 0xaaaaaaaa_00000007n);
  // SC without LR; SC of the other width; SC at another address: fail without a memory access
  for (const code of [[scd], [lrd, scw], [lrw, asm.addi(1, 1, 8), scw]]) {
    ({ hart, mem } = setup(code));
    hart.run(code.length);
    assert.equal(hart.getReg(4), 1);
    assert.equal(new DataView(mem.bytes.buffer).getBigUint64(0x800, true), 0xaaaaaaaa_80000001n);
  }
  // The reservation does not survive a return to the kernel (Linux clears it on every trap return).
  ({ hart } = setup([lrd, scd]));
  hart.run(1);
  hart.run(1);
  assert.equal(hart.getReg(4), 1);
  // A second SC after a successful one fails: SC clears the reservation.
  ({ hart } = setup([lrd, scd, scd]));
  hart.run(3);
  assert.equal(hart.getReg(4), 1);
});

test("AMO and SC results go through the memory's amo/cas methods (the hook for shared memory)", () => {
  const calls: string[] = [];
  const flat = new FlatMemory(1 << 20, CODE);
  const spy = new SpyMemory(flat, {
    amo32(op: number, addr: number, v: number): number {
      calls.push(`amo32 ${op} ${addr - CODE} ${v}`);
      return flat.amo32(op as AmoOp, addr, v);
    },
    cas64(addr: number, el: number, eh: number, lo: number, hi: number): boolean {
      calls.push(`cas64 ${addr - CODE} ${el} ${eh} ${lo} ${hi}`);
      return flat.cas64(addr, el, eh, lo, hi);
    },
    fence(): void {
      calls.push("fence");
    },
  });
  const hart = new Hart(spy);
  [asm.amo(24, 2, 3, 1, 2), asm.amo(2, 3, 3, 1, 0), asm.amo(3, 3, 4, 1, 2), asm.fence()].forEach((w, i) => new DataView(flat.bytes.buffer).setUint32(4 * i, w, true));
  hart.pc = CODE;
  hart.setReg(1, CODE + 0x800);
  hart.setReg(2, 9);
  assert.equal(hart.run(4), "budget");
  assert.deepEqual(calls, ["amo32 24 2048 9", "cas64 2048 0 0 9 0", "fence"]); // amominu.w left 0; lr.d saw 0
});

// ---- CSRs --------------------------------------------------------------------

test("fflags, frm and fcsr alias one register; csrrw/csrrs/csrrc and the immediate forms read the old value", () => {
  const { hart } = hartWith([
    asm.csrrwi(1, 3, 0b11111), // fcsr = 0x1f -> x1 = old fcsr
    asm.csrrsi(2, 2, 0b100), // frm |= 4 -> x2 = old frm (0)
    asm.csrrc(3, 1, 5), // fflags &= ~x5 -> x3 = old fflags (0x1f)
    asm.csrrs(4, 3, 0), // read fcsr (rs1 = x0: no write)
    asm.csrrw(6, 2, 7), // frm = x7 & 7 -> x6 = 4
    asm.csrrs(8, 1, 0), // read fflags
  ]);
  hart.fcsr = 0xe0 | 0b10101;
  hart.setReg(5, 0b00011);
  hart.setReg(7, 0b1010); // frm takes the low 3 bits: 2
  assert.equal(hart.run(6), "budget");
  assert.equal(hart.getReg(1), 0xf5);
  assert.equal(hart.getReg(2), 0);
  assert.equal(hart.getReg(3), 0x1f);
  assert.equal(hart.getReg(4), (4 << 5) | 0x1c);
  assert.equal(hart.getReg(6), 4);
  assert.equal(hart.getReg(8), 0x1c);
  assert.equal(hart.frm, 2);
  assert.equal(hart.fflags, 0x1c);
  assert.equal(hart.fcsr, (2 << 5) | 0x1c);
});

test("cycle, instret and time read the counters; writing them, or any other CSR, is illegal", () => {
  let now = 123456789;
  const { hart } = hartWith(
    [asm.addi(9, 0, 1), asm.csrrs(1, 0xc02, 0), asm.csrrs(2, 0xc00, 0), asm.csrrs(3, 0xc01, 0), asm.csrrsi(4, 0xc01, 0)],
    { time: () => now++ },
  );
  hart.instret = 1000;
  assert.equal(hart.run(5), "budget");
  assert.equal(hart.getReg(1), 1001, "instret counts the instructions retired before it");
  assert.equal(hart.getReg(2), 1002);
  assert.equal(hart.getReg(3), 123456789);
  assert.equal(hart.getReg(4), 123456790);
  for (const inst of [asm.csrrw(0, 0xc00, 1), asm.csrrs(1, 0xc02, 5), asm.csrrwi(1, 0xc01, 0), asm.csrrs(1, 0x300, 0), asm.csrrs(1, 0xc03, 0), asm.csrrs(1, 0xc22, 0), asm.csrrs(1, 0xc80, 0)]) {
    const r = hartWith([inst]);
    r.hart.setReg(5, 1);
    assert.equal(r.hart.run(1), "illegal", `0x${inst.toString(16)}`);
    assert.equal(r.hart.exitBits, inst >>> 0);
  }
});

test("the default time source counts 10 MHz ticks of performance.now()", () => {
  const { hart } = hartWith([asm.csrrs(1, 0xc01, 0)]);
  const before = Math.floor(performance.now() * 1e4);
  hart.run(1);
  const after = Math.floor(performance.now() * 1e4);
  assert.ok(hart.getReg(1) >= before && hart.getReg(1) <= after);
});

test("FP loads box singles, FP stores write the raw bits, fmv moves bits, an FP instruction updates fflags", () => {
  const { hart, mem } = hartWith([
    asm.flw(1, 10, 0),
    asm.fld(2, 10, 8),
    asm.fsw(2, 10, 16), // the low half of f2, whatever its boxing
    asm.fsd(1, 10, 24),
    asm.opfp(0, 0, 3, 1, 1, 0), // fadd.s f3, f1, f1
    asm.opfp(28, 0, 4, 2, 0, 0), // fmv.x.w x4, f2
    asm.opfp(3, 1, 5, 2, 6, 7), // fdiv.d f5, f2, f6 (f6 = 0: divide by zero)
  ]);
  const view = new DataView(mem.bytes.buffer);
  view.setUint32(0x800, 0x3f800000, true);
  view.setBigUint64(0x808, 0x4000000000000000n, true);
  hart.setReg(10, CODE + 0x800);
  assert.equal(hart.run(7), "budget");
  assert.equal(hart.getFRegBigInt(1), 0xffffffff3f800000n);
  assert.equal(hart.getFRegBigInt(2), 0x4000000000000000n);
  assert.equal(view.getUint32(0x810, true), 0);
  assert.equal(view.getBigUint64(0x818, true), 0xffffffff3f800000n);
  assert.equal(hart.getFRegBigInt(3), 0xffffffff40000000n);
  assert.equal(hart.getReg(4), 0);
  assert.equal(hart.getFRegBigInt(5), 0x7ff0000000000000n);
  assert.equal(hart.fflags, 8, "DZ");
});

test("an FP instruction with an invalid dynamic rounding mode is illegal (frm 5–7)", () => {
  const inst = asm.opfp(0, 1, 3, 1, 2, 7);
  const { hart } = hartWith([inst]);
  hart.frm = 5;
  assert.equal(hart.run(1), "illegal");
  assert.equal(hart.exitBits, inst);
  hart.frm = 1;
  assert.equal(hart.run(1), "budget");
});

// ---- the decoded-instruction cache -------------------------------------------

test("self-modifying code runs the new instruction after fence.i", () => {
  // Overwrite the instruction at +16 (addi x5, x0, 1) with addi x5, x0, 2, then fence.i, then run it.
  const { hart } = hartWith([asm.jal(0, 16), 0, 0, 0, asm.addi(5, 0, 1), asm.sw(6, 7, 0), asm.fenceI(), asm.jal(0, -12)]);
  hart.setReg(6, asm.addi(5, 0, 2) | 0);
  hart.setReg(7, CODE + 16);
  assert.equal(hart.run(2), "budget"); // jal, addi (now cached)
  assert.equal(hart.getReg(5), 1);
  assert.equal(hart.run(4), "budget"); // sw, fence.i, jal back, addi
  assert.equal(hart.getReg(5), 2);
});

test("invalidateCode forgets cached instructions in the range, including one straddling its start; setting memory forgets all", () => {
  const { hart, mem } = hartWith([asm.addi(5, 5, 1), asm.jal(0, -4)]);
  hart.run(4);
  assert.equal(hart.getReg(5), 2);
  new DataView(mem.bytes.buffer).setUint32(0, asm.addi(5, 5, 10), true);
  hart.run(2);
  assert.equal(hart.getReg(5), 3, "still cached: no fence.i, no invalidation");
  hart.invalidateCode(CODE + 2, CODE + 3); // straddles the instruction at CODE
  hart.run(2);
  assert.equal(hart.getReg(5), 13);
  new DataView(mem.bytes.buffer).setUint32(0, asm.addi(5, 5, 100), true);
  hart.invalidateCode(CODE + 8, CODE + 4096);
  hart.run(2);
  assert.equal(hart.getReg(5), 23, "a range after it does not touch it");
  hart.memory = mem;
  hart.run(2);
  assert.equal(hart.getReg(5), 123);
  assert.throws(() => hart.invalidateCode(10, 5), { name: "RangeError" });
  assert.throws(() => hart.invalidateCode(-1), { name: "RangeError" });
});

test("code in many places (more blocks than the cache holds) runs correctly as blocks are evicted and refilled", () => {
  // A chain of jumps, one per 4 KiB block, through 300 blocks (the cache holds 256), twice.
  const mem = new FlatMemory(301 * 4096, 0);
  const view = new DataView(mem.bytes.buffer);
  for (let b = 0; b < 300; b++) {
    view.setUint32(b * 4096, asm.addi(5, 5, 1), true);
    view.setUint32(b * 4096 + 4, asm.jal(0, 4092), true);
  }
  view.setUint32(300 * 4096, asm.jal(0, -300 * 4096) & 0 ? 0 : asm.ecall(), true);
  const hart = new Hart(mem);
  assert.equal(hart.run(10_000), "ecall");
  assert.equal(hart.getReg(5), 300);
  hart.pc = 0;
  assert.equal(hart.run(10_000), "ecall");
  assert.equal(hart.getReg(5), 600);
});

// ---- state ----------------------------------------------------------------------

test("getReg/setReg and the bigint forms: signed and unsigned views, two's complement, x0 ignored, bad arguments rejected", () => {
  const { hart } = hartWith([]);
  hart.setReg(10, -14);
  assert.equal(hart.getReg(10), -14);
  assert.equal(hart.getRegUnsigned(10), 2 ** 64 - 14 - 2 ** 64 + 2 ** 64); // rounded: 2^64 - 14 is not a double
  assert.equal(hart.getRegBigInt(10), -14n);
  hart.setReg(11, 2 ** 47 + 5);
  assert.equal(hart.getRegUnsigned(11), 2 ** 47 + 5);
  hart.setRegBigInt(12, 0xfedcba9876543210n);
  assert.equal(reg(hart, 12), 0xfedcba9876543210n);
  hart.setRegBigInt(13, 1n << 70n);
  assert.equal(hart.getRegBigInt(13), 0n, "modulo 2^64");
  hart.setReg(0, 5);
  hart.setRegBigInt(0, 5n);
  assert.equal(hart.getReg(0), 0);
  assert.throws(() => hart.getReg(32), { name: "RangeError" });
  assert.throws(() => hart.setReg(1, 2 ** 53), { name: "RangeError" });
  assert.throws(() => hart.setReg(1, 0.5), { name: "RangeError" });
  assert.throws(() => hart.setRegBigInt(1, 5 as unknown as bigint), { name: "TypeError" });
  hart.setFRegBigInt(31, 0x7ff0000000000001n);
  assert.equal(hart.getFRegBigInt(31), 0x7ff0000000000001n, "signalling NaN bits kept exactly");
  assert.equal(hart.fbits[63], 0x7ff00000);
});

test("pc, fcsr, fflags, frm and instret setters validate and mask as the hardware does", () => {
  const { hart } = hartWith([]);
  hart.pc = 0x10003;
  assert.equal(hart.pc, 0x10002, "bit 0 cleared");
  assert.throws(() => (hart.pc = -2), { name: "RangeError" });
  assert.throws(() => (hart.pc = 2 ** 53), { name: "RangeError" });
  assert.throws(() => (hart.pc = NaN), { name: "RangeError" });
  hart.fcsr = 0x1ff;
  assert.equal(hart.fcsr, 0xff);
  assert.equal(hart.frm, 7);
  assert.equal(hart.fflags, 31);
  hart.fflags = 0x20 | 3;
  assert.equal(hart.fflags, 3);
  hart.frm = 9;
  assert.equal(hart.frm, 1);
  assert.throws(() => (hart.instret = -1), { name: "RangeError" });
  assert.throws(() => new Hart(null as unknown as CpuMemory), { name: "TypeError" });
  assert.throws(() => new Hart(new FlatMemory(8), { time: 5 as unknown as () => number }), { name: "TypeError" });
  assert.throws(() => new Hart(new FlatMemory(8), null as unknown as object), { name: "TypeError", code: "ERR_INVALID_ARG_TYPE" });
});

test("copyStateTo copies registers, pc and fcsr, not the counters; the copy runs independently", () => {
  const { hart, mem } = hartWith([asm.addi(1, 1, 1), asm.addi(2, 2, 1), asm.ecall()]);
  hart.setRegBigInt(5, 0x1234_5678_9abc_def0n);
  hart.setFRegBigInt(7, 0xffffffff3f800000n);
  hart.fcsr = 0x45;
  hart.run(1);
  const child = new Hart(mem);
  hart.copyStateTo(child);
  assert.equal(child.pc, CODE + 4);
  assert.equal(reg(child, 5), 0x1234_5678_9abc_def0n);
  assert.equal(child.getReg(1), 1);
  assert.equal(child.getFRegBigInt(7), 0xffffffff3f800000n);
  assert.equal(child.fcsr, 0x45);
  assert.equal(child.instret, 0);
  assert.equal(child.run(5), "ecall");
  assert.equal(child.getReg(2), 1);
  assert.equal(hart.getReg(2), 0);
  assert.throws(() => hart.copyStateTo({} as Hart), { name: "TypeError" });
});

test("saveContext writes Linux's sigcontext layout (pc, x1–x31, f0–f31, fcsr); restoreContext reads it back", () => {
  const { hart } = hartWith([]);
  for (let i = 1; i < 32; i++) hart.setRegBigInt(i, 0x0101010101010101n * BigInt(i));
  for (let i = 0; i < 32; i++) hart.setFRegBigInt(i, 0xf0f0f0f0f0f0f0f0n - BigInt(i));
  hart.pc = 0x12344;
  hart.fcsr = 0xa5;
  const buf = new Uint8Array(CONTEXT_SIZE + 8);
  hart.saveContext(buf, 8);
  const view = new DataView(buf.buffer, 8);
  assert.equal(CONTEXT_SIZE, 516);
  assert.equal(view.getBigUint64(0, true), 0x12344n);
  assert.equal(view.getBigUint64(8 * 5, true), 0x0505050505050505n);
  assert.equal(view.getBigUint64(256 + 8 * 3, true), 0xf0f0f0f0f0f0f0edn);
  assert.equal(view.getUint32(512, true), 0xa5);
  const other = new Hart(new FlatMemory(8));
  view.setUint32(512, 0xffffff00 | 0x5a, true); // only the low 8 bits are fcsr
  view.setBigUint64(0, 0x20001n, true); // an odd pc: bit 0 cleared
  other.restoreContext(buf, 8);
  assert.equal(other.pc, 0x20000);
  assert.equal(other.fcsr, 0x5a);
  for (let i = 1; i < 32; i++) assert.equal(reg(other, i), 0x0101010101010101n * BigInt(i));
  for (let i = 0; i < 32; i++) assert.equal(other.getFRegBigInt(i), 0xf0f0f0f0f0f0f0f0n - BigInt(i));
  view.setBigUint64(0, 0xdeadbeef_00000000n, true);
  other.restoreContext(buf, 8);
  assert.ok(other.pc >= 2 ** 47, "an unrepresentable pc becomes one that faults on fetch");
  assert.throws(() => hart.saveContext(new Uint8Array(CONTEXT_SIZE - 1)), { name: "RangeError" });
  assert.throws(() => hart.restoreContext(new Uint8Array(CONTEXT_SIZE), 1), { name: "RangeError" });
});

test("run is not re-entrant: a memory callback that calls run on the same hart gets a RangeError (reported as a fault)", () => {
  const flat = new FlatMemory(1 << 20, CODE);
  let inner: unknown;
  const memory = new SpyMemory(flat, {
    load32(): number {
      try {
        hart.run(1);
      } catch (e) {
        inner = e;
        throw e;
      }
      return 0;
    },
  });
  const hart: Hart = new Hart(memory);
  new DataView(flat.bytes.buffer).setUint32(0, asm.lw(1, 0, 0), true);
  hart.pc = CODE;
  assert.equal(hart.run(1), "fault");
  assert.ok(inner instanceof RangeError);
  assert.equal(hart.exitError, inner);
  assert.equal(hart.run(0), "budget", "the hart is usable afterwards");
});

test("the instruction counts of many runs add up: instret over run slices equals one long run", () => {
  const prog = [asm.addi(1, 0, 100), asm.addi(1, 1, -1), asm.bne(1, 0, -4), asm.ecall()];
  const a = hartWith(prog).hart;
  assert.equal(a.run(1_000_000), "ecall");
  const b = hartWith(prog).hart;
  let r;
  do r = b.run(7);
  while (r === "budget");
  assert.equal(r, "ecall");
  assert.equal(b.instret, a.instret);
  assert.equal(a.instret, 201);
});
