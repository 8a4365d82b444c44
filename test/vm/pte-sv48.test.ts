// The RISC-V Sv48 PTE codec, checked against the privileged spec's layout
// (V R W X U G A D, RSW 8–9, PPN 10–53, reserved 54–60, PBMT 61–62, N 63)
// with a 64-bit reference computed on the test side.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CachePolicy, PageFlags, PageProperty } from "../../src/index.js";
import { SV48 } from "../../src/vm/pte-sv48.js";

const POLICIES = [CachePolicy.Uncacheable, CachePolicy.WriteCombining, CachePolicy.WriteProtected, CachePolicy.Writethrough, CachePolicy.Writeback];
/** Frame numbers that exercise PPN bits in both halves (bit 22 of the PPN is bit 0 of the high word). */
const FRAMES = [1, 0x3f_ffff, 0x40_0000, 0x12_3456, 0xf_ffff, 2 ** 30 - 1, 2 ** 44 - 1];

/** The entry as one 64-bit integer (test-side only). */
function as64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
const bit = (e: bigint, n: number): boolean => ((e >> BigInt(n)) & 1n) === 1n;

test("Sv48 leaf: PPN at bit 10, reserved bits 54–60 and N (63) zero, U always, G never on an accessible page", () => {
  for (const frame of FRAMES) {
    for (const flags of [PageFlags.R, PageFlags.RW, PageFlags.RWX | PageFlags.ACCESSED | PageFlags.DIRTY]) {
      for (const cache of POLICIES) {
        const prop = PageProperty.newUser(flags, cache);
        const lo = SV48.leafLo(frame, prop);
        const hi = SV48.leafHi(frame, prop);
        assert.ok(Number.isInteger(lo) && lo >= 0 && lo < 2 ** 32 && Number.isInteger(hi) && hi >= 0 && hi < 2 ** 32);
        const e = as64(lo, hi);
        assert.equal(Number((e >> 10n) & ((1n << 44n) - 1n)), frame, `PPN of frame 0x${frame.toString(16)}`);
        assert.equal((e >> 54n) & 0x7fn, 0n, "bits 54–60 are reserved: zero");
        assert.equal(bit(e, 63), false, "N (Svnapot) is zero");
        assert.ok(bit(e, 0) && bit(e, 1), "V and R");
        assert.ok(bit(e, 4), "U: a user page");
        assert.equal(bit(e, 5), false, "G: user mappings are not global");
        assert.equal(SV48.frameOf(lo, hi), frame);
      }
    }
  }
});

test("Sv48 leaf bits follow the flags: W, X, A, D; W is never set without R on a valid entry", () => {
  for (let flags = 0; flags <= 31; flags++) {
    const prop = PageProperty.newUser(flags, CachePolicy.Writeback);
    const e = as64(SV48.leafLo(0x1234, prop), SV48.leafHi(0x1234, prop));
    const has = (f: number): boolean => (flags & f) !== 0;
    assert.equal(bit(e, 0), has(PageFlags.R), `V iff R (flags ${flags})`);
    assert.equal(bit(e, 1), has(PageFlags.R), `R (flags ${flags})`);
    assert.equal(bit(e, 2), has(PageFlags.W), `W (flags ${flags})`);
    assert.equal(bit(e, 3), has(PageFlags.X), `X (flags ${flags})`);
    assert.equal(bit(e, 6), has(PageFlags.ACCESSED), "A");
    assert.equal(bit(e, 7), has(PageFlags.DIRTY), "D");
    // The reserved combinations of a valid entry (spec table "Encoding of PTE R/W/X fields"): W without R.
    if (bit(e, 0)) assert.ok(!(bit(e, 2) && !bit(e, 1)), "no valid entry has W without R");
    // A valid entry with R = W = X = 0 is a pointer to a node: a leaf never looks like one.
    if (bit(e, 0)) assert.ok(bit(e, 1) || bit(e, 2) || bit(e, 3), "a valid leaf has R, W or X");
  }
});

test("a page mapped without R is invalid (V = 0) to the hardware, marked by G, and still maps its frame", () => {
  for (const flags of [0, PageFlags.W, PageFlags.X, PageFlags.W | PageFlags.X | PageFlags.DIRTY]) {
    const prop = PageProperty.newUser(flags, CachePolicy.Writeback);
    const lo = SV48.leafLo(0x777, prop);
    const hi = SV48.leafHi(0x777, prop);
    assert.equal(lo & 1, 0, "V = 0: every access faults");
    assert.notEqual(lo & 0x20, 0, "G marks a mapped-but-inaccessible page");
    assert.ok((lo & SV48.mappedMask) !== 0, "it maps a frame");
    assert.notEqual(lo & SV48.readMask, SV48.readMask, "not readable");
    assert.equal(SV48.isExecutable(lo, hi), false, "not executable");
    assert.equal(SV48.frameOf(lo, hi), 0x777);
  }
});

