// Type-level tests: the compiler enforces fallibility and infers Pod value
// types. `npm test` runs tsc first, so this file fails the build when
// - an infallible-only method type-checks on a fallible reader or writer
//   (each such line carries `@ts-expect-error`, which is itself an error
//   when the line compiles), or
// - an inferred type drifts (the `Expect<Equal<…>>` assertions), including
//   the types of VM objects' readers and writers and of share tokens.
// The runtime part checks that the same calls made from plain JS throw.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  FrameAllocOptions,
  FrameVec,
  PAGE_SIZE,
  PhysicalMemory,
  UFrame,
  USegment,
  VmReader,
  VmWriter,
  array,
  f32,
  f64,
  i16,
  i32,
  i64,
  i8,
  isize,
  struct,
  u16,
  u32,
  u64,
  u8,
  usize,
  type Fallibility,
  type Fallible,
  type FrameToken,
  type Infallible,
  type MemoryToken,
  type SegmentToken,
  type PodOnceType,
  type PodType,
  type PodValue,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

const S = struct({ a: u32, b: u64 });
const Nested = struct({ x: u8, inner: S, list: array(i64, 2), grid: array(array(u16, 2), 2), f: f32 });
const Packed = struct({ a: u8, b: usize, c: isize }, { packed: true });

const reader = VmReader.from(new Uint8Array(16));
const writer = VmWriter.from(new Uint8Array(16));
const fallibleReader = reader.toFallible();
const fallibleWriter = writer.toFallible();

const decoded = reader.clone().readVal(S);
const decodedNested = VmReader.from(new Uint8Array(64)).readVal(Nested);

// ---- inferred value types ----
export type ValueTypes = [
  Expect<Equal<PodValue<typeof S>, { a: number; b: bigint }>>,
  Expect<Equal<PodValue<typeof u8>, number>>,
  Expect<Equal<PodValue<typeof u16>, number>>,
  Expect<Equal<PodValue<typeof u32>, number>>,
  Expect<Equal<PodValue<typeof i8>, number>>,
  Expect<Equal<PodValue<typeof i16>, number>>,
  Expect<Equal<PodValue<typeof i32>, number>>,
  Expect<Equal<PodValue<typeof f32>, number>>,
  Expect<Equal<PodValue<typeof f64>, number>>,
  Expect<Equal<PodValue<typeof u64>, bigint>>,
  Expect<Equal<PodValue<typeof i64>, bigint>>,
  Expect<Equal<PodValue<typeof usize>, bigint>>,
  Expect<Equal<PodValue<typeof isize>, bigint>>,
  Expect<Equal<PodValue<typeof Packed>, { a: number; b: bigint; c: bigint }>>,
  Expect<
    Equal<
      PodValue<typeof Nested>,
      { x: number; inner: { a: number; b: bigint }; list: bigint[]; grid: number[][]; f: number }
    >
  >,
  Expect<Equal<PodValue<ReturnType<typeof array<bigint>>>, bigint[]>>,
  Expect<Equal<typeof decoded, { a: number; b: bigint }>>,
  Expect<Equal<typeof decodedNested.inner.b, bigint>>,
];

// ---- reader and writer types ----
export type ReaderWriterTypes = [
  Expect<Equal<ReturnType<typeof VmReader.from>, VmReader<Infallible>>>,
  Expect<Equal<ReturnType<typeof VmWriter.from>, VmWriter<Infallible>>>,
  Expect<Equal<typeof fallibleReader, VmReader<Fallible>>>,
  Expect<Equal<typeof fallibleWriter, VmWriter<Fallible>>>,
  Expect<Equal<VmReader, VmReader<Fallible>>>,
  Expect<Equal<VmWriter, VmWriter<Fallible>>>,
  Expect<Equal<ReturnType<typeof reader.clone>, VmReader<Infallible>>>,
  Expect<Equal<ReturnType<typeof fallibleReader.clone>, VmReader<Fallible>>>,
  Expect<Equal<ReturnType<typeof writer.cloneExclusive>, VmWriter<Infallible>>>,
  Expect<Equal<ReturnType<typeof fallibleWriter.cloneExclusive>, VmWriter<Fallible>>>,
  Expect<Equal<ReturnType<typeof reader.limit>, VmReader<Infallible>>>,
  Expect<Equal<ReturnType<typeof fallibleWriter.skip>, VmWriter<Fallible>>>,
  Expect<Equal<ReturnType<typeof reader.atomicLoad>, number>>,
  Expect<Equal<ReturnType<typeof writer.atomicCompareExchange>, [previous: number, exchanged: boolean]>>,
  // The two kinds are distinct types: neither is assignable to the other.
  Expect<Equal<VmReader<Fallible> extends VmReader<Infallible> ? true : false, false>>,
  Expect<Equal<VmWriter<Fallible> extends VmWriter<Infallible> ? true : false, false>>,
  Expect<Equal<VmReader<Infallible> extends VmReader<Fallibility> ? true : false, true>>,
  Expect<Equal<VmWriter<Infallible> extends VmWriter<Fallibility> ? true : false, true>>,
  // Readers and writers share no base class, and neither passes for the other.
  Expect<Equal<VmReader<Fallibility> extends VmWriter<Fallibility> ? true : false, false>>,
  Expect<Equal<VmWriter<Fallibility> extends VmReader<Fallibility> ? true : false, false>>,
];

