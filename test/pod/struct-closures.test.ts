// The closure-built struct codec (the default path): structs past the four
// unrolled fields, many struct types sharing the same closures, decoded
// values that are plain objects, and error paths for every field.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { VmReader, VmWriter, sizeOf, struct, u16, u32, u64, u8, type PodType } from "../../src/index.js";
import { descriptor, isGenerated } from "./support.js";
import { fieldStep } from "../../src/pod/struct-closures.js";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

function roundTrip<T>(t: PodType<T>, value: T): T {
  const buf = new Uint8Array(sizeOf(t));
  VmWriter.from(buf).writeVal(t, value);
  return VmReader.from(buf).readVal(t);
}

function fields(n: number, prefix = "f"): { types: Record<string, PodType<number>>; value: Record<string, number> } {
  const types: Record<string, PodType<number>> = {};
  const value: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    types[`${prefix}${i}`] = i % 2 === 0 ? u16 : u32;
    value[`${prefix}${i}`] = i + 1;
  }
  return { types, value };
}

describe("closure codecs", () => {
  test("are the default", () => {
    assert.equal(isGenerated(struct({ a: u8 })), false);
    assert.equal(isGenerated(struct({ a: u8 }, { codegen: false })), false);
  });

  test("structs of 1 to 12 fields round-trip; every field, unrolled or looped, is named in its error", () => {
    for (let n = 1; n <= 12; n++) {
      const { types, value } = fields(n);
      const S = struct(types);
      assert.deepEqual(roundTrip(S, value), value);
      for (let i = 0; i < n; i++) {
        assert.throws(
          () => descriptor(S).snapshot({ ...value, [`f${i}`]: -1 }, "v"),
          (e) => e instanceof RangeError && (e as { code?: unknown }).code === "ERR_OUT_OF_RANGE" && e.message.startsWith(`v.f${i} must be`),
          `${n} fields, field ${i}`,
        );
      }
    }
  });

  test("past the unrolled fields, each field is still read once, in declaration order", () => {
    const { types, value } = fields(9);
    const reads: string[] = [];
    const v = new Proxy(value, {
      get(target, key, receiver) {
        reads.push(String(key));
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    descriptor(struct(types)).snapshot(v, "v");
    assert.deepEqual(reads, Object.keys(value));
  });

  test("many struct types with the same field count, used in turn, each keep their own layout", () => {
    // They share the closures' code (and V8's caches of it): correctness must not depend on one type dominating.
    const types = Array.from({ length: 12 }, (_, j) => {
      const f: Record<string, PodType<number | bigint>> = {};
      for (let i = 0; i < 4; i++) f[`s${j}_${i}`] = (i + j) % 3 === 0 ? u64 : (i + j) % 3 === 1 ? u8 : u32;
      return f;
    });
    const structs = types.map((t) => struct(t));
    for (let round = 0; round < 200; round++) {
      const j = (round * 7) % structs.length;
      const value: Record<string, number | bigint> = {};
      for (const [k, t] of Object.entries(types[j] as object)) value[k] = t === u64 ? BigInt(round) : round & 0xff;
      assert.deepEqual(roundTrip(structs[j] as PodType<Record<string, number | bigint>>, value), value);
    }
  });

  test("decoded values are plain objects: Object.prototype, own enumerable fields in order, nothing else", () => {
    for (const n of [1, 3, 4, 5, 9]) {
      const { types, value } = fields(n);
      const back = roundTrip(struct(types), value);
      assert.equal(Object.getPrototypeOf(back), Object.prototype);
      assert.equal(back.constructor, Object);
      assert.deepEqual(Reflect.ownKeys(back), Object.keys(value));
      assert.equal(JSON.stringify(back), JSON.stringify(value));
    }
  });

  test("struct-literals.ts is what scripts/gen-struct-literals.mjs writes (edit the script, not the file)", () => {
    const script = fileURLToPath(new URL("../../../scripts/gen-struct-literals.mjs", import.meta.url));
    // Throws (exit status 1) when the committed file is stale; time-boxed.
    execFileSync(process.execPath, [script, "--check"], { timeout: 20_000, stdio: "pipe" });
  });

  test("more struct types of one field count than there are copies, interleaved, each keep their own layout", () => {
    // Types past the copies share one with an earlier type: both must still decode and encode their own fields.
    for (let n = 1; n <= 9; n++) {
      const made = Array.from({ length: 6 }, (_, j) => {
        const types: Record<string, PodType<number>> = {};
        const value: Record<string, number> = {};
        for (let i = 0; i < n; i++) {
          types[`t${j}_${i}`] = (i + j) % 2 === 0 ? u8 : u32;
          value[`t${j}_${i}`] = 17 * j + i;
        }
        return { S: struct(types), value };
      });
      for (let round = 0; round < 3; round++) {
        for (const { S, value } of made) assert.deepEqual(roundTrip(S, value), value, `${n} fields`);
      }
    }
  });

  test("error paths name fields as a JS accessor would", () => {
    assert.equal(fieldStep("a"), ".a");
    assert.equal(fieldStep("$_x9"), ".$_x9");
    assert.equal(fieldStep("x y"), '["x y"]');
    assert.equal(fieldStep("-1"), '["-1"]');
    assert.equal(fieldStep('"'), '["\\""]');
  });
});
