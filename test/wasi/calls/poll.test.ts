/** poll_oneoff: clocks relative and absolute, fd subscriptions ready at once, bad arrays. */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { E, testGuest } from "../guest.js";

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
