// ELF headers: a valid static RV64 executable is read exactly; every
// malformed field is ENOEXEC with a reason; and no mutation of a valid file
// makes the parser do anything but return or throw SysError(ENOEXEC).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Errno, SysError } from "../../../kernel/abi/errno.js";
import { ET_DYN, ET_DYN_BASE, PF_R, PT_INTERP, parseElf } from "../../../kernel/elf/elf.js";
import { goodSegs, makeElf, type Seg } from "../support/elf-builder.js";
import { TASK_SIZE } from "../../../kernel/mm/layout.js";

function enoexec(f: () => unknown, reason: RegExp): void {
  assert.throws(f, (e: unknown) => e instanceof SysError && e.errno === Errno.ENOEXEC && reason.test(e.reason));
}

test("a valid static executable: entry, segments, TLS, stack, AT_PHDR from the mapped headers, the heap start", () => {
  const img = parseElf(makeElf(goodSegs(), 0x10100), TASK_SIZE);
  assert.equal(img.entry, 0x10100);
  assert.equal(img.loads.length, 2);
  assert.equal(img.bias, 0);
  assert.equal(img.tls?.memsz, 0x20);
  assert.equal(img.execStack, false);
  assert.equal(img.phdrAddr, 0x10040);
  assert.equal(img.phnum, 4);
  assert.equal(img.phent, 56);
  assert.equal(img.brkStart, 0x15000);
});

test("a static PIE (ET_DYN without PT_INTERP) is loaded at a fixed base", () => {
  const segs = goodSegs().map((s) => ({ ...s, vaddr: s.vaddr === 0 ? 0 : s.vaddr - 0x10000 }));
  segs[0] = { ...(segs[0] as Seg), vaddr: 0, offset: 0 };
  const img = parseElf(makeElf(segs, 0x100, { type: ET_DYN }), TASK_SIZE);
  assert.equal(img.entry, ET_DYN_BASE + 0x100);
  assert.equal(img.loads[0]?.vaddr, ET_DYN_BASE);
});

test("malformed executables are ENOEXEC with the reason", () => {
  const good = (): Uint8Array => makeElf(goodSegs(), 0x10100);
  enoexec(() => parseElf(new Uint8Array(10), TASK_SIZE), /shorter/);
  enoexec(() => parseElf(new TextEncoder().encode("#!/bin/sh\necho hi\n".padEnd(80)), TASK_SIZE), /not an ELF/);
  let b = good();
  b[4] = 1;
  enoexec(() => parseElf(b, TASK_SIZE), /64-bit/);
  b = good();
  b[5] = 2;
  enoexec(() => parseElf(b, TASK_SIZE), /little-endian/);
  enoexec(() => parseElf(makeElf(goodSegs(), 0x10100, { machine: 62 }), TASK_SIZE), /RISC-V/);
  enoexec(() => parseElf(makeElf(goodSegs(), 0x10100, { type: 1 }), TASK_SIZE), /not an executable/);
  enoexec(() => parseElf(makeElf([...goodSegs(), { type: PT_INTERP, flags: PF_R, offset: 0, vaddr: 0, filesz: 0, memsz: 0 }], 0x10100), TASK_SIZE), /dynamically linked/);
  enoexec(() => parseElf(makeElf(goodSegs(), 0x12000), TASK_SIZE), /entry point/);
  enoexec(() => parseElf(makeElf(goodSegs().slice(2), 0x10100), TASK_SIZE), /no PT_LOAD/);
  const segs = goodSegs();
  segs[1] = { ...(segs[1] as Seg), filesz: 0x10000 };
  enoexec(() => parseElf(makeElf(segs, 0x10100), TASK_SIZE), /p_filesz > p_memsz|past the end/);
  const overlap = goodSegs();
  overlap[1] = { ...(overlap[1] as Seg), vaddr: 0x11000, offset: 0x2000 - 0x1000 + 0x1000 };
  enoexec(() => parseElf(makeElf(overlap, 0x10100), TASK_SIZE), /overlap|disagree/);
  const high = goodSegs();
  high[1] = { ...(high[1] as Seg), vaddr: TASK_SIZE - 0x1000 + 0x2000 - 0x2000 };
  enoexec(() => parseElf(makeElf(high, 0x10100), TASK_SIZE), /outside/);
  b = good();
  new DataView(b.buffer).setUint16(56, 0, true);
  enoexec(() => parseElf(b, TASK_SIZE), /e_phnum/);
  b = good();
  new DataView(b.buffer).setBigUint64(32, 2n ** 63n, true);
  enoexec(() => parseElf(b, TASK_SIZE), /out of range|past the end/);
});

test("property: any mutation or truncation of a valid executable parses or is ENOEXEC — never another exception", () => {
  const base = makeElf(goodSegs(), 0x10100, { size: 0x400 });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.nat(base.length),
      (edits, cut) => {
        const b = base.slice(0, Math.max(cut, 200));
        for (const [at, val] of edits) if (at < b.length) b[at] = val;
        try {
          const img = parseElf(b, TASK_SIZE);
          for (const s of img.loads) assert.ok(s.vaddr + s.memsz <= TASK_SIZE && s.offset + s.filesz <= b.length);
        } catch (e) {
          assert.ok(e instanceof SysError && e.errno === Errno.ENOEXEC, String(e));
        }
      },
    ),
    { seed: 12, numRuns: 2000 },
  );
});
