// Model-based test of readers and writers over typed memory: random buffers,
// views, limits and skips, and random sequences of copies, fills and value
// accesses, run against vmio and against a plain byte-array model. Counts,
// cursors (offsets from the start of each view), errors (alignment judged at
// the byte's offset in its buffer) and every byte of every buffer must agree
// after each step — including when the reader and writer are overlapping
// views of one buffer, where a copy must be a memmove.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { VmError, VmReader, VmWriter, u16, u32, u64, u8, type Fallibility, type Infallible, type PodOnceType } from "../../src/index.js";

const types = [u8, u16, u32, u64] as Array<PodOnceType<number | bigint>>;
const typeSizes = [1, 2, 4, 8];

type Op =
  | { kind: "read" }
  | { kind: "readFallible" }
  | { kind: "write" }
  | { kind: "writeFallible" }
  | { kind: "fillZeros"; n: number }
  | { kind: "readVal"; t: number }
  | { kind: "writeVal"; t: number; v: number }
  | { kind: "readOnce"; t: number }
  | { kind: "writeOnce"; t: number; v: number }
  | { kind: "skipReader"; n: number }
  | { kind: "skipWriter"; n: number }
  | { kind: "limitReader"; n: number }
  | { kind: "limitWriter"; n: number }
  | { kind: "atomicLoad" }
  | { kind: "atomicCompareExchange"; current: boolean; expected: number; next: number };

const small = fc.integer({ min: 0, max: 320 });
const typeIndex = fc.integer({ min: 0, max: 3 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<Op>({ kind: "read" }, { kind: "readFallible" }, { kind: "write" }, { kind: "writeFallible" }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("fillZeros" as const), n: small }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("readVal" as const), t: typeIndex }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("writeVal" as const), t: typeIndex, v: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("readOnce" as const), t: typeIndex }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("writeOnce" as const), t: typeIndex, v: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("skipReader" as const), n: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("skipWriter" as const), n: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("limitReader" as const), n: small }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("limitWriter" as const), n: small }) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: "atomicLoad" }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("atomicCompareExchange" as const),
      /** Expect the value that is there (so that the exchange happens), or `expected`. */
      current: fc.boolean(),
      expected: fc.nat(),
      next: fc.nat(),
    }),
  },
);

const scenarioArb = fc.record({
  /** "separate": reader and writer over two buffers; "same": over (possibly overlapping) views of one. */
  layout: fc.constantFrom("separate" as const, "same" as const),
  shared: fc.boolean(),
  srcSize: fc.integer({ min: 0, max: 300 }),
  dstSize: fc.integer({ min: 0, max: 300 }),
  rStart: fc.nat(),
  rLen: fc.nat(),
  wStart: fc.nat(),
  wLen: fc.nat(),
  rDataView: fc.boolean(),
  wDataView: fc.boolean(),
  rFallible: fc.boolean(),
  wFallible: fc.boolean(),
  seed: fc.integer({ min: 0, max: 255 }),
  ops: fc.array(opArb, { minLength: 0, maxLength: 24 }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

function patternBytes(size: number, seed: number): number[] {
  return Array.from({ length: size }, (_, i) => (i * 31 + seed * 7 + 3) & 0xff);
}

/** The value `v` seeds, in range for type `t`. */
function valueFor(t: number, v: number): number | bigint {
  switch (t) {
    case 0:
      return v & 0xff;
    case 1:
      return v & 0xffff;
    case 2:
      return v >>> 0;
    default:
      return (BigInt(v) * 0x9e3779b97f4a7c15n) & 0xffff_ffff_ffff_ffffn;
  }
}

function leBytes(value: number | bigint, size: number): number[] {
  let x = BigInt(value);
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    out.push(Number(x & 0xffn));
    x >>= 8n;
  }
  return out;
}

function fromLe(bytes: number[], t: number): number | bigint {
  let x = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i] as number);
  return t === 3 ? x : Number(x);
}

function isInvalidArgs(e: unknown): boolean {
  return e instanceof VmError && e.code === "InvalidArgs" && e.copied === 0;
}

