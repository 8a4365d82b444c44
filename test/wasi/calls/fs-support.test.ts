/** What the fd and path functions share: the filestat store against the struct it stands for. */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { GuestMemory } from "vmio";
import { FilestatRecord } from "../../../src/wasi/abi.js";
import { putFilestat } from "../../../src/wasi/calls/fs-support.js";

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });

test("putFilestat stores exactly what writeVal(FilestatRecord) stores, padding zeroed, nothing around it", () => {
  fc.assert(
    fc.property(
      fc.record({ dev: u64, ino: u64, filetype: fc.integer({ min: 0, max: 7 }), nlink: u64, size: u64, atim: u64, mtim: u64, ctim: u64 }),
      fc.integer({ min: 0, max: 15 }).map((k) => k * 8),
      fc.uint8Array({ minLength: 256, maxLength: 256 }),
      (st, at, garbage) => {
        const mine = new GuestMemory(new ArrayBuffer(256));
        const reference = new GuestMemory(new ArrayBuffer(256));
        mine.writeBytes(0, garbage);
        reference.writeBytes(0, garbage);
        putFilestat(mine, at, st);
        reference.writeVal(at, FilestatRecord, st);
        const a = new Uint8Array(256);
        const b = new Uint8Array(256);
        mine.readBytes(0, a);
        reference.readBytes(0, b);
        assert.deepEqual(a, b);
      },
    ),
    { seed: 0xf11e, numRuns: 500 },
  );
});
