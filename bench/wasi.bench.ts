/**
 * vmio/wasi host-call cost: `fd_write` of 4 iovecs × 64 B to a discarding
 * sink, against a hand-written minimal host (cached views, bounds checks —
 * the limit for a correct host) and against the peers `node:wasi` and
 * `@bjorn3/browser_wasi_shim`, all measured in the same process.
 *
 * Every host gets the same guest memory layout and is called as the guest
 * calls it (the import function, directly). vmio and the minimal host hand
 * the sink one copy of the 256 bytes per call (the guest may change its
 * memory after the call); the shim's console fd is handed its own slices;
 * node:wasi writes to /dev/null, a real write(2) per call — the discarding
 * sink it can have.
 *
 * Then the fixed cost of the other calls a WASI program makes
 * (`wasi-call-*`: fd_read of one and of two iovecs, fd_seek, fd_tell,
 * fd_filestat_get, fd_fdstat_get, the preopen's prestat, clock_time_get,
 * random_get, args and environ, poll_oneoff on a clock, path_open +
 * fd_close), each against node:wasi with
 * the same guest memory, args, env and host preopen; floors beside the short
 * ones (`-floor`: a hand-written JS host); and four of them called from wasm
 * (`wasi-wasm-*`: a hand-assembled module's loop calling the import).
 *
 * @module
 */

import * as fs from "node:fs";
import * as os from "node:os";
import { join } from "node:path";
import { WASI } from "vmio/wasi";
import type { BenchCase } from "./harness.js";

const IOVS = 4;
const LEN = 64;
const IOV_PTR = 1024;
const NWRITTEN = 1000;

interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
type FdWrite = (fd: number, iovs: number, count: number, nwritten: number) => number;

const Wasm = (globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  };
}).WebAssembly;

// (module (memory (export "memory") 1))
const MEMORY_MODULE = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 1, 7, 10, 1, 6, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 2, 0]);

/** A guest instance with 4 iovecs of 64 B laid out in its memory. */
function guest(): { instance: { exports: Record<string, unknown> }; memory: WasmMemory } {
  const instance = new Wasm.Instance(new Wasm.Module(MEMORY_MODULE), {});
  const memory = instance.exports["memory"] as WasmMemory;
  const dv = new DataView(memory.buffer);
  for (let i = 0; i < IOVS; i++) {
    dv.setUint32(IOV_PTR + i * 8, 4096 + i * 256, true);
    dv.setUint32(IOV_PTR + i * 8 + 4, LEN, true);
    new Uint8Array(memory.buffer, 4096 + i * 256, LEN).fill(0x41 + i);
  }
  return { instance, memory };
}

/**
 * The hand-written minimal host: cached views (re-read only when an access
 * reaches past them, as after memory.grow()), alignment and bounds checks
 * on every pointer before anything is written, one copy to the sink —
 * `copy(n)` makes it: a fresh array, or a range of a pooled slab as vmio does.
 */
function minimalHost(memory: WasmMemory, sink: (bytes: Uint8Array) => void, copy: (n: number) => Uint8Array): FdWrite {
  let u8 = new Uint8Array(memory.buffer);
  let dv = new DataView(memory.buffer);
  const fits = (end: number): boolean => {
    if (end <= u8.length) return true;
    u8 = new Uint8Array(memory.buffer);
    dv = new DataView(memory.buffer);
    return end <= u8.length;
  };
  return (fd, iovs, count, nwritten) => {
    const p = iovs >>> 0;
    const n = count >>> 0;
    const r = nwritten >>> 0;
    if (fd !== 1) return 8;
    if ((p & 3) !== 0 || (r & 3) !== 0 || n > 1024) return 28;
    if (!fits(p + n * 8) || !fits(r + 4)) return 21;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const base = dv.getUint32(p + i * 8, true);
      const len = dv.getUint32(p + i * 8 + 4, true);
      if (!fits(base + len)) return 21;
      total += len;
    }
    const out = copy(total);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const base = dv.getUint32(p + i * 8, true);
      const len = dv.getUint32(p + i * 8 + 4, true);
      out.set(new Uint8Array(u8.buffer, base, len), at);
      at += len;
    }
    sink(out);
    dv.setUint32(r, total, true);
    return 0;
  };
}

/**
 * The pool vmio's sinks use (src/wasi/byte-slab.ts), by hand: 8-aligned
 * ranges carved from 8 KiB slabs, never handed out twice, each a view made
 * with the constructor (cheaper than `subarray`) as vmio makes them.
 */
function slabPool(): (n: number) => Uint8Array {
  let slab = new ArrayBuffer(8192);
  let used = 0;
  return (n) => {
    if (n > 2048) return new Uint8Array(n);
    if (used + n > slab.byteLength) {
      slab = new ArrayBuffer(8192);
      used = 0;
    }
    const out = new Uint8Array(slab, used, n);
    used = (used + n + 7) & ~7;
    return out;
  };
}

