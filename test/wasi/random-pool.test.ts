/** random_get's pool: every byte the CSPRNG gave is handed out at most once, in order, exactly where asked. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { GuestMemory } from "vmio";
import { RandomPool } from "../../src/wasi/random-pool.js";

/**
 * Runs `body` with `crypto.getRandomValues` replaced by a counter (byte k of
 * everything drawn is k & 0xff), so what the pool hands out can be traced to
 * its place in the stream.
 */
function withCountingCrypto(body: (draws: number[]) => void): void {
  const draws: number[] = [];
  let next = 0;
  const own = Object.getOwnPropertyDescriptor(crypto, "getRandomValues");
  Object.defineProperty(crypto, "getRandomValues", {
    configurable: true,
    value: <T extends ArrayBufferView | null>(array: T): T => {
      const u8 = new Uint8Array(array!.buffer, array!.byteOffset, array!.byteLength);
      draws.push(u8.length);
      for (let i = 0; i < u8.length; i++) u8[i] = next++ & 0xff;
      return array;
    },
  });
  try {
    body(draws);
  } finally {
    if (own === undefined) delete (crypto as { getRandomValues?: unknown }).getRandomValues;
    else Object.defineProperty(crypto, "getRandomValues", own);
  }
}

test("small requests come from one 4 KiB draw, in order, no byte twice, refilled when one does not fit", () => {
  withCountingCrypto((draws) => {
    const buffer = new ArrayBuffer(65536);
    const u8 = new Uint8Array(buffer);
    const mem = new GuestMemory(buffer);
    const pool = new RandomPool();
    let stream = 0;
    for (let i = 0; i < 700; i++) {
      const n = 1 + (i % 23);
      const ptr = 100 + (i % 7);
      u8.fill(0xee);
      const before = draws.length;
      pool.fill(mem, ptr, n);
      // A refill draws a whole pool, and the request starts at its first byte.
      if (draws.length !== before) stream = (draws.length - 1) * 4096;
      for (let k = 0; k < n; k++) assert.equal(u8[ptr + k], (stream + k) & 0xff, `request ${i}, byte ${k}`);
      assert.equal(u8[ptr - 1], 0xee, "nothing before the range");
      assert.equal(u8[ptr + n], 0xee, "nothing after the range");
      stream += n;
    }
    assert.ok(draws.length >= 2, "the pool was refilled");
    assert.ok(draws.every((d) => d === 4096));
  });
});

test("large requests are drawn directly (64 KiB at a time), the pool untouched", () => {
  withCountingCrypto((draws) => {
    const memory = new ArrayBuffer(4 * 65536);
    const mem = new GuestMemory(memory);
    const pool = new RandomPool();
    pool.fill(mem, 8, 3);
    assert.deepEqual(draws, [4096]);
    pool.fill(mem, 16, 65536 + 10);
    assert.deepEqual(draws, [4096, 65536, 10]);
    const u8 = new Uint8Array(memory);
    assert.equal(u8[16], 4096 & 0xff);
    assert.equal(u8[16 + 65536], (4096 + 65536) & 0xff);
    pool.fill(mem, 0, 2);
    assert.deepEqual([u8[0], u8[1]], [3, 4], "the pool goes on where it stopped");
  });
});

test("real random bytes: 300 requests of 16 B are all different", () => {
  const buffer = new ArrayBuffer(65536);
  const mem = new GuestMemory(buffer);
  const pool = new RandomPool();
  const seen = new Set<string>();
  for (let i = 0; i < 300; i++) {
    pool.fill(mem, 64, 16);
    seen.add(Buffer.from(buffer, 64, 16).toString("hex"));
  }
  assert.equal(seen.size, 300);
});
