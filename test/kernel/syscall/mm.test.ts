// Memory system calls at unit level: mmap's argument checks and placement,
// MAP_FIXED and MAP_FIXED_NOREPLACE, munmap/mprotect alignment and ENOMEM,
// mremap's flags, brk's refusal, madvise(MADV_DONTNEED) giving zeros back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PAGE_SIZE } from "vmio";
import { MMAP_BASE } from "../../../kernel/mm/layout.js";
import { NR, SCRATCH, harness } from "../support/syscall-harness.js";

const RW = 3;
const PRIVATE_ANON = 0x22;

test("mmap: length 0, no map type, unknown prot bits, an unaligned offset or MAP_FIXED address are EINVAL; a closed file EBADF", () => {
  const h = harness();
  assert.equal(h.call(NR.mmap, 0, 0, RW, PRIVATE_ANON, -1, 0), -22);
  assert.equal(h.call(NR.mmap, 0, 4096, RW, 0x20, -1, 0), -22);
  assert.equal(h.call(NR.mmap, 0, 4096, 0x40, PRIVATE_ANON, -1, 0), -22);
  assert.equal(h.call(NR.mmap, 0, 4096, RW, 0x02, -1, 100), -22);
  assert.equal(h.call(NR.mmap, 0x1234, 4096, RW, PRIVATE_ANON | 0x10, -1, 0), -22);
  assert.equal(h.call(NR.mmap, 0, 4096, 1, 0x02, 33, 0), -9);
});

test("mmap places top-down below the mmap base, honours a free hint, MAP_FIXED replaces and MAP_FIXED_NOREPLACE refuses", () => {
  const h = harness();
  const a = h.call(NR.mmap, 0, 3 * PAGE_SIZE, RW, PRIVATE_ANON, -1, 0);
  assert.ok(a < MMAP_BASE && a % PAGE_SIZE === 0);
  const b = h.call(NR.mmap, 0, PAGE_SIZE, RW, PRIVATE_ANON, -1, 0);
  assert.equal(b, a - PAGE_SIZE, "the next mapping goes right below");
  assert.equal(h.call(NR.mmap, 0x5000_0000, PAGE_SIZE, RW, PRIVATE_ANON, -1, 0), 0x5000_0000, "a free hint is used");
  h.poke(a, new Uint8Array([9, 9, 9]));
  assert.equal(h.call(NR.mmap, a, PAGE_SIZE, RW, PRIVATE_ANON | 0x10, -1, 0), a);
  assert.deepEqual([...h.peek(a, 3)], [0, 0, 0], "MAP_FIXED replaced the page with a fresh one");
  assert.equal(h.call(NR.mmap, a, PAGE_SIZE, RW, PRIVATE_ANON | 0x10_0000, -1, 0), -17);
});

test("munmap and mprotect: unaligned is EINVAL, mprotect over a hole ENOMEM, munmap of nothing mapped is fine", () => {
  const h = harness();
  assert.equal(h.call(NR.munmap, SCRATCH + 1, PAGE_SIZE), -22);
  assert.equal(h.call(NR.munmap, SCRATCH, 0), -22);
  assert.equal(h.call(NR.munmap, 0x6000_0000, PAGE_SIZE), 0);
  assert.equal(h.call(NR.mprotect, SCRATCH + 1, PAGE_SIZE, 1), -22);
  assert.equal(h.call(NR.mprotect, SCRATCH, 64 * PAGE_SIZE, 1), -12);
  assert.equal(h.call(NR.mprotect, SCRATCH, PAGE_SIZE, 0x10), -22);
  assert.equal(h.call(NR.mprotect, SCRATCH, PAGE_SIZE, 1), 0);
  assert.equal(h.call(NR.write, 1, SCRATCH, 4), 4, "the kernel may read a read-only page");
  const fd = h.call(NR.openat, -100, h.str(SCRATCH + PAGE_SIZE, "/bin/hello"), 0, 0);
  assert.equal(h.call(NR.read, fd, SCRATCH, 4), -14, "but not write into it");
});

test("mremap: unknown flags or length 0 are EINVAL, an unmapped address EFAULT", () => {
  const h = harness();
  assert.equal(h.call(NR.mremap, SCRATCH, PAGE_SIZE, 2 * PAGE_SIZE, 8, 0), -22);
  assert.equal(h.call(NR.mremap, SCRATCH, PAGE_SIZE, 0, 1, 0), -22);
  assert.equal(h.call(NR.mremap, 0x6000_0000, PAGE_SIZE, 2 * PAGE_SIZE, 1, 0), -14);
  assert.equal(h.call(NR.mremap, SCRATCH, PAGE_SIZE, 2 * PAGE_SIZE, 2, 0), -22, "MREMAP_FIXED without MAYMOVE");
});

test("brk: brk(0) reports the break, growing maps zeros, a break below the heap's start is refused", () => {
  const h = harness();
  const start = h.call(NR.brk, 0);
  assert.equal(h.call(NR.brk, start + 10_000), start + 10_000);
  assert.deepEqual([...h.peek(start + 9_000, 4)], [0, 0, 0, 0]);
  assert.equal(h.call(NR.brk, start - PAGE_SIZE), start + 10_000);
});

test("madvise(MADV_DONTNEED) drops private pages: they read as zeros again", () => {
  const h = harness();
  h.poke(SCRATCH + PAGE_SIZE, new Uint8Array([1, 2, 3]));
  assert.equal(h.call(NR.madvise, SCRATCH + PAGE_SIZE, PAGE_SIZE, 4), 0);
  assert.deepEqual([...h.peek(SCRATCH + PAGE_SIZE, 3)], [0, 0, 0]);
  assert.equal(h.call(NR.madvise, SCRATCH + 1, PAGE_SIZE, 4), -22);
});