let discarded = 0;
const discard = (bytes: Uint8Array): void => {
  discarded += bytes.length;
};

function vmioHost(): FdWrite {
  const { instance } = guest();
  const wasi = new WASI({ stdout: discard });
  wasi.initialize(instance);
  return wasi.getImportObject().wasi_snapshot_preview1.fd_write as FdWrite;
}

function loop(fdWrite: FdWrite): (n: number) => number {
  return (n) => {
    let errors = 0;
    for (let i = 0; i < n; i++) errors += fdWrite(1, IOV_PTR, IOVS, NWRITTEN);
    if (errors !== 0) throw new Error("fd_write failed in the benchmark");
    return discarded;
  };
}

function fdWriteCase(id: string, limitLabel: string, target: number, makeLimit: () => Promise<FdWrite> | FdWrite, ops: number): BenchCase {
  return {
    id,
    group: "wasi",
    title: `vmio/wasi fd_write, ${IOVS} iovecs × ${LEN} B`,
    limitLabel,
    target,
    ops,
    unit: "call",
    async setup() {
      return { vmio: loop(vmioHost()), limit: loop(await makeLimit()) };
    },
  };
}

/*
 * Measured (session 10, a loaded machine: load 6–9 on 2 cores; harness, 3
 * processes a case, main's build 32d3210 and this one alternated, 3 rounds):
 *
 * - `wasi-fd-write-node` 0.81 / 0.83 / 0.90 → 1.08 / 1.14 / 1.06 (an earlier
 *   round with only the first change: 0.78–0.97 → 0.96–1.22); met. node:wasi
 *   pays a real write(2) to /dev/null, vmio hands the bytes to a sink;
 * - `wasi-fd-write-minimal-pooled` 0.68 / 0.75 / 0.96 → 0.87 / 0.99 / 0.96;
 *   `-shim` 1.37–1.42 → 1.66–1.84; `-minimal` 1.56–1.86 → 2.05–2.29.
 *
 * Where the time went (one process alternating vmio, this file's minimal
 * pooled host and a one-pass host — cached views, one pass over the iovecs
 * into a reused array, one `new Uint8Array(buffer, base, len)` + `set` per
 * buffer, no `.buffer` getter): main's vmio took 1.5–1.6× the one-pass
 * host's time, the gather through a `VmWriter` kept over the slab and the
 * copy engine's `copyWithSpace` per buffer (about 1.35× the one-pass copy
 * loop alone) and the import of the records (`iovecRanges`: about 2× an
 * inline loop, its one loop for both widths carried every field as a
 * float64) being most of the difference. Now `GuestSpace.copyRanges` copies
 * each checked buffer with one `set`, and the 32-bit records have their own
 * loop. Instructions a call (cachegrind, steady state, load-independent):
 * main 5,490; this build 4,070; the minimal pooled host 4,420; the one-pass
 * host 3,560 — what is left is the fd lookup and rights, the result
 * pointer's check and `writeVal`, the `VmReaderArray` and its ranges array.
 */
/*
 * The fixed cost of the other calls a WASI program makes many times a
 * second: each row is one preview1 call (or a pair that belongs together),
 * made through the import function as the guest makes it, on vmio/wasi and
 * on node:wasi, over the same one-page guest memory, the same args and
 * environment and the same host directory preopened as fd 3 (a real
 * directory on both: node:wasi and vmio's Node entry both make real system
 * calls for file rows).
 */

/** Where each row keeps its guest data (one 64 KiB page). */
const AT = { path: 256, out: 512, out2: 520, iov: 1024, ptrs: 2048, strings: 4096, buf: 8192 } as const;
const FILE = "data.bin";
const FILE_SIZE = 64 * 1024;
const ARGS = ["prog", "--input", "data.bin", "-v"];
const ENV = { HOME: "/home/guest", PATH: "/bin:/usr/bin", LANG: "C.UTF-8" };
/** fd_read | fd_seek | fd_tell | fd_filestat_get: what the file rows open their file with. */
const READ_RIGHTS = (1n << 1n) | (1n << 2n) | (1n << 5n) | (1n << 21n);
const CLOCK_MONOTONIC = 1;

type Imports = Record<string, (...args: (number | bigint)[]) => number>;

/** A host directory holding one 64 KiB file, made once per process, removed at exit. */
let sandbox: string | undefined;
function sandboxDir(): string {
  if (sandbox === undefined) {
    const dir = fs.mkdtempSync(join(os.tmpdir(), "vmio-wasi-bench-"));
    fs.writeFileSync(join(dir, FILE), new Uint8Array(FILE_SIZE).fill(0x5a));
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    sandbox = dir;
  }
  return sandbox;
}

