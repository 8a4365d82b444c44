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