function run(s: Scenario): void {
  // ---- set up the real memory and the model ----
  const makeBuffer = (size: number): ArrayBuffer | SharedArrayBuffer => (s.shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
  const srcBuf = makeBuffer(s.srcSize);
  const dstBuf = s.layout === "same" ? srcBuf : makeBuffer(s.dstSize);
  const srcModel = patternBytes(s.srcSize, s.seed);
  const dstModel = s.layout === "same" ? srcModel : patternBytes(s.dstSize, s.seed + 1);
  new Uint8Array(srcBuf).set(srcModel);
  new Uint8Array(dstBuf).set(dstModel);

  const clampRange = (size: number, start: number, len: number): [number, number] => {
    const a = start % (size + 1);
    return [a, len % (size - a + 1)];
  };
  const [rStart, rLen] = clampRange(srcBuf.byteLength, s.rStart, s.rLen);
  const [wStart, wLen] = clampRange(dstBuf.byteLength, s.wStart, s.wLen);
  const rView = s.rDataView ? new DataView(srcBuf, rStart, rLen) : new Uint8Array(srcBuf, rStart, rLen);
  const wView = s.wDataView ? new DataView(dstBuf, wStart, wLen) : new Uint8Array(dstBuf, wStart, wLen);
  const baseReader = VmReader.from(rView);
  const baseWriter = VmWriter.from(wView);
  const r: VmReader<Fallibility> = s.rFallible ? baseReader.toFallible() : baseReader;
  const w: VmWriter<Fallibility> = s.wFallible ? baseWriter.toFallible() : baseWriter;
  // Infallible-only methods, called as plain JS would: a fallible side must throw TypeError.
  const ir = r as unknown as VmReader<Infallible>;
  const iw = w as unknown as VmWriter<Infallible>;
  const infallibleCopy = !s.rFallible && !s.wFallible;

  let rPos = rStart;
  let rEnd = rStart + rLen;
  let wPos = wStart;
  let wEnd = wStart + wLen;

  const srcBytes = new Uint8Array(srcBuf);
  const dstBytes = new Uint8Array(dstBuf);
  // The model keeps buffer offsets (alignment is judged there); addresses
  // are offsets from the start of each view.
  const check = (step: string): void => {
    assert.equal(r.cursor(), rPos - rStart, `${step}: reader cursor`);
    assert.equal(r.remain(), rEnd - rPos, `${step}: remain`);
    assert.equal(r.hasRemain(), rEnd > rPos, `${step}: hasRemain`);
    assert.equal(w.cursor(), wPos - wStart, `${step}: writer cursor`);
    assert.equal(w.avail(), wEnd - wPos, `${step}: avail`);
    assert.equal(w.hasAvail(), wEnd > wPos, `${step}: hasAvail`);
    for (let i = 0; i < srcModel.length; i++) {
      if (srcBytes[i] !== srcModel[i]) assert.fail(`${step}: source byte ${i} is ${srcBytes[i]}, model ${srcModel[i]}`);
    }
    for (let i = 0; i < dstModel.length; i++) {
      if (dstBytes[i] !== dstModel[i]) assert.fail(`${step}: destination byte ${i} is ${dstBytes[i]}, model ${dstModel[i]}`);
    }
  };

  /** The model of every copy: memmove of min(remain, avail) bytes, both cursors advance. */
  const modelCopy = (): number => {
    const n = Math.min(rEnd - rPos, wEnd - wPos);
    const chunk = srcModel.slice(rPos, rPos + n);
    for (let i = 0; i < n; i++) dstModel[wPos + i] = chunk[i] as number;
    rPos += n;
    wPos += n;
    return n;
  };

  check("initial");
  s.ops.forEach((op, index) => {
    const step = `op ${index} ${JSON.stringify(op)}`;
    switch (op.kind) {
      case "read":
      case "write":
        if (!infallibleCopy) {
          assert.throws(() => (op.kind === "read" ? ir.read(iw) : iw.write(ir)), TypeError, step);
        } else {
          const got = op.kind === "read" ? ir.read(iw) : iw.write(ir);
          assert.equal(got, modelCopy(), step);
        }
        break;
      case "readFallible":
      case "writeFallible": {
        const got = op.kind === "readFallible" ? r.readFallible(w) : w.writeFallible(r);
        assert.equal(got, modelCopy(), step);
        break;
      }
      case "fillZeros": {
        const n = Math.min(op.n, wEnd - wPos);
        assert.equal(w.fillZeros(op.n), n, step);
        for (let i = 0; i < n; i++) dstModel[wPos + i] = 0;
        wPos += n;
        break;
      }
      case "readVal":
      case "readOnce": {
        const size = typeSizes[op.t] as number;
        const t = types[op.t] as PodOnceType<number | bigint>;
        const call = (): number | bigint => (op.kind === "readVal" ? r.readVal(t) : ir.readOnce(t));
        if (op.kind === "readOnce" && s.rFallible) {
          assert.throws(call, TypeError, step);
        } else if (rEnd - rPos < size) {
          assert.throws(call, isInvalidArgs, step);
        } else if (op.kind === "readOnce" && rPos % size !== 0) {
          assert.throws(call, RangeError, step);
        } else {
          assert.equal(call(), fromLe(srcModel.slice(rPos, rPos + size), op.t), step);
          rPos += size;
        }
        break;
      }
      case "writeVal":
      case "writeOnce": {
        const size = typeSizes[op.t] as number;
        const t = types[op.t] as PodOnceType<number | bigint>;
        const value = valueFor(op.t, op.v);
        const call = (): void => (op.kind === "writeVal" ? w.writeVal(t, value) : iw.writeOnce(t, value));
        if (op.kind === "writeOnce" && s.wFallible) {
          assert.throws(call, TypeError, step);
        } else if (wEnd - wPos < size) {
          assert.throws(call, isInvalidArgs, step);
        } else if (op.kind === "writeOnce" && wPos % size !== 0) {
          assert.throws(call, RangeError, step);
        } else {
          call();
          leBytes(value, size).forEach((b, i) => (dstModel[wPos + i] = b));
          wPos += size;
        }
        break;
      }
      case "skipReader":
        if (op.n > rEnd - rPos) assert.throws(() => r.skip(op.n), RangeError, step);
        else {
          r.skip(op.n);
          rPos += op.n;
        }
        break;
      case "skipWriter":
        if (op.n > wEnd - wPos) assert.throws(() => w.skip(op.n), RangeError, step);
        else {
          w.skip(op.n);
          wPos += op.n;
        }
        break;
      case "limitReader":
        r.limit(op.n);
        rEnd = Math.min(rEnd, rPos + op.n);
        break;
      case "limitWriter":
        w.limit(op.n);
        wEnd = Math.min(wEnd, wPos + op.n);
        break;
      case "atomicLoad":
        if (rEnd - rPos < 4) assert.throws(() => r.atomicLoad(u32), isInvalidArgs, step);
        else if (rPos % 4 !== 0) assert.throws(() => r.atomicLoad(u32), RangeError, step);
        else assert.equal(r.atomicLoad(u32), fromLe(srcModel.slice(rPos, rPos + 4), 2), step);
        break;
      case "atomicCompareExchange": {
        const call = (expected: number): [number, boolean] => w.atomicCompareExchange(r, u32, expected, op.next >>> 0);
        if (wEnd - wPos < 4 || rEnd - rPos < 4) {
          assert.throws(() => call(op.expected >>> 0), isInvalidArgs, step);
        } else if (srcBuf !== dstBuf || rPos !== wPos) {
          // Not the same byte of the same buffer, whatever the two cursors say.
          assert.throws(() => call(op.expected >>> 0), RangeError, step);
        } else if (wPos % 4 !== 0) {
          assert.throws(() => call(op.expected >>> 0), RangeError, step);
        } else {
          const previous = fromLe(dstModel.slice(wPos, wPos + 4), 2) as number;
          const expected = op.current ? previous : op.expected >>> 0;
          const exchanged = previous === expected;
          assert.deepEqual(call(expected), [previous, exchanged], step);
          if (exchanged) leBytes(op.next >>> 0, 4).forEach((b, i) => (dstModel[wPos + i] = b));
        }
        break;
      }
    }
    check(step);
  });
}

test("readers and writers over typed memory agree with a byte-array model (separate and overlapping buffers)", () => {
  fc.assert(fc.property(scenarioArb, run), { seed: 20240611, numRuns: 400 });
});

test("copies between overlapping views of one buffer are memmoves (focused)", () => {
  // Every run: one buffer, reader and writer ranges that overlap, one big copy.
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 300 }),
      fc.nat(),
      fc.nat(),
      fc.nat(),
      fc.boolean(),
      (size, a, b, len, shared) => {
        const rStart = a % size;
        const wStart = b % size;
        const maxLen = size - Math.max(rStart, wStart);
        const n = len % (maxLen + 1);
        run({
          layout: "same",
          shared,
          srcSize: size,
          dstSize: size,
          rStart,
          rLen: n,
          wStart,
          wLen: n,
          rDataView: false,
          wDataView: a % 2 === 0,
          rFallible: false,
          wFallible: false,
          seed: size & 0xff,
          ops: [{ kind: "read" }],
        });
      },
    ),
    { seed: 77, numRuns: 300 },
  );
});

