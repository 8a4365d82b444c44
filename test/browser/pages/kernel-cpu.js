// A CPU of the kernel in kernel-worker.js: a module worker that runs guest
// threads on the kernel's shared RAM and address spaces (vmio's share and
// attach) and hands system calls and faults back to the kernel.
import { serveCpu } from "../../../build/kernel/core/index.js";

serveCpu({
  postMessage: (m) => postMessage(m),
  onMessage: (handler) => {
    onmessage = (e) => handler(e.data);
  },
});
