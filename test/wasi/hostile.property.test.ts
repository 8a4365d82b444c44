/**
 * Every `wasi_snapshot_preview1` import, called by a hostile guest: random
 * sequences of calls with the arguments a guest can choose to hurt a host —
 * pointers at and around 0 and the memory's end, `2^32 - 1` and negative
 * int32s, lengths that overflow when added to a pointer, fds freshly closed,
 * preopens and stdio, every flag and rights bit, paths that are not UTF-8,
 * hold a NUL, climb out with `..`, are absolute, loop through symlinks or
 * are too long, iovecs that alias the result pointer, `poll_oneoff` with 0
 * and 2^32 - 1 subscriptions — on both backends (an in-memory `MemoryDir`
 * and a real host directory), with a small memory that is sometimes shared
 * and sometimes grown between calls (growth detaches the old buffer).
 *
 * The contract (API.md, "`vmio/wasi`"): for any guest input a host function
 * returns an errno and never throws; a failed call changes nothing. A wasm
 * guest passes i32s as numbers and i64s as bigints, so those are what the
 * sequences pass. An argument of the wrong JS type (a bigint for an i32, a
 * number for an i64, NaN, a fraction, a string, an object with `valueOf`)
 * only a JavaScript caller can pass: each import takes it as a wasm function
 * of its signature would (the JS API's `ToWebAssemblyValue`), which the last
 * two tests check against a twin host called through a real wasm function:
 * the same answer or the same throw, the same valueOf calls, the same
 * effects — also when a valueOf acts on the host (closes fds, scribbles over
 * or grows memory), which must happen before the call looks at anything.
 *
 * Each host starts with the guest holding stdio (0–2), the preopen (3), a
 * file with every right (4), a directory (5) and a read-only appending file
 * (6); the fds the sequences pass are mostly 0–7, where these are.
 *
 * After each call: the answer is a WASI errno (or `proc_exit`'s `ProcExit`);
 * on an error guest memory is byte for byte what it was and the preopen's
 * tree is unchanged. After each run: nothing outside the preopen changed,
 * the host still answers known-good calls, and once every fd the guest holds
 * is closed the process holds no more host fds than before.
 *
 * Fixed seeds; `VMIO_FUZZ_RUNS=N` runs N sequences per property instead.
 * Deliberately avoided: a `poll_oneoff` whose clock subscriptions (read from
 * guest memory as the call would) sleep more than a few milliseconds — a
 * guest that asks to sleep for an hour gets its hour; this test does not
 * wait for it.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import fc from "fast-check";
import { MemoryDir, WASI } from "vmio/wasi";
import { ProcExit } from "../../src/wasi/context.js";
import { DIR_RIGHTS, Errno } from "../../src/wasi/abi.js";
import { Wasm, type WasmMemory } from "./suite/wasm.js";

type Fn = (...args: unknown[]) => unknown;

const RUNS = Number(process.env["VMIO_FUZZ_RUNS"] ?? 0) || 0;
const PAGE = 65536;

/** Every errno preview1 defines. */
const ERRNOS = new Set<number>(Object.values(Errno));

/**
 * The parameters of each preview1 import (witx), one letter each, so that
 * the hostile values are aimed: `f` an fd, `d` an fd that is likely a directory, `p`+`l` a path and its length,
 * `v`+`n` iovecs and their count, `s` subscriptions and `N` their count,
 * `b` a result or buffer pointer, `L` a length, `x` flags or an enum (i32),
 * `I` an i64, `R` an i64 rights mask. `I` and `R` are bigints, the rest
 * numbers. The names themselves come from the host; a name missing here
 * fails the test, and each import's arity is checked against its entry.
 */
const SIGNATURES: Readonly<Record<string, string>> = {
  args_get: "bb", args_sizes_get: "bb", environ_get: "bb", environ_sizes_get: "bb", clock_res_get: "xb", clock_time_get: "xIb",
  fd_advise: "fIIx", fd_allocate: "fII", fd_close: "f", fd_datasync: "f", fd_fdstat_get: "fb", fd_fdstat_set_flags: "fx",
  fd_fdstat_set_rights: "fRR", fd_filestat_get: "fb", fd_filestat_set_size: "fI", fd_filestat_set_times: "fIIx",
  fd_pread: "fvnIb", fd_prestat_get: "db", fd_prestat_dir_name: "dbL", fd_pwrite: "fvnIb", fd_read: "fvnb", fd_readdir: "dbLIb",
  fd_renumber: "ff", fd_seek: "fIxb", fd_sync: "f", fd_tell: "fb", fd_write: "fvnb",
  path_create_directory: "dpl", path_filestat_get: "dxplb", path_filestat_set_times: "dxplIIx", path_link: "dxpldpl",
  path_open: "dxplxRRxb", path_readlink: "dplbLb", path_remove_directory: "dpl", path_rename: "dpldpl", path_symlink: "pldpl",
  path_unlink_file: "dpl", poll_oneoff: "sbNb", proc_exit: "x", proc_raise: "x", sched_yield: "", random_get: "bL",
  sock_accept: "fxb", sock_recv: "fvnxbb", sock_send: "fvnxb", sock_shutdown: "fx",
};

