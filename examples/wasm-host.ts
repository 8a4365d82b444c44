/**
 * A WebAssembly host reading a guest's untrusted pointers.
 *
 *   npm run build && node build/examples/wasm-host.js
 *
 * The guest (a module assembled by hand below, no toolchain needed) hands
 * the host pointers into its linear memory, as a WASI `fd_write` does: an
 * array of `{ buf, len }` records, each pointing at bytes to print. Every
 * pointer and length comes from the guest and may be wrong or hostile. The
 * host reads through `VmReader`s over views of linear memory, so a bad
 * pointer ends in a clean `RangeError` or `VmError` — never in a read
 * outside the guest's memory, and never in garbage.
 *
 * @module
 */

import { VmError, VmReader, VmWriter, sizeOf, struct, u32, type Infallible } from "vmio";

// The tsconfig has no DOM lib, so the little of WebAssembly used here is typed here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
const Wasm = (globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array): Promise<{ instance: { exports: Record<string, unknown> } }> };
}).WebAssembly;

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

// A minimal module: one 64 KiB page of memory, exported, and a function
// `request()` returning the guest address where it keeps its request (1024).
const guestModule = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, //       type section: one type, [] -> [i32]
  0x03, 0x02, 0x01, 0x00, //                         function section: function 0 has type 0
  0x05, 0x03, 0x01, 0x00, 0x01, //                   memory section: one memory, at least 1 page
  0x07, 0x14, 0x02, //                               export section, two exports:
  0x06, ...ascii("memory"), 0x02, 0x00, //             "memory" is memory 0
  0x07, ...ascii("request"), 0x00, 0x00, //            "request" is function 0
  0x0a, 0x07, 0x01, 0x05, 0x00, 0x41, 0x80, 0x08, 0x0b, // code: function 0 is `i32.const 1024`
]);
const { instance } = await Wasm.instantiate(guestModule);
const memory = instance.exports["memory"] as WasmMemory;
const request = instance.exports["request"] as () => number;

// What the guest's iovec looks like in its memory (C layout, little-endian).
const Iovec = struct({ buf: u32, len: u32 });

/**
 * A reader over guest bytes `[ptr, ptr + len)`. Both numbers come from the
 * guest: if the range is not inside linear memory, the `Uint8Array`
 * constructor refuses it with a `RangeError` before anything is read.
 * `memory.buffer` is read on every call: growing the memory replaces it.
 */
function guest(ptr: number, len: number): VmReader<Infallible> {
  return VmReader.from(new Uint8Array(memory.buffer, ptr, len));
}

/** The host side of `fd_write(iovs, count)`: gathers the bytes the guest's iovecs point at. */
function fdWrite(iovs: number, count: number): string {
  const records = guest(iovs, count * sizeOf(Iovec));
  let out = "";
  while (records.hasRemain()) {
    const { buf, len } = records.readVal(Iovec);
    const bytes = new Uint8Array(len);
    guest(buf, len).read(VmWriter.from(bytes));
    out += new TextDecoder().decode(bytes);
  }
  return out;
}

function attempt(what: string, f: () => string): void {
  try {
    console.log(`${what}: "${f()}"`);
  } catch (e) {
    const kind = e instanceof VmError ? `VmError ${e.code}` : (e as Error).name;
    console.log(`${what}: refused, ${kind}: ${(e as Error).message}`);
  }
}

// Play the guest: put two strings and the iovecs pointing at them in linear
// memory (a real guest's own code would do this), with a VmWriter.
const iovs = request();
const w = VmWriter.from(new Uint8Array(memory.buffer, iovs));
const text = new TextEncoder();
w.writeVal(Iovec, { buf: 2048, len: 7 });
w.writeVal(Iovec, { buf: 4096, len: 6 });
w.writeVal(Iovec, { buf: 65_530, len: 100 }); // a hostile one: runs past the end of memory
new Uint8Array(memory.buffer).set(text.encode("Hello, "), 2048);
new Uint8Array(memory.buffer).set(text.encode("guest!"), 4096);
console.log(`guest memory: ${memory.buffer.byteLength} bytes; iovecs at ${iovs}`);

attempt("fd_write(iovs, 2)", () => fdWrite(iovs, 2));
attempt("fd_write(iovs, 3), the third iovec past the end", () => fdWrite(iovs, 3));
attempt("fd_write(iovs, 1e9), a count far too large", () => fdWrite(iovs, 1e9));

// A pointer with no length: read up to the end of memory at most. A record
// that does not fit there is a VmError, not a read of whatever follows.
attempt("a record at 65532, 4 bytes before the end", () => {
  const r = VmReader.from(new Uint8Array(memory.buffer, 65_532));
  return JSON.stringify(r.readVal(Iovec));
});

// Growing linear memory detaches the old buffer: readers made before throw
// instead of reading zeros; make new ones from `memory.buffer`.
const stale = guest(2048, 7);
memory.grow(1);
attempt("a reader made before memory.grow()", () => String(stale.readVal(u32)));
attempt("fd_write(iovs, 2) after memory.grow()", () => fdWrite(iovs, 2));
