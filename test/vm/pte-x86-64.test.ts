// The x86-64 PTE codec: bit positions, address bits 12–51, cache-policy
// encodings, and exact round-trips of every property.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CachePolicy, PageFlags, PageProperty } from "../../src/index.js";
import {
  PTE_A,
  PTE_D,
  PTE_HI_NX,
  PTE_NOACCESS,
  PTE_P,
  PTE_PAT,
  PTE_PCD,
  PTE_PWT,
  PTE_RW,
  PTE_US,
  addrHi,
  frameOf,
  isMapped,
  leafHi,
  leafLo,
  propertyOf,
  tableLo,
} from "../../src/vm/pte-x86-64.js";
import { pteFrame } from "./support.js";

const POLICIES = [CachePolicy.Uncacheable, CachePolicy.WriteCombining, CachePolicy.WriteProtected, CachePolicy.Writethrough, CachePolicy.Writeback];
/** Frame numbers that exercise every address bit from 12 to 51. */
const FRAMES = [0, 1, 0x7_ffff, 0x8_0000, 0xf_ffff, 0x10_0000, 0x12_3456, 0x7f_ffff_ffff, 2 ** 40 - 1];

/** The entry as one 64-bit integer (test-side only). */
function as64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

test("x86-64 bit positions: P=0, RW=1, US=2, PWT=3, PCD=4, A=5, D=6, PAT=7, NX=63", () => {
  assert.equal(PTE_P, 1 << 0);
  assert.equal(PTE_RW, 1 << 1);
  assert.equal(PTE_US, 1 << 2);
  assert.equal(PTE_PWT, 1 << 3);
  assert.equal(PTE_PCD, 1 << 4);
  assert.equal(PTE_A, 1 << 5);
  assert.equal(PTE_D, 1 << 6);
  assert.equal(PTE_PAT, 1 << 7);
  assert.equal(PTE_HI_NX, 2 ** 31);
  // The software "mapped but inaccessible" bit is one of the bits x86 leaves to the OS (9–11).
  assert.ok(PTE_NOACCESS === 1 << 9 || PTE_NOACCESS === 1 << 10 || PTE_NOACCESS === 1 << 11);
});

test("a leaf entry holds the frame number in bits 12–51 and nothing in the reserved bits", () => {
  for (const frame of FRAMES) {
    for (const flags of [0, PageFlags.R, PageFlags.RWX | PageFlags.ACCESSED | PageFlags.DIRTY]) {
      const prop = PageProperty.newUser(flags, CachePolicy.Writeback);
      const lo = leafLo(frame, prop);
      const hi = leafHi(frame, prop);
      assert.ok(Number.isInteger(lo) && lo >= 0 && lo < 2 ** 32, "low word is a u32");
      assert.ok(Number.isInteger(hi) && hi >= 0 && hi < 2 ** 32, "high word is a u32");
      const e = as64(lo, hi);
      assert.equal(Number((e >> 12n) & ((1n << 40n) - 1n)), frame, `frame 0x${frame.toString(16)}`);
      assert.equal((e >> 52n) & 0x7ffn, 0n, "bits 52–62 are zero");
      assert.equal(pteFrame({ lo, hi }), frame);
      assert.equal(frameOf(lo, hi), frame);
    }
  }
});

test("leaf bits: P iff R (else the no-access bit), RW iff W, US always, NX iff not X, A and D from the flags", () => {
  for (let flags = 0; flags <= 31; flags++) {
    const prop = PageProperty.newUser(flags, CachePolicy.Writeback);
    const lo = leafLo(0x1234, prop);
    const hi = leafHi(0x1234, prop);
    const has = (f: number) => (flags & f) !== 0;
    assert.equal((lo & PTE_P) !== 0, has(PageFlags.R), `P for flags ${flags}`);
    assert.equal((lo & PTE_NOACCESS) !== 0, !has(PageFlags.R), `no-access for flags ${flags}`);
    assert.equal((lo & PTE_RW) !== 0, has(PageFlags.W), `RW for flags ${flags}`);
    assert.notEqual(lo & PTE_US, 0, "user pages are user-accessible");
    assert.equal((hi & PTE_HI_NX) !== 0, !has(PageFlags.X), `NX for flags ${flags}`);
    assert.equal((lo & PTE_A) !== 0, has(PageFlags.ACCESSED));
    assert.equal((lo & PTE_D) !== 0, has(PageFlags.DIRTY));
    assert.equal(lo & (PTE_PWT | PTE_PCD | PTE_PAT), 0, "write-back sets no cache bits");
    assert.ok(isMapped(lo), "a leaf maps its frame whether or not it is accessible");
  }
});

test("cache policies use the x86 PAT encodings and are all distinct", () => {
  const expected = new Map<CachePolicy, number>([
    [CachePolicy.Writeback, 0],
    [CachePolicy.Writethrough, PTE_PWT],
    [CachePolicy.Uncacheable, PTE_PCD | PTE_PWT],
    [CachePolicy.WriteCombining, PTE_PAT],
    [CachePolicy.WriteProtected, PTE_PAT | PTE_PWT],
  ]);
  const seen = new Set<number>();
  for (const cache of POLICIES) {
    const bits = leafLo(7, PageProperty.newUser(PageFlags.R, cache)) & (PTE_PWT | PTE_PCD | PTE_PAT);
    assert.equal(bits, expected.get(cache), CachePolicy[cache]);
    seen.add(bits);
  }
  assert.equal(seen.size, POLICIES.length);
});

test("propertyOf(leafLo, leafHi) round-trips every flag combination and cache policy exactly", () => {
  for (let flags = 0; flags <= 31; flags++) {
    for (const cache of POLICIES) {
      for (const frame of [0, 0x10_0001, 2 ** 40 - 1]) {
        const prop = PageProperty.newUser(flags, cache);
        const back = propertyOf(leafLo(frame, prop), leafHi(frame, prop));
        assert.equal(back.flags, flags, `flags ${flags}, ${CachePolicy[cache]}`);
        assert.equal(back.cache, cache);
      }
    }
  }
});

test("a table entry is present, writable and user-accessible, not NX, and points at the child frame", () => {
  for (const frame of FRAMES) {
    const lo = tableLo(frame);
    const hi = addrHi(frame);
    assert.equal(lo & 0xfff, PTE_P | PTE_RW | PTE_US);
    assert.equal(hi & PTE_HI_NX, 0);
    assert.equal(pteFrame({ lo, hi }), frame);
    assert.equal(frameOf(lo, hi), frame);
  }
});

test("an all-zero entry maps nothing", () => {
  assert.equal(isMapped(0), false);
  assert.equal(isMapped(0xffff_f000), false, "address bits alone do not make an entry present");
  assert.equal(isMapped(PTE_P), true);
  assert.equal(isMapped(PTE_NOACCESS), true);
});
