// The kernel as a host uses it: spawn errors, the exit of a killed program,
// the observer's events, input given later, a terminal's size, snapshots of
// processes and page tables, a deadlock reported instead of a hang, and
// CPU workers started and stopped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DeadlockError, Kernel, SpawnError } from "../../../kernel/core/kernel.js";
import { FileSystem } from "../../../kernel/fs/file-system.js";
import { builtinFileSystem } from "../../../kernel/host/builtin-fs.js";
import { nodeCpuFactory } from "../../../kernel/host/node-cpus.js";
import { PROT_EXEC, PROT_READ } from "../../../kernel/abi/mman.js";
import { dispatch } from "../../../kernel/syscall/dispatch.js";
import { SYSCALLS } from "../../../kernel/syscall/table.js";
import { NR, SCRATCH, harness } from "../support/syscall-harness.js";

function collect(): { sink: (b: Uint8Array) => void; text: () => string } {
  const parts: Uint8Array[] = [];
  return { sink: (b) => parts.push(b.slice()), text: () => new TextDecoder().decode(Buffer.concat(parts)) };
}

test("spawn refuses what execve would: a missing program (ENOENT), a directory (EACCES), a text file (ENOEXEC), a bad cwd", () => {
  const k = new Kernel({ fs: builtinFileSystem() });
  assert.throws(() => k.spawn("/bin/nope"), (e: unknown) => e instanceof SpawnError && e.errno === 2);
  assert.throws(() => k.spawn("/bin"), (e: unknown) => e instanceof SpawnError && e.errno === 13);
  k.fs.addFile("/tmp/text", new TextEncoder().encode("just text\n"), 0o755);
  assert.throws(() => k.spawn("/tmp/text"), (e: unknown) => e instanceof SpawnError && e.errno === 8);
  assert.throws(() => k.spawn("/bin/hello", { cwd: "/bin/hello" }), (e: unknown) => e instanceof SpawnError);
  assert.equal(k.sys.processes.size, 0, "nothing left behind");
  assert.rejects(new Kernel().run(), /spawn a program first/);
});

test("a #! script runs its interpreter with the script's path", async () => {
  const out = collect();
  const k = new Kernel({ fs: builtinFileSystem(), stdout: out.sink });
  k.fs.addFile("/tmp/script", new TextEncoder().encode("#!/bin/hello first\n"), 0o755);
  k.spawn("/tmp/script", { args: ["second"] });
  const r = await k.run();
  assert.equal(r.code, 0);
  assert.match(out.text(), /argv\[0\] = "\/bin\/hello"\nargv\[1\] = "first"\nargv\[2\] = "\/tmp\/script"\nargv\[3\] = "second"/);
});

test("a program killed by a signal: code 128 + signal, and the observer saw its life", async () => {
  const events: string[] = [];
  const k = new Kernel({
    fs: builtinFileSystem(),
    observer: {
      processCreated: (pid, ppid) => events.push(`created ${pid} by ${ppid}`),
      processExec: (pid, path) => events.push(`exec ${pid} ${path}`),
      processExited: (pid, status) => events.push(`exited ${pid} ${status}`),
      fault: (pid, e) => {
        if (e.resolution === "fatal") events.push(`fatal fault in ${pid}`);
      },
    },
  });
  k.spawn("/bin/sigfault", { args: ["--die", "segv"] });
  const r = await k.run();
  assert.deepEqual(r, { status: 11, code: 139, signal: 11 });
  assert.deepEqual(events, ["exec 1 /bin/sigfault", "created 1 by 0", "fatal fault in 1", "exited 1 11"]);
});

test("input given after the program started waiting is read; the terminal's size answers TIOCGWINSZ", { timeout: 60_000 }, async () => {
  const out = collect();
  let wanted = 0;
  // The input comes when the guest asks for it (not after a timer that a loaded machine may outrun): the lines
  // at its first wait, the end of file at its next.
  const answer = (): void => {
    if (wanted === 1) k.input(new TextEncoder().encode("one two\nthree\n"));
    else k.endInput();
  };
  const k = new Kernel({
    fs: builtinFileSystem(),
    stdout: out.sink,
    onInputWanted: () => {
      wanted++;
      setImmediate(answer);
    },
    terminal: { stdin: true, stdout: true, rows: 33, cols: 77 },
  });
  k.spawn("/bin/demo-wc");
  const r = await k.run();
  assert.equal(r.code, 0);
  assert.ok(wanted >= 2, `${wanted} waits for input`);
  assert.match(out.text(), /2 lines, 3 words, 14 bytes/);
});

