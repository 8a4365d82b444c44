// RVC decoding: every one of the 49,152 16-bit parcels expands to the
// 32-bit instruction GNU binutils says it stands for (vectors/compressed.bin.gz,
// built by gen/compressed-vectors.ts), and one example of each C instruction
// spelled out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { expandCompressed } from "../../../kernel/cpu/compressed.js";
import { vectorFile } from "./support.js";

test("every 16-bit parcel expands exactly as binutils decodes and re-encodes it; reserved ones are illegal (0)", () => {
  const table = vectorFile("compressed.bin.gz");
  assert.equal(table.length, 65536 * 4);
  let legal = 0;
  const wrong: string[] = [];
  for (let p = 0; p < 65536; p++) {
    if ((p & 3) === 3) continue;
    const want = table.readUInt32LE(4 * p);
    const got = expandCompressed(p) >>> 0;
    if (want !== 0) legal++;
    if (got !== want && wrong.length < 10) wrong.push(`0x${p.toString(16)}: want 0x${want.toString(16)}, got 0x${got.toString(16)}`);
  }
  assert.deepEqual(wrong, []);
  assert.equal(legal, 46743, "legal parcels (HINTs included)");
});

test("each C instruction of RV64GC, assembled by gas, expands to its base instruction", () => {
  // [instruction, its rv64gc encoding, the rv64g encoding of what it stands for]
  const examples: Array<[string, number, number]> = [
    ["c.addi4spn x8, x2, 1020", 0x1fe0, 0x3fc10413],
    ["c.fld f9, 248(x10)", 0x3d64, 0x0f853487],
    ["c.lw x11, 124(x12)", 0x5e6c, 0x07c62583],
    ["c.ld x13, 248(x14)", 0x7f74, 0x0f873683],
    ["c.fsd f15, 8(x8)", 0xa41c, 0x00f43427],
    ["c.sw x9, 64(x10)", 0xc124, 0x04952023],
    ["c.sd x11, 128(x12)", 0xe24c, 0x08b63023],
    ["c.nop", 0x0001, 0x00000013],
    ["c.addi x5, -32", 0x1281, 0xfe028293],
    ["c.addiw x6, 31", 0x237d, 0x01f3031b],
    ["c.li x7, -1", 0x53fd, 0xfff00393],
    ["c.addi16sp x2, -512", 0x7101, 0xe0010113],
    ["c.lui x3, 0xfffe0", 0x7181, 0xfffe01b7],
    ["c.srli x8, 63", 0x907d, 0x03f45413],
    ["c.srai x9, 1", 0x8485, 0x4014d493],
    ["c.andi x10, -7", 0x9965, 0xff957513],
    ["c.sub x11, x12", 0x8d91, 0x40c585b3],
    ["c.xor x13, x14", 0x8eb9, 0x00e6c6b3],
    ["c.or x15, x8", 0x8fc1, 0x0087e7b3],
    ["c.and x9, x10", 0x8ce9, 0x00a4f4b3],
    ["c.subw x11, x12", 0x9d91, 0x40c585bb],
    ["c.addw x13, x14", 0x9eb9, 0x00e686bb],
    ["c.j .-2048", 0xb001, 0x801ff06f],
    ["c.beqz x8, .+254", 0xcc7d, 0x0e040f63],
    ["c.bnez x15, .-256", 0xf381, 0xf00790e3],
    ["c.slli x31, 32", 0x1f82, 0x020f9f93],
    ["c.fldsp f1, 504(x2)", 0x30fe, 0x1f813087],
    ["c.lwsp x1, 252(x2)", 0x50fe, 0x0fc12083],
    ["c.ldsp x31, 504(x2)", 0x7ffe, 0x1f813f83],
    ["c.jr x1", 0x8082, 0x00008067],
    ["c.mv x10, x11", 0x852e, 0x00b00533],
    ["c.ebreak", 0x9002, 0x00100073],
    ["c.jalr x5", 0x9282, 0x000280e7],
    ["c.add x20, x21", 0x9a56, 0x015a0a33],
    ["c.fsdsp f31, 504(x2)", 0xbffe, 0x1ff13c27],
    ["c.swsp x30, 252(x2)", 0xdffa, 0x0fe12e23],
    ["c.sdsp x29, 504(x2)", 0xfff6, 0x1fd13c23],
  ];
  for (const [name, parcel, base] of examples) assert.equal(expandCompressed(parcel) >>> 0, base, name);
});

test("reserved encodings are illegal: the all-zero parcel, c.addi4spn/c.addi16sp/c.lui with a zero immediate, c.lwsp/c.ldsp/c.addiw to x0, c.jr x0, quadrant 0 funct3 100, c.subw's neighbours", () => {
  for (const parcel of [0x0000, 0x0004, 0x6101, 0x6181, 0x4002, 0x6002, 0x2001, 0x8002, 0x8000, 0x9c41, 0x9c61]) {
    assert.equal(expandCompressed(parcel), 0, `0x${parcel.toString(16)}`);
  }
  // HINTs are legal and write only x0: c.addi x0, 5; c.li x0, 1; c.mv x0, x1; c.slli x1, 0.
  assert.equal(expandCompressed(0x0015) >>> 0, 0x00500013);
  assert.equal(expandCompressed(0x4005) >>> 0, 0x00100013);
  assert.equal(expandCompressed(0x8006) >>> 0, 0x00100033);
  assert.equal(expandCompressed(0x0082) >>> 0, 0x00009093);
});
