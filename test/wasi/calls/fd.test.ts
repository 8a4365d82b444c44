/** The fd_* functions: pointers checked before side effects, readdir cookies, rights, renumber, preopens, file I/O. */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import fc from "fast-check";
import { MemoryDir, WASI } from "vmio/wasi";
import { E, R, testGuest } from "../guest.js";
import { Wasm } from "../suite/wasm.js";

const O_DIRECTORY = 2;

describe("pointers before side effects", () => {
  test("fd_read with its result out of bounds reads nothing: the bytes are still there for the next read", async () => {
    const g = await testGuest({ stdin: new TextEncoder().encode("abc") });
    g.iovecs(100, [[1000, 3]]);
    assert.equal(g.call.fd_read!(0, 100, 1, 65536), E.FAULT);
    assert.equal(g.call.fd_read!(0, 100, 1, 200), E.SUCCESS);
    assert.equal(g.u32(200), 3);
    assert.equal(new TextDecoder().decode(g.u8().subarray(1000, 1003)), "abc");
  });
});

describe("fd_readdir", () => {
  const names = (g: Awaited<ReturnType<typeof testGuest>>, used: number) => {
    const out: { next: bigint; name: string }[] = [];
    for (let at = 1000; at + 24 <= 1000 + used; ) {
      const len = g.u32(at + 16);
      out.push({ next: g.u64(at), name: new TextDecoder().decode(g.u8().subarray(at + 24, at + 24 + len)) });
      at += 24 + len;
    }
    return out;
  };

  test("lists . and .. first, then the entries; cookies resume; a short buffer is filled and the last entry cut", async () => {
    const g = await testGuest({ preopens: { "/": new MemoryDir({ a: "1", bb: { c: "" } }) } });
    assert.equal(g.call.fd_readdir!(3, 1000, 4096, 0n, 200), E.SUCCESS);
    const all = names(g, g.u32(200));
    assert.deepEqual(all.map((e) => e.name), [".", "..", "a", "bb"]);
    assert.deepEqual(all.map((e) => e.next), [1n, 2n, 3n, 4n]);
    assert.equal(g.call.fd_readdir!(3, 1000, 4096, 2n, 200), E.SUCCESS);
    assert.deepEqual(names(g, g.u32(200)).map((e) => e.name), ["a", "bb"]);
    assert.equal(g.call.fd_readdir!(3, 1000, 4096, 99n, 200), E.SUCCESS);
    assert.equal(g.u32(200), 0, "a cookie past the end reads nothing");
    g.u8().fill(0xee, 1000, 1100);
    assert.equal(g.call.fd_readdir!(3, 1000, 30, 0n, 200), E.SUCCESS);
    assert.equal(g.u32(200), 30, "the buffer is used to the last byte");
    assert.equal(g.u8()[1030], 0xee, "and not past it");
  });

  test("a buffer as large as memory: only the entries are written, and bytes past them are untouched", async () => {
    const g = await testGuest({ preopens: { "/": new MemoryDir({ a: "1", bb: {} }) } });
    g.memory.grow(1000); // 64 MiB more: a buf_len the host must not mirror with an array of its own
    const len = g.memory.buffer.byteLength - 1000;
    g.u8().fill(0xee, 1000, 2000);
    assert.equal(g.call.fd_readdir!(3, 1000, len, 1n, 200), E.SUCCESS);
    assert.deepEqual(names(g, g.u32(200)).map((e) => e.name), ["..", "a", "bb"]);
    assert.equal(g.u32(200), 3 * 24 + 2 + 1 + 2);
    assert.equal(g.u8()[1000 + g.u32(200)], 0xee);
  });

  test("refuses a file fd (NOTDIR) and a directory without fd_readdir (NOTCAPABLE)", async () => {
    const g = await testGuest({ preopens: { "/": new MemoryDir({ d: {} }) } });
    const [p, n] = g.put(300, "d");
    assert.equal(g.call.path_open!(3, 0, p, n, O_DIRECTORY, R.FD_FILESTAT_GET, 0n, 0, 200), E.SUCCESS);
    assert.equal(g.call.fd_readdir!(g.u32(200), 1000, 100, 0n, 204), E.NOTCAPABLE);
    assert.equal(g.call.fd_readdir!(1, 1000, 100, 0n, 204), E.NOTDIR);
    assert.equal(g.call.fd_readdir!(77, 1000, 100, 0n, 204), E.BADF);
  });
});

