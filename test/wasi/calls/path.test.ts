/** The path_* functions: pointers checked before side effects, readlink truncation, rights on path_open, argument checks. */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemoryDir } from "vmio/wasi";
import { E, R, testGuest } from "../guest.js";

const O_CREAT = 1;
const O_DIRECTORY = 2;

describe("path functions", () => {
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

  test("a path of PATH_MAX (4096) bytes or more is NAMETOOLONG, after FAULT; one byte less is resolved", async () => {
    const dir = new MemoryDir();
    const g = await testGuest({ preopens: { "/": dir } });
    const long = "./".repeat(2047) + "x"; // 4095 bytes
    assert.equal(g.call.path_filestat_get!(3, 0, ...g.put(1000, long), 200), E.NOENT);
    assert.equal(g.call.path_create_directory!(3, ...g.put(1000, long + "y")), E.NAMETOOLONG);
    assert.equal(g.call.path_create_directory!(3, 1000, 0xffff_0000), E.FAULT);
    assert.deepEqual(dir.snapshot(), {});
  });
});
