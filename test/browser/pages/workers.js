// Two module workers share the page's RAM (a SharedArrayBuffer: the page is
// cross-origin isolated by COOP/COEP) and one address space. A maps and
// writes, B reads across A's pages, the page unmaps one page — which shoots
// down B's TLB — and B's next read faults exactly there.
import { FrameAllocOptions, PAGE_SIZE, PhysicalMemory, VmSpace, u32 } from "vmio";

function call(worker, message) {
  return new Promise((resolve, reject) => {
    // A guard against a worker that never answers, not a measure of speed (a loaded machine is slow).
    const timer = setTimeout(() => reject(new Error(`worker did not answer ${message.cmd} in 60 s`)), 60_000);
    worker.onmessage = (e) => {
      clearTimeout(timer);
      if (e.data.error !== undefined) reject(new Error(e.data.error));
      else resolve(e.data.ok);
    };
    worker.onerror = (e) => {
      clearTimeout(timer);
      reject(new Error(e.message));
    };
    worker.postMessage(message);
  });
}

async function main() {
  const out = { isolated: crossOriginIsolated };
  const ram = new PhysicalMemory({ size: 4 << 20, shared: true });
  const free0 = ram.freeFrames();
  const counter = new FrameAllocOptions(ram).allocFrame();
  const space = new VmSpace(ram);
  const setup = () => ({ cmd: "setup", memory: ram.share(), counter: counter.share(), space: space.share() });
  const url = new URL("./worker.js", import.meta.url);
  const a = new Worker(url, { type: "module" });
  const b = new Worker(url, { type: "module" });
  try {
    await Promise.all([call(a, setup()), call(b, setup())]);
    const times = 20_000;
    await Promise.all([call(a, { cmd: "count", times }), call(b, { cmd: "count", times })]);
    out.counter = counter.readOnce(0, u32);

    const VA = 0x1000_0000;
    const second = "And this is page two.";
    const text = ".".repeat(PAGE_SIZE - 18) + "A wrote page one. " + second; // page one ends with 18 known bytes
    out.mapped = await call(a, { cmd: "map", va: VA, text });
    const start = VA + PAGE_SIZE - 18;
    const len = 18 + second.length;
    out.before = await call(b, { cmd: "read", va: start, len });
    const cursor = space.cursorMut({ start: VA + PAGE_SIZE, end: VA + 2 * PAGE_SIZE });
    try {
      cursor.unmap(PAGE_SIZE);
    } finally {
      cursor.dispose();
    }
    out.after = await call(b, { cmd: "read", va: start, len });
    await Promise.all([call(a, { cmd: "close" }), call(b, { cmd: "close" })]);
  } finally {
    a.terminate();
    b.terminate();
    space.dispose();
    counter.dispose();
  }
  out.leaked = free0 - ram.freeFrames();
  return out;
}

window.result = main();
