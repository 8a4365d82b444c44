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
 * sequences pass; an argument of the wrong JS type (a bigint for an i32, a
 * number for an i64, NaN, a fraction) is a host's bug, not guest input:
 * today it is an errno or a `TypeError`/`RangeError` thrown before anything
 * changed (as calling a wasm function with one throws), which the last
 * property checks.
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

  test("an argument of the wrong JS type (a host's bug, not guest input): an errno, or a TypeError/RangeError that changed nothing", () => {
    // What a wasm guest cannot pass: a bigint for an i32, a number for an i64, NaN, fractions, 2^40, undefined.
    const wrong = fc.constantFrom<unknown>(1n, -1n, 0.5, NaN, Infinity, 2 ** 40, -(2 ** 40), undefined, 1, 4096);
    const arb = fc.tuple(callArb(all.filter((n) => SIGNATURES[n]!.length > 0 && n !== "proc_exit")), fc.nat(8), wrong);
    fc.assert(
      fc.property(fc.boolean(), arb, (shared, [c, at, value]) => {
        const h = makeHost({ backend: "memory", shared });
        const args: unknown[] = [...c.args];
        const i = at % args.length;
        const i64 = typeof args[i] === "bigint";
        if (i64 === (typeof value === "bigint")) return; // a well-typed value: the sequences cover those
        args[i] = value;
        const mem0 = new Uint8Array(h.memory.buffer).slice();
        const tree0 = h.tree();
        let r: unknown;
        try {
          r = h.fns[c.name]!(...args);
        } catch (e) {
          assert.ok(e instanceof TypeError || e instanceof RangeError, `${c.name} threw ${String(e)}`);
          assert.ok(Buffer.compare(mem0, new Uint8Array(h.memory.buffer).subarray(0, mem0.length)) === 0, `${c.name} threw after changing memory`);
          assert.equal(h.tree(), tree0, `${c.name} threw after changing the preopen`);
          return;
        }
        assert.ok(typeof r === "number" && ERRNOS.has(r), `${c.name} returned ${String(r)}`);
      }),
      { seed: 0x0f00_0004, numRuns: RUNS || 300, includeErrorInReport: true },
    );
  });
});