// The guest memory's layout: prepared data the hostile pointers can land on.
const PATHS_AT = 0x100; // path strings, each at a fixed slot
const PATH_SLOT = 0x40;
const LONG_PATH_AT = 0x2000; // a 5,000-byte path (over PATH_MAX) and a 300-byte name
const IOVECS_AT = 0x4000; // iovecs pointing at BUF_AT, and one at the result area
const BUF_AT = 0x5000;
const SUBS_AT = 0x6000; // poll subscriptions: clocks of 0 and 1 ms, fd reads/writes
const RESULT_AT = 0x7000; // where results usually go

const PATHS: readonly (string | number[])[] = [
  "file.txt", "sub", "sub/inner.txt", "new", "new/deeper", ".", "..", "../outside/secret.txt", "/etc/passwd", "sub/../../x",
  "loop1", "loop2/x", "link-out", "link-out/secret.txt", "abs-link", "", "a\0b", [0xff, 0xfe, 0x41], [0xc0, 0xaf],
  "file.txt/", "sub/", "dangling", "./file.txt", "//", "new-link",
];
const pathAt = (i: number): number => PATHS_AT + i * PATH_SLOT;
const pathBytes = (p: string | number[]): Uint8Array => (typeof p === "string" ? new TextEncoder().encode(p) : new Uint8Array(p));

interface Setup {
  readonly backend: "memory" | "host";
  readonly shared: boolean;
}

interface Host {
  readonly fns: Record<string, Fn>;
  readonly memory: WasmMemory;
  /** The preopen's tree, as text (names, kinds, sizes, contents). */
  tree(): string;
  /** What lies outside the preopen, as text. */
  outside(): string;
  stdoutBytes(): number;
  dispose(): void;
}

function digest(bytes: Uint8Array): string {
  return createHash("sha1").update(bytes).digest("hex");
}

/** A listing of a host directory: every entry with its kind, size and content (files) or target (links). */
function hostTree(dir: string): string {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const full = path.join(d, name);
      const st = fs.lstatSync(full);
      if (st.isSymbolicLink()) out.push(`${rel}${name} -> ${fs.readlinkSync(full)}`);
      else if (st.isDirectory()) {
        out.push(`${rel}${name}/`);
        walk(full, `${rel}${name}/`);
      } else out.push(`${rel}${name} ${st.size} ${st.size < 1 << 20 ? digest(fs.readFileSync(full)) : "(large)"}`);
    }
  };
  walk(dir, "");
  return out.join("\n");
}

function memoryTree(dir: MemoryDir): string {
  const seen = (v: unknown): unknown => (v instanceof Uint8Array ? `${v.length} ${digest(v)}` : v);
  return JSON.stringify(dir.snapshot(), (_k, v: unknown) => seen(v));
}

function prepareMemory(memory: WasmMemory): void {
  const u8 = new Uint8Array(memory.buffer);
  const dv = new DataView(memory.buffer);
  PATHS.forEach((p, i) => u8.set(pathBytes(p), pathAt(i)));
  u8.fill(0x61, LONG_PATH_AT, LONG_PATH_AT + 5000); // "aaaa…": 5,000 bytes, and its first 300 a long name
  // iovecs: 4 good buffers, one at the result area (aliasing), one of 2^32 - 1 bytes, one ending at 2^32.
  const iovs: [number, number][] = [[BUF_AT, 16], [BUF_AT + 16, 0], [BUF_AT + 32, 100], [RESULT_AT, 8], [BUF_AT, 0xffff_ffff], [0xffff_fff0, 0x10]];
  iovs.forEach(([b, l], i) => {
    dv.setUint32(IOVECS_AT + i * 8, b, true);
    dv.setUint32(IOVECS_AT + i * 8 + 4, l, true);
  });
  u8.fill(0x42, BUF_AT, BUF_AT + 256);
  // subscriptions (48 bytes each): clock 0 ns, clock 1 ms (monotonic), fd_read 0, fd_write 1, fd_read 3, bad tag
  const sub = (i: number, tag: number, body: (at: number) => void): void => {
    const at = SUBS_AT + i * 48;
    dv.setBigUint64(at, BigInt(i + 1), true);
    dv.setUint8(at + 8, tag);
    body(at + 16);
  };
  sub(0, 0, (at) => { dv.setUint32(at, 1, true); dv.setBigUint64(at + 8, 0n, true); });
  sub(1, 0, (at) => { dv.setUint32(at, 1, true); dv.setBigUint64(at + 8, 1_000_000n, true); });
  sub(2, 1, (at) => dv.setUint32(at, 0, true));
  sub(3, 2, (at) => dv.setUint32(at, 1, true));
  sub(4, 1, (at) => dv.setUint32(at, 3, true));
  sub(5, 7, () => {});
}

let hostSerial = 0;

