// Every system call in the table (and numbers it does not have), made by a
// hostile process through the syscall harness: random sequences with the
// arguments a program can choose to hurt a kernel — pointers into the
// scratch area, its last bytes, the unmapped hole after it, 0, kernel-half
// and non-canonical addresses, 2^64 − 1; fds that are open (a file, a pipe's
// two ends, a directory), closed, negative, AT_FDCWD, or that truncate to an
// open one as an int; huge lengths and counts; random flags — every
// register a full 64-bit value.
//
// Properties: no call throws in the host (dispatch lets only a kernel bug
// out); every result is what Linux's a0 can be — a value in [-4095, 2^63),
// and when negative an errno the kernel defines; and when the process and
// every child it made are torn down, every frame is free again
// (`usedFrames()` back to what it was before the spawn).
//
// Deliberately avoided: `exit` and `exit_group` (they end the harness's
// process: never generated), and `execve` of a good path (its path pointer
// is only ever a bad one: 0, the hole, kernel-half). Calls that would block
// — a futex wait on a matching value, `wait4` on a live child, a long
// `nanosleep`, a read of an empty pipe with a writer — cannot hang here: the
// harness wakes a sleeping call at once (and the result register is then
// left as it was, so it is not checked). A call that ends the process some
// other way (a signal it sent itself, a bad `rt_sigreturn` frame) ends the
// sequence there.
//
// Fixed seed; `VMIO_FUZZ_RUNS=N` runs N sequences instead.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Errno } from "../../../kernel/abi/errno.js";
import { markGroupExit } from "../../../kernel/proc/signals.js";
import { exitThread } from "../../../kernel/proc/exit.js";
import { SYSCALLS } from "../../../kernel/syscall/table.js";
import { HOLE, NR, SCRATCH, harness, type Harness } from "../support/syscall-harness.js";

const RUNS = Number(process.env["VMIO_FUZZ_RUNS"] ?? 0) || 0;
const SIGKILL = 9;
const ERRNOS = new Set<number>(Object.values(Errno));
const U64 = 2n ** 64n;
const S = BigInt(SCRATCH);
const H = BigInt(HOLE);

/** Every number the table has, but `exit` and `exit_group`. */
const NUMBERS = SYSCALLS.flatMap((h, nr) => (h === undefined || nr === NR.exit || nr === NR.exit_group ? [] : [nr]));
/** The call that sets a0 itself (from the signal frame) when it succeeds; execve does too, but its path is always bad here. */
const NR_RT_SIGRETURN = 139;

// The scratch area's prepared contents.
const PATHS_AT = 0; // NUL-terminated paths, 0x40 apart
const PATHS = ["/bin/hello", "/tmp/f", "/tmp", "..", "/tmp/dir", "", "/tmp/f/x", "/proc/self/exe", "/tmp/link"];
const PIPE_AT = 0x800;
const IOVECS_AT = 0x1000;
const BUF_AT = 0x2000;
const UNTERMINATED_LEN = 100; // "aaa…" up to the hole, no NUL

function prepare(h: Harness): void {
  PATHS.forEach((p, i) => h.str(SCRATCH + PATHS_AT + i * 0x40, p));
  h.poke(HOLE - UNTERMINATED_LEN, new Uint8Array(UNTERMINATED_LEN).fill(0x61));
  // iovecs: good, empty, crossing into the hole, 2^63 long, at a kernel-half address
  const iovs: [bigint, bigint][] = [[S + 0x2000n, 16n], [S + 0x2000n, 0n], [H - 8n, 16n], [S + 0x3000n, 2n ** 63n], [0xffff_ffc0_0000_0000n, 8n]];
  const b = new Uint8Array(iovs.length * 16);
  const dv = new DataView(b.buffer);
  iovs.forEach(([base, len], i) => {
    dv.setBigUint64(i * 16, base, true);
    dv.setBigUint64(i * 16 + 8, len, true);
  });
  h.poke(SCRATCH + IOVECS_AT, b);
  // fds: 3 a file, 4 and 5 a pipe, 6 a new file in /tmp, 7 /tmp itself; a directory and a symlink in /tmp
  const opened = [
    h.call(NR.openat, -100, SCRATCH + PATHS_AT, 0, 0),
    h.call(NR.pipe2, SCRATCH + PIPE_AT, 0),
    h.call(NR.openat, -100, SCRATCH + PATHS_AT + 0x40, 0x42, 0o644),
    h.call(NR.openat, -100, SCRATCH + PATHS_AT + 0x80, 0x10000, 0),
    h.call(NR.mkdirat, -100, SCRATCH + PATHS_AT + 4 * 0x40, 0o755),
    h.call(NR.symlinkat, SCRATCH + PATHS_AT + 0x40, -100, SCRATCH + PATHS_AT + 8 * 0x40),
  ];
  assert.deepEqual(opened, [3, 0, 6, 7, 0, 0], "the setup's calls");
}

const big = (lo: bigint, hi: bigint): fc.Arbitrary<bigint> => fc.bigInt({ min: lo, max: hi });

