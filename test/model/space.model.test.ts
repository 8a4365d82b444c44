// The address-space model under re-entrancy (test/model/space-model.ts):
// at least 10^4 random operations per `npm test`, on unshared and on shared
// RAM, with fixed seeds. scripts/model-long.mjs runs the same model for 10^6.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runSpaceModel } from "./space-model.js";

for (const [shared, seed] of [
  [false, 0x1e8_0001],
  [true, 0x1e8_0002],
] as const) {
  test(`model (${shared ? "shared" : "unshared"} RAM): handlers, protectNext ops and getters that re-enter the space agree with the model, and every frame comes back`, () => {
    const stats = runSpaceModel({ seed, runs: 25, ops: 200, shared });
    assert.ok(stats.ops >= 5000, `${stats.ops} operations`);
    assert.ok(stats.handlerCalls > 0 && stats.faults > 0 && stats.reentries > 0, JSON.stringify(stats));
  });
}
