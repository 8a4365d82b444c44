// The demo's list (shared by `npm start` and the inspector page) and the
// totals over its runs: counts add up, the frames' peak is the highest one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEMOS, DEMO_BINARIES, DemoTotals } from "../../../kernel/host/demo-programs.js";
import { guestBinDir } from "../../../kernel/host/builtin-fs.js";
import { KernelStats } from "../../../kernel/proc/kernel-stats.js";
import { PhysicalMemory } from "vmio";

test("every demo program and its helpers exist in the guest binaries", () => {
  assert.deepEqual(DEMOS.map((d) => d.program), ["/bin/demo-cow", "/bin/demo-paging", "/bin/demo-efault", "/bin/demo-pipe"]);
  for (const path of DEMO_BINARIES) assert.ok(existsSync(join(guestBinDir(), path.replace(/^\/bin\//, ""))), path);
});

test("totals add each kernel's counts and keep the highest peak", () => {
  const memory = new PhysicalMemory({ size: 1 << 20 });
  const a = new KernelStats(memory);
  const b = new KernelStats(memory);
  a.faults["cow-copy"] = 3;
  a.faults["demand-zero"] = 10;
  a.stackGrowth = 1;
  a.framesPeak = 40;
  a.processes = 2;
  a.syscalls = 7;
  b.faults["cow-copy"] = 4;
  b.faults.fatal = 1;
  b.stackGrowth = 2;
  b.framesPeak = 30;
  b.processes = 1;
  b.syscalls = 5;
  const t = new DemoTotals();
  t.add(a, 2_000_000, 1);
  t.add(b, 1_000_000, 2);
  const [instructions, faults, frames, processes] = t.lines();
  assert.equal(instructions, "instructions retired: 3,000,000 in 3.00 s (1.0 MIPS)");
  assert.match(faults ?? "", /^page faults: 10 demand-zero, .* 7 copy-on-write \(7 copied, 0 reused in place\), 1 fatal; the stack grew 3 times$/);
  assert.match(frames ?? "", /^frames in use at the peak: 40 /);
  assert.equal(processes, "processes created: 3; system calls: 12");
});
