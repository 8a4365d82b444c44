/**
 * The little of the `WebAssembly` global the tests use, typed here (the
 * tsconfig has no DOM lib and @types/node does not declare it).
 *
 * @module
 */

/** A compiled module. */
export type WasmModule = object;
/** An instance: its exports. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
/** A linear memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** `WebAssembly`, typed. */
export const Wasm = (globalThis as unknown as {
  WebAssembly: {
    compile(bytes: Uint8Array): Promise<WasmModule>;
    instantiate(module: WasmModule, imports: object): Promise<WasmInstance>;
    Module: new (bytes: Uint8Array) => WasmModule;
    Instance: new (module: WasmModule, imports: object) => WasmInstance;
    Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
    RuntimeError: new (message?: string) => Error;
  };
}).WebAssembly;

/** `(module (memory (export "memory") 1))`: a guest that is only a 64 KiB memory, for calling host functions directly. */
export const MEMORY_ONLY_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x05, 0x03, 0x01, 0x00, 0x01, //                   memory section: one memory, at least 1 page
  0x07, 0x0a, 0x01, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, // export "memory" = memory 0
]);

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

/**
 * A command module importing `proc_exit`, exporting `memory` and a
 * `_start` whose body (wasm instructions, without the final `end`) is
 * `code`. Function 0 is `proc_exit`, function 1 `_start`.
 */
export function commandModule(code: number[]): Uint8Array {
  const body = [0x00, ...code, 0x0b];
  const imports = [0x01, 22, ...ascii("wasi_snapshot_preview1"), 9, ...ascii("proc_exit"), 0x00, 0x00];
  const exports = [0x02, 6, ...ascii("memory"), 0x02, 0x00, 6, ...ascii("_start"), 0x00, 0x01];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x08, 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x00, // types: (i32) -> (), () -> ()
    0x02, imports.length, ...imports,
    0x03, 0x02, 0x01, 0x01, // _start has type 1
    0x05, 0x03, 0x01, 0x00, 0x01,
    0x07, exports.length, ...exports,
    0x0a, body.length + 2, 0x01, body.length, ...body,
  ]);
}
