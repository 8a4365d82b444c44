/**
 * The preview1 import object as a hostile guest calls it: the README's
 * bad-pointer table (every row an errno with nothing written), negative
 * int32 pointers, and memory growth during a call.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { E, testGuest } from "../guest.js";
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