function makeHost(setup: Setup): Host {
  const memory = setup.shared
    ? new Wasm.Memory({ initial: 1, maximum: 3, shared: true })
    : new Wasm.Memory({ initial: 1, maximum: 3 });
  prepareMemory(memory);
  let out = 0;
  const stdout = (b: Uint8Array): void => void (out += b.length);
  const files = { "file.txt": "hello, world\n", sub: { "inner.txt": "inner" } };
  let wasi: WASI;
  let tree: () => string;
  let outside: () => string = () => "";
  let dispose: () => void = () => {};
  if (setup.backend === "memory") {
    const dir = new MemoryDir(files);
    wasi = new WASI({ args: ["prog", "arg"], env: { A: "1" }, preopens: { "/sandbox": dir }, stdin: new Uint8Array([1, 2, 3]), stdout, stderr: stdout });
    tree = () => memoryTree(dir);
  } else {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `vmio-hostile-${process.pid}-${hostSerial++}-`));
    const pre = path.join(root, "pre");
    const outDir = path.join(root, "outside");
    fs.mkdirSync(path.join(pre, "sub"), { recursive: true });
    fs.mkdirSync(outDir);
    fs.writeFileSync(path.join(pre, "file.txt"), files["file.txt"]);
    fs.writeFileSync(path.join(pre, "sub", "inner.txt"), files.sub["inner.txt"]);
    fs.writeFileSync(path.join(outDir, "secret.txt"), "secret");
    fs.symlinkSync("loop2", path.join(pre, "loop1"));
    fs.symlinkSync("loop1", path.join(pre, "loop2"));
    fs.symlinkSync("../outside", path.join(pre, "link-out"));
    fs.symlinkSync(outDir, path.join(pre, "abs-link"));
    fs.symlinkSync("nowhere", path.join(pre, "dangling"));
    wasi = new WASI({ args: ["prog", "arg"], env: { A: "1" }, preopens: { "/sandbox": pre }, stdin: new Uint8Array([1, 2, 3]), stdout, stderr: stdout });
    tree = () => hostTree(pre);
    outside = () => hostTree(outDir) + "|" + fs.readdirSync(root).sort().join(",");
    dispose = () => fs.rmSync(root, { recursive: true, force: true });
  }
  wasi.initialize({ exports: { memory } });
  const fns = wasi.getImportObject().wasi_snapshot_preview1 as unknown as Record<string, Fn>;
  // The guest has opened a few things: fd 4 file.txt with every right, fd 5 the directory sub, fd 6 sub/inner.txt read-only, appending.
  const all = (1n << 30n) - 1n;
  const opened = [
    fns["path_open"]!(3, 0, pathAt(0), 8, 0, all, all, 0, RESULT_AT),
    fns["path_open"]!(3, 0, pathAt(1), 3, 2, BigInt(DIR_RIGHTS), all, 0, RESULT_AT),
    fns["path_open"]!(3, 0, pathAt(2), 13, 0, 2n, 0n, 1, RESULT_AT),
  ];
  assert.deepEqual(opened, [0, 0, 0], "the setup's opens");
  return {
    fns,
    memory, tree, outside, dispose,
    stdoutBytes: () => out,
  };
}

function openHostFds(): number {
  return fs.readdirSync("/proc/self/fd").length;
}

// ---- hostile arguments ----

/** An i32 a hostile guest passes: a number, as wasm hands JS an i32 (signed). */
function i32Arb(): fc.Arbitrary<number> {
  const signed = (u: number): number => u | 0;
  return fc.oneof(
    fc.constantFrom(0, 1, 2, 3, 4, 5, 8, 16, 31, 64, 255, 1000, 4095, 4096),
    fc.constantFrom(-1, -2, -8, -100, 0x7fff_ffff, -0x8000_0000, signed(0xffff_fff0), signed(0xffff_fff8)),
    // at and around the memory's end (1 page, or more once grown)
    fc.constantFrom(PAGE - 1, PAGE - 4, PAGE - 8, PAGE - 24, PAGE - 64, PAGE, PAGE + 1, PAGE + 8, 2 * PAGE - 8, 2 * PAGE, 3 * PAGE - 8, 3 * PAGE),
    // prepared data: paths, iovecs, buffers, subscriptions, results
    fc.nat(PATHS.length - 1).map(pathAt),
    fc.constantFrom(LONG_PATH_AT, IOVECS_AT, IOVECS_AT + 8, IOVECS_AT + 24, IOVECS_AT + 32, BUF_AT, SUBS_AT, SUBS_AT + 48, SUBS_AT + 96, RESULT_AT, RESULT_AT + 1, RESULT_AT + 4),
    // path lengths
    fc.constantFrom(...PATHS.map((p) => pathBytes(p).length), 300, 4095, 4096, 5000),
    // flags, rights-ish masks, whence, clock ids, fds
    fc.integer({ min: 0, max: 64 }),
    fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
  );
}

/** An i64 a hostile guest passes: a bigint (wasm hands JS an i64 as a signed bigint; a host may pass an unsigned one). */
function i64Arb(): fc.Arbitrary<bigint> {
  return fc.oneof(
    fc.constantFrom(0n, 1n, 2n, 5n, 8n, 100n, 4096n, -1n, -2n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 32n, 2n ** 31n, 1n << 40n),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    // Sizes and offsets a file can have. Not up to the in-memory backend's 2 GiB: a guest may make a file that
    // large (its allocation failing is NOSPC), but checking each call's effect would copy it every time.
    fc.bigInt({ min: 0n, max: 1n << 20n }),
  );
}

/** An fd: stdio, the preopen (3), what the guest opened since, freshly closed ones, and nonsense. */
function fdArb(): fc.Arbitrary<number> {
  return fc.oneof({ arbitrary: fc.nat(7), weight: 6 }, { arbitrary: fc.nat(12), weight: 2 }, { arbitrary: fc.constantFrom(-1, 63, 64, 1000, 0x7fff_ffff, -0x8000_0000), weight: 1 }, { arbitrary: i32Arb(), weight: 1 });
}

