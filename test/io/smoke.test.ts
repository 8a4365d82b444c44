import { test } from "node:test";
import assert from "node:assert/strict";
import { VmReader, VmWriter, u32, u64, struct } from "../../src/index.js";

test("smoke: u32 and struct round trip", () => {
  const buf = new Uint8Array(32);
  const w = VmWriter.from(buf);
  w.writeVal(u32, 0xdeadbeef);
  const S = struct({ a: u32, b: u64 });
  w.writeVal(S, { a: 1, b: 2n });
  const r = VmReader.from(buf);
  assert.equal(r.readVal(u32), 0xdeadbeef);
  assert.deepEqual(r.readVal(S), { a: 1, b: 2n });
});