/** A fresh guest memory with the file's name written at `AT.path`. */
function callGuest(): { instance: { exports: Record<string, unknown> }; memory: WasmMemory } {
  const g = guest();
  new Uint8Array(g.memory.buffer).set(new TextEncoder().encode(FILE), AT.path);
  return g;
}

async function nodeImports(): Promise<{ imports: Imports; memory: WasmMemory }> {
  const { WASI: NodeWASI } = await import("node:wasi");
  const g = callGuest();
  const wasi = new NodeWASI({
    version: "preview1", args: ARGS, env: ENV, preopens: { "/sandbox": sandboxDir() },
    stdout: fs.openSync("/dev/null", "w"), returnOnExit: true,
  });
  wasi.initialize(g.instance as Parameters<typeof wasi.initialize>[0]);
  return { imports: wasi.wasiImport as Imports, memory: g.memory };
}

function vmioImports(): { imports: Imports; memory: WasmMemory } {
  const g = callGuest();
  const wasi = new WASI({ args: ARGS, env: ENV, preopens: { "/sandbox": sandboxDir() }, stdout: discard });
  wasi.initialize(g.instance);
  return { imports: wasi.getImportObject().wasi_snapshot_preview1 as Imports, memory: g.memory };
}

/** Opens the sandbox's file for reading through the host's own `path_open`; its fd. */
function openData(w: Imports, memory: WasmMemory): number {
  const e = w["path_open"]!(3, 0, AT.path, FILE.length, 0, READ_RIGHTS, 0n, 0, AT.out);
  if (e !== 0) throw new Error(`path_open failed in the benchmark: errno ${e}`);
  return new DataView(memory.buffer).getUint32(AT.out, true);
}

/** A row's loop over one host: `ops` calls; a non-zero errno fails the run. */
type CallLoop = (w: Imports, memory: WasmMemory) => (n: number) => number;

function callCase(id: string, title: string, body: CallLoop, ops: number): BenchCase {
  return {
    id,
    group: "wasi",
    title,
    limitLabel: "node:wasi",
    target: 1,
    ops,
    unit: "call",
    async setup() {
      const n = await nodeImports();
      const v = vmioImports();
      return { vmio: body(v.imports, v.memory), limit: body(n.imports, n.memory) };
    },
  };
}

function failed(call: string, errno: number): never {
  throw new Error(`${call} failed in the benchmark: errno ${errno}`);
}

/**
 * `fd_read` from a host file into one iovec per length in `lens`, the
 * buffers one after another from `AT.buf`; back to offset 0 (`fd_seek`)
 * at the file's end.
 */
const fdReadLoop = (lens: readonly number[]): CallLoop => (w, memory) => {
  const fd = openData(w, memory);
  const dv = new DataView(memory.buffer);
  let at: number = AT.buf;
  lens.forEach((len, i) => {
    dv.setUint32(AT.iov + 8 * i, at, true);
    dv.setUint32(AT.iov + 8 * i + 4, len, true);
    at += len;
  });
  const count = lens.length;
  const fdRead = w["fd_read"]!;
  const fdSeek = w["fd_seek"]!;
  return (n) => {
    let got = 0;
    for (let i = 0; i < n; i++) {
      const e = fdRead(fd, AT.iov, count, AT.out);
      if (e !== 0) failed("fd_read", e);
      const k = new DataView(memory.buffer).getUint32(AT.out, true);
      if (k === 0) fdSeek(fd, 0n, 0, AT.out2);
      got += k;
    }
    return got;
  };
};

/** Runs `call` `ops` times; any non-zero errno fails the run. */
function times(name: string, call: () => number): (n: number) => number {
  return (n) => {
    let errors = 0;
    for (let i = 0; i < n; i++) errors |= call();
    if (errors !== 0) failed(name, errors);
    return n;
  };
}

/** A `poll_oneoff` subscription to the monotonic clock, relative, timeout 0: ready at once. */
function clockSubscription(memory: WasmMemory): void {
  const dv = new DataView(memory.buffer);
  dv.setBigUint64(AT.buf, 7n, true); // userdata
  dv.setUint8(AT.buf + 8, 0); // eventtype clock
  dv.setUint32(AT.buf + 16, CLOCK_MONOTONIC, true);
  dv.setBigUint64(AT.buf + 24, 0n, true); // timeout
  dv.setBigUint64(AT.buf + 32, 0n, true); // precision
  dv.setUint16(AT.buf + 40, 0, true); // flags: relative
}

/** `fd_filestat_get` on the sandbox's file, opened once. */
const fdFilestatLoop: CallLoop = (w, memory) => {
  const fd = openData(w, memory);
  const f = w["fd_filestat_get"]!;
  return times("fd_filestat_get", () => f(fd, AT.buf));
};