test("a program waiting for something that can never come is a DeadlockError, not a hang", async () => {
  const h = harness();
  // The only thread waits on a futex word no one else can wake.
  h.t.hart.setReg(17, NR.futex);
  [SCRATCH, 128, 0, 0, 0, 0].forEach((v, i) => h.t.hart.setReg(10 + i, v));
  h.sys.scheduler.next();
  assert.equal(dispatch(h.sys, h.t, SYSCALLS), "blocked");
  await assert.rejects(h.kernel.run(), (e: unknown) => e instanceof DeadlockError);
});

test("without stdin and without onInputWanted, the guest's stdin is empty", async () => {
  const out = collect();
  const k = new Kernel({ fs: builtinFileSystem(), stdout: out.sink });
  k.spawn("/bin/demo-wc");
  assert.equal((await k.run()).code, 0);
  assert.match(out.text(), /0 lines, 0 words, 0 bytes/);
});

test("snapshots: processes, regions with mapped pages, the real PTEs of the text, frames by kind", async () => {
  const k = new Kernel({ fs: builtinFileSystem(), stdout: () => {} });
  k.spawn("/bin/hello");
  const before = k.inspect();
  assert.equal(before.processes.length, 1);
  const p = before.processes[0];
  assert.equal(p?.exe, "/bin/hello");
  const text = p?.regions.find((r) => r.prot === (PROT_READ | PROT_EXEC) && r.kind === "file" && r.name === "/bin/hello");
  assert.ok(text !== undefined);
  assert.equal(text.mapped, 0, "nothing touched before it runs");
  await k.run();
  const fs2 = new FileSystem();
  assert.ok(fs2.root !== undefined);
  const after = k.inspect();
  assert.ok(after.instructions > 1000);
  assert.ok(after.frames.peak > 0 && after.frames.total > after.frames.free);
  assert.equal(after.processes.length, 0, "the program and its process are gone");
});

test("page-table entries of a running program, read through cursors", () => {
  const k = new Kernel({ fs: builtinFileSystem() });
  k.spawn("/bin/hello");
  const as = k.sys.processes.get(1)?.mm.as;
  k.sys.activate(k.sys.processes.get(1)!.mm);
  as?.space.readBytes(0x10000, new Uint8Array(16));
  const pages = k.pages(1, 0x10000, 0x12000);
  assert.equal(pages.length, 1);
  assert.equal(pages[0]?.va, 0x10000);
  assert.equal(pages[0]?.refs, 1);
});

test("with 2 CPUs a program runs on workers and close() stops them", { timeout: 60_000 }, async () => {
  const out = collect();
  const k = new Kernel({ fs: builtinFileSystem(), cpus: 2, startCpu: nodeCpuFactory(), stdout: out.sink });
  k.spawn("/bin/hello", { args: ["smp"] });
  try {
    const r = await k.run();
    assert.equal(r.code, 0);
    assert.match(out.text(), /argv\[1\] = "smp"/);
  } finally {
    await k.close();
  }
  assert.throws(() => new Kernel({ cpus: 2 }), RangeError);
  assert.throws(() => new Kernel({ cpus: 0 }), RangeError);
});

test("betweenSlices runs after every slice and the kernel waits for the promise it returns; not with several CPUs", async () => {
  let calls = 0;
  let running = false;
  const seen: number[] = [];
  const k = new Kernel({
    fs: builtinFileSystem(),
    slice: 2_000,
    betweenSlices: async () => {
      assert.equal(running, false, "no two pauses at once: the kernel waited for the previous one");
      running = true;
      calls++;
      seen.push(k.sys.instructions());
      await new Promise((r) => setTimeout(r, 1));
      running = false;
    },
  });
  k.spawn("/bin/demo-cow");
  assert.equal((await k.run()).code, 0);
  // demo-cow retires about 180 000 instructions: at least one slice per 2 000 of them.
  assert.ok(calls >= k.sys.instructions() / 2_000, `${calls} calls`);
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b), "each call sees the guest further on");
  assert.throws(() => new Kernel({ cpus: 2, startCpu: nodeCpuFactory(), betweenSlices: () => {} }), RangeError);
});