/** A pointer: prepared data, the scratch area's last bytes, the hole, 0, kernel-half, non-canonical, 2^64 − 1. */
const pointerArb = fc.oneof(
  { arbitrary: fc.constantFrom(...PATHS.map((_, i) => S + BigInt(PATHS_AT + i * 0x40)), S + BigInt(PIPE_AT), S + BigInt(IOVECS_AT), S + BigInt(IOVECS_AT + 16), S + BigInt(IOVECS_AT + 32), S + BigInt(BUF_AT), S + 1n), weight: 4 },
  { arbitrary: fc.constantFrom(H - BigInt(UNTERMINATED_LEN), H - 1n, H - 4n, H - 8n, H - 16n, H - 4096n, H, H + 8n), weight: 2 },
  { arbitrary: fc.constantFrom(0n, 8n, 4096n, 0xffff_ffc0_0000_0000n, 0x8000_0000_0000n, 0x7fff_ffff_f000n, 2n ** 63n, U64 - 1n, U64 - 4096n), weight: 2 },
  { arbitrary: big(S, H + 4096n), weight: 1 },
);
/** An fd: open ones (0–7), closed ones, negative, AT_FDCWD, ones that truncate to an open one as a C int, 2^31 − 1. */
const fdArb = fc.oneof(
  { arbitrary: fc.nat(10).map(BigInt), weight: 4 },
  { arbitrary: fc.constantFrom(U64 - 1n, U64 - 100n, 2n ** 32n + 3n, 2n ** 31n - 1n, 2n ** 31n, 1024n, U64 - 2n ** 31n), weight: 1 },
);
/** A length or count: small, page-sized, around 2^31, 2^32 and 2^63, 2^64 − 1. */
const lengthArb = fc.oneof(
  { arbitrary: fc.constantFrom(0n, 1n, 2n, 8n, 16n, 64n, 4096n, 65536n), weight: 3 },
  { arbitrary: fc.constantFrom(2n ** 31n - 1n, 2n ** 31n, 2n ** 32n, 2n ** 32n + 16n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 63n, U64 - 1n, U64 - 4096n), weight: 2 },
  { arbitrary: big(0n, 1n << 20n), weight: 1 },
);
/** Flags: small ones (most flag words), any 32 bits, any 64. */
const flagsArb = fc.oneof(
  { arbitrary: big(0n, 0x7fn), weight: 3 },
  { arbitrary: fc.constantFrom(0x42n, 0x10000n, 0x22n, 0x32n, 0x100n, 0x80000n, 0x200n, 0x1000n, 3n, 7n), weight: 2 },
  { arbitrary: big(0n, 2n ** 32n - 1n), weight: 1 },
  { arbitrary: big(0n, U64 - 1n), weight: 1 },
);
const argArb = fc.oneof({ arbitrary: pointerArb, weight: 3 }, { arbitrary: fdArb, weight: 2 }, { arbitrary: lengthArb, weight: 2 }, { arbitrary: flagsArb, weight: 2 });

interface SysCall {
  readonly nr: number;
  readonly args: bigint[];
}

const callArb: fc.Arbitrary<SysCall> = fc.record({
  nr: fc.oneof(
    { arbitrary: fc.constantFrom(...NUMBERS), weight: 12 },
    // numbers the table does not have, up to ones a7 cannot hold in 32 bits (-1 is 2^64 - 1 in a7)
    { arbitrary: fc.oneof(fc.nat(600), fc.constantFrom(-1, 2 ** 32 + 63, 2 ** 40)), weight: 1 },
  ),
  args: fc.array(argArb, { minLength: 6, maxLength: 6 }),
}).map(({ nr, args }) => (nr === NR.execve ? { nr, args: [[0n, H, 0xffff_ffc0_0000_0000n][Number(args[1]! % 3n)]!, ...args.slice(1)] } : { nr, args }));

/** Ends every process still alive (as the kernel's shutdown does), which frees what they held. */
function tearDown(h: Harness): void {
  const sys = h.sys;
  for (const p of [...sys.processes.values()]) {
    if (p.state !== "alive") continue;
    markGroupExit(sys, p, SIGKILL);
    for (const t of [...p.threads]) exitThread(sys, t, SIGKILL);
  }
}

function runSequence(calls: readonly SysCall[]): void {
  const h = harness();
  prepare(h);
  try {
    for (const { nr, args } of calls) {
      let r: bigint;
      try {
        r = h.callRaw(nr, args);
      } catch (e) {
        throw new Error(`system call ${nr}(${args.map((a) => `0x${a.toString(16)}`).join(", ")}) threw in the host: ${String(e)}`, { cause: e });
      }
      if (h.last === "dead" || h.t.state === "dead" || h.p.state !== "alive") break;
      // A call woken at once left a0 as it was; a successful rt_sigreturn set a0 from its frame.
      if (h.last === "blocked" || nr === NR_RT_SIGRETURN) continue;
      const what = `system call ${nr}(${args.map((a) => `0x${a.toString(16)}`).join(", ")}) = ${r}`;
      assert.ok(r >= -4095n, `${what}: below -4095, neither a result nor an errno`);
      if (r < 0n) assert.ok(ERRNOS.has(Number(-r)), `${what}: not an errno the kernel defines`);
    }
  } finally {
    tearDown(h);
  }
  assert.equal(h.kernel.memory.usedFrames(), h.framesBefore, "every frame is free once every process is gone");
}

test("every system call with hostile arguments: an errno or a result, never a host exception; every frame freed at the end", () => {
  fc.assert(
    fc.property(fc.array(callArb, { minLength: 1, maxLength: 60, size: "max" }), runSequence),
    { seed: 0x0f00_0003, numRuns: RUNS || 80, verbose: 1, includeErrorInReport: true },
  );
});