// ---- VM objects and share tokens ----
export type ObjectTypes = [
  Expect<Equal<ReturnType<UFrame["reader"]>, VmReader<Infallible>>>,
  Expect<Equal<ReturnType<UFrame["writer"]>, VmWriter<Infallible>>>,
  Expect<Equal<ReturnType<USegment["reader"]>, VmReader<Infallible>>>,
  Expect<Equal<ReturnType<FrameVec["writer"]>, VmWriter<Infallible>>>,
  Expect<Equal<ReturnType<PhysicalMemory["share"]>, MemoryToken>>,
  Expect<Equal<ReturnType<typeof PhysicalMemory.attach>, PhysicalMemory>>,
  Expect<Equal<ReturnType<UFrame["share"]>, FrameToken>>,
  Expect<Equal<ReturnType<typeof UFrame.attach>, UFrame>>,
  Expect<Equal<ReturnType<USegment["share"]>, SegmentToken>>,
  Expect<Equal<ReturnType<typeof USegment.attach>, USegment>>,
  // A token of one kind does not type-check as the other.
  Expect<Equal<FrameToken extends SegmentToken ? true : false, false>>,
  Expect<Equal<SegmentToken extends FrameToken ? true : false, false>>,
  Expect<Equal<MemoryToken["buffer"], SharedArrayBuffer>>,
];

