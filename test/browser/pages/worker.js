// A module worker of workers.js: attaches the page's RAM, a frame and the
// address space, and answers commands. Workers do not see the page's import
// map, so vmio is imported by path.
import {
  CachePolicy, FrameAllocOptions, PAGE_SIZE, PageFlags, PageProperty, PhysicalMemory,
  UFrame, VmError, VmSpace, VmWriter, u32,
} from "/build/src/index.js";

let ram, counter, space;

const commands = {
  setup({ memory, counter: c, space: s }) {
    ram = PhysicalMemory.attach(memory);
    counter = UFrame.attach(ram, c);
    space = VmSpace.attach(ram, s);
    space.activate();
    return true;
  },
  count({ times }) {
    const w = counter.writer();
    const r = counter.reader();
    for (let i = 0; i < times; i++) {
      for (;;) {
        const seen = r.clone().toFallible().readVal(u32);
        const [, done] = w.atomicCompareExchange(r, u32, seen, seen + 1);
        if (done) break;
      }
    }
    return true;
  },
  map({ va, text }) {
    const bytes = new TextEncoder().encode(text);
    const pages = Math.ceil(bytes.length / PAGE_SIZE);
    const cursor = space.cursorMut({ start: va, end: va + pages * PAGE_SIZE });
    try {
      for (let i = 0; i < pages; i++) {
        const frame = new FrameAllocOptions(ram).allocFrame();
        try {
          cursor.map(frame, PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback));
        } finally {
          frame.dispose();
        }
      }
    } finally {
      cursor.dispose();
    }
    space.writeBytes(va, bytes);
    return pages;
  },
  read({ va, len }) {
    const r = space.reader(va, len);
    const buf = new Uint8Array(len);
    const w = VmWriter.from(buf).toFallible();
    try {
      r.readFallible(w);
      return { text: new TextDecoder().decode(buf) };
    } catch (e) {
      if (!(e instanceof VmError)) throw e;
      return { fault: e.code, copied: e.copied, text: new TextDecoder().decode(buf.subarray(0, e.copied)) };
    }
  },
  close() {
    space.dispose();
    counter.dispose();
    return true;
  },
};

onmessage = (e) => {
  try {
    postMessage({ ok: commands[e.data.cmd](e.data) });
  } catch (err) {
    postMessage({ error: String(err && err.stack || err) });
  }
};