/** A result or buffer pointer: the result area (aligned or not), prepared data it would overwrite (aliasing), or hostile. */
function ptrArb(): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(RESULT_AT, RESULT_AT + 8, RESULT_AT + 64, BUF_AT, BUF_AT + 128), weight: 4 },
    { arbitrary: fc.constantFrom(RESULT_AT + 1, RESULT_AT + 2, RESULT_AT + 4, IOVECS_AT, IOVECS_AT + 4, SUBS_AT, pathAt(0)), weight: 1 },
    { arbitrary: i32Arb(), weight: 2 },
  );
}

function lenArb(): fc.Arbitrary<number> {
  return fc.oneof({ arbitrary: fc.constantFrom(0, 1, 7, 8, 16, 24, 64, 256, 4096, PAGE), weight: 3 }, { arbitrary: i32Arb(), weight: 1 });
}

function flagsArb(): fc.Arbitrary<number> {
  return fc.oneof({ arbitrary: fc.nat(16), weight: 3 }, { arbitrary: fc.nat(0xffff), weight: 1 }, { arbitrary: i32Arb(), weight: 1 });
}

function rightsArb(): fc.Arbitrary<bigint> {
  return fc.oneof(
    { arbitrary: fc.constantFrom((1n << 30n) - 1n, 0n, 2n, 64n, 2n | 64n | 4n), weight: 2 },
    { arbitrary: fc.bigInt({ min: 0n, max: (1n << 30n) - 1n }), weight: 2 },
    { arbitrary: i64Arb(), weight: 1 },
  );
}

/** A path and its length: a prepared path (good, `..`, absolute, a loop, not UTF-8, a NUL…), the long ones, or hostile. */
function pathArgsArb(): fc.Arbitrary<[number, number]> {
  return fc.oneof(
    { arbitrary: fc.nat(PATHS.length - 1).map((i): [number, number] => [pathAt(i), pathBytes(PATHS[i]!).length]), weight: 8 },
    { arbitrary: fc.constantFrom(300, 4095, 4096, 5000).map((n): [number, number] => [LONG_PATH_AT, n]), weight: 1 },
    { arbitrary: fc.tuple(i32Arb(), i32Arb()), weight: 1 },
  );
}

/** Iovecs and their count: runs of the prepared ones (good, empty, aliasing the result, 2^32 - 1 long, ending at 2^32), or hostile. */
function iovArgsArb(): fc.Arbitrary<[number, number]> {
  return fc.oneof(
    { arbitrary: fc.tuple(fc.nat(5).map((k) => IOVECS_AT + 8 * k), fc.nat(6)), weight: 4 },
    { arbitrary: fc.tuple(i32Arb(), i32Arb()), weight: 1 },
  );
}

/** Subscriptions: runs of the prepared ones, zeros, or hostile. */
function subsArb(): fc.Arbitrary<number> {
  return fc.oneof({ arbitrary: fc.nat(5).map((k) => SUBS_AT + 48 * k), weight: 4 }, { arbitrary: i32Arb(), weight: 1 });
}

/** A subscription count: a few, 0, 2^32 - 1, 2^31 - 1, or hostile. */
function subCountArb(): fc.Arbitrary<number> {
  return fc.oneof({ arbitrary: fc.nat(6), weight: 4 }, { arbitrary: fc.constantFrom(0, -1, 0x7fff_ffff, 1366), weight: 1 }, { arbitrary: i32Arb(), weight: 1 });
}

/** The arguments for a signature (see {@link SIGNATURES}). */
function argsArb(sig: string): fc.Arbitrary<(number | bigint)[]> {
  const parts: fc.Arbitrary<(number | bigint)[]>[] = [];
  for (let i = 0; i < sig.length; i++) {
    const c = sig[i]!;
    const one = (a: fc.Arbitrary<number | bigint>): void => void parts.push(a.map((v) => [v]));
    if (c === "p" || c === "v") {
      parts.push(c === "p" ? pathArgsArb() : iovArgsArb());
      i++; // its length or count came with it
    } else if (c === "f") one(fdArb());
    else if (c === "d") one(fc.oneof({ arbitrary: fc.constantFrom(3, 5), weight: 3 }, { arbitrary: fdArb(), weight: 1 }));
    else if (c === "b") one(ptrArb());
    else if (c === "s") one(subsArb());
    else if (c === "N") one(subCountArb());
    else if (c === "L") one(lenArb());
    else if (c === "x") one(flagsArb());
    else if (c === "I") one(i64Arb());
    else if (c === "R") one(rightsArb());
    else throw new Error(`signature letter ${c}`);
  }
  return parts.length === 0 ? fc.constant([]) : fc.tuple(...parts).map((ps) => ps.flat());
}

interface CallSpec {
  readonly name: string;
  readonly args: (number | bigint)[];
  /** Between calls: grow memory by a page first. */
  readonly grow: boolean;
}

function callArb(names: readonly string[]): fc.Arbitrary<CallSpec> {
  return fc.constantFrom(...names).chain((name) =>
    fc.record({
      name: fc.constant(name),
      args: argsArb(SIGNATURES[name]!),
      grow: fc.nat(9).map((n) => n === 0), // one call in ten grows memory first
    }),
  );
}

/**
 * Whether a `poll_oneoff(in, _, n, _)` would sleep for more than a few
 * milliseconds: it reads the subscriptions as the call would and looks for
 * a clock with an absolute time or a relative one over 5 ms (and no fd
 * subscription that would answer at once). Those calls are skipped.
 */
