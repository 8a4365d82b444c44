// The generated-code path (`{ codegen: true }`): falls back to the closures
// where code generation is forbidden (a strict CSP; here Node's
// --disallow-code-generation-from-strings), treats field names as data
// only, flattens small nested types and delegates large ones, and reads
// its option once.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { VmReader, VmWriter, array, sizeOf, struct, u16, u32, u64, u8, type PodType } from "../../src/index.js";
import { coded, descriptor, isGenerated } from "./support.js";

function roundTrip<T>(t: PodType<T>, value: T): T {
  const buf = new Uint8Array(sizeOf(t));
  VmWriter.from(buf).writeVal(t, value);
  return VmReader.from(buf).readVal(t);
}

describe("where code generation is forbidden", () => {
  test("codegen: true falls back to the closures, with the same bytes and errors (child process, time-boxed)", () => {
    const index = fileURLToPath(new URL("../../src/index.js", import.meta.url));
    const script = `
      const { VmReader, VmWriter, array, struct, u8, u32, u64 } = await import(${JSON.stringify(index)});
      let evalBlocked = false;
      try { new Function("return 1"); } catch (e) { evalBlocked = e instanceof EvalError; }
      const S = struct({ a: u8, b: u64, list: array(u32, 2, { codegen: true }) }, { codegen: true });
      const buf = new Uint8Array(24).fill(0xee);
      VmWriter.from(buf).writeVal(S, { a: 1, b: 2n, list: [3, 4] });
      let error = "";
      try { VmWriter.from(new Uint8Array(24)).writeVal(S, { a: 1, b: 2n, list: [3, -1] }); } catch (e) { error = e.code + " " + e.message; }
      console.log(JSON.stringify({ evalBlocked, generated: S.generated, bytes: Array.from(buf), back: String(VmReader.from(buf).readVal(S).b), error }));
    `;
    const child = spawnSync(process.execPath, ["--disallow-code-generation-from-strings", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout) as { evalBlocked: boolean; generated: boolean; bytes: number[]; back: string; error: string };
    assert.equal(out.evalBlocked, true, "the child really forbids new Function");
    assert.equal(out.generated, false);
    assert.deepEqual(out.bytes, [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]);
    assert.equal(out.back, "2");
    assert.equal(out.error, "ERR_OUT_OF_RANGE value.list[1] must be an integer in [0, 4294967295], received -1");
  });
});

describe("generated code", () => {
  test("field names are data: names that look like code round-trip and run nothing", () => {
    const names = ['"); globalThis.pwned = 1; ("', "'); globalThis.pwned = 2; ('", "\\", "*/ globalThis.pwned = 3; /*", "a\u2028b\u2029c", "${globalThis.pwned = 4}", "constructor", "toString", "hasOwnProperty"];
    const fields: Record<string, PodType<number>> = {};
    const value: Record<string, number> = {};
    names.forEach((n, i) => {
      fields[n] = u16;
      value[n] = i + 1;
    });
    const S = struct(fields, { codegen: true });
    assert.equal(isGenerated(S), true);
    const back = roundTrip(S, value);
    assert.deepEqual(back, value);
    assert.deepEqual(Object.keys(back), names);
    assert.equal((globalThis as { pwned?: unknown }).pwned, undefined);
    const bad = { ...value, [names[0] as string]: -1 };
    assert.throws(() => VmWriter.from(new Uint8Array(sizeOf(S))).writeVal(S, bad), coded(RangeError, "ERR_OUT_OF_RANGE", `value[${JSON.stringify(names[0])}]`));
  });

  test("nested types of more than 32 scalars are called through their own codecs, with full error paths", () => {
    const Big = array(u8, 40);
    const Inner = struct({ tag: u32, big: Big }, { codegen: true });
    const S = struct({ x: u16, inner: Inner, small: array(u8, 4) }, { codegen: true });
    assert.equal(isGenerated(S), true);
    // The flattened parts are inline, the large array is a call of its own codec.
    const source = String(descriptor(S).snapshot);
    assert.match(source, /\["x"\]/);
    assert.doesNotMatch(source, /\[39\]/, "the 40-byte array is not unrolled");
    const value = { x: 1, inner: { tag: 2, big: Array.from({ length: 40 }, (_, i) => i) }, small: [5, 6, 7, 8] };
    assert.deepEqual(roundTrip(S, value), value);
    const big = [...value.inner.big];
    big[37] = 256;
    assert.throws(() => descriptor(S).snapshot({ ...value, inner: { tag: 2, big } }, "v"), coded(RangeError, "ERR_OUT_OF_RANGE", "v.inner.big[37]"));
    assert.throws(() => descriptor(S).snapshot({ ...value, inner: { tag: 2, big: big.slice(1) } }, "v"), coded(RangeError, "ERR_OUT_OF_RANGE", "v.inner.big.length"));
  });

  test("a getter that throws inside a delegated nested type comes out unchanged", () => {
    const S = struct({ big: array(struct({ a: u32 }), 40) }, { codegen: true });
    const boom = new Error("boom");
    const big = Array.from({ length: 40 }, () => ({ a: 1 }));
    Object.defineProperty(big, 7, { get: () => { throw boom; } });
    assert.throws(() => descriptor(S).snapshot({ big }, "v"), (e) => e === boom);
  });

  test("arrays are generated up to 32 scalars in all", () => {
    assert.equal(isGenerated(array(u32, 32, { codegen: true })), true);
    assert.equal(isGenerated(array(struct({ a: u8, b: u8 }), 16, { codegen: true })), true);
    assert.equal(isGenerated(array(u32, 33, { codegen: true })), false);
    assert.equal(isGenerated(array(array(u8, 8), 5, { codegen: true })), false);
    assert.equal(isGenerated(array(u32, 4)), false, "not without the option");
    assert.deepEqual(roundTrip(array(u64, 3, { codegen: true }), [1n, 2n, 3n]), [1n, 2n, 3n]);
  });

  test("the options are read once each and must be booleans (a TypeError with a code)", () => {
    const reads: string[] = [];
    const opts = {
      get codegen() {
        reads.push("codegen");
        return true;
      },
      get packed() {
        reads.push("packed");
        return true;
      },
    };
    assert.equal(isGenerated(struct({ a: u8, b: u32 }, opts)), true);
    assert.deepEqual(reads.sort(), ["codegen", "packed"]);
    assert.throws(() => struct({ a: u8 }, { packed: null as unknown as boolean }), coded(TypeError, "ERR_INVALID_ARG_TYPE", "opts.packed"));
    for (const bad of ["yes", 1, null]) {
      assert.throws(() => struct({ a: u8 }, { codegen: bad as unknown as boolean }), coded(TypeError, "ERR_INVALID_ARG_TYPE", "opts.codegen"));
    }
  });
});
