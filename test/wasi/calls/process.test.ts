/** args, environ, random, sockets and the rest of the process-level functions. */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { E, testGuest } from "../guest.js";

describe("process-level functions", () => {
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

  test("random_get fills the buffer; out of bounds it touches nothing", async () => {
    const g = await testGuest();
    assert.equal(g.call.random_get!(1000, 70000 - 1000), E.FAULT);
    assert.ok(g.u8().subarray(1000, 2000).every((b) => b === 0));
    assert.equal(g.call.random_get!(1000, 64), E.SUCCESS);
    assert.ok(g.u8().subarray(1000, 1064).some((b) => b !== 0));
  });
});
