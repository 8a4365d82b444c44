// The CPU's public surface, as the kernel imports it.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cpu from "../../../kernel/cpu/index.js";

test("kernel/cpu exports the hart, the memory interface helpers and the flat memory, nothing else", () => {
  assert.deepEqual(Object.keys(cpu).sort(), ["AmoOp", "CONTEXT_SIZE", "FlatMemory", "Hart", "MemoryFault", "amo32Result", "amo64Result"]);
  const hart = new cpu.Hart(new cpu.FlatMemory(64));
  assert.equal(hart.run(0), "budget");
});
