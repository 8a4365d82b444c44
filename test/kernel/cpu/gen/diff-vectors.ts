// Builds test/kernel/cpu/vectors/diff.json.gz: random RV64GC instruction
// sequences (integer, M, A, C, FP moves and loads/stores, Zicsr on the FP
// CSRs, fences) with their initial and final architectural state as
// qemu-riscv64 computes it. The CPU test runs the same bytes on a Hart from
// the same state and compares every register, fcsr and the data memory.
//
// How: this script writes an assembly harness holding every case — copy the
// case's memory image into `data`, load fcsr, f0–f31 and x1–x31 (x2 is the
// data pointer: data + 256), run the case's bytes (emitted with .2byte/.4byte
// so the assembler cannot change them), store every register next to the
// data and write it all to stdout — links it static (-nostdlib) and runs it
// under qemu-riscv64. Sequences are built so they cannot trap: memory
// operands are x2 plus a small offset (or a base register set from x2 just
// before), branches and jumps go forward only, AMOs are aligned, frm stays
// valid, no counter CSRs (their values differ between emulators).
//
// Run by gen/build.sh (needs gcc-riscv64-linux-gnu and qemu-user).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { B, I, J, R, S } from "../support.js";

const out = process.argv[2];
if (out === undefined) throw new Error("usage: diff-vectors.js OUT.json.gz [cases]");
const CASES = Number(process.argv[3] ?? 300);
const LENGTH = 48; // generated items per case
const DATA = 512; // data bytes, x2 = data + 256
const SCRATCH = DATA + 512; // data + dumped registers

// ---- randomness (mulberry32, seeded: the vectors are reproducible) ---------

let seed = 0x5eed1234;
function rand32(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return (t ^ (t >>> 14)) >>> 0;
}
const below = (n: number): number => rand32() % n;
const pick = <T>(xs: readonly T[]): T => xs[below(xs.length)]!;
const chance = (p: number): boolean => rand32() / 2 ** 32 < p;

function rand64(): bigint {
  const hi = BigInt(rand32());
  const lo = BigInt(rand32());
  switch (below(8)) {
    case 0:
      return (hi << 32n) | lo;
    case 1:
      return BigInt.asUintN(64, BigInt.asIntN(32, lo)); // sign-extended 32-bit
    case 2:
      return lo & 0xffn;
    case 3:
      return pick([0n, 1n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 63n - 1n, 2n ** 31n, 2n ** 31n - 1n, 2n ** 32n, 2n ** 32n - 1n, 0xffffffff80000000n]);
    case 4:
      return BigInt.asUintN(64, -(lo & 0xfffn));
    default:
      return ((hi << 32n) | lo) >> BigInt(below(64));
  }
}

// ---- encoders ----------------------------------------------------------------

/** Compressed: quadrant, funct3, then the middle bits 12..2. */
const C = (f3: number, mid: number, quadrant: number): number => ((f3 << 13) | (mid << 2) | quadrant) & 0xffff;
const bit = (v: number, from: number, to: number): number => ((v >> from) & 1) << to;

// ---- registers -----------------------------------------------------------------

const SP = 2;
/** Any register a generated instruction may write (x0 included: writes vanish). */
const anyRd = (): number => {
  for (;;) {
    const r = below(32);
    if (r !== SP) return r;
  }
};
const anyRs = (): number => below(32);
const anyCompact = (): number => 8 + below(8); // x8–x15, as the CL/CS/CB formats name them
/** A temporary base register for memory templates (not x0, not sp). */
const base = (compact: boolean): number => (compact ? anyCompact() : pick([1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 28, 31]));

// ---- generated items -------------------------------------------------------------

/** One emitted unit: its parcels (16-bit halves), or a branch/jump to be patched once the layout is known. */
interface Item {
  parcels: number[];
  /** For control transfers: encodes the instruction for a byte offset to the target. */
  patch?: (offset: number) => number[];
  /** The offset counts from this many items back (the auipc of a template); default 0. */
  anchor?: number;
  /** The nearest allowed target, in items ahead (past the template's tail); default 1. */
  ahead?: number;
  /** Part of a template after its first item: no branch may land here. */
  inside?: boolean;
}

