// System-call access to user memory: sinks and sources stop at the first
// bad byte, paths are EFAULT/ENAMETOOLONG as Linux's getname, structures
// are all-or-nothing EFAULT, iovec arrays are checked before any copy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PAGE_SIZE, PhysicalMemory, u64 } from "vmio";
import { Errno } from "../../../kernel/abi/errno.js";
import { AddressSpace } from "../../../kernel/mm/address-space.js";
import { UserSink, UserSource, readPath, readString, readUser, writeUser } from "../../../kernel/mm/user-access.js";
import { errnoOf } from "../support/errno.js";

const BASE = 0x10_0000;
const END = BASE + 2 * PAGE_SIZE;

function space(): AddressSpace {
  const as = new AddressSpace(new PhysicalMemory({ size: 2 * 2 ** 20 }), { fault() {}, codeChanged() {} });
  as.space.activate();
  as.map(BASE, 2 * PAGE_SIZE, 3, { kind: "anon" });
  return as;
}


test("a sink and a source move exactly the bytes before the first bad one", () => {
  const as = space();
  const sink = UserSink.buffer(as.space, END - 6, 10);
  assert.equal(sink.avail, 10);
  assert.equal(sink.put(new Uint8Array(10).fill(7)), 6);
  const src = UserSource.buffer(as.space, END - 3, 10);
  assert.equal(src.take(10).length, 3);
  assert.equal(errnoOf(() => UserSink.buffer(as.space, 2 ** 47 - 4, 10)), Errno.EFAULT);
  as.dispose();
});

test("paths: a NUL as the last mapped byte works, running into a hole is EFAULT, 4096 bytes without NUL ENAMETOOLONG", () => {
  const as = space();
  as.space.writeBytes(END - 4, new TextEncoder().encode("abc\0"));
  assert.equal(readPath(as.space, END - 4), "abc");
  as.space.writeBytes(END - 3, new TextEncoder().encode("xyz"));
  assert.equal(errnoOf(() => readPath(as.space, END - 3)), Errno.EFAULT);
  assert.equal(errnoOf(() => readPath(as.space, 0)), Errno.EFAULT);
  as.space.writeBytes(BASE, new Uint8Array(4096).fill(0x61));
  assert.equal(errnoOf(() => readPath(as.space, BASE)), Errno.ENAMETOOLONG);
  assert.equal(readString(as.space, BASE, 10), null);
  as.dispose();
});

test("structures are all or nothing: a half-mapped one is EFAULT and nothing is written", () => {
  const as = space();
  as.space.writeBytes(END - 4, new Uint8Array([1, 2, 3, 4]));
  assert.equal(errnoOf(() => writeUser(as.space, END - 4, u64, 5n)), Errno.EFAULT);
  const kept = new Uint8Array(4);
  as.space.readBytes(END - 4, kept);
  assert.deepEqual([...kept], [1, 2, 3, 4]);
  assert.equal(errnoOf(() => readUser(as.space, END - 4, u64)), Errno.EFAULT);
  as.dispose();
});

test("iovec arrays: a count above 1024 or negative is EINVAL, an unmapped array EFAULT", () => {
  const as = space();
  assert.equal(errnoOf(() => UserSource.iovecs(as.space, BASE, 1025)), Errno.EINVAL);
  assert.equal(errnoOf(() => UserSource.iovecs(as.space, BASE, -1)), Errno.EINVAL);
  assert.equal(errnoOf(() => UserSink.iovecs(as.space, END - 8, 1)), Errno.EFAULT);
  as.space.writeBytes(BASE, new Uint8Array(new BigUint64Array([BigInt(END - 2), 8n]).buffer));
  const sink = UserSink.iovecs(as.space, BASE, 1);
  assert.equal(sink.put(new Uint8Array(8)), 2);
  as.dispose();
});

test("addresses beyond 2^53 (not safe integers, as a register's 2^64 - 4096 reads) are EFAULT, not a host exception", () => {
  // Found by test/kernel/syscall/hostile.property.test.ts: writev(1, 0xfffffffffffff000, 16) and
  // clock_gettime(0, 0x20000000000000) threw vmio's RangeError for a non-safe-integer address.
  const as = space();
  for (const addr of [2 ** 53, 2 ** 64 - 4096, 2 ** 63]) {
    assert.equal(errnoOf(() => UserSource.iovecs(as.space, addr, 16)), Errno.EFAULT, `iovecs at ${addr}`);
    assert.equal(errnoOf(() => UserSink.iovecs(as.space, addr, 1)), Errno.EFAULT, `iovecs at ${addr}`);
    assert.equal(errnoOf(() => readUser(as.space, addr, u64)), Errno.EFAULT, `readUser at ${addr}`);
    assert.equal(errnoOf(() => writeUser(as.space, addr, u64, 1n)), Errno.EFAULT, `writeUser at ${addr}`);
  }
  assert.equal(errnoOf(() => UserSource.iovecs(as.space, 2 ** 64 - 4096, 1025)), Errno.EINVAL, "the count is checked first, as Linux does");
  assert.equal(errnoOf(() => UserSource.iovecs(as.space, 2 ** 64 - 4096, 0)), 0, "no records: the pointer is not read");
  as.dispose();
});