// ---- calls that must and must not compile; each also runs ----
test("fallibility and Pod value types are enforced by the compiler, and at run time", () => {
  // The values behind the type assertions above.
  assert.deepEqual(decoded, { a: 0, b: 0n });
  assert.equal(decodedNested.inner.b, 0n);
  assert.deepEqual(VmReader.from(new Uint8Array(17)).readVal(Packed), { a: 0, b: 0n, c: 0n });
  assert.equal(fallibleReader.remain(), 16);
  assert.equal(fallibleWriter.avail(), 16);

  const src = new Uint8Array(16);
  const dst = new Uint8Array(16);
  const r = VmReader.from(src);
  const w = VmWriter.from(dst);
  const fr = r.clone().toFallible();
  const fw = w.cloneExclusive().toFallible();

  // Infallible-only methods on a fallible reader or writer do not compile, and throw.
  assert.throws(() => {
    // @ts-expect-error: read() is only for VmReader<Infallible>
    VmReader.from(src).toFallible().read(w);
  }, TypeError);
  assert.throws(() => {
    // @ts-expect-error: readOnce() is only for VmReader<Infallible>
    fr.readOnce(u32);
  }, TypeError);
  assert.throws(() => {
    // @ts-expect-error: write() is only for VmWriter<Infallible>
    fw.write(r);
  }, TypeError);
  assert.throws(() => {
    // @ts-expect-error: writeOnce() is only for VmWriter<Infallible>
    fw.writeOnce(u32, 1);
  }, TypeError);

  // The other side of read/write must be infallible too.
  assert.throws(() => {
    // @ts-expect-error: read() needs an infallible writer
    r.read(fw);
  }, TypeError);
  assert.throws(() => {
    // @ts-expect-error: write() needs an infallible reader
    w.write(fr);
  }, TypeError);

  // readOnce/writeOnce take PodOnce types only.
  assert.throws(() => {
    // @ts-expect-error: f32 is not PodOnce
    r.readOnce(f32);
  }, TypeError);
  assert.throws(() => {
    // @ts-expect-error: f64 is not PodOnce
    w.writeOnce(f64, 1);
  }, TypeError);
  assert.throws(() => {
    // @ts-expect-error: a struct is not PodOnce
    r.readOnce(S);
  }, TypeError);

  // Values must match the descriptor's inferred type.
  assert.throws(() => {
    // @ts-expect-error: b is a u64, so it must be a bigint
    w.cloneExclusive().writeVal(S, { a: 1, b: 2 });
  }, TypeError);
  assert.throws(() => {
    // @ts-expect-error: a u32 value must be a number
    w.cloneExclusive().writeVal(u32, 1n);
  }, TypeError);
  // @ts-expect-error: readVal(u64) gives a bigint, not a number
  const wrong: number = r.clone().readVal(u64);
  assert.equal(typeof wrong, "bigint");

  // Methods that take either kind accept both.
  const infallibleWriter: VmWriter<Infallible> = VmWriter.from(new Uint8Array(2));
  const infallibleReader: VmReader<Infallible> = VmReader.from(new Uint8Array(2));
  assert.equal(fr.readFallible(infallibleWriter), 2);
  assert.equal(VmReader.from(src).readFallible(VmWriter.from(dst).toFallible()), 16);
  assert.equal(fw.writeFallible(infallibleReader), 2);
  assert.equal(VmWriter.from(dst).writeFallible(VmReader.from(src).toFallible()), 16);
  const acceptsAnyWriter: (w: VmWriter<Fallibility>) => number = (x) => VmReader.from(src).readFallible(x);
  assert.equal(acceptsAnyWriter(VmWriter.from(new Uint8Array(1))), 1);

  // Infallible methods compile and work on infallible ones; the shared ones on both.
  const once: PodOnceType<number> = u32;
  const pod: PodType<number> = once;
  const v32: number = VmReader.from(new Uint8Array(4)).readOnce(once);
  const v64: bigint = VmReader.from(new Uint8Array(8)).readVal(u64);
  const s: { a: number; b: bigint } = VmReader.from(new Uint8Array(16)).readVal(S);
  const fromFallible: number = VmReader.from(new Uint8Array(4)).toFallible().readVal(pod);
  const loaded: number = VmReader.from(new Uint8Array(4)).toFallible().atomicLoad(u32);
  assert.deepEqual([v32, v64, s, fromFallible, loaded], [0, 0n, { a: 0, b: 0n }, 0, 0]);
  const word = new Uint8Array(4);
  const result: [number, boolean] = VmWriter.from(word).toFallible().atomicCompareExchange(VmReader.from(word).toFallible(), u32, 0, 1);
  assert.deepEqual(result, [0, true]);
  assert.deepEqual(VmWriter.from(word).atomicCompareExchange(VmReader.from(word), u32, 1, 2), [1, true]);
});

test("share tokens: the wrong kind of token does not compile, and throws", () => {
  const mem = new PhysicalMemory({ size: 64 * PAGE_SIZE, shared: true });
  const opts = new FrameAllocOptions(mem);
  const frame = opts.allocFrame();
  const seg = opts.allocSegment(1);
  const frameToken = frame.share();
  const segToken = seg.share();
  assert.throws(() => {
    // @ts-expect-error: a segment token is not a frame token
    UFrame.attach(mem, segToken);
  }, TypeError);
  assert.throws(() => {
    // @ts-expect-error: a frame token is not a segment token
    USegment.attach(mem, frameToken);
  }, TypeError);
  assert.throws(() => {
    // @ts-expect-error: a memory token is not a frame token
    UFrame.attach(mem, mem.share());
  }, TypeError);
  assert.throws(() => {
    // @ts-expect-error: the memory comes first
    UFrame.attach(frameToken, mem);
  }, TypeError);
  const f: UFrame = UFrame.attach(PhysicalMemory.attach(mem.share()), frameToken);
  const s: USegment = USegment.attach(mem, segToken);
  for (const h of [f, s, frame, seg]) h.dispose();
  assert.equal(mem.freeFrames(), mem.size / PAGE_SIZE - mem.reservedFrames());
});
