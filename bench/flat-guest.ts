/**
 * The kernel benchmark's baseline: the same RV64GC hart running the same
 * static Linux program over the CPU engineer's `FlatMemory` (one
 * `Uint8Array`, no page table, no TLB, no faults), with just enough of a
 * kernel to get a glibc program through start-up and to its output: the
 * image copied in at its addresses, the initial stack, `brk`, a bump
 * `mmap`, `write`, `exit_group`, and harmless answers for the rest.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FlatMemory, Hart } from "../kernel/cpu/index.js";
import { parseElf } from "../kernel/elf/elf.js";
import { buildInitialStack } from "../kernel/elf/initial-stack.js";
import { auxvOf } from "../kernel/elf/loader.js";
import { guestBinDir } from "../kernel/host/builtin-fs.js";

/** Bytes of flat memory (the program, its heap, 1 MiB buffers, the stack). */
const SIZE = 64 * 2 ** 20;
const ENOSYS = 38;
const ENOENT = 2;

/** A static program on flat memory. */
export class FlatGuest {
  readonly hart: Hart;
  readonly #mem: FlatMemory;
  readonly #brkStart: number;
  #brk: number;
  /** `mmap` hands out memory downwards from 8 MiB below the stack's top. */
  #mmapTop = SIZE - 8 * 2 ** 20;
  exited = false;
  /** What it wrote to stdout. */
  output = "";
  readonly #dec = new TextDecoder();

  /** Loads `/bin/<name>` with `args`. */
  constructor(name: string, args: string[]) {
    const file = new Uint8Array(readFileSync(join(guestBinDir(), name)));
    const image = parseElf(file, SIZE);
    this.#mem = new FlatMemory(SIZE);
    for (const seg of image.loads) this.#mem.bytes.set(file.subarray(seg.offset, seg.offset + seg.filesz), seg.vaddr);
    const enc = new TextEncoder();
    const stack = buildInitialStack(SIZE, {
      argv: [enc.encode(`/bin/${name}`), ...args.map((a) => enc.encode(a))],
      envp: [],
      execfn: enc.encode(`/bin/${name}`),
      random: new Uint8Array(16).fill(7),
      auxv: auxvOf(image, 0, 0),
    });
    this.#mem.bytes.set(stack.bytes, stack.sp);
    this.hart = new Hart(this.#mem);
    this.hart.pc = image.entry;
    this.hart.setReg(2, stack.sp);
    this.#brkStart = image.brkStart;
    this.#brk = image.brkStart;
  }

  /** Runs `n` more instructions (or until the program exits); returns how many ran. */
  run(n: number): number {
    const h = this.hart;
    const start = h.instret;
    const end = start + n;
    while (!this.exited && h.instret < end) {
      const reason = h.run(end - h.instret);
      if (reason === "ecall") this.#syscall();
      else if (reason !== "budget") throw new Error(`flat guest stopped: ${reason} at 0x${h.pc.toString(16)}`);
    }
    return h.instret - start;
  }

  #syscall(): void {
    const h = this.hart;
    const a = (i: number): number => h.getRegUnsigned(10 + i);
    let r = 0;
    switch (h.getReg(17)) {
      case 214: // brk
        if (a(0) >= this.#brkStart && a(0) < this.#mmapTop) this.#brk = a(0);
        r = this.#brk;
        break;
      case 222: // mmap: fresh flat memory is zeros
        this.#mmapTop -= Math.ceil(a(1) / 4096) * 4096;
        r = this.#mmapTop;
        break;
      case 64: // write
        if (a(0) === 1) this.output += this.#dec.decode(this.#mem.bytes.subarray(a(1), a(1) + a(2)));
        r = a(2);
        break;
      case 93: // exit
      case 94: // exit_group
        this.exited = true;
        return;
      case 96: // set_tid_address
        r = 1;
        break;
      case 78: // readlinkat
        r = -ENOENT;
        break;
      case 258: // riscv_hwprobe
      case 293: // rseq
        r = -ENOSYS;
        break;
      case 278: // getrandom
        this.#mem.bytes.fill(7, a(0), a(0) + a(1));
        r = a(1);
        break;
      default: // set_robust_list, prlimit64, mprotect, munmap, newfstatat, ioctl, …: success
        r = 0;
    }
    h.setReg(10, r);
    h.pc += 4;
  }
}
