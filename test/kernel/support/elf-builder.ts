// Builds small synthetic ELF64 RISC-V executables for the loader's tests.
import { PF_R, PF_W, PF_X, PT_GNU_STACK, PT_LOAD, PT_TLS } from "../../../kernel/elf/elf.js";

export interface Seg {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
}

/** A minimal ELF64 RISC-V executable: header, program headers, then `size` bytes of file. */
export function makeElf(segs: Seg[], entry: number, opts: { type?: number; machine?: number; size?: number } = {}): Uint8Array {
  const size = Math.max(opts.size ?? 0x3000, 64 + 56 * segs.length);
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  v.setUint16(16, opts.type ?? 2, true);
  v.setUint16(18, opts.machine ?? 243, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(24, BigInt(entry), true);
  v.setBigUint64(32, 64n, true);
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, segs.length, true);
  segs.forEach((s, i) => {
    const o = 64 + 56 * i;
    v.setUint32(o, s.type, true);
    v.setUint32(o + 4, s.flags, true);
    v.setBigUint64(o + 8, BigInt(s.offset), true);
    v.setBigUint64(o + 16, BigInt(s.vaddr), true);
    v.setBigUint64(o + 24, BigInt(s.vaddr), true);
    v.setBigUint64(o + 32, BigInt(s.filesz), true);
    v.setBigUint64(o + 40, BigInt(s.memsz), true);
    v.setBigUint64(o + 48, 0x1000n, true);
  });
  return b;
}

/** A text segment at 0x10000 (file offset 0, the headers included) and a data+bss segment at 0x12000. */
export function goodSegs(): Seg[] {
  return [
    { type: PT_LOAD, flags: PF_R | PF_X, offset: 0, vaddr: 0x10000, filesz: 0x1800, memsz: 0x1800 },
    { type: PT_LOAD, flags: PF_R | PF_W, offset: 0x2000, vaddr: 0x12000, filesz: 0x100, memsz: 0x3000 },
    { type: PT_TLS, flags: PF_R, offset: 0x2000, vaddr: 0x12000, filesz: 0x10, memsz: 0x20 },
    { type: PT_GNU_STACK, flags: PF_R | PF_W, offset: 0, vaddr: 0, filesz: 0, memsz: 0 },
  ];
}
