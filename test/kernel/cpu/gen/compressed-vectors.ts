// Builds test/kernel/cpu/vectors/compressed.bin.gz: the 32-bit expansion of
// every 16-bit RVC parcel, from GNU binutils rather than from our decoder.
//
// objdump (no aliases, numeric registers) disassembles all 49,152 parcels
// whose low bits are not 11; each `c.*` instruction is rewritten as the base
// instruction the C extension defines it to be (a textual table, below),
// and gas assembles those for rv64g (no C), so every expansion is a
// 32-bit encoding chosen by the assembler. Parcels objdump calls reserved
// (`.2byte`, `c.unimp`) expand to 0, and so does `c.addi16sp` with a
// zero immediate, reserved by the ISA manual though objdump decodes it. Output: 65,536 little-endian u32,
// indexed by parcel, gzipped.
//
// Run by gen/build.sh (needs binutils-riscv64-linux-gnu).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const out = process.argv[2];
if (out === undefined) throw new Error("usage: compressed-vectors.js OUT.bin.gz");
const tmp = mkdtempSync(join(tmpdir(), "rvc-"));
try {
  const parcels: number[] = [];
  for (let p = 0; p < 65536; p++) if ((p & 3) !== 3) parcels.push(p);
  const raw = Buffer.alloc(parcels.length * 2);
  parcels.forEach((p, i) => raw.writeUInt16LE(p, 2 * i));
  writeFileSync(join(tmp, "all.bin"), raw);
  const dis = execFileSync("riscv64-linux-gnu-objdump", ["-D", "-b", "binary", "-m", "riscv:rv64", "-M", "no-aliases,numeric", join(tmp, "all.bin")], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const byAddress = new Map<number, string>();
  for (const line of dis.split("\n")) {
    const m = /^\s*([0-9a-f]+):\t[0-9a-f]{4}\s*\t(\S+)\t?(.*)$/.exec(line);
    if (m !== null) byAddress.set(parseInt(m[1]!, 16), `${m[2]} ${m[3]}`.trim());
  }
  // One line of rv64g assembly per parcel (or none when reserved).
  const lines: string[] = [];
  const legal: number[] = [];
  parcels.forEach((p, i) => {
    const text = byAddress.get(2 * i);
    if (text === undefined) throw new Error(`objdump skipped parcel ${p.toString(16)}`);
    const base = expand(text, 2 * i);
    if (base !== undefined) {
      lines.push(base);
      legal.push(p);
    }
  });
  writeFileSync(join(tmp, "base.s"), `.option norvc\n${lines.join("\n")}\n`);
  execFileSync("riscv64-linux-gnu-as", ["-march=rv64g", "-o", join(tmp, "base.o"), join(tmp, "base.s")]);
  execFileSync("riscv64-linux-gnu-objcopy", ["-O", "binary", "-j", ".text", join(tmp, "base.o"), join(tmp, "base.bin")]);
  const words = readFileSync(join(tmp, "base.bin"));
  if (words.length !== legal.length * 4) throw new Error(`assembled ${words.length / 4} instructions for ${legal.length} parcels`);
  const table = Buffer.alloc(65536 * 4);
  legal.forEach((p, i) => table.writeUInt32LE(words.readUInt32LE(4 * i), 4 * p));
  writeFileSync(out, gzipSync(table, { level: 9 }));
  console.log(`${legal.length} legal parcels, ${parcels.length - legal.length} reserved`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

/** The base instruction (rv64g assembly) a disassembled `c.*` instruction at `addr` stands for; undefined when reserved. */
function expand(text: string, addr: number): string | undefined {
  const [mnemonic, operands = ""] = text.split(" ", 2) as [string, string?];
  const a = operands.split(",");
  const rel = (target: string): string => `.${signed(parseInt(target, 16) - addr)}`;
  switch (mnemonic) {
    case ".2byte":
    case "c.unimp":
      return undefined;
    case "c.addi":
    case "c.addiw":
    case "c.andi":
      return `${mnemonic.slice(2)} ${a[0]},${a[0]},${a[1]}`;
    case "c.li":
      return `addi ${a[0]},x0,${a[1]}`;
    case "c.lui":
      return `lui ${a[0]},${a[1]}`;
    case "c.addi16sp":
      // objdump accepts nzimm = 0, which the ISA manual reserves (as qemu does).
      return Number(a[1]) === 0 ? undefined : `addi x2,x2,${a[1]}`;
    case "c.addi4spn":
      return `addi ${a[0]},x2,${a[2]}`;
    case "c.slli":
    case "c.srli":
    case "c.srai":
      return `${mnemonic.slice(2)} ${a[0]},${a[0]},${a[1]}`;
    case "c.slli64":
    case "c.srli64":
    case "c.srai64":
      return `${mnemonic.slice(2, 6)} ${a[0]},${a[0]},0`;
    case "c.sub":
    case "c.xor":
    case "c.or":
    case "c.and":
    case "c.subw":
    case "c.addw":
    case "c.add":
      return `${mnemonic.slice(2)} ${a[0]},${a[0]},${a[1]}`;
    case "c.mv":
      return `add ${a[0]},x0,${a[1]}`;
    case "c.jr":
      return `jalr x0,0(${a[0]})`;
    case "c.jalr":
      return `jalr x1,0(${a[0]})`;
    case "c.ebreak":
      return "ebreak";
    case "c.j":
      return `jal x0,${rel(a[0]!)}`;
    case "c.beqz":
      return `beq ${a[0]},x0,${rel(a[1]!)}`;
    case "c.bnez":
      return `bne ${a[0]},x0,${rel(a[1]!)}`;
    case "c.lw":
    case "c.ld":
    case "c.fld":
    case "c.sw":
    case "c.sd":
    case "c.fsd":
      return `${mnemonic.slice(2)} ${operands}`;
    case "c.lwsp":
    case "c.ldsp":
    case "c.fldsp":
    case "c.swsp":
    case "c.sdsp":
    case "c.fsdsp":
      return `${mnemonic.slice(2, -2)} ${operands}`;
    default:
      throw new Error(`no expansion rule for ${text}`);
  }
}

function signed(n: number): string {
  return n < 0 ? `${n}` : `+${n}`;
}