describe("fds", () => {
  test("fd_renumber moves an fd onto an open one and closes that; a closed target is BADF", async () => {
    const g = await testGuest({ preopens: { "/": new MemoryDir() } });
    assert.equal(g.call.fd_renumber!(1, 9), E.BADF);
    assert.equal(g.call.fd_renumber!(3, 1), E.SUCCESS);
    assert.equal(g.call.fd_fdstat_get!(3, 1000), E.BADF);
    assert.equal(g.call.fd_prestat_get!(1, 1000), E.SUCCESS, "fd 1 is now the preopen");
    assert.equal(g.call.fd_renumber!(2, 2), E.SUCCESS);
  });

  test("fd_prestat_dir_name needs room for the whole name (NAMETOOLONG, as in wasmtime); stdio is no preopen", async () => {
    const g = await testGuest({ preopens: { "/sandbox": new MemoryDir() } });
    assert.equal(g.call.fd_prestat_get!(3, 1000), E.SUCCESS);
    assert.deepEqual([g.u32(1000), g.u32(1004)], [0, 8]);
    assert.equal(g.call.fd_prestat_dir_name!(3, 2000, 7), E.NAMETOOLONG);
    assert.equal(g.call.fd_prestat_dir_name!(3, 2000, 9), E.SUCCESS);
    assert.equal(new TextDecoder().decode(g.u8().subarray(2000, 2008)), "/sandbox");
    assert.equal(g.u8()[2008], 0, "no NUL written");
    assert.equal(g.call.fd_prestat_get!(0, 1000), E.BADF);
    assert.equal(g.call.fd_prestat_get!(4, 1000), E.BADF);
  });

  test("file I/O: seek, tell, pread and pwrite keep the offset; append writes at the end", async () => {
    const dir = new MemoryDir({ f: "0123456789" });
    const g = await testGuest({ preopens: { "/": dir } });
    const [p, n] = g.put(300, "f");
    const rw = R.FD_READ | R.FD_WRITE | R.FD_SEEK | R.FD_TELL;
    assert.equal(g.call.path_open!(3, 0, p, n, 0, rw, 0n, 0, 200), E.SUCCESS);
    const fd = g.u32(200);
    assert.equal(g.call.fd_seek!(fd, -3n, 2, 1000), E.SUCCESS);
    assert.equal(g.u64(1000), 7n);
    g.iovecs(100, [[2000, 2], [2002, 8]]);
    assert.equal(g.call.fd_read!(fd, 100, 2, 200), E.SUCCESS);
    assert.equal(g.u32(200), 3);
    assert.equal(g.call.fd_pread!(fd, 100, 1, 1n, 200), E.SUCCESS);
    assert.equal(new TextDecoder().decode(g.u8().subarray(2000, 2002)), "12");
    assert.equal(g.call.fd_tell!(fd, 1000), E.SUCCESS);
    assert.equal(g.u64(1000), 10n, "pread does not move the offset");
    g.put(2000, "ab");
    g.iovecs(100, [[2000, 2]]);
    assert.equal(g.call.fd_pwrite!(fd, 100, 1, 12n, 200), E.SUCCESS);
    assert.equal(g.call.fd_fdstat_set_flags!(fd, 1), E.NOTCAPABLE, "no fd_fdstat_set_flags right");
    assert.equal(g.call.fd_pread!(1, 100, 1, 0n, 200), E.NOTCAPABLE, "stdout has no fd_seek right");
    const f = dir.snapshot()["f"] as Uint8Array;
    assert.deepEqual(Array.from(f.subarray(10)), [0, 0, 0x61, 0x62], "a pwrite past the end leaves a zero-filled hole");
  });
});

