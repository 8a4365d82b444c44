// The teaching kernel in the browser: for each case, a module worker boots
// the kernel (kernel-worker.js, bundled by the test: module workers do not
// see import maps) and runs one expected run of a guest program from
// kernel/guest/expected, with 1 CPU or with CPU workers of its own. The test
// reads `window.result` and compares with Linux's output.
const cases = [
  { name: "hello", run: 1, cpus: 1 },
  { name: "efault", run: 0, cpus: 1 },
  { name: "futex", run: 0, cpus: 2 },
];

function runInWorker(message) {
  return new Promise((resolve, reject) => {
    const worker = new Worker("/build/test/browser/pages/kernel-worker.js", { type: "module" });
    const timer = setTimeout(() => {
      worker.terminate();
      reject(new Error(`${message.program}: no answer from the kernel's worker in 60 s`));
    }, 60_000);
    worker.onmessage = ({ data }) => {
      clearTimeout(timer);
      worker.terminate();
      if (data.error !== undefined) reject(new Error(data.error));
      else resolve(data.ok);
    };
    worker.onerror = (e) => {
      clearTimeout(timer);
      worker.terminate();
      reject(new Error(e.message || "the kernel's worker failed to start"));
    };
    worker.postMessage(message);
  });
}

async function main() {
  const results = [];
  for (const c of cases) {
    const expected = await (await fetch(`/kernel/guest/expected/${c.name}.json`)).json();
    const run = expected.runs[c.run];
    const got = await runInWorker({
      program: expected.program,
      bin: `/kernel/guest/bin/${c.name}`,
      cpuWorker: "/build/test/browser/pages/kernel-cpu.js",
      cpus: c.cpus,
      run,
    });
    results.push({ name: c.name, cpus: c.cpus, got, expected: { stdout: run.stdout, stderr: run.stderr, exit: run.exit } });
  }
  return { isolated: crossOriginIsolated, results };
}

window.result = main();
