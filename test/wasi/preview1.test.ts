/**
 * The preview1 functions as a guest calls them: guest-memory discipline
 * (the bad-pointer table, every pointer checked before the first side
 * effect, memory growth during a call), and the semantics the suite
 * exercises only in passing (readdir cookies, poll_oneoff, rights,
 * renumber, sockets).
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemoryDir } from "vmio/wasi";
import { E, R, testGuest } from "./guest.js";
import { POINTER_CASES, makeHost } from "./suite/bad-pointers.js";

const O_CREAT = 1;
const O_DIRECTORY = 2;

describe("guest memory discipline", () => {
  for (const c of POINTER_CASES) {
    test(`${c.name}: errno ${c.errno}, nothing written`, async () => {
      const h = await makeHost("vmio/wasi");
      const r = c.run(h);
      assert.equal(r.answer, c.errno);
      assert.equal(r.sideEffect, false);
    });
  }

  test("fd_read with its result out of bounds reads nothing: the bytes are still there for the next read", async () => {
    const g = await testGuest({ stdin: new TextEncoder().encode("abc") });
    g.iovecs(100, [[1000, 3]]);
    assert.equal(g.call.fd_read!(0, 100, 1, 65536), E.FAULT);
    assert.equal(g.call.fd_read!(0, 100, 1, 200), E.SUCCESS);
    assert.equal(g.u32(200), 3);
    assert.equal(new TextDecoder().decode(g.u8().subarray(1000, 1003)), "abc");
  });

  test("path_open with its result out of bounds creates no file", async () => {
    const dir = new MemoryDir();
    const g = await testGuest({ preopens: { "/": dir } });
    const [p, n] = g.put(300, "new.txt");
    assert.equal(g.call.path_open!(3, 0, p, n, O_CREAT, R.FD_WRITE, 0n, 0, 65536), E.FAULT);
    assert.equal(g.call.path_open!(3, 0, p, n, O_CREAT, R.FD_WRITE, 0n, 0, 65534), E.INVAL, "misaligned result");
    assert.deepEqual(Object.keys(dir.snapshot()), []);
  });

  test("path_readlink with bufused out of bounds leaves the buffer alone", async () => {
    const g = await testGuest({ preopens: { "/": new MemoryDir({ l: MemoryDir.symlink("target") }) } });
    const [p, n] = g.put(300, "l");
    assert.equal(g.call.path_readlink!(3, p, n, 1000, 16, 65536), E.FAULT);
    assert.equal(g.u8()[1000], 0);
    assert.equal(g.call.path_readlink!(3, p, n, 1000, 4, 200), E.SUCCESS, "a short buffer truncates");
    assert.equal(g.u32(200), 4);
    assert.equal(new TextDecoder().decode(g.u8().subarray(1000, 1004)), "targ");
    assert.equal(g.u8()[1004], 0);
  });

  test("a pointer passed as a negative int32 means its unsigned value (out of bounds here)", async () => {
    const g = await testGuest();
    assert.equal(g.call.fd_write!(1, -8, 1, 200), E.FAULT);
    assert.equal(g.call.random_get!(-1, 1), E.FAULT);
    assert.equal(g.call.random_get!(65535, 1), E.SUCCESS, "the last byte is in bounds");
    assert.equal(g.call.random_get!(65536, 0), E.SUCCESS, "an empty range at the end is in bounds");
  });

  test("a sink that grows memory during fd_write: the result lands in the grown memory", async () => {
    let grow = () => {};
    const g = await testGuest({ stdout: () => grow() });
    grow = () => void g.memory.grow(1);
    g.put(1000, "hello");
    g.iovecs(100, [[1000, 5]]);
    assert.equal(g.call.fd_write!(1, 100, 1, 200), E.SUCCESS);
    assert.equal(g.memory.buffer.byteLength, 2 * 65536);
    assert.equal(g.u32(200), 5);
  });

  test("bad arguments that are not pointers: clock ids, whence, advice, fstflags, oflags", async () => {
    const g = await testGuest({ preopens: { "/": new MemoryDir({ f: "x" }) } });
    assert.equal(g.call.clock_time_get!(9, 0n, 200), E.INVAL);
    assert.equal(g.call.clock_time_get!(0, 0n, 204), E.INVAL, "misaligned u64 result");
    assert.equal(g.call.clock_res_get!(9, 200), E.INVAL);
    const [p, n] = g.put(300, "f");
    assert.equal(g.call.path_open!(3, 0, p, n, 0, R.FD_READ | R.FD_SEEK, 0n, 0, 200), E.SUCCESS);
    const fd = g.u32(200);
    assert.equal(g.call.fd_seek!(fd, 0n, 3, 208), E.INVAL);
    assert.equal(g.call.fd_seek!(fd, -1n, 0, 208), E.INVAL);
    assert.equal(g.call.fd_advise!(fd, 0n, 0n, 6), E.NOTCAPABLE, "no fd_advise right was asked for");
    assert.equal(g.call.fd_filestat_set_times!(fd, 0n, 0n, 1 | 2), E.NOTCAPABLE);
    assert.equal(g.call.path_filestat_set_times!(3, 0, p, n, 0n, 0n, 1 | 2), E.INVAL, "ATIM with ATIM_NOW");
    assert.equal(g.call.path_open!(3, 0, p, n, 16, 0n, 0n, 0, 200), E.INVAL, "unknown oflag");
    assert.equal(g.call.path_open!(3, 0, p, n, O_DIRECTORY | O_CREAT, 0n, 0n, 0, 200), E.INVAL);
    assert.equal(g.call.path_open!(3, 0, p, n, 0, 1n << 40n, 0n, 0, 200), E.INVAL, "an undefined rights bit");
  });
});

describe("args and environ", () => {
  test("args_get lays out argv pointers and NUL-terminated strings; the guest sees only the env it was given", async () => {
    const g = await testGuest({ args: ["prog", "a b", "ü"], env: { HOME: "/h", X: "" } });
    assert.equal(g.call.args_sizes_get!(100, 104), E.SUCCESS);
    assert.deepEqual([g.u32(100), g.u32(104)], [3, 5 + 4 + 3]);
    assert.equal(g.call.args_get!(200, 300), E.SUCCESS);
    const strings = [0, 1, 2].map((i) => {
      const at = g.u32(200 + i * 4);
      const end = g.u8().indexOf(0, at);
      return new TextDecoder().decode(g.u8().subarray(at, end));
    });
    assert.deepEqual(strings, ["prog", "a b", "ü"]);
    assert.equal(g.call.environ_sizes_get!(100, 104), E.SUCCESS);
    assert.deepEqual([g.u32(100), g.u32(104)], [2, 8 + 3]);
    assert.equal(g.call.args_get!(202, 300), E.INVAL, "misaligned argv");
    assert.equal(g.call.args_get!(200, 65530), E.FAULT, "strings past the end");
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

  test("refuses a file fd (NOTDIR) and a directory without fd_readdir (NOTCAPABLE)", async () => {
    const g = await testGuest({ preopens: { "/": new MemoryDir({ d: {} }) } });
    const [p, n] = g.put(300, "d");
    assert.equal(g.call.path_open!(3, 0, p, n, O_DIRECTORY, R.FD_FILESTAT_GET, 0n, 0, 200), E.SUCCESS);
    assert.equal(g.call.fd_readdir!(g.u32(200), 1000, 100, 0n, 204), E.NOTCAPABLE);
    assert.equal(g.call.fd_readdir!(1, 1000, 100, 0n, 204), E.NOTDIR);
    assert.equal(g.call.fd_readdir!(77, 1000, 100, 0n, 204), E.BADF);
  });
});

describe("poll_oneoff", () => {
  const clock = (g: Awaited<ReturnType<typeof testGuest>>, at: number, userdata: bigint, id: number, timeout: bigint, flags: number) => {
    g.dv().setBigUint64(at, userdata, true);
    g.u8()[at + 8] = 0;
    g.setU32(at + 16, id);
    g.dv().setBigUint64(at + 24, timeout, true);
    g.dv().setUint16(at + 40, flags, true);
  };
  const fdSub = (g: Awaited<ReturnType<typeof testGuest>>, at: number, userdata: bigint, type: number, fd: number) => {
    g.dv().setBigUint64(at, userdata, true);
    g.u8()[at + 8] = type;
    g.setU32(at + 16, fd);
  };

  test("a relative clock sleeps until its timeout; the earliest of several clocks fires", async () => {
    const g = await testGuest();
    clock(g, 1024, 7n, 1, 30_000_000n, 0);
    clock(g, 1072, 8n, 1, 5_000_000_000n, 0);
    const t0 = performance.now();
    assert.equal(g.call.poll_oneoff!(1024, 2048, 2, 200), E.SUCCESS);
    assert.ok(performance.now() - t0 >= 29, "slept ~30 ms");
    assert.equal(g.u32(200), 1);
    assert.equal(g.u64(2048), 7n);
    assert.equal(g.dv().getUint16(2056, true), E.SUCCESS);
  });

  test("an absolute clock in the past fires at once; an unknown clock is an event with INVAL", async () => {
    const g = await testGuest();
    clock(g, 1024, 1n, 0, 1n, 1);
    assert.equal(g.call.poll_oneoff!(1024, 2048, 1, 200), E.SUCCESS);
    assert.equal(g.u32(200), 1);
    clock(g, 1024, 2n, 9, 1n, 0);
    assert.equal(g.call.poll_oneoff!(1024, 2048, 1, 200), E.SUCCESS);
    assert.equal(g.dv().getUint16(2056, true), E.INVAL);
  });

  test("fd subscriptions are ready at once, with the bytes stdin holds; a closed fd is an event with BADF", async () => {
    const g = await testGuest({ stdin: new Uint8Array(5) });
    fdSub(g, 1024, 1n, 1, 0);
    fdSub(g, 1072, 2n, 2, 1);
    fdSub(g, 1120, 3n, 1, 42);
    clock(g, 1168, 4n, 1, 5_000_000_000n, 0);
    assert.equal(g.call.poll_oneoff!(1024, 2048, 4, 200), E.SUCCESS);
    assert.equal(g.u32(200), 3, "the clock does not fire when an fd is ready");
    assert.deepEqual([g.u64(2048), g.u64(2048 + 16)], [1n, 5n]);
    assert.equal(g.u8()[2048 + 10], 1);
    assert.equal(g.u64(2080), 2n);
    assert.equal(g.dv().getUint16(2112 + 8, true), E.BADF);
  });

  test("no subscriptions is INVAL; arrays out of bounds are FAULT; misaligned INVAL", async () => {
    const g = await testGuest();
    assert.equal(g.call.poll_oneoff!(1024, 2048, 0, 200), E.INVAL);
    assert.equal(g.call.poll_oneoff!(65536 - 40, 2048, 1, 200), E.FAULT);
    assert.equal(g.call.poll_oneoff!(1024, 65536 - 16, 1, 200), E.FAULT);
    assert.equal(g.call.poll_oneoff!(1028, 2048, 1, 200), E.INVAL);
    assert.equal(g.call.poll_oneoff!(1024, 2048, 0x1000_0000, 200), E.FAULT, "a count whose arrays exceed 4 GiB");
    assert.equal(g.call.poll_oneoff!(1024, 2048, -1, 200), E.FAULT);
  });
});

describe("fds: rights, renumber, preopens, sockets", () => {
  test("path_open cuts rights to the directory's inheriting rights and the kind of fd; fd_fdstat_set_rights only drops", async () => {
    const g = await testGuest({ preopens: { "/": new MemoryDir({ f: "data", d: {} }) } });
    let [p, n] = g.put(300, "f");
    assert.equal(g.call.path_open!(3, 0, p, n, 0, R.FD_READ | R.FD_READDIR, 0n, 0, 200), E.SUCCESS);
    const fd = g.u32(200);
    assert.equal(g.call.fd_fdstat_get!(fd, 1000), E.SUCCESS);
    assert.equal(g.u64(1008), R.FD_READ, "fd_readdir is no right of a file");
    assert.equal(g.call.fd_fdstat_set_rights!(fd, R.FD_READ | R.FD_WRITE, 0n), E.NOTCAPABLE);
    assert.equal(g.call.fd_fdstat_set_rights!(fd, 0n, 0n), E.SUCCESS);
    g.iovecs(100, [[1000, 4]]);
    assert.equal(g.call.fd_read!(fd, 100, 1, 200), E.NOTCAPABLE);
    [p, n] = g.put(300, "d");
    assert.equal(g.call.path_open!(3, 0, p, n, O_DIRECTORY, R.FD_READ | R.FD_WRITE, 0n, 0, 200), E.ISDIR);
    assert.equal(g.call.path_open!(fd, 0, p, n, 0, 0n, 0n, 0, 200), E.NOTDIR, "a file is no directory fd");
  });

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

  test("no fd is a socket: sock_* answer NOTSOCK for an open fd and BADF for a closed one", async () => {
    const g = await testGuest();
    assert.equal(g.call.sock_shutdown!(1, 1), E.NOTSOCK);
    assert.equal(g.call.sock_shutdown!(9, 1), E.BADF);
    assert.equal(g.call.sock_accept!(0, 0, 200), E.NOTSOCK);
    assert.equal(g.call.sock_recv!(0, 100, 1, 0, 200, 204), E.NOTSOCK);
    assert.equal(g.call.sock_send!(1, 100, 1, 0, 200), E.NOTSOCK);
    assert.equal(g.call.proc_raise!(9), E.NOSYS);
    assert.equal(g.call.sched_yield!(), E.SUCCESS);
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

  test("random_get fills the buffer; out of bounds it touches nothing", async () => {
    const g = await testGuest();
    assert.equal(g.call.random_get!(1000, 70000 - 1000), E.FAULT);
    assert.ok(g.u8().subarray(1000, 2000).every((b) => b === 0));
    assert.equal(g.call.random_get!(1000, 64), E.SUCCESS);
    assert.ok(g.u8().subarray(1000, 1064).some((b) => b !== 0));
  });
});
