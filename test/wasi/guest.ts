/**
 * A test guest: a WASI host bound to a memory-only module, whose preview1
 * functions the tests call directly as the guest's `call` would, with
 * helpers to put things in its memory and read results back.
 *
 * @module
 */

import { WASI, type WASIOptions } from "vmio/wasi";
import { MEMORY_ONLY_MODULE, Wasm, type WasmMemory } from "./suite/wasm.js";

type Fn = (...args: (number | bigint)[]) => number;

/** A bound host and its guest memory. */
export interface TestGuest {
  readonly wasi: WASI;
  readonly call: Record<string, Fn>;
  readonly memory: WasmMemory;
  u8(): Uint8Array;
  dv(): DataView;
  /** Puts bytes (or UTF-8 text) at `at`; returns `[at, length]`. */
  put(at: number, data: string | Uint8Array): [number, number];
  u32(at: number): number;
  u64(at: number): bigint;
  setU32(at: number, v: number): void;
  /** Writes iovecs at `at`. */
  iovecs(at: number, list: [number, number][]): void;
  /** Bytes the stdout sink received, as text. */
  stdout(): string;
}

const module = await Wasm.compile(MEMORY_ONLY_MODULE);

/** A fresh guest; stdout is captured unless `options.stdout` is given. */
export async function testGuest(options: WASIOptions = {}): Promise<TestGuest> {
  const out: Uint8Array[] = [];
  const wasi = new WASI({ stdout: (b) => out.push(b), ...options });
  const instance = await Wasm.instantiate(module, {});
  wasi.initialize(instance);
  const memory = instance.exports["memory"] as WasmMemory;
  const g: TestGuest = {
    wasi,
    call: wasi.getImportObject().wasi_snapshot_preview1 as unknown as Record<string, Fn>,
    memory,
    u8: () => new Uint8Array(memory.buffer),
    dv: () => new DataView(memory.buffer),
    put(at, data) {
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
      g.u8().set(bytes, at);
      return [at, bytes.length];
    },
    u32: (at) => g.dv().getUint32(at, true),
    u64: (at) => g.dv().getBigUint64(at, true),
    setU32: (at, v) => g.dv().setUint32(at, v, true),
    iovecs(at, list) {
      list.forEach(([base, len], i) => {
        g.setU32(at + i * 8, base);
        g.setU32(at + i * 8 + 4, len);
      });
    },
    stdout: () => new TextDecoder().decode(Buffer.concat(out)),
  };
  return g;
}

/** WASI errnos the tests name. */
export const E = {
  SUCCESS: 0, ACCES: 2, BADF: 8, EXIST: 20, FAULT: 21, ILSEQ: 25, INVAL: 28, ISDIR: 31, LOOP: 32, NAMETOOLONG: 37,
  NOENT: 44, NOSYS: 52, NOTDIR: 54, NOTEMPTY: 55, NOTSOCK: 57, PERM: 63, NOTCAPABLE: 76, SPIPE: 70,
} as const;

/** Rights bits the tests name. */
export const R = {
  FD_READ: 2n, FD_SEEK: 4n, FD_TELL: 32n, FD_WRITE: 64n, FD_READDIR: 1n << 14n, PATH_OPEN: 1n << 13n,
  FD_FILESTAT_GET: 1n << 21n,
} as const;
