// How the page writes numbers, addresses, permissions and entry flags; the
// flag bits are vmio's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PageFlags } from "vmio";
import { PTE_FLAGS, count, hex, prot, pteFlags, size } from "../../../inspector/view/format.js";

test("counts, addresses and sizes", () => {
  assert.equal(count(1234567), "1,234,567");
  assert.equal(count(0), "0");
  assert.equal(hex(0x3ff7eff000), "0x3ff7eff000");
  assert.equal(hex(2 ** 47 - 4096), "0x7ffffffff000", "addresses above 2^32 are exact");
  assert.equal(size(4096), "4 KiB");
  assert.equal(size(256 * 2 ** 20), "256 MiB");
  assert.equal(size(1536 * 1024), "1.5 MiB");
  assert.equal(size(100), "100 B");
});

test("permissions as rwx, entry flags as RWXAD", () => {
  assert.equal(prot(5), "r-x");
  assert.equal(prot(3), "rw-");
  assert.equal(prot(0), "---");
  assert.equal(pteFlags(PageFlags.RW | PageFlags.ACCESSED | PageFlags.DIRTY), "RW-AD");
  assert.equal(pteFlags(PageFlags.RX), "R-X--");
});

test("the page's flag bits are vmio's PageFlags", () => {
  const byLetter = Object.fromEntries(PTE_FLAGS.map(([bit, letter]) => [letter, bit]));
  assert.deepEqual(byLetter, { R: PageFlags.R, W: PageFlags.W, X: PageFlags.X, A: PageFlags.ACCESSED, D: PageFlags.DIRTY });
});
