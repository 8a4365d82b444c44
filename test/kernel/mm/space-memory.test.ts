// The hart's memory over a VmSpace: loads and stores (misaligned, across
// pages), faults that throw before any side effect, execute permission on
// fetches, AMOs and compare-and-swaps as write accesses, and the same on
// shared RAM with the 64-bit atomics lock — checked against FlatMemory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PAGE_SIZE, PhysicalMemory, VmError, u8 } from "vmio";
import { AmoOp, FlatMemory } from "../../../kernel/cpu/index.js";
import { AddressSpace } from "../../../kernel/mm/address-space.js";
import { SpaceMemory } from "../../../kernel/mm/space-memory.js";
import { PROT_EXEC, PROT_READ, PROT_WRITE } from "../../../kernel/abi/mman.js";

const BASE = 0x10_0000;
const noEvents = { fault() {}, codeChanged() {} };

function setup(shared = false): { as: AddressSpace; m: SpaceMemory } {
  const mem = new PhysicalMemory({ size: 4 * 2 ** 20, shared });
  const as = new AddressSpace(mem, noEvents);
  as.space.activate();
  as.map(BASE, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, { kind: "anon" });
  as.map(BASE + 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ, { kind: "anon" });
  as.map(BASE + 4 * PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_EXEC, { kind: "file", data: new Uint8Array([0x13, 0, 0, 0]), offset: 0, limit: 4 });
  return { as, m: new SpaceMemory(as.space, shared ? new Int32Array(new SharedArrayBuffer(8)) : undefined) };
}

const isFault = (e: unknown): boolean => e instanceof VmError;

test("loads and stores of every width agree with FlatMemory, misaligned and across a page boundary", () => {
  const { m } = setup();
  const flat = new FlatMemory(3 * PAGE_SIZE, BASE);
  for (const at of [BASE, BASE + 3, BASE + PAGE_SIZE - 3, BASE + PAGE_SIZE - 1, BASE + 2 * PAGE_SIZE - 8]) {
    for (const mem of [m, flat]) {
      mem.store64(at, 0x8899aabb | 0, 0x11223344);
      mem.store16(at + 8 < BASE + 2 * PAGE_SIZE - 2 ? at + 8 : at, 0xbeef);
    }
    assert.equal(m.load64(at), flat.load64(at));
    assert.equal(m.hi, flat.hi);
    assert.equal(m.load32(at + 1), flat.load32(at + 1));
    assert.equal(m.load16(at + 1), flat.load16(at + 1));
    assert.equal(m.load8(at + 7), flat.load8(at + 7));
  }
});

test("a store across into a read-only page throws and writes no byte of the writable one", () => {
  const { as, m } = setup();
  const at = BASE + 2 * PAGE_SIZE - 4;
  m.store32(at, 0x01020304);
  assert.throws(() => m.store64(at, -1, -1), isFault);
  assert.equal(m.load32(at), 0x01020304);
  assert.throws(() => m.store8(BASE + 2 * PAGE_SIZE, 1), isFault);
  assert.throws(() => m.load8(BASE + 3 * PAGE_SIZE), isFault, "unmapped");
  assert.throws(() => m.load8(2 ** 47), isFault, "past user space");
  as.dispose();
});

test("fetches need execute permission: an RX page fetches, a RW page faults", () => {
  const { m } = setup();
  assert.equal(m.fetch16(BASE + 4 * PAGE_SIZE), 0x13);
  assert.throws(() => m.fetch16(BASE), isFault);
  assert.equal(m.fetch16(BASE + 4 * PAGE_SIZE + 2), 0);
});

test("AMOs and compare-and-swap: results as FlatMemory's, and write accesses even when nothing changes", () => {
  for (const shared of [false, true]) {
    const { m } = setup(shared);
    const flat = new FlatMemory(PAGE_SIZE, BASE);
    for (const mem of [m, flat]) {
      mem.store32(BASE, 10);
      mem.store64(BASE + 8, 5, 0);
    }
    for (const op of [AmoOp.Add, AmoOp.Swap, AmoOp.Xor, AmoOp.Or, AmoOp.And, AmoOp.Min, AmoOp.Max, AmoOp.MinU, AmoOp.MaxU]) {
      assert.equal(m.amo32(op, BASE, -7), flat.amo32(op, BASE, -7), `amo32 ${op}`);
      assert.equal(m.amo64(op, BASE + 8, -7, 3), flat.amo64(op, BASE + 8, -7, 3), `amo64 ${op}`);
      assert.equal(m.hi, flat.hi);
    }
    assert.equal(m.cas32(BASE, m.load32(BASE), 99), true);
    assert.equal(m.cas32(BASE, 1234, 5), false);
    assert.equal(m.load32(BASE), 99);
    assert.equal(m.cas64(BASE + 8, m.load64(BASE + 8), m.hi, 1, 2), true);
    assert.equal(m.load64(BASE + 8), 1);
    assert.equal(m.hi, 2);
    const ro = BASE + 2 * PAGE_SIZE;
    assert.throws(() => m.cas32(ro, 5, 6), isFault, "a failing comparison on a read-only page still faults");
    assert.throws(() => m.amo32(AmoOp.Or, ro, 0), isFault);
    assert.throws(() => m.cas64(ro, 0, 0, 0, 0), isFault);
    m.fence();
  }
});

test("a write fault resolved by the handler (copy-on-write after fork) is invisible to the hart's access", () => {
  const { as, m } = setup();
  m.store32(BASE, 1);
  const child = as.fork(noEvents);
  as.space.activate();
  m.store32(BASE, 2);
  assert.equal(m.load32(BASE), 2);
  child.space.activate();
  assert.equal(child.space.readVal(BASE, u8), 1);
});
