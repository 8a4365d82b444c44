// PageFlags, CachePolicy and PageProperty: values, construction, validation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CachePolicy, PageFlags, PageProperty } from "../../src/index.js";
import { PAGE_FLAGS_MASK } from "../../src/vm/page-property.js";
import { throwsContract } from "./support.js";

test("PageFlags has the API values and is frozen", () => {
  assert.deepEqual({ ...PageFlags }, { R: 1, W: 2, X: 4, RW: 3, RX: 5, RWX: 7, ACCESSED: 8, DIRTY: 16 });
  assert.ok(Object.isFrozen(PageFlags));
  assert.equal(PAGE_FLAGS_MASK, 31);
  assert.equal(PageFlags.RW, PageFlags.R | PageFlags.W);
  assert.equal(PageFlags.RX, PageFlags.R | PageFlags.X);
  assert.equal(PageFlags.RWX, PageFlags.R | PageFlags.W | PageFlags.X);
});

test("CachePolicy lists the five OSTD policies in order", () => {
  assert.equal(CachePolicy.Uncacheable, 0);
  assert.equal(CachePolicy.WriteCombining, 1);
  assert.equal(CachePolicy.WriteProtected, 2);
  assert.equal(CachePolicy.Writethrough, 3);
  assert.equal(CachePolicy.Writeback, 4);
  assert.equal(CachePolicy[CachePolicy.Writeback], "Writeback");
});

test("PageProperty.newUser keeps flags and cache exactly, for every flag combination and policy", () => {
  for (let flags = 0; flags <= PAGE_FLAGS_MASK; flags++) {
    for (const cache of [0, 1, 2, 3, 4] as CachePolicy[]) {
      const p = PageProperty.newUser(flags, cache);
      assert.ok(p instanceof PageProperty);
      assert.equal(p.flags, flags);
      assert.equal(p.cache, cache);
      const q = new PageProperty(flags, cache);
      assert.ok(p.equals(q));
    }
  }
});

test("clone is an independent copy; equals compares flags and cache", () => {
  const p = PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback);
  const c = p.clone();
  assert.notEqual(c, p);
  assert.ok(c.equals(p));
  c.flags = PageFlags.R;
  assert.equal(p.flags, PageFlags.RW);
  assert.ok(!c.equals(p));
  assert.ok(!p.equals(PageProperty.newUser(PageFlags.RW, CachePolicy.Uncacheable)));
  assert.ok(!p.equals({ flags: PageFlags.RW, cache: CachePolicy.Writeback } as PageProperty));
});

test("flags that are not an integer in [0, 31] are TypeError/RangeError", () => {
  for (const bad of [-1, 32, 64, 1.5, NaN, Infinity]) {
    throwsContract(() => PageProperty.newUser(bad, CachePolicy.Writeback), RangeError);
    throwsContract(() => new PageProperty(bad, CachePolicy.Writeback), RangeError);
  }
  for (const bad of ["1", 1n, undefined, null, {}]) {
    throwsContract(() => PageProperty.newUser(bad as number, CachePolicy.Writeback), TypeError);
  }
});

test("a cache policy outside the enum is TypeError/RangeError", () => {
  for (const bad of [-1, 5, 1.5, NaN]) throwsContract(() => PageProperty.newUser(PageFlags.R, bad), RangeError);
  for (const bad of ["Writeback", undefined, null, 4n]) throwsContract(() => PageProperty.newUser(PageFlags.R, bad as unknown as CachePolicy), TypeError);
});