const word = (w: number): number[] => [w & 0xffff, w >>> 16];

function aluItem(): Item {
  const rd = anyRd();
  const rs1 = anyRs();
  const rs2 = anyRs();
  switch (below(6)) {
    case 0: {
      // OP and OP-32, M included
      const [f7, f3] = pick([
        [0, 0], [0x20, 0], [0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [0x20, 5], [0, 6], [0, 7],
        [1, 0], [1, 1], [1, 2], [1, 3], [1, 4], [1, 5], [1, 6], [1, 7],
      ] as const);
      return { parcels: word(R(f7, rs2, rs1, f3, rd, 0x33)) };
    }
    case 1: {
      const [f7, f3] = pick([[0, 0], [0x20, 0], [0, 1], [0, 5], [0x20, 5], [1, 0], [1, 4], [1, 5], [1, 6], [1, 7]] as const);
      return { parcels: word(R(f7, rs2, rs1, f3, rd, 0x3b)) };
    }
    case 2: {
      // OP-IMM
      const f3 = below(8);
      const imm = f3 === 1 ? below(64) : f3 === 5 ? below(64) | (chance(0.5) ? 0x400 : 0) : (rand32() & 0xfff) - (chance(0.3) ? 0 : 0);
      return { parcels: word(I(imm, rs1, f3, rd, 0x13)) };
    }
    case 3: {
      // OP-IMM-32
      const f3 = pick([0, 1, 5]);
      const imm = f3 === 0 ? rand32() & 0xfff : below(32) | (f3 === 5 && chance(0.5) ? 0x400 : 0);
      return { parcels: word(I(imm, rs1, f3, rd, 0x1b)) };
    }
    case 4:
      return { parcels: word(((rand32() & 0xfffff000) | (rd << 7) | (chance(0.5) ? 0x37 : 0x17)) >>> 0) }; // lui, auipc
    default:
      return compressedAlu();
  }
}

function compressedAlu(): Item {
  const rd = anyRd();
  const nz = (): number => {
    const r = anyRd();
    return r === 0 ? 1 : r;
  };
  const imm6 = (): number => rand32() & 0x3f;
  const ci = (f3: number, r: number, imm: number): number => C(f3, (bit(imm, 5, 10)) | (r << 5) | (imm & 0x1f), 1);
  const p = anyCompact() - 8;
  const q = anyCompact() - 8;
  switch (below(12)) {
    case 0:
      return { parcels: [ci(0, rd, imm6())] }; // c.addi (and c.nop / hints)
    case 1:
      return { parcels: [ci(1, nz(), imm6())] }; // c.addiw
    case 2:
      return { parcels: [ci(2, rd, imm6())] }; // c.li
    case 3: {
      let imm = imm6();
      if (imm === 0) imm = 1;
      return { parcels: [ci(3, rd === 2 ? 3 : rd, imm)] }; // c.lui
    }
    case 4: {
      // c.srli, c.srai, c.andi
      const op = below(3);
      return { parcels: [C(4, (bit(imm6(), 5, 10) & 0x400) | (op << 8) | (p << 5) | (rand32() & 0x1f), 1)] };
    }
    case 5: {
      // c.sub c.xor c.or c.and c.subw c.addw
      const w = chance(0.35);
      const op = w ? below(2) : below(4);
      return { parcels: [C(4, ((w ? 1 : 0) << 10) | (3 << 8) | (p << 5) | (op << 3) | q, 1)] };
    }
    case 6:
      return { parcels: [C(0, (bit(imm6(), 5, 10)) | (rd << 5) | (rand32() & 0x1f), 2)] }; // c.slli
    case 7:
      return { parcels: [C(4, (rd << 5) | nz(), 2)] }; // c.mv
    case 8:
      return { parcels: [C(4, 0x400 | (rd << 5) | nz(), 2)] }; // c.add
    case 9: {
      // c.addi4spn rd', sp, nzuimm (a multiple of 4, 4..1020)
      const imm = 4 * (1 + below(255));
      const mid = (((imm >> 4) & 3) << 9) | (((imm >> 6) & 0xf) << 5) | bit(imm, 2, 4) | bit(imm, 3, 3) | p;
      return { parcels: [C(0, mid, 0)] };
    }
    case 10:
      return { parcels: [0x0001] }; // c.nop
    default:
      return { parcels: [ci(0, 0, imm6() || 1)] }; // a hint: c.addi x0, imm
  }
}

/** addi rA, sp, off (rA then used as a base). */
const setBase = (rA: number, off: number): Item => ({ parcels: word(I(off, SP, 0, rA, 0x13)) });
/** Marks the items after a template's first as unreachable by branches. */
const template = (items: Item[]): Item[] => {
  items.slice(1).forEach((it) => (it.inside = true));
  return items;
};

function memoryItems(): Item[] {
  switch (below(5)) {
    case 0: {
      // 32-bit load/store from sp or a fresh base, any offset (misaligned included)
      const load = chance(0.55);
      const f3 = load ? below(7) : below(4);
      const size = 1 << (f3 & 3);
      const total = -256 + below(512 - size);
      if (chance(0.4)) {
        const inst = load ? I(total, SP, f3, anyRd(), 0x03) : S(total, anyRs(), SP, f3, 0x23);
        return [{ parcels: word(inst) }];
      }
      const rA = base(false);
      const off1 = -256 + below(256);
      const off2 = total - off1;
      const inst = load ? I(off2, rA, f3, anyRd(), 0x03) : S(off2, anyRs(), rA, f3, 0x23);
      return template([setBase(rA, off1), { parcels: word(inst) }]);
    }
    case 1: {
      // c.lw c.ld c.sw c.sd c.fld c.fsd with a compact base
      const kind = below(6);
      const wide = kind === 1 || kind === 3 || kind === 4 || kind === 5;
      const rA = base(true);
      const off = wide ? 8 * below(32) : 4 * below(32);
      const start = -256 + below(256 - 8);
      const f3 = [2, 3, 6, 7, 1, 5][kind]!;
      // uimm[5:3] in bits 12:10; [7:6] (D) or [2|6] (W) in bits 6:5
      const imm = (((off >> 3) & 7) << 8) | (wide ? ((off >> 6) & 3) << 3 : bit(off, 2, 4) | bit(off, 6, 3));
      if (start + off + 8 > 256) return [];
      return template([setBase(rA, start), { parcels: [C(f3, imm | ((rA - 8) << 5) | (anyCompact() - 8), 0)] }]);
    }
    case 2: {
      // sp-relative compressed: c.lwsp c.ldsp c.swsp c.sdsp c.fldsp c.fsdsp (offsets kept below 248)
      const kind = below(6);
      const wide = kind !== 0 && kind !== 2;
      const off = wide ? 8 * below(31) : 4 * below(62);
      const r = kind === 0 || kind === 1 ? (anyRd() || 1) : anyRs();
      switch (kind) {
        case 0:
          return [{ parcels: [C(2, bit(off, 5, 10) | (r << 5) | (((off >> 2) & 7) << 2) | ((off >> 6) & 3), 2)] }];
        case 1:
          return [{ parcels: [C(3, bit(off, 5, 10) | (r << 5) | (((off >> 3) & 3) << 3) | ((off >> 6) & 7), 2)] }];
        case 2:
          return [{ parcels: [C(6, (((off >> 2) & 0xf) << 7) | (((off >> 6) & 3) << 5) | r, 2)] }];
        case 3:
          return [{ parcels: [C(7, (((off >> 3) & 7) << 8) | (((off >> 6) & 7) << 5) | r, 2)] }];
        case 4:
          return [{ parcels: [C(1, bit(off, 5, 10) | (r << 5) | (((off >> 3) & 3) << 3) | ((off >> 6) & 7), 2)] }];
        default:
          return [{ parcels: [C(5, (((off >> 3) & 7) << 8) | (((off >> 6) & 7) << 5) | r, 2)] }];
      }
    }
    case 3: {
      // FP loads and stores
      const load = chance(0.5);
      const f3 = pick([2, 3]);
      const off = -256 + below(504);
      return [{ parcels: word(load ? I(off, SP, f3, below(32), 0x07) : S(off, below(32), SP, f3, 0x27)) }];
    }
    default:
      return atomicItems();
  }
}

function atomicItems(): Item[] {
  const wide = chance(0.5);
  const width = wide ? 3 : 2;
  const rA = base(false);
  const off = (-256 + below(504)) & ~(wide ? 7 : 3);
  const amo = (f5: number, rd: number, rs2: number): Item => ({ parcels: word(R((f5 << 2) | below(4), rs2, rA, width, rd, 0x2f)) });
  const rdNotA = (): number => {
    for (;;) {
      const r = anyRd();
      if (r !== rA) return r;
    }
  };
  switch (below(4)) {
    case 0:
    case 1:
      return template([setBase(rA, off), amo(pick([0, 1, 4, 8, 12, 16, 20, 24, 28]), rdNotA(), anyRs())]);
    case 2: {
      // lr; (maybe a store to the same place, maybe other work); sc
      const items: Item[] = [setBase(rA, off), amo(2, rdNotA(), 0)];
      const between = below(3);
      for (let i = 0; i < between; i++) {
        if (chance(0.4)) items.push({ parcels: word(S(0, anyRs(), rA, width, 0x23)) });
        else items.push({ parcels: word(R(0, anyRs(), anyRs(), 0, pick([5, 6, 7, 28, 29, 30].filter((r) => r !== rA)), 0x33)) });
      }
      items.push(amo(3, rdNotA(), anyRs()));
      return template(items);
    }
    default:
      return template([setBase(rA, off), amo(3, rdNotA(), anyRs())]); // sc without a reservation: fails
  }
}

function fpItems(): Item[] {
  const fd = below(32);
  const fs1 = below(32);
  const fs2 = below(32);
  switch (below(6)) {
    case 0:
      return [{ parcels: word(R((28 << 2) | below(2), 0, fs1, below(2), anyRd(), 0x53)) }]; // fmv.x.w/d, fclass
    case 1:
      return [{ parcels: word(R((30 << 2) | below(2), 0, anyRs(), 0, fd, 0x53)) }]; // fmv.w/d.x
    case 2:
      return [{ parcels: word(R((4 << 2) | below(2), fs2, fs1, below(3), fd, 0x53)) }]; // fsgnj*
    case 3:
      return [{ parcels: word(R((pick([0, 1, 2, 3]) << 2) | below(2), fs2, fs1, pick([0, 1, 2, 3, 4, 7]), fd, 0x53)) }]; // arithmetic
    case 4:
      return [{ parcels: word(R((20 << 2) | below(2), fs2, fs1, below(3), anyRd(), 0x53)) }]; // compares
    default: {
      // Zicsr on the FP CSRs: any access to fflags, frm only with valid values
      const rd = anyRd();
      switch (below(5)) {
        case 0:
          return [{ parcels: word(I(1, anyRs(), 1 + below(3), rd, 0x73)) }]; // csrrw/s/c fflags, rs
        case 1:
          return [{ parcels: word(I(1, below(32), 5 + below(3), rd, 0x73)) }]; // csrr{w,s,c}i fflags
        case 2:
          return [{ parcels: word(I(2, below(5), 5, rd, 0x73)) }]; // csrrwi frm, 0..4
        case 3:
          return [{ parcels: word(I(pick([1, 2, 3]), 0, 2, rd, 0x73)) }]; // csrr (read only)
        default:
          return [{ parcels: word(I(3, below(32), pick([5, 7]), rd, 0x73)) }]; // csrrwi/csrrci fcsr: frm becomes 0 / stays
      }
    }
  }
}

function controlItems(): Item[] {
  switch (below(6)) {
    case 0:
    case 1: {
      const f3 = pick([0, 1, 4, 5, 6, 7]);
      const rs1 = anyRs();
      const rs2 = anyRs();
      return [{ parcels: [0, 0], patch: (off) => word(B(off, rs2, rs1, f3)) }];
    }
    case 2: {
      // c.beqz / c.bnez
      const f3 = pick([6, 7]);
      const r = anyCompact() - 8;
      return [
        {
          parcels: [0],
          patch: (off) => [C(f3, bit(off, 8, 10) | (((off >> 3) & 3) << 8) | (r << 5) | (((off >> 6) & 3) << 3) | (((off >> 1) & 3) << 1) | bit(off, 5, 0), 1)],
        },
      ];
    }
    case 3: {
      const rd = anyRd();
      return [{ parcels: [0, 0], patch: (off) => word(J(off, rd)) }];
    }
    case 4: {
      // c.j
      return [
        {
          parcels: [0],
          patch: (off) => [
            C(5, bit(off, 11, 10) | bit(off, 4, 9) | (((off >> 8) & 3) << 7) | bit(off, 10, 6) | bit(off, 6, 5) | bit(off, 7, 4) | (((off >> 1) & 7) << 1) | bit(off, 5, 0), 1),
          ],
        },
      ];
    }
    default: {
      // auipc rA, 0; then jalr rd, off(rA), or addi rA, rA, off; c.jr/c.jalr rA (offsets count from the auipc)
      const rA = base(false);
      const rd = anyRd();
      const auipc: Item = { parcels: word((rA << 7) | 0x17) };
      if (chance(0.5)) return template([auipc, { parcels: [0, 0], anchor: 1, patch: (off) => word(I(off, rA, 0, rd, 0x67)) }]);
      const link = chance(0.5);
      return template([
        auipc,
        { parcels: [0, 0], anchor: 1, ahead: 2, patch: (off) => word(I(off, rA, 0, rA, 0x13)) },
        { parcels: [C(4, (link ? 0x400 : 0) | (rA << 5), 2)] },
      ]);
    }
  }
}

/** A case: items laid out, control transfers patched (forward targets only). */
function sequence(): number[] {
  const items: Item[] = [];
  while (items.length < LENGTH) {
    const r = below(100);
    if (r < 45) items.push(aluItem());
    else if (r < 68) items.push(...memoryItems());
    else if (r < 80) items.push(...fpItems());
    else if (r < 95) items.push(...controlItems());
    else items.push({ parcels: word(chance(0.5) ? 0x0ff0000f : 0x0000100f) }); // fence, fence.i
  }
  // Targets: a later item that is not inside a template, or the end.
  const addr: number[] = [];
  let at = 0;
  for (const it of items) {
    addr.push(at);
    at += 2 * it.parcels.length;
  }
  addr.push(at);
  items.forEach((it, i) => {
    if (it.patch === undefined) return;
    const from = i - (it.anchor ?? 0);
    const first = i + (it.ahead ?? 1);
    const reach = it.parcels.length === 1 ? 250 : 2000; // c.beqz/c.j reach; 12-bit jalr immediates
    const allowed: number[] = [];
    for (let t = first; t <= Math.min(items.length, first + 8); t++) {
      if ((t === items.length || items[t]!.inside !== true) && addr[t]! - addr[from]! <= reach) allowed.push(t);
    }
    const target = allowed.length > 0 ? pick(allowed) : items.length;
    it.parcels = it.patch(addr[target]! - addr[from]!);
  });
  return items.flatMap((it) => it.parcels);
}

// ---- the harness -------------------------------------------------------------

interface Case {
  parcels: number[];
  x: bigint[]; // x0..x31 (x0 and x2 ignored)
  f: bigint[];
  fcsr: number;
  mem: Uint8Array;
}

function makeCase(): Case {
  const x = Array.from({ length: 32 }, () => rand64());
  const f = Array.from({ length: 32 }, () => (chance(0.5) ? 0xffffffff00000000n | BigInt(rand32()) : rand64()));
  const mem = new Uint8Array(DATA);
  for (let i = 0; i < DATA; i++) mem[i] = rand32() & 0xff;
  return { parcels: sequence(), x, f, fcsr: (below(5) << 5) | below(32), mem };
}

const hex64 = (v: bigint): string => `0x${v.toString(16)}`;

function harness(cases: Case[]): string {
  const lines = [".option norvc", ".text", ".globl _start", "_start:"];
  cases.forEach((c, n) => {
    lines.push(
      `  lla t0, init${n}`,
      "  lla t1, data",
      `  li t2, ${DATA}`,
      `copy${n}: ld t3, 0(t0)`,
      "  sd t3, 0(t1)",
      "  addi t0, t0, 8",
      "  addi t1, t1, 8",
      "  addi t2, t2, -8",
      `  bnez t2, copy${n}`,
      `  lla x31, regs${n}`,
      "  ld t0, 0(x31)",
      "  fscsr t0",
      ...Array.from({ length: 32 }, (_, i) => `  fld f${i}, ${256 + 8 * i}(x31)`),
      "  lla x2, data+256",
      ...Array.from({ length: 31 }, (_, k) => k + 1)
        .filter((i) => i !== 2)
        .map((i) => `  ld x${i}, ${8 * i}(x31)`),
      `code${n}:`,
      ...c.parcels.map((p) => `  .2byte 0x${p.toString(16)}`),
      `end${n}:`,
      ...Array.from({ length: 32 }, (_, i) => i)
        .filter((i) => i !== 0 && i !== 2)
        .map((i) => `  sd x${i}, ${256 + 8 * i}(x2)`),
      ...Array.from({ length: 32 }, (_, i) => `  fsd f${i}, ${512 + 8 * i}(x2)`),
      "  frcsr x1",
      "  sd x1, 256(x2)",
      "  li a7, 64",
      "  li a0, 1",
      "  addi a1, x2, -256",
      `  li a2, ${SCRATCH}`,
      "  ecall",
    );
  });
  lines.push("  li a7, 93", "  li a0, 0", "  ecall", ".data", ".balign 8", `data: .space ${SCRATCH}`);
  cases.forEach((c, n) => {
    lines.push(".balign 8", `init${n}:`, ...Array.from(c.mem, (b) => `  .byte ${b}`));
    lines.push(`regs${n}:`, `  .8byte ${c.fcsr}`, ...c.x.slice(1).map((v) => `  .8byte ${hex64(v)}`), ...c.f.map((v) => `  .8byte ${hex64(v)}`));
  });
  return lines.join("\n") + "\n";
}

const tmp = mkdtempSync(join(tmpdir(), "rvdiff-"));
try {
  const cases = Array.from({ length: CASES }, makeCase);
  writeFileSync(join(tmp, "h.s"), harness(cases));
  const exe = join(tmp, "h");
  execFileSync("riscv64-linux-gnu-gcc", ["-nostdlib", "-static", "-no-pie", "-Wl,--no-relax", "-o", exe, join(tmp, "h.s")]);
  const symbols = new Map<string, number>();
  for (const line of execFileSync("riscv64-linux-gnu-nm", [exe], { encoding: "utf8" }).split("\n")) {
    const [addr, , name] = line.split(" ");
    if (name !== undefined) symbols.set(name, parseInt(addr!, 16));
  }
  const dump = execFileSync("qemu-riscv64", [exe], { maxBuffer: 1 << 28 });
  if (dump.length !== CASES * SCRATCH) throw new Error(`qemu wrote ${dump.length} bytes, expected ${CASES * SCRATCH}`);
  const dataAddr = symbols.get("data")!;
  const vectors = cases.map((c, n) => {
    const o = n * SCRATCH;
    const regs = Array.from({ length: 32 }, (_, i) => dump.readBigUInt64LE(o + DATA + 8 * i));
    const fcsr = Number(regs[0]);
    regs[0] = 0n;
    regs[2] = BigInt(dataAddr + 256);
    const hexBytes = (b: Uint8Array): string => Buffer.from(b).toString("hex");
    return {
      code: symbols.get(`code${n}`)!,
      end: symbols.get(`end${n}`)!,
      bytes: hexBytes(new Uint8Array(new Uint16Array(c.parcels).buffer)),
      data: dataAddr,
      before: { x: c.x.map(hex64), f: c.f.map(hex64), fcsr: c.fcsr, mem: hexBytes(c.mem) },
      after: {
        x: regs.map(hex64),
        f: Array.from({ length: 32 }, (_, i) => hex64(dump.readBigUInt64LE(o + DATA + 256 + 8 * i))),
        fcsr,
        mem: hexBytes(dump.subarray(o, o + DATA)),
      },
    };
  });
  writeFileSync(out, gzipSync(JSON.stringify({ generator: "test/kernel/cpu/gen/diff-vectors.ts", cases: vectors }), { level: 9 }));
  console.log(`${CASES} cases, ${cases.reduce((n, c) => n + c.parcels.length, 0)} parcels`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
