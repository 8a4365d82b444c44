// Processes, signals, futexes, time and system information at unit level:
// ids, clone's flag rules, fork and wait4, rt_sigaction and rt_sigprocmask
// checks, kill's targets, futex mismatch and wake counts, clock and uname,
// getrandom's partial copies, prlimit64.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HOLE, NR, SCRATCH, harness } from "../support/syscall-harness.js";
import type { Thread } from "../../../kernel/proc/thread.js";

test("ids: getpid, gettid, getppid, set_tid_address returns the tid", () => {
  const h = harness();
  assert.equal(h.call(NR.getpid), 1);
  assert.equal(h.call(NR.gettid), 1);
  assert.equal(h.call(NR.getppid), 0);
  assert.equal(h.call(NR.set_tid_address, SCRATCH), 1);
  assert.equal(h.t.clearChildTid, SCRATCH);
});

test("clone: CLONE_THREAD without CLONE_SIGHAND, or CLONE_SIGHAND without CLONE_VM, and namespaces are EINVAL; wait4 without children ECHILD", () => {
  const h = harness();
  assert.equal(h.call(NR.clone, 0x10000, 0, 0, 0, 0), -22);
  assert.equal(h.call(NR.clone, 0x800, 0, 0, 0, 0), -22);
  assert.equal(h.call(NR.clone, 0x2000_0000 | 17, 0, 0, 0, 0), -22);
  assert.equal(h.call(NR.wait4, -1, 0, 0, 0), -10);
  assert.equal(h.call(NR.wait4, -1, 0, 0x100, 0), -22, "unknown options");
});

test("fork makes a copy-on-write child; wait4 answers 0 with WNOHANG while it lives, then its status, then ECHILD", () => {
  const h = harness();
  h.poke(SCRATCH, new Uint8Array([42]));
  const pid = h.call(NR.clone, 17, 0, 0, 0, 0);
  assert.equal(pid, 2);
  const child = h.sys.threads.get(pid) as Thread;
  assert.equal(child.hart.getReg(10), 0, "the child sees 0");
  assert.equal(h.call(NR.wait4, pid, SCRATCH + 8, 1, 0), 0);
  assert.equal(h.callAs(child, NR.getppid), 1);
  // The child writes its own copy of the page, then exits 7.
  h.sys.activate(child.process.mm);
  child.process.mm.as.space.writeBytes(SCRATCH, new Uint8Array([43]));
  assert.deepEqual([...h.peek(SCRATCH, 1)], [42], "the parent's page is untouched");
  h.sys.scheduler.remove(child);
  h.callAs(child, NR.exit_group, 7);
  assert.equal(child.state, "dead");
  assert.equal(h.call(NR.wait4, -1, SCRATCH + 8, 0, 0), pid);
  assert.equal(new Int32Array(h.peek(SCRATCH + 8, 4).buffer)[0], 7 << 8);
  assert.equal(h.call(NR.wait4, -1, SCRATCH + 8, 0, 0), -10);
});

test("wait4 with no zombie and no WNOHANG blocks on the parent's child queue", () => {
  const h = harness();
  const pid = h.call(NR.clone, 17, 0, 0, 0, 0);
  h.call(NR.wait4, pid, 0, 0, 0);
  assert.equal(h.last, "blocked");
});

test("rt_sigaction: sigset size, signal range and SIGKILL are checked; the old action comes back; rt_sigprocmask never blocks SIGKILL", () => {
  const h = harness();
  // Handler, SA_RESTART, a mask of SIGKILL (bit 8) and SIGUSR2 (bit 11).
  const act = new BigUint64Array([0x12345n, 0x1000_0000n, (1n << 8n) | (1n << 11n)]);
  h.poke(SCRATCH, new Uint8Array(act.buffer));
  assert.equal(h.call(NR.rt_sigaction, 10, SCRATCH, 0, 4), -22);
  assert.equal(h.call(NR.rt_sigaction, 65, SCRATCH, 0, 8), -22);
  assert.equal(h.call(NR.rt_sigaction, 9, SCRATCH, 0, 8), -22);
  assert.equal(h.call(NR.rt_sigaction, 10, HOLE, 0, 8), -14);
  assert.equal(h.call(NR.rt_sigaction, 10, SCRATCH, 0, 8), 0);
  assert.equal(h.call(NR.rt_sigaction, 10, 0, SCRATCH + 0x40, 8), 0);
  const old = new BigUint64Array(h.peek(SCRATCH + 0x40, 24).buffer);
  assert.equal(old[0], 0x12345n);
  assert.equal(old[1], 0x1000_0000n);
  assert.equal(old[2], 1n << 11n, "SIGKILL is dropped from the handler's mask");
  h.poke(SCRATCH + 0x80, new Uint8Array(new BigUint64Array([(1n << 8n) | (1n << 9n)]).buffer));
  assert.equal(h.call(NR.rt_sigprocmask, 0, SCRATCH + 0x80, 0, 8), 0);
  assert.equal(h.t.sigmask, 1n << 9n, "SIGKILL (bit 8) cannot be blocked, SIGUSR1 (bit 9) is");
  assert.equal(h.call(NR.rt_sigprocmask, 7, SCRATCH + 0x80, 0, 8), -22);
});

test("kill: signal 0 checks existence, an unknown pid is ESRCH, a bad signal EINVAL; an ignored signal is dropped", () => {
  const h = harness();
  assert.equal(h.call(NR.kill, 1, 0), 0);
  assert.equal(h.call(NR.kill, 99, 0), -3);
  assert.equal(h.call(NR.kill, 1, 65), -22);
  assert.equal(h.call(NR.kill, 1, 17), 0, "SIGCHLD: ignored by default");
  assert.equal(h.p.pending, 0n);
  assert.equal(h.call(NR.kill, 1, 10), 0);
  assert.equal(h.p.pending, 1n << 9n);
  assert.equal(h.call(NR.tgkill, 1, 55, 10), -3);
});

