// How the page writes numbers, addresses, sizes and permissions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { count, hex, prot, size } from "../../../inspector/view/format.js";

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

test("permissions as rwx", () => {
  assert.equal(prot(5), "r-x");
  assert.equal(prot(3), "rw-");
  assert.equal(prot(0), "---");
});
