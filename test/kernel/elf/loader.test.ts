// Loading a program: segments become file-backed and bss areas filled on
// demand; the initial stack holds argc, argv, envp, the auxiliary vector and
// the strings exactly where Linux puts them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PAGE_SIZE, PhysicalMemory, u64, u8 } from "vmio";
import { AddressSpace } from "../../../kernel/mm/address-space.js";
import { parseElf } from "../../../kernel/elf/elf.js";
import { loadProgram } from "../../../kernel/elf/loader.js";
import { AT_ENTRY, AT_EXECFN, AT_HWCAP, AT_NULL, AT_PAGESZ, AT_PHDR, AT_RANDOM, HWCAP_IMAFDC, buildInitialStack } from "../../../kernel/elf/initial-stack.js";
import { STACK_TOP, TASK_SIZE } from "../../../kernel/mm/layout.js";
import { Errno, SysError } from "../../../kernel/abi/errno.js";
import { PROT_EXEC, PROT_READ, PROT_WRITE } from "../../../kernel/abi/mman.js";
import { goodSegs, makeElf } from "../support/elf-builder.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const noEvents = { fault() {}, codeChanged() {} };

function cString(as: AddressSpace, addr: number): string {
  let s = "";
  for (let a = addr; ; a++) {
    const c = as.space.readVal(a, u8);
    if (c === 0) return s;
    s += String.fromCharCode(c);
  }
}

test("the loaded image: areas per segment, file bytes on demand, bss zeros, heap start, stack tables", () => {
  const file = makeElf(goodSegs(), 0x10100);
  file.fill(0xab, 0x2000, 0x2100);
  file[0x2100] = 0xcd; // past p_filesz: must not appear in memory
  const mem = new PhysicalMemory({ size: 4 * 2 ** 20 });
  const as = new AddressSpace(mem, noEvents);
  as.space.activate();
  const img = parseElf(file, TASK_SIZE);
  const random = new Uint8Array(16).fill(7);
  const p = loadProgram(as, file, img, { argv: [enc("/bin/x"), enc("a b")], envp: [enc("K=V")], execfn: enc("/bin/x"), random, uid: 1000, gid: 100, name: "/bin/x" });
  assert.equal(p.entry, 0x10100);
  assert.equal(p.sp % 16, 0);
  const areas = as.areas();
  assert.deepEqual(
    areas.map((a) => [a.start, a.end, a.prot, a.kind]),
    [
      [0x10000, 0x12000, PROT_READ | PROT_EXEC, "file"],
      [0x12000, 0x13000, PROT_READ | PROT_WRITE, "file"],
      [0x13000, 0x15000, PROT_READ | PROT_WRITE, "anon"],
      [areas[3]?.start, STACK_TOP, PROT_READ | PROT_WRITE, "anon"],
    ],
  );
  assert.equal(as.brk, 0x15000);
  assert.equal(as.space.readVal(0x12000, u8), 0xab);
  assert.equal(as.space.readVal(0x120ff, u8), 0xab);
  assert.equal(as.space.readVal(0x12100, u8), 0, "bytes past p_filesz read as zero");
  assert.equal(as.space.readVal(0x14fff, u8), 0);
  assert.equal(as.space.readVal(0x10000, u8), 0x7f);
  // The stack.
  const word = (i: number): number => Number(as.space.readVal(p.sp + 8 * i, u64));
  assert.equal(word(0), 2);
  assert.equal(cString(as, word(1)), "/bin/x");
  assert.equal(cString(as, word(2)), "a b");
  assert.equal(word(3), 0);
  assert.equal(cString(as, word(4)), "K=V");
  assert.equal(word(5), 0);
  const aux = new Map<number, number>();
  for (let i = 6; ; i += 2) {
    aux.set(word(i), word(i + 1));
    if (word(i) === AT_NULL) break;
  }
  assert.equal(aux.get(AT_PAGESZ), PAGE_SIZE);
  assert.equal(aux.get(AT_HWCAP), HWCAP_IMAFDC);
  assert.equal(aux.get(AT_ENTRY), 0x10100);
  assert.equal(aux.get(AT_PHDR), 0x10040);
  assert.equal(cString(as, aux.get(AT_EXECFN) as number), "/bin/x");
  assert.equal(as.space.readVal(aux.get(AT_RANDOM) as number, u8), 7);
  // Strings sit at the very top: argv, envp, then the file name, then an 8-byte end marker.
  assert.equal(aux.get(AT_EXECFN), STACK_TOP - 8 - 7);
  as.dispose();
});

test("argument strings beyond the limits are E2BIG", () => {
  const big = new Uint8Array(200 * 1024).fill(0x41);
  assert.throws(
    () => buildInitialStack(STACK_TOP, { argv: [big], envp: [], execfn: enc("x"), random: new Uint8Array(16), auxv: [] }),
    (e: unknown) => e instanceof SysError && e.errno === Errno.E2BIG,
  );
  const many = Array.from({ length: 20 }, () => new Uint8Array(120 * 1024));
  assert.throws(
    () => buildInitialStack(STACK_TOP, { argv: many, envp: [], execfn: enc("x"), random: new Uint8Array(16), auxv: [] }),
    (e: unknown) => e instanceof SysError && e.errno === Errno.E2BIG,
  );
});