test("Sv48 cache policies: PBMT PMA / NC / IO, write-through and write-protected in RSW; all distinct", () => {
  const seen = new Set<string>();
  for (const cache of POLICIES) {
    const prop = PageProperty.newUser(PageFlags.R, cache);
    const e = as64(SV48.leafLo(9, prop), SV48.leafHi(9, prop));
    const pbmt = Number((e >> 61n) & 3n);
    const rsw = Number((e >> 8n) & 3n);
    const expected = {
      [CachePolicy.Writeback]: [0, 0],
      [CachePolicy.WriteCombining]: [1, 0],
      [CachePolicy.Uncacheable]: [2, 0],
      [CachePolicy.Writethrough]: [0, 1],
      [CachePolicy.WriteProtected]: [0, 2],
    }[cache];
    assert.deepEqual([pbmt, rsw], expected, CachePolicy[cache]);
    assert.notEqual(pbmt, 3, "PBMT 3 is reserved");
    seen.add(`${pbmt}/${rsw}`);
  }
  assert.equal(seen.size, POLICIES.length);
});

test("Sv48 propertyOf(leafLo, leafHi) round-trips every flag combination and cache policy exactly", () => {
  for (let flags = 0; flags <= 31; flags++) {
    for (const cache of POLICIES) {
      for (const frame of FRAMES) {
        const prop = PageProperty.newUser(flags, cache);
        const back = SV48.propertyOf(SV48.leafLo(frame, prop), SV48.leafHi(frame, prop));
        assert.equal(back.flags, flags, `flags ${flags}, ${CachePolicy[cache]}`);
        assert.equal(back.cache, cache);
      }
    }
  }
});

test("Sv48 non-leaf entry: V only, R = W = X = 0, A, D, U and PBMT clear, PPN of the child", () => {
  for (const frame of FRAMES) {
    const lo = SV48.tableLo(frame);
    const hi = SV48.tableHi(frame);
    const e = as64(lo, hi);
    assert.equal(Number(e & 0x3ffn), 1, "flags: V alone");
    assert.equal(e >> 54n, 0n, "reserved, PBMT and N clear");
    assert.equal(Number((e >> 10n) & ((1n << 44n) - 1n)), frame);
    assert.equal(lo & SV48.tableMask, SV48.tableBits, "recognised as a pointer to a node");
    assert.equal(SV48.frameOf(lo, hi), frame);
  }
  // A leaf is never taken for a pointer to a node, nor an invalid entry.
  for (let flags = 0; flags <= 31; flags++) {
    assert.notEqual(SV48.leafLo(5, PageProperty.newUser(flags, CachePolicy.Writeback)) & SV48.tableMask, SV48.tableBits);
  }
  assert.notEqual(0 & SV48.tableMask, SV48.tableBits);
});

test("Sv48 masks: readable iff V and R, writable bit W, A and D at bits 6 and 7, executable iff V and X", () => {
  assert.equal(SV48.readMask, 0b11);
  assert.equal(SV48.writeBit, 1 << 2);
  assert.equal(SV48.accessedBit, 1 << 6);
  assert.equal(SV48.dirtyBit, 1 << 7);
  assert.deepEqual([SV48.execLoMask, SV48.execHiMask], [0b1001, 0], "executable iff V and X");
  const rx = PageProperty.newUser(PageFlags.RX, CachePolicy.Writeback);
  assert.equal(SV48.isExecutable(SV48.leafLo(3, rx), SV48.leafHi(3, rx)), true);
  const r = PageProperty.newUser(PageFlags.R, CachePolicy.Writeback);
  assert.equal(SV48.isExecutable(SV48.leafLo(3, r), SV48.leafHi(3, r)), false);
  assert.deepEqual(SV48.flagNames(SV48.leafLo(3, rx) | SV48.accessedBit, 0x4000_0000, true), ["V", "R", "X", "U", "A", "PBMT=IO"]);
  assert.deepEqual(SV48.flagNames(SV48.tableLo(3), 0, false), ["V"]);
});