describe("fd_read of one buffer from a file (read in place)", () => {
  const SIZE = 65536;
  const FILE = Uint8Array.from({ length: 100 }, (_, i) => 0x20 + i);
  const ptrArb = fc.oneof(
    fc.integer({ min: 0, max: SIZE + 16 }),
    fc.constantFrom(SIZE - 8, SIZE - 4, SIZE - 1, SIZE, -8, -4, -1, 0x7fff_fff8, 0xffff_fffc),
  );
  const lenArb = fc.oneof(fc.integer({ min: 0, max: 160 }), fc.constantFrom(SIZE, 0xffff_ffff, 2 ** 31));
  const stepArb = fc.record({
    iovs: fc.oneof(fc.integer({ min: 0, max: 4096 }).map((k) => k * 4), ptrArb),
    base: ptrArb,
    len: lenArb,
    result: fc.oneof(fc.integer({ min: 0, max: 4096 }).map((k) => k * 4), ptrArb),
    at: fc.option(fc.integer({ min: 0, max: 130 }), { nil: undefined }),
  });

  /** What the step must do, by the rules of the general path: the errno, and the model's memory and offset after it. */
  function model(mem: Uint8Array, position: number, s: { iovs: number; base: number; len: number; result: number; at: number | undefined }): [number, number] {
    const p = s.iovs >>> 0;
    if ((p & 3) !== 0) return [E.INVAL, position];
    if (p + 8 > SIZE) return [E.FAULT, position];
    const dv = new DataView(mem.buffer);
    const base = dv.getUint32(p, true);
    const len = dv.getUint32(p + 4, true);
    if (base + len > SIZE) return [E.FAULT, position];
    const r = s.result >>> 0;
    if ((r & 3) !== 0) return [E.INVAL, position];
    if (r + 4 > SIZE) return [E.FAULT, position];
    const from = s.at ?? position;
    const bytes = FILE.subarray(Math.min(from, FILE.length), Math.min(from + len, FILE.length));
    mem.set(bytes, base);
    dv.setUint32(r, bytes.length, true);
    return [E.SUCCESS, s.at === undefined ? position + bytes.length : position];
  }

  for (const backend of ["memory", "host"] as const) {
    test(`${backend} backend: the errnos, bytes and offset of the general path's rules; not a byte outside the buffer`, async () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vmio-fd-read-"));
      try {
        fs.writeFileSync(path.join(tmp, "f"), FILE);
        await fc.assert(
          fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 12 }), async (steps) => {
            const g = await testGuest({ preopens: { "/": backend === "memory" ? new MemoryDir({ f: FILE }) : tmp } });
            assert.equal(g.call.path_open!(3, 0, ...g.put(300, "f"), 0, R.FD_READ | R.FD_SEEK | R.FD_TELL, 0n, 0, 200), E.SUCCESS);
            const fd = g.u32(200);
            let position = 0;
            for (const s of steps) {
              const p = s.iovs >>> 0;
              if ((p & 3) === 0 && p + 8 <= SIZE) g.iovecs(p, [[s.base >>> 0, s.len >>> 0]]);
              const expected = Uint8Array.from(g.u8());
              const [errno, next] = model(expected, position, s);
              const got = s.at === undefined ? g.call.fd_read!(fd, s.iovs, 1, s.result) : g.call.fd_pread!(fd, s.iovs, 1, BigInt(s.at), s.result);
              assert.equal(got, errno, JSON.stringify(s));
              assert.ok(Buffer.from(g.u8()).equals(Buffer.from(expected)), `memory after ${JSON.stringify(s)}`);
              position = next;
              assert.equal(g.call.fd_tell!(fd, 0), E.SUCCESS);
              assert.equal(g.u64(0), BigInt(position));
            }
          }),
          { seed: 20261130, numRuns: 150 },
        );
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});

