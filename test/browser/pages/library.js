// vmio in a browser page, written as plain JavaScript (no `using`: handles
// are disposed in `finally` blocks). The test reads `window.result`.
import {
  CachePolicy, FrameAllocOptions, PAGE_SIZE, PageFlags, PageProperty, PhysicalMemory,
  VmError, VmReader, VmSpace, VmWriter, array, struct, u16, u64, u8,
} from "vmio";

async function main() {
  const out = {};

  // Typed memory and Pod codecs.
  const Entry = struct({ tag: u8, addr: u64, ports: array(u16, 2) });
  const bytes = new Uint8Array(24).fill(0xff);
  VmWriter.from(bytes).writeVal(Entry, { tag: 7, addr: 0x1234_5678_9abcn, ports: [80, 443] });
  const entry = VmReader.from(bytes).readVal(Entry);
  out.entry = { tag: entry.tag, addr: entry.addr.toString(16), ports: entry.ports, padding: [...bytes.subarray(1, 8)] };

  // A user address space with demand paging by a fault handler.
  const ram = new PhysicalMemory({ size: 4 << 20 });
  const free0 = ram.freeFrames();
  const space = new VmSpace(ram);
  let faults = 0;
  space.setPageFaultHandler(({ address }) => {
    if (address >= 0x4000_0000) return false; // only the low 1 GiB is demand-paged
    faults++;
    const frame = new FrameAllocOptions(ram).allocFrame();
    const page = Math.floor(address / PAGE_SIZE) * PAGE_SIZE;
    const cursor = space.cursorMut({ start: page, end: page + PAGE_SIZE });
    try {
      cursor.map(frame, PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback));
    } finally {
      cursor.dispose();
      frame.dispose();
    }
    return true;
  });
  try {
    space.activate();
    const text = new TextEncoder().encode("hello from a page, through a page table");
    space.writeBytes(0x1000 - 10, text); // straddles two pages: two faults
    const back = new Uint8Array(text.length);
    space.readBytes(0x1000 - 10, back);
    out.demand = { faults, text: new TextDecoder().decode(back) };

    // A fallible copy that runs into memory no handler maps stops exactly there.
    const top = 0x4000_0000 - 6;
    space.writeBytes(top, new Uint8Array([1, 2, 3, 4, 5, 6]));
    const r = space.reader(top, 16);
    const sink = VmWriter.from(new Uint8Array(16)).toFallible();
    try {
      r.readFallible(sink);
      out.fault = "none";
    } catch (e) {
      out.fault = e instanceof VmError ? { code: e.code, copied: e.copied, remain: r.remain() } : String(e);
    }
  } finally {
    space.dispose();
  }
  out.leaked = free0 - ram.freeFrames();
  return out;
}

window.result = main();