/** `clock_time_get` of the monotonic clock. */
const clockLoop: CallLoop = (w) => {
  const f = w["clock_time_get"]!;
  return times("clock_time_get", () => f(CLOCK_MONOTONIC, 1000n, AT.out));
};

/** `path_open` of the sandbox's file, then `fd_close` of the fd it gave. */
const pathOpenCloseLoop: CallLoop = (w, memory) => {
  const open = w["path_open"]!;
  const close = w["fd_close"]!;
  const dv = new DataView(memory.buffer);
  return times("path_open + fd_close", () => open(3, 0, AT.path, FILE.length, 0, READ_RIGHTS, 0n, 0, AT.out) | close(dv.getUint32(AT.out, true)));
};

const callCases: BenchCase[] = [
  callCase("wasi-call-fd-read", "fd_read, 1 iovec × 64 B from a host file", fdReadLoop([64]), 20_000),
  callCase("wasi-call-fd-read-2iov", "fd_read, 2 iovecs (64 B + 1 KiB, as musl's stdio) from a host file", fdReadLoop([64, 1024]), 20_000),
  callCase("wasi-call-fd-seek", "fd_seek(fd, 0, SET) on a host file", (w, memory) => {
    const fd = openData(w, memory);
    const f = w["fd_seek"]!;
    return times("fd_seek", () => f(fd, 0n, 0, AT.out));
  }, 100_000),
  callCase("wasi-call-fd-tell", "fd_tell on a host file", (w, memory) => {
    const fd = openData(w, memory);
    const f = w["fd_tell"]!;
    return times("fd_tell", () => f(fd, AT.out));
  }, 100_000),
  callCase("wasi-call-fd-filestat-get", "fd_filestat_get on a host file (an fstat)", fdFilestatLoop, 20_000),
  callCase("wasi-call-fd-fdstat-get", "fd_fdstat_get(stdout)", (w) => {
    const f = w["fd_fdstat_get"]!;
    return times("fd_fdstat_get", () => f(1, AT.buf));
  }, 100_000),
  callCase("wasi-call-fd-prestat", "fd_prestat_get + fd_prestat_dir_name of the preopen", (w) => {
    const get = w["fd_prestat_get"]!;
    const name = w["fd_prestat_dir_name"]!;
    return times("fd_prestat_*", () => get(3, AT.out) | name(3, AT.buf, 64));
  }, 50_000),
  callCase("wasi-call-clock-time-get", "clock_time_get(MONOTONIC)", clockLoop, 100_000),
  callCase("wasi-call-random-get", "random_get, 16 B", (w) => {
    const f = w["random_get"]!;
    return times("random_get", () => f(AT.buf, 16));
  }, 50_000),
  callCase("wasi-call-args", "args_sizes_get + args_get (4 args)", (w) => {
    const sizes = w["args_sizes_get"]!;
    const get = w["args_get"]!;
    return times("args_*", () => sizes(AT.out, AT.out2) | get(AT.ptrs, AT.strings));
  }, 50_000),
  callCase("wasi-call-environ", "environ_sizes_get + environ_get (3 variables)", (w) => {
    const sizes = w["environ_sizes_get"]!;
    const get = w["environ_get"]!;
    return times("environ_*", () => sizes(AT.out, AT.out2) | get(AT.ptrs, AT.strings));
  }, 50_000),
  callCase("wasi-call-poll-clock", "poll_oneoff, one monotonic clock subscription due at once", (w, memory) => {
    clockSubscription(memory);
    const f = w["poll_oneoff"]!;
    return times("poll_oneoff", () => f(AT.buf, AT.buf + 1024, 1, AT.out));
  }, 20_000),
  callCase("wasi-call-path-open-close", "path_open + fd_close of a host file", pathOpenCloseLoop, 5_000),
];

/*
 * Floors beside the rows where node:wasi does its work in C++ (uvwasi) and a
 * JS host must go through node:fs or `performance`: the "vmio" side is a
 * hand-written JS host doing the same job under the same rules (fd lookup
 * with its rights, pointers checked before anything is written, the result
 * stored), with no vmio code; the limit is node:wasi, as in the row.
 */

/** The hand-written host's state: its guest views (re-taken after growth) and one open file. */
interface FloorHost {
  dv(): DataView;
  u8(): Uint8Array;
  fits(end: number): boolean;
  readonly fd: number;
  readonly rights: number;
}

