// Guest-memory test helpers: resizable and growable buffers, and a small
// WebAssembly module, assembled by hand, for tests that need a real
// guest: it exports its memory, `grow(pages)` (memory.grow) and
// `call(ptr, len)`, which calls the host import `env.host(ptr, len)` — so a
// host function can re-enter the guest (and grow its memory) in the middle
// of a host call.

const ascii = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, content: number[]): number[] => {
  if (content.length > 127) throw new Error("section too long for a one-byte size");
  return [id, content.length, ...content];
};

/** The module's bytes: memory of `initial` pages (at most `maximum`), shared or not. */
export function moduleBytes(initial: number, maximum: number, shared: boolean): Uint8Array {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // types: 0 = (i32, i32) -> (), 1 = (i32) -> i32
    ...section(1, [0x02, 0x60, 0x02, 0x7f, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f]),
    // import env.host : type 0 (function 0)
    ...section(2, [0x01, ...ascii("env"), ...ascii("host"), 0x00, 0x00]),
    // functions 1 (grow) : type 1, 2 (call) : type 0
    ...section(3, [0x02, 0x01, 0x00]),
    // memory: limits with a maximum (flag 1), shared too (flag 3)
    ...section(5, [0x01, shared ? 0x03 : 0x01, initial, maximum]),
    ...section(7, [0x03, ...ascii("memory"), 0x02, 0x00, ...ascii("grow"), 0x00, 0x01, ...ascii("call"), 0x00, 0x02]),
    ...section(10, [
      0x02,
      0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b, //               grow: memory.grow(local 0)
      0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x00, 0x0b, //   call: host(local 0, local 1)
    ]),
  ]);
}

/** What a test needs of the instance. */
export interface Guest {
  memory: { buffer: ArrayBuffer | SharedArrayBuffer; grow(delta: number): number };
  grow(pages: number): number;
  call(ptr: number, len: number): void;
}

interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const Wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

/** Instantiates the module; `host` is the import the guest's `call` calls. */
export function instantiate(host: (ptr: number, len: number) => void, initial = 1, maximum = 4, shared = false): Guest {
  const instance = new Wasm.Instance(new Wasm.Module(moduleBytes(initial, maximum, shared)), { env: { host } });
  const e = instance.exports;
  return { memory: e["memory"] as Guest["memory"], grow: e["grow"] as Guest["grow"], call: e["call"] as Guest["call"] };
}

/** A bare `WebAssembly.Memory`. */
export function wasmMemory(initial: number, maximum?: number, shared = false): Guest["memory"] {
  const M = (globalThis as unknown as { WebAssembly: { Memory: new (d: object) => Guest["memory"] } }).WebAssembly.Memory;
  return new M(maximum === undefined ? { initial } : { initial, maximum, shared });
}

/** A resizable `ArrayBuffer` (ES2024; the project's lib is ES2022). */
export type ResizableArrayBuffer = ArrayBuffer & { resize(len: number): void; readonly maxByteLength: number };
/** A growable `SharedArrayBuffer`. */
export type GrowableSharedArrayBuffer = SharedArrayBuffer & { grow(len: number): void; readonly maxByteLength: number };

export function resizableBuffer(len: number, maxByteLength: number): ResizableArrayBuffer {
  return new (ArrayBuffer as unknown as new (len: number, o: object) => ResizableArrayBuffer)(len, { maxByteLength });
}

export function growableShared(len: number, maxByteLength: number): GrowableSharedArrayBuffer {
  return new (SharedArrayBuffer as unknown as new (len: number, o: object) => GrowableSharedArrayBuffer)(len, { maxByteLength });
}