function pollWouldSleep(memory: WasmMemory, inPtr: number, n: number): boolean {
  const start = inPtr >>> 0;
  const count = n >>> 0;
  const len = memory.buffer.byteLength;
  if (count === 0 || count * 48 > len || start + count * 48 > len || start % 8 !== 0) return false;
  const dv = new DataView(memory.buffer);
  let clockTooLong = false;
  for (let i = 0; i < count; i++) {
    const at = start + i * 48;
    const tag = dv.getUint8(at + 8);
    if (tag === 1 || tag === 2) return false;
    if (tag !== 0) return false;
    const flags = dv.getUint16(at + 16 + 24, true);
    const timeout = dv.getBigUint64(at + 16 + 8, true);
    if ((flags & 1) !== 0 || timeout > 5_000_000n) clockTooLong = true;
  }
  return clockTooLong;
}

/** The answer of one call: an errno, `exit` for `ProcExit`, or what escaped. */
function callOnce(h: Host, c: CallSpec): { errno: number } | { exit: number } {
  const fn = h.fns[c.name]!;
  let r: unknown;
  try {
    r = fn(...c.args);
  } catch (e) {
    if (c.name === "proc_exit" && e instanceof ProcExit) return { exit: e.code };
    throw new Error(`${c.name}(${c.args.map(String).join(", ")}) threw ${String(e)}`, { cause: e });
  }
  if (typeof r !== "number" || !ERRNOS.has(r)) throw new Error(`${c.name}(${c.args.map(String).join(", ")}) returned ${String(r)}, not a WASI errno`);
  return { errno: r };
}

/** Closes every fd the guest holds (what `start()` does when `_start` ends). */
function closeAll(h: Host): void {
  for (let fd = 0; fd < 64; fd++) h.fns["fd_close"]!(fd);
}

function runSequence(setup: Setup, calls: readonly CallSpec[]): void {
  const fdsBefore = openHostFds();
  const h = makeHost(setup);
  try {
    const outside0 = h.outside();
    for (const c of calls) {
      if (c.grow && h.memory.buffer.byteLength < 3 * PAGE) h.memory.grow(1);
      if (c.name === "poll_oneoff" && pollWouldSleep(h.memory, c.args[0] as number, c.args[2] as number)) continue;
      const memBefore = new Uint8Array(h.memory.buffer).slice();
      const tree0 = h.tree();
      const out0 = h.stdoutBytes();
      const r = callOnce(h, c);
      if ("exit" in r) {
        assert.equal(r.exit, (c.args[0] as number) >>> 0, "proc_exit carries its code");
        continue;
      }
      if (r.errno !== Errno.SUCCESS) {
        const what = `${c.name}(${c.args.map(String).join(", ")}) = errno ${r.errno}`;
        const memAfter = new Uint8Array(h.memory.buffer);
        assert.ok(Buffer.compare(memBefore, memAfter.subarray(0, memBefore.length)) === 0, `${what} changed guest memory`);
        assert.equal(h.tree(), tree0, `${what} changed the preopen`);
        assert.equal(h.stdoutBytes(), out0, `${what} wrote output`);
      }
    }
    assert.equal(h.outside(), outside0, "nothing outside the preopen changed");
    // The host still works: calls that need no fd, and a fresh open of a known file if the preopen is still fd 3.
    const f = h.fns;
    prepareMemory(h.memory); // the sequence may have overwritten the prepared paths
    assert.equal(f["random_get"]!(RESULT_AT, 16), Errno.SUCCESS);
    assert.equal(f["args_sizes_get"]!(RESULT_AT, RESULT_AT + 4), Errno.SUCCESS);
    assert.equal(new DataView(h.memory.buffer).getUint32(RESULT_AT, true), 2);
    assert.equal(f["clock_time_get"]!(1, 0n, RESULT_AT), Errno.SUCCESS);
    if (f["fd_prestat_get"]!(3, RESULT_AT) === Errno.SUCCESS) {
      const e = f["path_open"]!(3, 0, pathAt(1), 3, 2, 0n, 0n, 0, RESULT_AT);
      const fine: number[] = [Errno.SUCCESS, Errno.NOENT, Errno.NOTDIR, Errno.NOTCAPABLE]; // the guest may have removed sub, or dropped fd 3's rights
      assert.ok(fine.includes(e as number), `path_open of a fresh name after the sequence: ${String(e)}`);
    }
  } finally {
    closeAll(h);
    h.dispose();
  }
  assert.ok(openHostFds() <= fdsBefore, `host fds leaked: ${fdsBefore} before, ${openHostFds()} after closing every guest fd`);
}

// ---- arguments of the wrong JS type ----

const TWO32 = 2 ** 32;
const TWO64 = 2n ** 64n;

/**
 * What a valueOf can do to its host before the call reads anything: nothing,
 * a re-entrant call (closing fd 4), scribbling over the prepared paths and
 * iovecs, or growing memory (which detaches the buffer).
 */
