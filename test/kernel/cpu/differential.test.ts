// Differential test against qemu-riscv64: random RV64GC sequences (integer,
// M, A with LR/SC, C, FP moves and loads/stores, FP CSRs, fences) recorded by
// gen/diff-vectors.ts run on a Hart from the same initial state; every
// register, fcsr and the data memory must end up as qemu left them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FlatMemory } from "../../../kernel/cpu/flat-memory.js";
import { Hart } from "../../../kernel/cpu/hart.js";
import { vectorFile } from "./support.js";

interface State {
  x: string[];
  f: string[];
  fcsr: number;
  mem: string;
}
interface Case {
  code: number;
  end: number;
  bytes: string;
  data: number;
  before: State;
  after: State;
}

const vectors = JSON.parse(vectorFile("diff.json.gz").toString("utf8")) as { cases: Case[] };
const DATA = 512;

function runCase(c: Case): { hart: Hart; mem: FlatMemory; reason: string } {
  const lo = Math.min(c.code, c.data) & ~0xfff;
  const hi = Math.max(c.end + 4, c.data + DATA);
  const mem = new FlatMemory(hi - lo + 8 - ((hi - lo) % 8), lo);
  mem.bytes.set(Buffer.from(c.bytes, "hex"), c.code - lo);
  new DataView(mem.bytes.buffer).setUint32(c.end - lo, 0x00000073, true); // ecall where the harness dumps the state
  mem.bytes.set(Buffer.from(c.before.mem, "hex"), c.data - lo);
  const hart = new Hart(mem);
  c.before.x.forEach((v, i) => hart.setRegBigInt(i, BigInt(v)));
  hart.setRegBigInt(2, BigInt(c.data + 256));
  c.before.f.forEach((v, i) => hart.setFRegBigInt(i, BigInt(v)));
  hart.fcsr = c.before.fcsr;
  hart.pc = c.code;
  const reason = hart.run(10_000);
  return { hart, mem, reason };
}

test("the differential vectors hold hundreds of sequences over every instruction class", () => {
  assert.ok(vectors.cases.length >= 300);
  const parcels = vectors.cases.reduce((n, c) => n + c.bytes.length / 4, 0);
  assert.ok(parcels > 20_000, `${parcels} parcels`);
});

test("random RV64GC sequences end in exactly the state qemu-riscv64 computed (x1–x31, f0–f31, fcsr, memory)", () => {
  const failures: string[] = [];
  vectors.cases.forEach((c, n) => {
    const { hart, mem, reason } = runCase(c);
    const where = `case ${n}`;
    if (reason !== "ecall" || hart.pc !== c.end) {
      failures.push(`${where}: stopped with ${reason} at 0x${hart.pc.toString(16)} (bits 0x${hart.exitBits.toString(16)}), expected the end at 0x${c.end.toString(16)}`);
      return;
    }
    for (let i = 1; i < 32; i++) {
      const got = BigInt.asUintN(64, hart.getRegBigInt(i));
      if (got !== BigInt(c.after.x[i]!)) failures.push(`${where}: x${i} = 0x${got.toString(16)}, qemu 0x${BigInt(c.after.x[i]!).toString(16)}`);
    }
    for (let i = 0; i < 32; i++) {
      const got = hart.getFRegBigInt(i);
      if (got !== BigInt(c.after.f[i]!)) failures.push(`${where}: f${i} = 0x${got.toString(16)}, qemu 0x${BigInt(c.after.f[i]!).toString(16)}`);
    }
    if (hart.fcsr !== c.after.fcsr) failures.push(`${where}: fcsr = 0x${hart.fcsr.toString(16)}, qemu 0x${c.after.fcsr.toString(16)}`);
    const lo = mem.base;
    const got = Buffer.from(mem.bytes.subarray(c.data - lo, c.data - lo + DATA)).toString("hex");
    if (got !== c.after.mem) failures.push(`${where}: data memory differs`);
  });
  assert.deepEqual(failures.slice(0, 12), []);
});