test("atomics through two different views of one buffer agree with the model when both point at the same byte", () => {
  // Reader and writer views start at different offsets and are skipped to the
  // same buffer offset, so their addresses differ but the byte is the same.
  fc.assert(
    fc.property(
      fc.integer({ min: 8, max: 64 }),
      fc.nat(),
      fc.nat(),
      fc.nat(),
      fc.boolean(),
      fc.array(opArb.filter((op) => op.kind === "atomicLoad" || op.kind === "atomicCompareExchange"), { minLength: 1, maxLength: 8 }),
      (size, a, b, t, shared, ops) => {
        const target = t % (size - 3);
        const rStart = a % (target + 1);
        const wStart = b % (target + 1);
        run({
          layout: "same",
          shared,
          srcSize: size,
          dstSize: size,
          rStart,
          rLen: size - rStart,
          wStart,
          wLen: size - wStart,
          rDataView: a % 2 === 0,
          wDataView: b % 2 === 0,
          rFallible: a % 3 === 0,
          wFallible: b % 3 === 0,
          seed: size & 0xff,
          ops: [
            { kind: "skipReader", n: target - rStart },
            { kind: "skipWriter", n: target - wStart },
            ...ops,
          ],
        });
      },
    ),
    { seed: 4242, numRuns: 300 },
  );
});
