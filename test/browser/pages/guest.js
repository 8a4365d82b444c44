// A WebAssembly host in a browser page: the guest of examples/wasm-host
// (guest.c, built to guest.wasm) calls the host's fd_write with pointers into
// its linear memory, plays a hostile guest, and grows its memory. The host
// reads every pointer through GuestMemory; the test reads `window.result`.
import { GuestMemory, Iovec32, VmError, VmReaderArray, VmWriter, u32 } from "vmio";

const EFAULT = 21;
const EINVAL = 28;

async function main() {
  const written = [];
  let guest;
  function fdWrite(fd, iovs, count, nwritten) {
    try {
      const bufs = VmReaderArray.fromIovecs(guest, iovs, count, Iovec32);
      const result = guest.check(nwritten, 4);
      if (result % 4 !== 0) return EINVAL;
      const bytes = new Uint8Array(bufs.sumLens());
      bufs.readFallible(VmWriter.from(bytes));
      written.push(new TextDecoder().decode(bytes));
      guest.writeVal(result, u32, bytes.length);
      return 0;
    } catch (e) {
      if (e instanceof VmError) return e.code === "InvalidArgs" ? EINVAL : EFAULT;
      throw e;
    }
  }
  const { instance } = await WebAssembly.instantiateStreaming(fetch("/examples/wasm-host/guest.wasm"), { host: { fd_write: fdWrite } });
  const ex = instance.exports;
  guest = new GuestMemory(ex.memory);
  const before = guest.size();
  const greet = ex.greet();
  const nwritten = ex.written();
  const hostile = [0, 1, 2, 3, 4, 5].map((kind) => ex.hostile(kind));
  const writtenAfterHostile = written.length;
  const grow = ex.grow_and_print();
  return { before, greet, nwritten, hostile, writtenAfterHostile, grow, after: guest.size(), written };
}

window.result = main();