test("futex: a mismatched value is EAGAIN, a matching wait blocks, a wake counts the waiters it woke, misalignment is EINVAL", () => {
  const h = harness();
  h.poke(SCRATCH, new Uint8Array(new Int32Array([5]).buffer));
  assert.equal(h.call(NR.futex, SCRATCH, 0, 4, 0, 0, 0), -11);
  assert.equal(h.call(NR.futex, SCRATCH + 1, 0, 5, 0, 0, 0), -22);
  const tid = h.call(NR.clone, 0x10f00, SCRATCH + 0x1000, 0, 0, 0);
  const other = h.sys.threads.get(tid) as Thread;
  h.sys.scheduler.remove(other);
  h.callAs(other, NR.futex, SCRATCH, 128, 5, 0, 0, 0);
  assert.equal(h.last, "blocked");
  assert.equal(h.call(NR.futex, SCRATCH, 129, 10, 0, 0, 0), 1);
  assert.equal(h.call(NR.futex, SCRATCH, 129, 10, 0, 0, 0), 0);
  assert.equal(h.callAs(other, NR.futex, SCRATCH, 128, 5, 0, 0, 0), 0, "the retried wait returns 0 after the wake");
});

test("time and system: clock_gettime checks its clock and buffer, uname says Linux riscv64, getrandom copies exactly what fits", () => {
  const h = harness();
  assert.equal(h.call(NR.clock_gettime, 1, SCRATCH), 0);
  assert.equal(h.call(NR.clock_gettime, 99, SCRATCH), -22);
  assert.equal(h.call(NR.clock_gettime, 0, HOLE - 8), -14);
  assert.equal(h.call(NR.uname, SCRATCH), 0);
  const u = h.peek(SCRATCH, 390);
  const field = (i: number): string => new TextDecoder().decode(u.subarray(i * 65, u.indexOf(0, i * 65)));
  assert.equal(field(0), "Linux");
  assert.equal(field(4), "riscv64");
  assert.equal(h.call(NR.getrandom, HOLE - 10, 20, 0), 10);
  assert.equal(h.call(NR.getrandom, HOLE, 20, 0), -14);
  assert.equal(h.call(NR.getrandom, SCRATCH, 20, 8), -22);
  assert.equal(h.call(NR.getrandom, SCRATCH, 0, 0), 0);
  assert.equal(h.call(NR.sched_getaffinity, 0, 8, SCRATCH), 8);
  assert.equal(h.peek(SCRATCH, 1)[0], 1, "one CPU");
});

test("getrandom of more than 64 KiB fills it all with the default entropy (crypto.getRandomValues takes 64 KiB a call)", () => {
  // Found by test/kernel/syscall/hostile.property.test.ts: getrandom(buf, 2^64 - 1, 0) — clamped to 32 MiB, then
  // crypto.getRandomValues threw QuotaExceededError in the host.
  const h = harness();
  const n = 3 * 65536 + 5;
  h.call(NR.mmap, 0x6000_0000, 4 * 65536, 3, 0x32, -1, 0);
  assert.equal(h.call(NR.getrandom, 0x6000_0000, n, 0), n);
  const tail = h.peek(0x6000_0000 + n - 4096, 4096);
  assert.ok(tail.some((b) => b !== 0), "the last chunk was filled too");
  assert.equal(h.call(NR.getrandom, SCRATCH, -1, 0), HOLE - SCRATCH, "2^64 - 1 bytes: clamped, then copied up to the hole");
});

test("prlimit64: reads and sets limits, refuses soft above hard and unknown resources", () => {
  const h = harness();
  assert.equal(h.call(NR.prlimit64, 0, 7, 0, SCRATCH), 0);
  const cur = new BigUint64Array(h.peek(SCRATCH, 16).buffer);
  assert.equal(cur[0], 1024n);
  h.poke(SCRATCH + 0x20, new Uint8Array(new BigUint64Array([32n, 64n]).buffer));
  assert.equal(h.call(NR.prlimit64, 0, 7, SCRATCH + 0x20, 0), 0);
  assert.equal(h.p.limit(7), 32);
  h.poke(SCRATCH + 0x20, new Uint8Array(new BigUint64Array([65n, 64n]).buffer));
  assert.equal(h.call(NR.prlimit64, 0, 7, SCRATCH + 0x20, 0), -22);
  assert.equal(h.call(NR.prlimit64, 0, 99, 0, SCRATCH), -22);
  assert.equal(h.call(NR.prlimit64, 0, 7, HOLE, 0), -14);
});

test("clone with a stack or tls beyond 2^53 gives the child those exact 64 bits, not a host exception", () => {
  // Found by test/kernel/syscall/hostile.property.test.ts: clone(0, 0x8000000000000000, 0, 0, 0) threw the hart's
  // RangeError (the stack went through a number, and setReg takes safe integers).
  const h = harness();
  const CLONE_SETTLS = 0x80000;
  const SIGCHLD = 17;
  const sp = 2n ** 64n - 4096n - 8n;
  const tp = 2n ** 63n + 12345n;
  const pid = h.callRaw(NR.clone, [BigInt(SIGCHLD | CLONE_SETTLS), sp, 0n, tp, 0n]);
  assert.ok(pid > 1n, `clone returned ${pid}`);
  const child = h.sys.threads.get(Number(pid))!;
  assert.equal(BigInt.asUintN(64, child.hart.getRegBigInt(2)), sp, "sp, all 64 bits");
  assert.equal(BigInt.asUintN(64, child.hart.getRegBigInt(4)), tp, "tp, all 64 bits");
});