const EFFECTS: readonly ((h: Host) => void)[] = [
  () => {},
  (h) => void h.fns["fd_close"]!(4),
  (h) => {
    new Uint8Array(h.memory.buffer).fill(0, PATHS_AT, pathAt(PATHS.length));
    new Uint8Array(h.memory.buffer).fill(0xff, IOVECS_AT, IOVECS_AT + 48);
    new Uint8Array(h.memory.buffer).fill(0x77, SUBS_AT, SUBS_AT + 6 * 48);
  },
  (h) => void (h.memory.buffer.byteLength < 3 * PAGE && h.memory.grow(1)),
  (h) => {
    for (let fd = 0; fd < 12; fd++) h.fns["fd_close"]!(fd);
  },
];

const WRONG_KINDS = 16;
/** The kinds of {@link wrongValue} that are objects converting to the value they replace. */
const OBJECT_KINDS = [9, 11, 14];

/**
 * A value wasm cannot pass where `o` (an i32 as a number or an i64 as a
 * bigint) was, most of them converting back to `o` or near it so the call
 * still does something: `o` shifted by 2^32 or 2^64, a fraction, its
 * string, NaN/±Infinity/undefined/null/booleans/symbols, the other numeric
 * type, objects whose `valueOf` or `Symbol.toPrimitive` (which runs
 * `effect`, and counts with `count`) answers `o` or the wrong type.
 */
function wrongValue(o: number | bigint, kind: number, effect: () => void, count: () => void): unknown {
  const prim = (v: unknown) => () => {
    count();
    effect();
    return v;
  };
  if (typeof o === "number") {
    switch (kind) {
      case 0: return o + TWO32;
      case 1: return o - TWO32 * 3;
      case 2: return o + (o < 0 ? -0.75 : 0.75);
      case 3: return ` ${o} `;
      case 4: return [NaN, Infinity, -Infinity][Math.abs(o) % 3];
      case 5: return [undefined, null, true, false][Math.abs(o) % 4];
      case 6: return ["", "abc", "0x10", "1e3", "-0"][Math.abs(o) % 5];
      case 7: return BigInt(o);
      case 8: return Symbol("i32");
      case 9: return { valueOf: prim(o) };
      case 10: return { valueOf: prim(BigInt(o)) };
      case 11: return { [Symbol.toPrimitive]: prim(String(o)) };
      case 12: return [o];
      case 13: return o + 2 ** 40 + 0.5;
      case 14: return Object.assign(Object.create(null) as object, { toString: prim(o) });
      default: return o === 0 ? -0 : o + 2 ** 53;
    }
  }
  switch (kind) {
    case 0: return o + TWO64;
    case 1: return o - TWO64 * 2n;
    case 2: return Number(o);
    case 3: return String(o);
    case 4: return o >= 0n ? `0x${o.toString(16)}` : "1.5";
    case 5: return [undefined, null, true, false][Number(BigInt.asUintN(2, o))];
    case 6: return ["", "abc", " 12 ", "1e3"][Number(BigInt.asUintN(2, o))];
    case 7: return Number(BigInt.asIntN(32, o));
    case 8: return Symbol("i64");
    case 9: return { valueOf: prim(o) };
    case 10: return { valueOf: prim(Number(BigInt.asIntN(32, o))) };
    case 11: return { [Symbol.toPrimitive]: prim(String(o)) };
    case 12: return Object(o);
    case 13: return NaN;
    case 14: return Object.assign(Object.create(null) as object, { toString: prim(String(o)) });
    default: return o + TWO64 * 5n;
  }
}

function show(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "symbol" || typeof v === "number") return String(v);
  if (typeof v === "object" && v !== null) return Array.isArray(v) ? `[${v.map(show).join(", ")}]` : "{valueOf…}";
  return String(v);
}

/** The JS API's `ToPrimitive(v, number)` (ECMAScript 7.1.1), written out as the reference. */
function toPrimitive(v: unknown): unknown {
  if ((typeof v !== "object" && typeof v !== "function") || v === null) return v;
  const o = v as Record<string | symbol, unknown>;
  const exotic = o[Symbol.toPrimitive];
  if (exotic !== undefined && exotic !== null) {
    if (typeof exotic !== "function") throw new TypeError("@@toPrimitive is not callable");
    const r: unknown = exotic.call(v, "number");
    if ((typeof r === "object" && r !== null) || typeof r === "function") throw new TypeError("@@toPrimitive returned an object");
    return r;
  }
  for (const m of ["valueOf", "toString"]) {
    const f = o[m];
    if (typeof f === "function") {
      const r: unknown = f.call(v);
      if ((typeof r !== "object" || r === null) && typeof r !== "function") return r;
    }
  }
  throw new TypeError("no primitive value");
}

/** `ToInt32(v)` as `ToWebAssemblyValue` takes an i32: `ToNumber` (a bigint or a symbol is a TypeError), then modulo 2^32, signed. */
function toI32(v: unknown): number {
  const p = toPrimitive(v);
  if (typeof p === "bigint" || typeof p === "symbol") throw new TypeError("not a Number");
  const n = Number(p);
  if (!Number.isFinite(n)) return 0;
  const m = ((Math.trunc(n) % TWO32) + TWO32) % TWO32;
  return (m >= 2 ** 31 ? m - TWO32 : m) + 0;
}

/** `ToBigInt64(v)`: `ToBigInt` (a number, undefined, null or a symbol is a TypeError; a bad string a SyntaxError), then modulo 2^64, signed. */
function toI64(v: unknown): bigint {
  const p = toPrimitive(v);
  switch (typeof p) {
    case "bigint": return BigInt.asIntN(64, p);
    case "boolean": return p ? 1n : 0n;
    case "string": return BigInt.asIntN(64, BigInt(p)); // StringToBigInt: a SyntaxError if it is not an integer
    default: throw new TypeError(`cannot convert ${typeof p} to a BigInt`);
  }
}

