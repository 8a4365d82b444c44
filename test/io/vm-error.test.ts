// VmError: the runtime failures a caller handles, kept apart from contract
// violations (TypeError/RangeError).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { VmError, VmReader, VmWriter, u32, type VmErrorCode } from "../../src/index.js";

const codes: VmErrorCode[] = ["InvalidArgs", "PageFault", "AccessDenied", "NoMemory", "Overflow"];

describe("VmError", () => {
  for (const code of codes) {
    test(`new VmError("${code}") carries its code, copied 0 and name "VmError"`, () => {
      const e = new VmError(code);
      assert.equal(e.code, code);
      assert.equal(e.copied, 0);
      assert.equal(e.name, "VmError");
      assert.equal(typeof e.message, "string");
      assert.ok(e instanceof VmError);
      assert.ok(e instanceof Error);
      assert.equal(Object.prototype.toString.call(e), "[object Error]");
      assert.match(String(e), /^VmError/);
      assert.equal(typeof e.stack, "string");
    });
  }

  test("keeps a message and the number of bytes copied", () => {
    const e = new VmError("PageFault", "fault at 0x1000", 4096);
    assert.equal(e.message, "fault at 0x1000");
    assert.equal(e.copied, 4096);
    assert.equal(e.code, "PageFault");
  });

  test("an unknown code is a TypeError", () => {
    for (const bad of ["Bogus", "invalidargs", "", undefined, null, 3]) {
      assert.throws(() => new VmError(bad as VmErrorCode), TypeError, String(bad));
    }
  });

  test("copied that is not a non-negative safe integer is rejected", () => {
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53, "3", 3n, null]) {
      assert.throws(
        () => new VmError("PageFault", "m", bad as number),
        (e: unknown) => (e instanceof TypeError || e instanceof RangeError) && !(e instanceof VmError),
        String(bad),
      );
    }
  });

  test("io failures are VmErrors with code InvalidArgs and copied 0", () => {
    const r = VmReader.from(new Uint8Array(3));
    assert.throws(
      () => r.readVal(u32),
      (e: unknown) => e instanceof VmError && e.code === "InvalidArgs" && e.copied === 0,
    );
  });

  test("contract violations are never VmErrors", () => {
    const r = VmReader.from(new Uint8Array(3));
    assert.throws(
      () => r.skip(4),
      (e: unknown) => e instanceof RangeError && !(e instanceof VmError),
    );
    const w = VmWriter.from(new Uint8Array(8));
    assert.throws(
      () => w.writeVal(u32, -1),
      (e: unknown) => e instanceof RangeError && !(e instanceof VmError),
    );
  });
});

describe("VmError's own argument errors", () => {
  test("carry a code, as every error vmio throws does", () => {
    assert.throws(() => new VmError("Bogus" as VmErrorCode), (e: unknown) => e instanceof TypeError && (e as { code?: unknown }).code === "ERR_INVALID_ARG_TYPE");
    for (const bad of [-1, 1.5, NaN, 3n, "3"]) {
      assert.throws(
        () => new VmError("PageFault", "m", bad as number),
        (e: unknown) => (e instanceof TypeError || e instanceof RangeError) && typeof (e as { code?: unknown }).code === "string",
      );
    }
  });
});
