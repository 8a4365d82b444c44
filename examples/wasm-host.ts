/**
 * A WebAssembly host on `GuestMemory`: a real guest calls a host
 * `fd_write`, plays a hostile guest, and grows its memory between calls.
 *
 *   npm run build && node build/examples/wasm-host.js
 *
 * The guest (examples/wasm-host/guest.c, built to guest.wasm by build.sh in
 * the same folder) imports `host.fd_write(fd, iovs, count, nwritten)`, the
 * shape of WASI's. Every argument comes from the guest, as a signed i32:
 * the pointer 0xFFFF_FFF0 arrives as -16. The host passes them straight to
 * `GuestMemory`, which reads them as wasm32 addresses, and answers anything
 * that does not fit in memory with an errno — never with a JS exception in
 * the guest, never by reading or writing outside its memory, never with
 * half of a call done: every pointer is checked before the first byte is
 * written out.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { GuestMemory, Iovec32, VmError, VmReaderArray, VmWriter, u32 } from "vmio";

// The tsconfig has no DOM lib, so the little of WebAssembly used here is typed here.
interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  greet(): number;
  written(): number;
  hostile(kind: number): number;
  grow_and_print(): number;
}
const Wasm = (globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Exports } }> };
}).WebAssembly;

const ESUCCESS = 0;
const EFAULT = 21; // WASI errno: a pointer or length outside memory
const EINVAL = 28; // WASI errno: a bad count, a misaligned pointer

// Set once the instance exists (its memory is one of its exports).
const host: { guest?: GuestMemory } = {};
const out: string[] = [];

/**
 * The host's `fd_write`. Check everything, then act: importing the iovecs
 * checks the array and every buffer against the memory's current size, and
 * `check` the result pointer, all before one byte is written to `fd`.
 */
function fdWrite(fd: number, iovs: number, count: number, nwritten: number): number {
  const mem = host.guest as GuestMemory;
  if (iovs < 0) out.push(`(iovs arrived as ${iovs}: a signed i32, passed straight through)`);
  try {
    const bufs = VmReaderArray.fromIovecs(mem, iovs, count, Iovec32);
    const result = mem.check(nwritten, 4);
    if (result % 4 !== 0) return EINVAL;
    // Side effects from here on.
    const bytes = new Uint8Array(bufs.sumLens());
    bufs.readFallible(VmWriter.from(bytes));
    out.push(`wrote to fd ${fd}: ${JSON.stringify(new TextDecoder().decode(bytes))}`);
    mem.writeVal(result, u32, bytes.length);
    return ESUCCESS;
  } catch (e) {
    // Guest input can only ever end in a VmError: PageFault is EFAULT, InvalidArgs EINVAL.
    if (e instanceof VmError) return e.code === "InvalidArgs" ? EINVAL : EFAULT;
    throw e; // a bug in this host: let it surface
  }
}

const bytes = readFileSync(new URL("../../examples/wasm-host/guest.wasm", import.meta.url));
const { instance } = await Wasm.instantiate(bytes, { host: { fd_write: fdWrite } });
const exports = instance.exports;
const guest = (host.guest = new GuestMemory(exports.memory));
console.log(`guest memory: ${guest.size()} bytes`);

function report(what: string, errno: number): void {
  for (const line of out.splice(0)) console.log(`  host: ${line}`);
  console.log(`${what}: errno ${errno}${errno === EFAULT ? " (EFAULT)" : errno === EINVAL ? " (EINVAL)" : ""}`);
}

report("greet()", exports.greet());
console.log(`  the guest reads nwritten = ${exports.written()}`);

const hostile = [
  "the iovec array at 0xFFFF_FFF0 (arrives as -16)",
  "a good iovec, then one running past the end of memory",
  "an iovec of length 0xFFFF_FFFF",
  "1025 iovecs (more than IOV_MAX)",
  "the result pointer past the end of memory",
  "a count of -1",
];
hostile.forEach((what, kind) => report(`hostile: ${what}`, exports.hostile(kind)));
console.log("  (nothing was written for any of them: every pointer is checked first)");

// The guest grows its own memory: the same GuestMemory follows it.
report("grow_and_print()", exports.grow_and_print());
console.log(`guest memory: ${guest.size()} bytes`);