describe("fd_read of several buffers from a file (read in place)", () => {
  const SIZE = 65536;
  const FILE = Uint8Array.from({ length: 100 }, (_, i) => 0x20 + i);
  /** Buffers and results crowd one small region, so they alias; a few land at or past the end of memory. */
  const ptrArb = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1000, max: 1500 }) },
    { weight: 1, arbitrary: fc.constantFrom(SIZE - 300, SIZE - 8, SIZE - 4, SIZE - 1, SIZE, -4, 0xffff_fffc) },
  );
  const lenArb = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 300 }) }, { weight: 1, arbitrary: fc.constantFrom(0xffff_ffff, 2 ** 31) });
  const stepArb = fc.record({
    iovs: fc.oneof({ weight: 8, arbitrary: fc.constant(64) }, { weight: 1, arbitrary: fc.constantFrom(66, SIZE - 16, SIZE - 8, SIZE) }),
    bufs: fc.array(fc.record({ base: ptrArb, len: lenArb }), { minLength: 0, maxLength: 5 }),
    extra: fc.constantFrom(0, 0, 0, 12, 1025),
    result: fc.oneof(ptrArb.map((p) => p & ~3), ptrArb),
    at: fc.option(fc.integer({ min: 0, max: 130 }), { nil: undefined }),
  });
  type Step = { iovs: number; bufs: { base: number; len: number }[]; extra: number; result: number; at: number | undefined };

  /**
   * The general path's rules, as a model: the errno, and the memory and
   * offset after it. Buffers are filled in order from one read of their
   * total (so a later one over the same bytes wins), then the count is
   * written. `extra` empty records follow `bufs` (1025 takes the count
   * past `IOV_MAX`).
   */
  function model(mem: Uint8Array, position: number, s: Step): [number, number] {
    const count = s.bufs.length + s.extra;
    const p = s.iovs >>> 0;
    if ((p & 3) !== 0) return [E.INVAL, position];
    if (count > 1024) return [E.INVAL, position];
    if (p + 8 * count > SIZE) return [E.FAULT, position];
    const dv = new DataView(mem.buffer);
    const bufs: [number, number][] = [];
    let room = 2 ** 31 - 4096;
    for (let i = 0; i < count; i++) {
      const base = dv.getUint32(p + 8 * i, true);
      const len = dv.getUint32(p + 8 * i + 4, true);
      if (base + len > SIZE) return [E.FAULT, position];
      bufs.push([base, Math.min(len, room)]);
      room -= Math.min(len, room);
    }
    const r = s.result >>> 0;
    if ((r & 3) !== 0) return [E.INVAL, position];
    if (r + 4 > SIZE) return [E.FAULT, position];
    let from = s.at ?? position;
    let n = 0;
    for (const [base, len] of bufs) {
      const bytes = FILE.subarray(Math.min(from, FILE.length), Math.min(from + len, FILE.length));
      mem.set(bytes, base);
      from += bytes.length;
      n += bytes.length;
    }
    dv.setUint32(r, n, true);
    return [E.SUCCESS, s.at === undefined ? position + n : position];
  }

  for (const backend of ["memory", "host"] as const) {
    for (const shared of [false, true]) {
      test(`${backend} backend${shared ? ", shared memory" : ""}: the errnos, bytes and offset of the general path's rules`, async () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vmio-fd-readv-"));
        try {
          fs.writeFileSync(path.join(tmp, "f"), FILE);
          await fc.assert(
            fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 10 }), async (steps) => {
              const memory = new Wasm.Memory(shared ? { initial: 1, maximum: 2, shared: true } : { initial: 1, maximum: 2 });
              const wasi = new WASI({ preopens: { "/": backend === "memory" ? new MemoryDir({ f: FILE }) : tmp } });
              wasi.initialize({ exports: { memory } });
              const call = wasi.getImportObject().wasi_snapshot_preview1 as unknown as Record<string, (...args: (number | bigint)[]) => number>;
              const u8 = (): Uint8Array => new Uint8Array(memory.buffer);
              const dv = (): DataView => new DataView(memory.buffer);
              u8().set(new TextEncoder().encode("f"), 300);
              assert.equal(call.path_open!(3, 0, 300, 1, 0, R.FD_READ | R.FD_SEEK | R.FD_TELL, 0n, 0, 200), E.SUCCESS);
              const fd = dv().getUint32(200, true);
              let position = 0;
              for (const s of steps) {
                const p = s.iovs >>> 0;
                const count = s.bufs.length + s.extra;
                if ((p & 3) === 0 && p + 8 * count <= SIZE) {
                  s.bufs.forEach(({ base, len }, i) => {
                    dv().setUint32(p + 8 * i, base >>> 0, true);
                    dv().setUint32(p + 8 * i + 4, len >>> 0, true);
                  });
                  for (let i = s.bufs.length; i < count; i++) dv().setBigUint64(p + 8 * i, 0n, true);
                }
                const expected = Uint8Array.from(u8());
                const [errno, next] = model(expected, position, s);
                const got = s.at === undefined ? call.fd_read!(fd, s.iovs, count, s.result) : call.fd_pread!(fd, s.iovs, count, BigInt(s.at), s.result);
                assert.equal(got, errno, JSON.stringify(s));
                assert.ok(Buffer.from(u8()).equals(Buffer.from(expected)), `memory after ${JSON.stringify(s)}`);
                position = next;
                assert.equal(call.fd_tell!(fd, 0), E.SUCCESS);
                assert.equal(dv().getBigUint64(0, true), BigInt(position));
              }
            }),
            { seed: 20261130, numRuns: 120 },
          );
        } finally {
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      });
    }
  }
});