/** The reference: every argument in order, as `ToWebAssemblyValue` takes it for the signature. */
function toWasmValues(sig: string, args: readonly unknown[]): (number | bigint)[] {
  return args.map((v, i) => (sig[i] === "I" || sig[i] === "R" ? toI64(v) : toI32(v)));
}

/**
 * A wasm function of the import's witx signature (`proc_exit` returns
 * nothing, the rest an errno) that calls `target` with its parameters:
 * calling it from JS puts each argument through the JS API's conversion.
 */
function trampoline(name: string, sig: string, target: (...xs: unknown[]) => unknown): (...args: unknown[]) => unknown {
  let module = trampolines.get(name);
  if (module === undefined) trampolines.set(name, (module = new Wasm.Module(trampolineBytes(name, sig))));
  return new Wasm.Instance(module, { m: { f: target } }).exports["f"] as (...args: unknown[]) => unknown;
}
const trampolines = new Map<string, object>();

function trampolineBytes(name: string, sig: string): Uint8Array {
  const params = Array.from(sig, (c) => (c === "I" || c === "R" ? 0x7e : 0x7f));
  const results = name === "proc_exit" ? [] : [0x7f];
  const section = (id: number, body: number[]): number[] => [id, body.length, ...body];
  const str = (s: string): number[] => [s.length, ...Array.from(s, (ch) => ch.charCodeAt(0))];
  const body = [0, ...params.flatMap((_, i) => [0x20, i]), 0x10, 0, 0x0b]; // no locals; local.get each; call 0; end
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, params.length, ...params, results.length, ...results]),
    ...section(2, [1, ...str("m"), ...str("f"), 0x00, 0]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str("f"), 0x00, 1]),
    ...section(10, [1, body.length, ...body]),
  ]);
}

/** A call's outcome, comparable across the twins: what it returned, `proc_exit`'s code, or the class of what it threw. */
function outcome(call: () => unknown): { returned: unknown } | { exit: number } | { threw: string } {
  try {
    const r = call();
    return { returned: r === undefined ? undefined : r };
  } catch (e) {
    if (e instanceof ProcExit) return { exit: e.code };
    assert.ok(e instanceof TypeError || e instanceof SyntaxError, `threw ${String(e)}`);
    return { threw: e.constructor.name };
  }
}

/**
 * The byte ranges a call fills with what differs between twin hosts even
 * when it does the same: random bytes, the time, a `filestat`'s `dev` (one
 * per `MemoryDir`) and its three times.
 */
function nondeterministic(name: string, args: readonly (number | bigint)[]): [number, number][] {
  const u = (i: number): number => (args[i] as number) >>> 0;
  switch (name) {
    case "random_get": return [[u(0), u(1)]];
    case "clock_time_get": return [[u(2), 8]];
    case "fd_filestat_get": return [[u(1), 8], [u(1) + 40, 24]];
    case "path_filestat_get": return [[u(4), 8], [u(4) + 40, 24]];
    default: return [];
  }
}

function masked(memory: WasmMemory, mask: readonly [number, number][]): Uint8Array {
  const bytes = new Uint8Array(memory.buffer).slice();
  for (const [at, len] of mask) bytes.fill(0, Math.min(at, bytes.length), Math.min(at + len, bytes.length));
  return bytes;
}

/** Each fd's status and offset, as the guest would see them (this writes to the result area: compare memory first). */
function fdState(h: Host): string {
  const out: string[] = [];
  const dv = (): DataView => new DataView(h.memory.buffer);
  for (let fd = 0; fd < 12; fd++) {
    const stat = h.fns["fd_fdstat_get"]!(fd, RESULT_AT);
    const s = stat === Errno.SUCCESS ? `${dv().getUint16(RESULT_AT + 2, true)}/${dv().getBigUint64(RESULT_AT + 8, true)}/${dv().getBigUint64(RESULT_AT + 16, true)}` : "";
    const tell = h.fns["fd_tell"]!(fd, RESULT_AT);
    out.push(`${fd}:${String(stat)}:${s}:${String(tell)}:${tell === Errno.SUCCESS ? dv().getBigUint64(RESULT_AT, true) : ""}`);
  }
  return out.join(" ");
}

/**
 * Calls `name` on a fresh host with `args`, each position `wrong[i]` given
 * replaced by a value of the wrong JS type ({@link wrongValue}, its valueOf
 * doing `EFFECTS[effect]` to that host), and on a twin host through a wasm
 * function of the import's signature with the same values (their valueOf
 * acting on the twin): the answer, the valueOf calls, guest memory (but for
 * what differs between hosts anyway), the preopen, the output and the fds
 * must be the same. Also checks the test's reference model of the
 * conversion against what wasm passed on.
 */
