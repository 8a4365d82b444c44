// PodFault: how a bad part of a value travels out of nested snapshots,
// gathering its path, and becomes the API's coded error at the outermost
// one; a user's own exception passes through untouched.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { PodFault, notArray, notStruct, rethrow, wrongLength } from "../../src/pod/pod-fault.js";

function caught(f: () => void): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return assert.fail("nothing thrown");
}

describe("PodFault", () => {
  test("steps gathered on the way out are rendered outermost first after the path", () => {
    const fault = new PodFault(256, "an integer in [0, 255]", true);
    const inner = caught(() => rethrow(fault, "[2]", undefined));
    assert.equal(inner, fault, "without a path it stays a PodFault");
    const middle = caught(() => rethrow(inner, ".list", undefined));
    const outer = caught(() => rethrow(middle, ".inner", "value"));
    assert.ok(outer instanceof RangeError);
    assert.equal((outer as { code?: unknown }).code, "ERR_OUT_OF_RANGE");
    assert.equal((outer as Error).message, "value.inner.list[2] must be an integer in [0, 255], received 256");
  });

  test("a type fault becomes a TypeError with its code; an empty step adds nothing", () => {
    const e = caught(() => rethrow(notStruct(null), "", "v"));
    assert.ok(e instanceof TypeError);
    assert.equal((e as { code?: unknown }).code, "ERR_INVALID_ARG_TYPE");
    assert.equal((e as Error).message, "v must be an object with the struct's fields, received null");
    assert.equal((caught(() => rethrow(notArray("x", 3), "", "v")) as Error).message, 'v must be an array of 3 elements, received "x" (a string)');
    const length = caught(() => rethrow(wrongLength(2, 3), ".list", "v"));
    assert.ok(length instanceof RangeError);
    assert.equal((length as Error).message, "v.list.length must be 3, received 2");
  });

  test("anything that is not a PodFault (a getter's own error, any value) is rethrown unchanged", () => {
    for (const thrown of [new Error("mine"), new TypeError("native"), 42, undefined, { code: "X" }]) {
      assert.equal(caught(() => rethrow(thrown, ".a", "value")), thrown);
      assert.equal(caught(() => rethrow(thrown, ".a", undefined)), thrown);
    }
  });
});
