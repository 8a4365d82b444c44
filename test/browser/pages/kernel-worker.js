// A module worker that boots the teaching kernel and runs one program:
// the program's bytes are fetched, the kernel's in-memory file system holds
// them, and stdout, stderr and the exit status are posted back. With more
// than one CPU, the kernel starts CPU workers of its own (kernel-cpu.js)
// sharing its RAM. The kernel's core imports nothing from Node.
import { FileSystem, Kernel } from "../../../build/kernel/core/index.js";

function browserCpus(url) {
  return () => {
    const worker = new Worker(url, { type: "module" });
    return {
      postMessage: (m) => worker.postMessage(m),
      onMessage: (handler) => {
        worker.onmessage = (e) => handler(e.data);
        worker.onerror = (e) => handler({ kind: "error", cpu: -1, message: e.message || "a CPU worker failed" });
      },
      terminate: () => worker.terminate(),
    };
  };
}

async function runProgram({ program, bin, run, cpus, cpuWorker }) {
  const bytes = new Uint8Array(await (await fetch(bin)).arrayBuffer());
  const fs = new FileSystem();
  fs.addFile(program, bytes, 0o755);
  for (const [path, text] of Object.entries(run.files ?? {})) fs.addFile(path, new TextEncoder().encode(text), 0o644);
  const out = { 1: "", 2: "" };
  const decoders = { 1: new TextDecoder(), 2: new TextDecoder() };
  const sink = (stream) => (b) => (out[stream] += decoders[stream].decode(b, { stream: true }));
  const kernel = new Kernel({
    fs,
    cpus,
    startCpu: cpus > 1 ? browserCpus(cpuWorker) : undefined,
    stdout: sink(1),
    stderr: sink(2),
    stdin: new TextEncoder().encode(run.stdin ?? ""),
  });
  kernel.spawn(program, { args: run.args, env: Object.entries(run.env).map(([k, v]) => `${k}=${v}`), cwd: run.cwd ?? "/" });
  let exit;
  try {
    exit = await kernel.run();
  } finally {
    await kernel.close();
  }
  return { stdout: out[1], stderr: out[2], code: exit.code, instructions: kernel.sys.instructions(), sharedRam: kernel.memory.shared };
}

onmessage = ({ data }) => {
  runProgram(data).then(
    (ok) => postMessage({ ok }),
    (e) => postMessage({ error: String(e?.stack ?? e) }),
  );
};
