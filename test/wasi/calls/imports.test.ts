/**
 * The preview1 import object as a hostile guest calls it: the README's
 * bad-pointer table (every row an errno with nothing written), negative
 * int32 pointers, and memory growth during a call; and as a JavaScript
 * caller may call it, with arguments of the wrong JS type (the README's
 * rule, by example).
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { E, testGuest, type TestGuest } from "../guest.js";
import { POINTER_CASES, makeHost } from "../suite/bad-pointers.js";
import { WASI } from "vmio/wasi";

/** Each preview1 function's parameter count in its wasm signature (witx, i64s counted once). */
const ARITY: Record<string, number> = {
  args_get: 2, args_sizes_get: 2, environ_get: 2, environ_sizes_get: 2, clock_res_get: 2, clock_time_get: 3,
  fd_advise: 4, fd_allocate: 3, fd_close: 1, fd_datasync: 1, fd_fdstat_get: 2, fd_fdstat_set_flags: 2,
  fd_fdstat_set_rights: 3, fd_filestat_get: 2, fd_filestat_set_size: 2, fd_filestat_set_times: 4, fd_pread: 5,
  fd_prestat_get: 2, fd_prestat_dir_name: 3, fd_pwrite: 5, fd_read: 4, fd_readdir: 5, fd_renumber: 2, fd_seek: 4,
  fd_sync: 1, fd_tell: 2, fd_write: 4, path_create_directory: 3, path_filestat_get: 5, path_filestat_set_times: 7,
  path_link: 7, path_open: 9, path_readlink: 6, path_remove_directory: 3, path_rename: 6, path_symlink: 5,
  path_unlink_file: 3, poll_oneoff: 4, proc_exit: 1, proc_raise: 1, sched_yield: 0, random_get: 2, sock_accept: 3,
  sock_recv: 6, sock_send: 5, sock_shutdown: 2,
};

describe("the import functions", () => {
  // V8 calls an import whose declared arity matches its wasm signature
  // directly; a bound function or a mismatch goes through the generic call
  // builtin (see imports.ts). A bound function has the right length too, so
  // its name ("bound …") is what tells it apart.
  test("each is a plain function named as its import, of exactly its wasm signature's arity", () => {
    const imports = new WASI().getImportObject().wasi_snapshot_preview1;
    assert.deepEqual(Object.keys(imports), Object.keys(ARITY), "the 46 functions, in witx order");
    for (const [name, f] of Object.entries(imports)) {
      assert.equal(f.name, name, `${name}: not bound or wrapped`);
      assert.equal(f.length, ARITY[name], `${name}: arity`);
    }
  });
});

describe("guest memory discipline", () => {
  for (const c of POINTER_CASES) {
    test(`${c.name}: errno ${c.errno}, nothing written`, async () => {
      const h = await makeHost("vmio/wasi");
      const r = c.run(h);
      assert.equal(r.answer, c.errno);
      assert.equal(r.sideEffect, false);
    });
  }

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
});

/** The imports as a JavaScript caller sees them: any value can be passed. */
const js = (g: TestGuest): Record<string, (...args: unknown[]) => unknown> => g.call as unknown as Record<string, (...args: unknown[]) => unknown>;

describe("arguments of the wrong JS type, taken as a wasm function of the import's signature takes them", () => {
  // hostile.property.test.ts checks the rule for every import and position against a twin called through wasm;
  // these are its cases one by one, as a reader would try them.
  test("an i32 is ToInt32 of the value: 2^32 + 1 is 1, fractions truncate, NaN, undefined and junk strings are 0, a numeric string is its number", async () => {
    const g = await testGuest();
    g.put(1000, "hello");
    g.iovecs(100, [[1000, 5]]);
    assert.equal(js(g).fd_write(2 ** 32 + 1, "100", 1.9, [200]), E.SUCCESS);
    assert.equal(g.stdout(), "hello");
    assert.equal(g.u32(200), 5);
    assert.equal(js(g).random_get(NaN, undefined), E.SUCCESS, "(0, 0)");
    assert.equal(js(g).random_get("abc", -0.5), E.SUCCESS, "(0, 0)");
    assert.equal(js(g).fd_fdstat_get(1 - 2 ** 32, 8.5), E.SUCCESS, "(1, 8)");
    assert.equal(g.u32(8) & 0xff, 2, "stdout's filetype, character device, at 8");
  });

  test("a bigint for an i32, or a number, undefined or null for an i64, is a TypeError; a string that is not an integer a SyntaxError; nothing happens", async () => {
    const g = await testGuest();
    assert.throws(() => js(g).fd_close(1n), TypeError);
    assert.throws(() => js(g).fd_close(Symbol("fd")), TypeError);
    assert.equal(js(g).fd_fdstat_get(1, 200), E.SUCCESS, "fd 1 is still open");
    assert.throws(() => js(g).clock_time_get(1, 1000, 200), TypeError);
    assert.throws(() => js(g).clock_time_get(1, undefined, 200), TypeError);
    assert.throws(() => js(g).clock_time_get(1, "1.5", 200), SyntaxError);
    g.put(200, new Uint8Array(8));
    assert.throws(() => js(g).clock_time_get(1, null, 200), TypeError);
    assert.equal(g.u32(200), 0, "nothing written");
  });

  test("an i64 is ToBigInt64 of the value: a bigint modulo 2^64, booleans and integer strings as BigInt takes them", async () => {
    const g = await testGuest();
    assert.equal(js(g).clock_time_get(1, "1000", 200), E.SUCCESS);
    assert.equal(js(g).clock_time_get(1, true, 200), E.SUCCESS);
    // fd_fdstat_set_rights on stdout: 2^64 + FD_WRITE is FD_WRITE (dropping rights is allowed), not an undefined bit.
    assert.equal(js(g).fd_fdstat_set_rights(1, 2n ** 64n + 64n, 0n), E.SUCCESS);
    assert.equal(js(g).fd_fdstat_get(1, 200), E.SUCCESS);
    assert.equal(g.u32(208), 64, "only FD_WRITE is left");
  });

  test("an object's valueOf runs once per argument, in order, before the call reads guest memory or looks at its fds", async () => {
    const g = await testGuest();
    g.put(1000, "hello");
    g.iovecs(100, [[1000, 5]]);
    const calls: string[] = [];
    const count = {
      valueOf() {
        calls.push("count");
        g.put(1000, "HELLO"); // the call reads the buffer after this
        return 1;
      },
    };
    const fd = { valueOf: () => (calls.push("fd"), 1) };
    assert.equal(js(g).fd_write(fd, 100, count, 200), E.SUCCESS);
    assert.deepEqual(calls, ["fd", "count"]);
    assert.equal(g.stdout(), "HELLO");
    // A valueOf that closes the fd the call is about to use: the call sees it closed.
    const closing = { valueOf: () => (js(g).fd_close(1), 200) };
    assert.equal(js(g).fd_fdstat_get(1, closing), E.BADF);
  });
});
