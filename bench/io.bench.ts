/**
 * Foundation benchmarks: bulk copies and Pod codecs against their plain-JS limits.
 *
 * @module
 */

import { VmReader, VmWriter, struct, u32, u64 } from "vmio";
import type { BenchCase } from "./harness.js";

const S = struct({ a: u32, b: u64 });

function filled(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + 7) & 0xff;
  return b;
}

function copyCase(size: number, label: string, target: number, ops: number): BenchCase {
  return {
    id: `copy-${label}`,
    group: "io",
    title: `bulk copy reader→writer, ${label}`,
    limitLabel: `one Uint8Array.prototype.set of ${label}`,
    target,
    ops,
    unit: "copy",
    setup() {
      const src = filled(size);
      const dst = new Uint8Array(size);
      return {
        limit: (n) => {
          for (let i = 0; i < n; i++) dst.set(src);
          return dst[size - 1];
        },
        vmio: (n) => {
          let moved = 0;
          for (let i = 0; i < n; i++) moved += VmReader.from(src).read(VmWriter.from(dst));
          return moved;
        },
      };
    },
  };
}

const VALUES = 1 << 14;

/** vmio's side of the readVal(u32) cases: a fresh reader over `bytes` per pass, VALUES values each. */
function readU32s(bytes: Uint8Array): (n: number) => number {
  const T = u32;
  return (n) => {
    let s = 0;
    for (let done = 0; done < n; done += VALUES) {
      const r = VmReader.from(bytes);
      for (let i = 0; i < VALUES; i++) s += r.readVal(T);
    }
    return s;
  };
}

export const cases: BenchCase[] = [
  copyCase(16, "16 B", 0.5, 2_000_000),
  copyCase(256, "256 B", 0.5, 1_000_000),
  copyCase(4096, "4 KiB", 0.75, 200_000),
  copyCase(1 << 20, "1 MiB", 0.95, 400),
  {
    id: "readval-u32",
    group: "io",
    title: "readVal(u32), sequential over 64 KiB",
    limitLabel: "DataView.getUint32 in a loop",
    target: 1 / 1.5,
    ops: VALUES * 64,
    unit: "value",
    setup() {
      const bytes = filled(VALUES * 4);
      const dv = new DataView(bytes.buffer);
      return {
        limit: (n) => {
          let s = 0;
          for (let done = 0; done < n; done += VALUES) for (let o = 0; o < VALUES * 4; o += 4) s += dv.getUint32(o, true);
          return s;
        },
        vmio: readU32s(bytes),
      };
    },
  },
  {
    id: "readval-u32-cursor",
    group: "io",
    title: "readVal(u32) vs a hand-written DataView cursor (position + bounds check in an object)",
    limitLabel: "hand-written DataView cursor",
    ops: VALUES * 64,
    unit: "value",
    setup() {
      const bytes = filled(VALUES * 4);
      class Cursor {
        pos = 0;
        constructor(readonly dv: DataView, readonly end: number) {}
        u32(): number {
          const pos = this.pos;
          if (pos + 4 > this.end) throw new RangeError("short");
          this.pos = pos + 4;
          return this.dv.getUint32(pos, true);
        }
      }
      return {
        limit: (n) => {
          let s = 0;
          for (let done = 0; done < n; done += VALUES) {
            const c = new Cursor(new DataView(bytes.buffer), bytes.length);
            for (let i = 0; i < VALUES; i++) s += c.u32();
          }
          return s;
        },
        vmio: readU32s(bytes),
      };
    },
  },
  {
    id: "readval-struct-fresh-reader",
    group: "io",
    title: "a fresh reader per value: VmReader.from(u8).skip(o).readVal(struct { a: u32, b: u64 })",
    limitLabel: "hand-written DataView decode at the same offsets",
    target: 1 / 1.5,
    ops: 1 << 18,
    unit: "value",
    setup() {
      const bytes = filled(VALUES * 4);
      const dv = new DataView(bytes.buffer);
      const N = VALUES / 4;
      return {
        limit: (n) => {
          let s = 0;
          for (let i = 0; i < n; i++) {
            const o = (i % N) * 16;
            const v = { a: dv.getUint32(o, true), b: dv.getBigUint64(o + 8, true) };
            s += v.a;
          }
          return s;
        },
        vmio: (n) => {
          let s = 0;
          for (let i = 0; i < n; i++) s += VmReader.from(bytes).skip((i % N) * 16).readVal(S).a;
          return s;
        },
      };
    },
  },
  {
    id: "readval-struct",
    group: "io",
    title: "readVal(struct { a: u32, b: u64 }), sequential",
    limitLabel: "hand-written DataView decode",
    target: 1 / 1.3,
    ops: (VALUES / 4) * 64,
    unit: "value",
    setup() {
      const bytes = filled(VALUES * 4);
      const dv = new DataView(bytes.buffer);
      const N = VALUES / 4;
      return {
        limit: (n) => {
          let s = 0;
          for (let done = 0; done < n; done += N) {
            for (let o = 0; o < N * 16; o += 16) {
              const v = { a: dv.getUint32(o, true), b: dv.getBigUint64(o + 8, true) };
              s += v.a;
            }
          }
          return s;
        },
        vmio: (n) => {
          let s = 0;
          for (let done = 0; done < n; done += N) {
            const r = VmReader.from(bytes);
            for (let i = 0; i < N; i++) s += r.readVal(S).a;
          }
          return s;
        },
      };
    },
  },
  {
    id: "writeval-u32",
    group: "io",
    title: "writeVal(u32), sequential over 64 KiB",
    limitLabel: "DataView.setUint32 in a loop",
    target: 1 / 1.5,
    ops: VALUES * 64,
    unit: "value",
    setup() {
      const bytes = new Uint8Array(VALUES * 4);
      const dv = new DataView(bytes.buffer);
      const T = u32;
      return {
        limit: (n) => {
          for (let done = 0; done < n; done += VALUES) for (let o = 0, i = 0; o < VALUES * 4; o += 4, i++) dv.setUint32(o, i + done, true);
          return bytes[5];
        },
        vmio: (n) => {
          for (let done = 0; done < n; done += VALUES) {
            const w = VmWriter.from(bytes);
            for (let i = 0; i < VALUES; i++) w.writeVal(T, i + done);
          }
          return bytes[5];
        },
      };
    },
  },
  {
    id: "writeval-struct",
    group: "io",
    title: "writeVal(struct { a: u32, b: u64 }), sequential",
    limitLabel: "hand-written DataView encode",
    target: 1 / 1.3,
    ops: (VALUES / 4) * 64,
    unit: "value",
    setup() {
      const bytes = new Uint8Array(VALUES * 4);
      const dv = new DataView(bytes.buffer);
      const N = VALUES / 4;
      return {
        limit: (n) => {
          for (let done = 0; done < n; done += N) {
            for (let o = 0, i = 0; o < N * 16; o += 16, i++) {
              const v = { a: i, b: 5n };
              dv.setUint32(o, v.a, true);
              dv.setBigUint64(o + 8, v.b, true);
            }
          }
          return bytes[5];
        },
        vmio: (n) => {
          for (let done = 0; done < n; done += N) {
            const w = VmWriter.from(bytes);
            for (let i = 0; i < N; i++) w.writeVal(S, { a: i, b: 5n });
          }
          return bytes[5];
        },
      };
    },
  },
];