test("snapshots list each region's present pages (frame, flags, references) and where the zero page is", async () => {
  const k = new Kernel({ fs: builtinFileSystem(), stdout: () => {} });
  k.spawn("/bin/demo-paging");
  let mid: ReturnType<Kernel["inspect"]> | undefined;
  const k2 = new Kernel({
    fs: builtinFileSystem(),
    stdout: () => {},
    slice: 500,
    betweenSlices: () => {
      const s = k2.inspect();
      // The moment the zero page is mapped somewhere, remember that snapshot.
      if (mid === undefined && s.frames.zeroPage !== undefined && s.processes.some((p) => p.regions.some((r) => r.pages.some((pg) => pg.paddr === s.frames.zeroPage)))) mid = s;
    },
  });
  k2.spawn("/bin/demo-paging");
  assert.equal((await k2.run()).code, 0);
  assert.ok(mid !== undefined, "the program read untouched memory: the zero page was mapped");
  for (const p of mid.processes) {
    for (const r of p.regions) {
      assert.equal(r.pages.length, r.mapped);
      let last = -1;
      for (const pg of r.pages) {
        assert.ok(pg.va >= r.start && pg.va < r.end && pg.va > last, "in the region, in address order");
        last = pg.va;
        assert.ok(pg.refs >= 1);
      }
    }
  }
  const zero = mid.processes.flatMap((p) => p.regions.flatMap((r) => r.pages)).filter((pg) => pg.paddr === mid?.frames.zeroPage);
  assert.ok(zero.every((pg) => (pg.flags & 2) === 0), "the zero page is mapped read-only");
  assert.ok(zero.every((pg) => pg.refs >= zero.length + 1), "every mapping and the kernel's own handle count");
  assert.equal(k.inspect().frames.zeroPage, undefined, "a kernel that has not run has no zero page yet");
});

test("snapshots walk each page table from RAM (vmio's walk agrees with the cursors' pages) and carry each space's TLB counters", async () => {
  type Snap = ReturnType<Kernel["inspect"]>;
  type Node = NonNullable<Snap["processes"][number]["pageTable"]>["root"];
  let forked: Snap | undefined;
  const k = new Kernel({
    fs: builtinFileSystem(),
    stdout: () => {},
    slice: 1_000,
    betweenSlices: () => {
      // The last moment both processes have their address spaces: each has run a while.
      const s = k.inspect();
      if (s.processes.length === 2 && s.processes.every((p) => p.pageTable !== undefined)) forked = s;
    },
  });
  k.spawn("/bin/demo-cow");
  assert.equal((await k.run()).code, 0);
  assert.ok(forked !== undefined);
  const nodes = (n: Node): Node[] => [n, ...n.entries.flatMap((e) => (e.child === undefined ? [] : nodes(e.child)))];
  const leaves = (n: Node): Array<[number, number]> => (n.level === 1 ? n.entries.map((e) => [e.va, e.paddr]) : n.entries.flatMap((e) => (e.child === undefined ? [] : leaves(e.child))));
  const user = new Set(forked.processes.flatMap((p) => p.regions.flatMap((r) => r.pages.map((pg) => pg.paddr))));
  const tables = new Set<number>();
  for (const p of forked.processes) {
    const pt = p.pageTable;
    assert.ok(pt !== undefined && p.tlb !== undefined);
    const all = nodes(pt.root);
    assert.equal(all.length, pt.nodes);
    assert.deepEqual(all.map((n) => n.entries.length), all.map((n) => n.present), "every present entry of every node is in the picture");
    assert.equal(pt.root.level, 4);
    for (const n of all) for (const e of n.entries) if (e.child !== undefined) assert.equal(e.child.level, n.level - 1, "each level one below its parent's");
    assert.deepEqual(
      leaves(pt.root),
      p.regions.flatMap((r) => r.pages.map((pg) => [pg.va, pg.paddr])),
      `pid ${p.pid}: the walk's pages are the cursors' pages, with the same frames`,
    );
    assert.equal(pt.pages, p.regions.reduce((n, r) => n + r.mapped, 0));
    for (const n of all) {
      assert.ok(!user.has(n.paddr) && !tables.has(n.paddr), "a node's frame is its own");
      tables.add(n.paddr);
    }
    assert.ok(p.tlb.hits > 0 && p.tlb.misses > 0, `pid ${p.pid}: ${JSON.stringify(p.tlb)}`);
  }
  assert.equal(forked.frames.pageTables, tables.size);
  assert.ok(forked.frames.pageTables <= forked.frames.kernel);
  const parent = forked.processes.find((p) => p.pid === 1);
  assert.ok((parent?.tlb?.shootdowns ?? 0) > 0, "fork write-protected the parent's pages: a shootdown");
});