function floorHost(memory: WasmMemory): FloorHost {
  let u8 = new Uint8Array(memory.buffer);
  let dv = new DataView(memory.buffer);
  const fd = fs.openSync(join(sandboxDir(), FILE), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  process.once("exit", () => fs.closeSync(fd));
  return {
    dv: () => dv,
    u8: () => u8,
    fits: (end) => {
      if (end <= u8.length) return true;
      u8 = new Uint8Array(memory.buffer);
      dv = new DataView(memory.buffer);
      return end <= u8.length;
    },
    fd,
    rights: Number(READ_RIGHTS),
  };
}

/** A floor row: `body` over the hand-written host against node:wasi's call. */
function floorCase(id: string, title: string, body: (h: FloorHost, memory: WasmMemory) => (n: number) => number, limit: CallLoop, ops: number): BenchCase {
  return {
    id,
    group: "wasi",
    title: `floor: hand-written JS host, ${title}`,
    limitLabel: "node:wasi",
    ops,
    unit: "call",
    async setup() {
      const n = await nodeImports();
      const g = callGuest();
      return { vmio: body(floorHost(g.memory), g.memory), limit: limit(n.imports, n.memory) };
    },
  };
}

const GUEST_FD = 4;
const R_READ = 1 << 1;
const R_FILESTAT_GET = 1 << 21;

const floorCases: BenchCase[] = [
  floorCase("wasi-call-fd-read-floor", "fd_read 64 B (fs.readSync into a reused buffer, one set into the guest)", (h) => {
    const scratch = new Uint8Array(256);
    let position = 0;
    const fdRead = (fd: number, iovs: number, count: number, nread: number): number => {
      if (fd !== GUEST_FD) return 8;
      if ((h.rights & R_READ) === 0) return 76;
      const p = iovs >>> 0;
      const r = nread >>> 0;
      if ((p & 3) !== 0 || (r & 3) !== 0 || count !== 1) return 28;
      if (!h.fits(p + 8) || !h.fits(r + 4)) return 21;
      const dv = h.dv();
      const base = dv.getUint32(p, true);
      const len = dv.getUint32(p + 4, true);
      if (!h.fits(base + len) || len > scratch.length) return 21;
      const k = fs.readSync(h.fd, scratch, 0, len, position);
      position += k;
      h.u8().set(new Uint8Array(scratch.buffer, 0, k), base);
      h.dv().setUint32(r, k, true);
      return 0;
    };
    const dv = h.dv();
    dv.setUint32(AT.iov, AT.buf, true);
    dv.setUint32(AT.iov + 4, 64, true);
    return (n) => {
      let got = 0;
      for (let i = 0; i < n; i++) {
        const e = fdRead(GUEST_FD, AT.iov, 1, AT.out);
        if (e !== 0) failed("fd_read", e);
        const k = h.dv().getUint32(AT.out, true);
        if (k === 0) position = 0;
        got += k;
      }
      return got;
    };
  }, fdReadLoop([64]), 20_000),
  floorCase("wasi-call-fd-filestat-get-floor", "fd_filestat_get (fs.fstatSync with BigInts, 8 stores)", (h) => {
    const fdFilestatGet = (fd: number, buf: number): number => {
      if (fd !== GUEST_FD) return 8;
      if ((h.rights & R_FILESTAT_GET) === 0) return 76;
      const b = buf >>> 0;
      if ((b & 7) !== 0) return 28;
      if (!h.fits(b + 64)) return 21;
      const st = fs.fstatSync(h.fd, { bigint: true });
      const dv = h.dv();
      dv.setBigUint64(b, st.dev, true);
      dv.setBigUint64(b + 8, st.ino, true);
      dv.setBigUint64(b + 16, st.isFile() ? 4n : 0n, true);
      dv.setBigUint64(b + 24, st.nlink, true);
      dv.setBigUint64(b + 32, st.size, true);
      dv.setBigUint64(b + 40, st.atimeNs, true);
      dv.setBigUint64(b + 48, st.mtimeNs, true);
      dv.setBigUint64(b + 56, st.ctimeNs, true);
      return 0;
    };
    return times("fd_filestat_get", () => fdFilestatGet(GUEST_FD, AT.buf));
  }, fdFilestatLoop, 20_000),
  floorCase("wasi-call-clock-time-get-floor", "clock_time_get (performance.now, two u32 stores)", (h) => {
    // `performance` and its `timeOrigin` read once, as vmio reads them (both are accessors).
    const perf = performance;
    const origin = perf.timeOrigin;
    const clockTimeGet = (id: number, _precision: bigint, time: number): number => {
      if (id >>> 0 > 3) return 28;
      const ms = id === 0 ? origin + perf.now() : perf.now();
      const t = time >>> 0;
      if ((t & 7) !== 0) return 28;
      if (!h.fits(t + 8)) return 21;
      const ns = Math.round(ms * 1e6);
      const lo = ns % 4294967296;
      const dv = h.dv();
      dv.setUint32(t, lo, true);
      dv.setUint32(t + 4, (ns - lo) / 4294967296, true);
      return 0;
    };
    return times("clock_time_get", () => clockTimeGet(CLOCK_MONOTONIC, 1000n, AT.out));
  }, clockLoop, 100_000),
  floorCase("wasi-call-path-open-close-floor", "path_open + fd_close (one lstat, open O_NOFOLLOW, fstat, close)", (h, memory) => {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    const dir = sandboxDir() + "/";
    const table: (number | undefined)[] = [0, 1, 2, 3];
    const pathOpen = (fd: number, path: number, len: number, opened: number): number => {
      if (fd !== 3) return 8;
      const p = path >>> 0;
      const o = opened >>> 0;
      if ((o & 3) !== 0) return 28;
      if (!h.fits(p + len) || !h.fits(o + 4)) return 21;
      const name = decoder.decode(new Uint8Array(memory.buffer, p, len));
      if (name.includes("/") || name.includes("\0") || name === "." || name === "..") return 76;
      try {
        if (!fs.lstatSync(dir + name).isFile()) return 31;
        const hostFd = fs.openSync(dir + name, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
        if (fs.fstatSync(hostFd).isDirectory()) {
          fs.closeSync(hostFd);
          return 31;
        }
        let k = table.indexOf(undefined);
        if (k < 0) k = table.length;
        table[k] = hostFd;
        h.dv().setUint32(o, k, true);
        return 0;
      } catch {
        return 44;
      }
    };
    const fdClose = (fd: number): number => {
      const hostFd = table[fd];
      if (hostFd === undefined || fd < 4) return 8;
      table[fd] = undefined;
      fs.closeSync(hostFd);
      return 0;
    };
    return times("path_open + fd_close", () => pathOpen(3, AT.path, FILE.length, AT.out) | fdClose(h.dv().getUint32(AT.out, true)));
  }, pathOpenCloseLoop, 5_000),
];

/*
 * The same calls made from wasm: a hand-assembled module whose `run(n)`
 * calls one import n times with constant arguments (the calls above are made
 * from JS, as the fd_write rows make theirs). From wasm, V8 may call
 * node:wasi's C++ functions through their fast API entry, which has the
 * guest's memory only when the caller is wasm; from JS that entry falls back
 * to the slow callback.
 */

const I32 = 0x7f;
const I64 = 0x7e;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(v: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A name: its length, then its UTF-8 bytes. */
const str = (text: string): number[] => {
  const b = [...new TextEncoder().encode(text)];
  return [...uleb(b.length), ...b];
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/**
 * A module importing `wasi_snapshot_preview1.<name>` (params `types`, result
 * i32), exporting one page of memory and `run(n)`: n calls with `args`, the
 * errnos or-ed together.
 */
function callModule(name: string, types: number[], args: (number | bigint)[]): Uint8Array {
  const call = args.flatMap((v, i) => [types[i] === I64 ? 0x42 : 0x41, ...sleb(BigInt(v))]);
  const body = [
    ...vec([[2, I32]]), // locals: i (1), errors (2)
    0x02, 0x40, 0x03, 0x40, // block, loop
    0x20, 1, 0x20, 0, 0x46, 0x0d, 1, // br_if 1 (i == n)
    ...call, 0x10, 0, // call the import
    0x20, 2, 0x72, 0x21, 2, // errors |= result
    0x20, 1, 0x41, 1, 0x6a, 0x21, 1, // i++
    0x0c, 0, 0x0b, 0x0b, // br 0, end, end
    0x20, 2, 0x0b, // errors
  ];
  return new Uint8Array([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, vec([[0x60, ...vec(types.map((t) => [t])), 1, I32], [0x60, 1, I32, 1, I32]])),
    ...section(2, vec([[...str("wasi_snapshot_preview1"), ...str(name), 0, 0]])),
    ...section(3, vec([[1]])),
    ...section(5, vec([[0, 1]])),
    ...section(7, vec([[...str("memory"), 2, 0], [...str("run"), 0, 1]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

type Run = (n: number) => number;

/** A case running `callModule(...)`'s `run` under vmio/wasi and under node:wasi. */
function wasmCallCase(id: string, title: string, name: string, types: number[], args: (number | bigint)[], ops: number): BenchCase {
  const instantiate = (imports: object): { exports: Record<string, unknown> } =>
    new (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: Record<string, unknown> } } }).WebAssembly.Instance(
      new Wasm.Module(callModule(name, types, args)),
      { wasi_snapshot_preview1: imports },
    );
  const loop = (run: Run): Run => (n) => {
    const e = run(n);
    if (e !== 0) failed(name, e);
    return n;
  };
  return {
    id,
    group: "wasi",
    title: `${title}, called from wasm`,
    limitLabel: "node:wasi",
    target: 1,
    ops,
    unit: "call",
    async setup() {
      const { WASI: NodeWASI } = await import("node:wasi");
      const node = new NodeWASI({ version: "preview1", args: ARGS, env: ENV, returnOnExit: true });
      const ni = instantiate(node.wasiImport);
      node.initialize(ni as Parameters<typeof node.initialize>[0]);
      const vmio = new WASI({ args: ARGS, env: ENV, stdout: discard });
      const vi = instantiate(vmio.getImportObject().wasi_snapshot_preview1);
      vmio.initialize(vi);
      return { vmio: loop(vi.exports["run"] as Run), limit: loop(ni.exports["run"] as Run) };
    },
  };
}

const wasmCases: BenchCase[] = [
  wasmCallCase("wasi-wasm-clock-time-get", "clock_time_get(MONOTONIC)", "clock_time_get", [I32, I64, I32], [CLOCK_MONOTONIC, 1000n, AT.out], 100_000),
  wasmCallCase("wasi-wasm-fd-fdstat-get", "fd_fdstat_get(stdout)", "fd_fdstat_get", [I32, I32], [1, AT.buf], 100_000),
  wasmCallCase("wasi-wasm-random-get", "random_get, 16 B", "random_get", [I32, I32], [AT.buf, 16], 50_000),
  wasmCallCase("wasi-wasm-args-sizes-get", "args_sizes_get", "args_sizes_get", [I32, I32], [AT.out, AT.out2], 100_000),
];

/*
 * Measured (session 11, load 6–10 on 2 cores; harness, CPU time, 2 processes
 * a case, main's build 965c7b6 and this one alternated, 2 rounds; ns a call,
 * vmio / node:wasi, ratio):
 *
 * | row | main | this build |
 * |---|---|---|
 * | fd_read 64 B | 1.39–1.93 µs / 0.91–1.20 µs, 0.62–0.65 | 1.29–1.66 µs / 0.89–1.15 µs, 0.69–0.70 |
 * | fd_seek / fd_tell | 67–82 / 45–50 ns, 4.9–5.7 / 7.5–7.6 | 39–75 / 33–36 ns, 4.9–6.6 / 7.9–8.0 |
 * | fd_filestat_get | 1.74–2.34 µs, 0.23–0.25 | 1.46–1.73 µs, 0.30 |
 * | fd_fdstat_get | 59–84 ns, 3.9–4.3 | 63–94 ns, 3.6–3.9 |
 * | fd_prestat_get + dir_name | 104–124 ns, 1.5–1.6 | 58–93 ns, 2.8–2.9 |
 * | clock_time_get | 143–146 ns, 0.61–0.62 | 114–176 ns, 0.70–0.72 |
 * | random_get 16 B | 3.27–4.21 µs, 0.13 | 92–96 ns, 4.4–5.0 |
 * | args_sizes_get + args_get | 365–701 ns, 0.32–0.35 | 99–139 ns, 1.17–1.18 |
 * | environ_sizes_get + environ_get | 462–650 ns, 0.34–0.37 | 106–163 ns, 1.25 |
 * | poll_oneoff (a clock due at once) | 0.65–0.76 µs, 10–11 | 0.86–0.87 µs, 8.7–9.6 (noisy) |
 * | path_open + fd_close | 10.4–10.6 µs / 2.2–2.3 µs, 0.21–0.22 | 5.65–7.15 µs, 0.37–0.38 (before childType; in one process that commit took it from 6.0–6.3 to 4.8–5.3 µs) |
 * | from wasm: clock_time_get | 150–241 ns / 58–70 ns, 0.29–0.39 | 126–132 ns, 0.44–0.48 |
 * | from wasm: fd_fdstat_get | 55 ns, 4.1–4.6 | 55–69 ns, 3.6–3.9 |
 * | from wasm: random_get 16 B | 3.4–3.9 µs, 0.11 | 91–100 ns, 3.8 |
 * | from wasm: args_sizes_get | 44–54 ns / 16–20 ns, 0.36–0.37 | 30–35 ns / 15–16 ns, 0.47–0.49 |
 *
 * Floors (hand-written JS hosts, no vmio code; this build's runs): fd_read
 * 0.75–1.07 µs, fd_filestat_get 1.25–1.38 µs, clock_time_get 86–114 ns,
 * path_open + fd_close 4.1–4.9 µs. Compare their ns with the row's node:wasi
 * ns, not the floor rows' ratios: a floor row calls node:wasi from a call site
 * only node:wasi uses, which V8 then turns into a fast API call that, called
 * from JS, has no wasm memory and falls back to the slow callback (node:wasi
 * took 1.6–2.1 µs an fd_read there, 0.9–1.2 µs in the row).
 *
 * What limits the short rows:
 * - fd_filestat_get: node:fs. `fs.fstatSync(fd, { bigint: true })` builds a
 *   BigIntStats with four Dates and BigInt divisions (30 % of the call in
 *   --cpu-prof); the hand-written host is at 0.27–0.32 of node:wasi too,
 *   and vmio at 0.85–1.0 of it. node:wasi's uvwasi fills the record in C++.
 * - path_open + fd_close: four system calls through node:fs (lstat, open,
 *   fstat, close) where uvwasi makes three in C++; the floor is 0.68–0.71 of
 *   node:wasi, vmio 0.8–0.9 of the floor after childType. The rest is the
 *   path's decoding and the component walk (`resolvePath`).
 * - clock_time_get: `performance.now()` alone is 60–80 ns here (the
 *   floor's 86–114 ns); from wasm node:wasi's fast API call is 57–70 ns in
 *   all. vmio's 114–176 ns is the floor plus its checks (clock id, pointer
 *   alignment and bounds through GuestMemory) and two checked u32 stores.
 * - fd_read: one `fs.readSync` (its argument validation and the binding) is
 *   most of the floor; vmio is 0.6–0.8 of the floor: the iovec import
 *   (ranges array), the scratch view, the result store.
 * - from wasm, trivial calls: node:wasi's fast API entry (args_sizes_get
 *   15–20 ns a call) has no JS frame at all; a JS host pays the wasm-to-JS
 *   call (6–11 ns measured for an arrow or a bound function) and its checks.
 */
/*
 * Measured (session 12, load 11–13 on 2 cores, read(2) and fstat ~3 µs on
 * this machine; harness, CPU time, 2 processes a case, main's build 024e738
 * and this one alternated, 2 rounds; ratio vmio / node:wasi, main → this):
 *
 * - fd_read 64 B: 0.78 / 0.80 → 0.85 / 0.85 (one buffer of a file is read
 *   in place; an in-memory file's fd_read 303 → 194 ns in one process);
 * - fd_filestat_get: 0.59 / 0.55 → 0.62 / 0.60 (the record's plain stores;
 *   in-memory 96 → 71–81 ns in one process);
 * - clock_time_get: 0.63 / 0.50 → 0.90 / 0.74; from wasm 0.38 / 0.38 →
 *   0.41 / 0.40 (`performance` and `timeOrigin` read once, the imports'
 *   exact arity); its floor now reads them once too (1.56 / 1.40 → 1.59 /
 *   1.94 against node:wasi);
 * - from wasm: args_sizes_get 0.46 / 0.50 → 0.54 / 0.63, fd_fdstat_get
 *   24.0 / 24.5 → 25.0 / 30.9 (the imports' exact arity);
 * - unchanged within the noise: path_open + fd_close 0.54 / 0.49 → 0.52 /
 *   0.54, the fd_write rows, the other calls.
 *
 * path_open + fd_close makes four system calls where node:wasi makes three
 * (strace): vmio's lstat of the name (`typeAt`: directory, symlink or
 * absent decide the errno and the kind of fd), open(O_NOFOLLOW), fstat (a
 * directory opened read-only between the two), close; node:wasi opens
 * without O_NOFOLLOW and without a prior lstat. Opening first and taking
 * the type from the fstat would drop the lstat, but changes which errno
 * some edge cases get (a symlink with CREAT|EXCL is EEXIST from open(2),
 * LOOP here); not done.
 */
export const cases: BenchCase[] = [
  fdWriteCase("wasi-fd-write-minimal", "minimal host, fresh copy per call", 1 / 1.3, () => minimalHost(guest().memory, discard, (n) => new Uint8Array(n)), 200_000),
  fdWriteCase("wasi-fd-write-minimal-pooled", "minimal host, pooled copies as vmio", 1 / 1.3, () => minimalHost(guest().memory, discard, slabPool()), 200_000),
  fdWriteCase("wasi-fd-write-shim", "@bjorn3/browser_wasi_shim", 1, async () => {
    const shim = (await import("@bjorn3/browser_wasi_shim")) as unknown as Record<string, new (...args: unknown[]) => unknown>;
    const { WASI: ShimWASI, File, OpenFile, ConsoleStdout } = shim;
    const fds = [new OpenFile!(new File!(new Uint8Array(0))), new ConsoleStdout!(discard), new ConsoleStdout!(discard)];
    const wasi = new ShimWASI!([], [], fds) as { wasiImport: Record<string, FdWrite>; initialize(i: object): void };
    wasi.initialize(guest().instance);
    return wasi.wasiImport["fd_write"]!;
  }, 200_000),
  fdWriteCase("wasi-fd-write-node", "node:wasi (to /dev/null)", 1, async () => {
    const { WASI: NodeWASI } = await import("node:wasi");
    const wasi = new NodeWASI({ version: "preview1", stdout: fs.openSync("/dev/null", "w"), returnOnExit: true });
    wasi.initialize(guest().instance as Parameters<typeof wasi.initialize>[0]);
    return (wasi.wasiImport as Record<string, FdWrite>)["fd_write"]!;
  }, 50_000),
  ...callCases,
  ...floorCases,
  ...wasmCases,
];