function checkTwin(shared: boolean, name: string, args: readonly (number | bigint)[], wrong: readonly ({ kind: number; effect: number } | undefined)[]): void {
  const sig = SIGNATURES[name]!;
  const wrongArgs = (h: Host | undefined, counts: number[]): unknown[] =>
    args.map((o, i) => {
      const w = wrong[i];
      if (w === undefined) return o;
      return wrongValue(o, w.kind, h === undefined ? () => {} : () => EFFECTS[w.effect]!(h), () => counts[i]!++);
    });
  // What wasm would pass on, by the reference model; skipped as the sequences skip them: polls that would sleep.
  let coerced: (number | bigint)[] | undefined;
  try {
    coerced = toWasmValues(sig, wrongArgs(undefined, args.map(() => 0)));
  } catch {
    coerced = undefined;
  }
  const a = makeHost({ backend: "memory", shared });
  const b = makeHost({ backend: "memory", shared });
  if (name === "poll_oneoff" && coerced !== undefined && pollWouldSleep(b.memory, coerced[0] as number, coerced[2] as number)) return;
  let received: unknown[] | undefined;
  const viaWasm = trampoline(name, sig, (...xs: unknown[]) => {
    received = xs;
    return b.fns[name]!(...xs);
  });
  const countsA = args.map(() => 0);
  const countsB = args.map(() => 0);
  const argsA = wrongArgs(a, countsA);
  const argsB = wrongArgs(b, countsB);
  const outB = outcome(() => viaWasm(...argsB));
  const outA = outcome(() => a.fns[name]!(...argsA));
  const what = `${name}(${argsA.map(show).join(", ")}) with effects ${JSON.stringify(wrong.map((w) => w?.effect))}`;
  assert.deepEqual(outA, outB, `${what}: called directly, not as through wasm`);
  assert.deepEqual(countsA, countsB, `${what}: each valueOf runs once, in order, as through wasm`);
  assert.deepEqual(received, coerced, `${what}: the reference model's conversion is wasm's`);
  const mask = received === undefined ? [] : nondeterministic(name, received as (number | bigint)[]);
  assert.ok(Buffer.compare(masked(a.memory, mask), masked(b.memory, mask)) === 0, `${what}: guest memory differs from the twin's`);
  assert.equal(a.tree(), b.tree(), `${what}: the preopen differs from the twin's`);
  assert.equal(a.stdoutBytes(), b.stdoutBytes(), `${what}: output differs from the twin's`);
  assert.equal(fdState(a), fdState(b), `${what}: the fds differ from the twin's`);
}

const names = (): string[] => {
  const h = makeHost({ backend: "memory", shared: false });
  h.dispose();
  return Object.keys(h.fns).sort();
};

describe("every preview1 import against a hostile guest", () => {
  const all = names();

  test("the host's imports are preview1's 46, with witx's arities", () => {
    assert.deepEqual(all, Object.keys(SIGNATURES).sort());
    const h = makeHost({ backend: "memory", shared: false });
    for (const n of all) assert.equal(h.fns[n]!.length, SIGNATURES[n]!.length, `${n}'s arity`);
  });

  for (const backend of ["memory", "host"] as const) {
    test(`random call sequences with hostile arguments, ${backend} backend: an errno every time, nothing changed on an error, no fd leaked`, () => {
      fc.assert(
        fc.property(fc.boolean(), fc.array(callArb(all), { minLength: 1, maxLength: 40, size: "max" }), (shared, calls) => {
          runSequence({ backend, shared }, calls);
        }),
        { verbose: 1, includeErrorInReport: true, seed: backend === "memory" ? 0x0f00_0001 : 0x0f00_0002, numRuns: RUNS || (backend === "memory" ? 150 : 60) },
      );
    });
  }

  test("an argument of the wrong JS type is taken as wasm takes it: the same answer and effect as a twin host called through wasm, or the same throw", () => {
    const withArgs = all.filter((n) => SIGNATURES[n]!.length > 0);
    // Objects (whose valueOf acts on the host) a third of the time: they are where the order of things shows.
    const kind = fc.oneof({ arbitrary: fc.nat(WRONG_KINDS - 1), weight: 2 }, { arbitrary: fc.constantFrom(...OBJECT_KINDS), weight: 1 });
    const position = fc.record({ replace: fc.nat(2).map((n) => n === 0), kind, effect: fc.nat(EFFECTS.length - 1) });
    const arb = fc.tuple(callArb(withArgs), fc.array(position, { minLength: 9, maxLength: 9 }), fc.nat(8));
    fc.assert(
      fc.property(fc.boolean(), arb, (shared, [c, positions, at]) => {
        const wrong = positions.slice(0, c.args.length).map((p) => (p.replace ? p : undefined));
        if (!wrong.some((w) => w !== undefined)) wrong[at % c.args.length] = positions[at % c.args.length]!;
        checkTwin(shared, c.name, c.args, wrong);
      }),
      { seed: 0x0f00_0004, numRuns: RUNS || 600, includeErrorInReport: true },
    );
  });

  test("an object argument's valueOf runs before the call looks at anything: every import, every position, against a twin called through wasm", () => {
    for (const name of all.filter((n) => SIGNATURES[n]!.length > 0)) {
      const samples = fc.sample(argsArb(SIGNATURES[name]!), { seed: 0x0f00_0005, numRuns: 3 });
      for (const args of samples) {
        for (let i = 0; i < args.length; i++) {
          for (const effect of [2, 3, 4]) { // scribble over memory, grow it, close every fd
            const wrong = args.map((_, k) => (k === i ? { kind: OBJECT_KINDS[effect % OBJECT_KINDS.length]!, effect } : undefined));
            checkTwin(effect % 2 === 0, name, args, wrong);
          }
        }
      }
    }
  });
});
