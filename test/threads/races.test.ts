// Plain copies may race (as in OSTD): workers copying into overlapping
// ranges of one frame, or of user memory, while others churn reference
// counts, allocations and mappings, throw nothing, leave every byte as one
// of the values written, never touch a byte outside their ranges, and leave
// the metadata exact.

import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CachePolicy, FrameAllocOptions, PAGE_SIZE, PageFlags, PageProperty, PhysicalMemory, UFrame, VmSpace } from "../../src/index.js";
import { background, controlWords, finishAll, sharedMemory, startOn, terminateAll, waitFor, type MemoryWorker } from "./support.js";

afterEach(terminateAll);

const T = { timeout: 60_000 };
const VA = 0x2_0000_0000;
const GUARD = 0xee;
const A = 0x11;
const B = 0x22;
/** Control words: 0 ready, 1 go, 2 stop the copies, [16, 18) for the allocation churn. */
const READY = 0;
const GO = 1;
const STOP = 2;

interface Zone {
  start: number;
  end: number;
  allowed: number[];
}

interface Fixture {
  readonly mem: PhysicalMemory;
  readonly free0: number;
  readonly frame: UFrame;
  readonly space: VmSpace;
  readonly control: Int32Array;
  spawn(): MemoryWorker;
}

/** Shared RAM with a frame and a space with two mapped pages (both filled with GUARD bytes), active here. */
function fixture(): Fixture {
  const mem = sharedMemory(1024);
  const free0 = mem.freeFrames();
  const opts = new FrameAllocOptions(mem);
  const frame = opts.allocFrame();
  frame.writeBytes(0, new Uint8Array(PAGE_SIZE).fill(GUARD));
  const space = new VmSpace(mem);
  const c = space.cursorMut({ start: VA, end: VA + 2 * PAGE_SIZE });
  for (let p = 0; p < 2; p++) {
    const f = opts.allocFrame();
    f.writeBytes(0, new Uint8Array(PAGE_SIZE).fill(GUARD));
    c.map(f, PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback));
    f.dispose();
  }
  c.dispose();
  space.activate();
  const control = controlWords(32);
  return {
    mem,
    free0,
    frame,
    space,
    control,
    spawn: () => startOn(mem, "race-worker.js", { frame: frame.share(), space: space.share(), control }),
  };
}

/** Lets `n` workers waiting at the barrier go at once. */
async function go(control: Int32Array, n: number, watched: readonly Promise<unknown>[]): Promise<void> {
  await waitFor(() => Atomics.load(control, READY) === n, 10_000, `${n} workers at the start line`, watched);
  Atomics.store(control, GO, 1);
  Atomics.notify(control, GO);
}

/**
 * Starts the racers (`ready` of them wait at the barrier), waits for the
 * churns, then stops the copies; resolves with the copies' round counts and
 * the churns' results. Every promise is settled before this returns.
 */
async function finish(control: Int32Array, ready: number, copies: Promise<number>[], churns: Promise<unknown>[]): Promise<[number[], unknown[]]> {
  for (const p of [...copies, ...churns]) background(p);
  try {
    await go(control, ready, [...copies, ...churns]);
    const results = await Promise.all(churns);
    Atomics.store(control, STOP, 1);
    return [await Promise.all(copies), results];
  } finally {
    Atomics.store(control, STOP, 1);
    await Promise.allSettled([...copies, ...churns]);
  }
}

function assertZones(bytes: Uint8Array, base: number, zones: readonly Zone[], what: string): void {
  for (const z of zones) {
    for (let i = z.start; i < z.end; i++) {
      const b = bytes[i - base] as number;
      assert.ok(z.allowed.includes(b), `${what}: byte at 0x${i.toString(16)} is 0x${b.toString(16)}, expected one of ${z.allowed.map((x) => "0x" + x.toString(16)).join(", ")}`);
    }
  }
}

/**
 * The zones of a racing region `[lo, hi)` where A writes `[lo, aEnd)` and B
 * writes `[bStart, hi)` (bStart < aEnd): guards around it, each writer's own
 * part, the overlap, and what the other writer's part may hold.
 */
function zonesFor(who: "A" | "B" | "final", outer: [number, number], lo: number, bStart: number, aEnd: number, hi: number): Zone[] {
  const guards = [
    { start: outer[0], end: lo, allowed: [GUARD] },
    { start: hi, end: outer[1], allowed: [GUARD] },
  ];
  const aOnly = who === "B" ? [0, A] : [A];
  const bOnly = who === "A" ? [0, B] : [B];
  const both = who === "final" ? [A, B] : [0, A, B];
  return [...guards, { start: lo, end: bStart, allowed: aOnly }, { start: bStart, end: aEnd, allowed: both }, { start: aEnd, end: hi, allowed: bOnly }];
}

describe("plain copies race freely, as in OSTD", () => {
  test("two workers copy into overlapping ranges of one shared frame while others churn references and allocations", T, async (t) => {
    const fx = fixture();
    const { frame, control } = fx;
    const lo = 1024;
    const bStart = 1536;
    const aEnd = 2560;
    const hi = 3072;
    frame.fillZeros(lo, hi - lo);
    const outer: [number, number] = [0, PAGE_SIZE];
    const a = fx.spawn();
    const b = fx.spawn();
    const refs = fx.spawn();
    assert.equal(frame.referenceCount(), 4, "this thread and three workers");
    const alloc = startOn(fx.mem, "alloc-worker.js", { control });

    const ROUNDS = 1_000;
    const copies = [
      a.call<number>("copies", { where: "frame", how: "writeBytes", at: lo, len: aEnd - lo, byte: A, rounds: ROUNDS, zones: zonesFor("A", outer, lo, bStart, aEnd, hi), readyIndex: READY, goIndex: GO, stopIndex: STOP }, 15_000),
      b.call<number>("copies", { where: "frame", how: "readFallible", at: bStart, len: hi - bStart, byte: B, rounds: ROUNDS, zones: zonesFor("B", outer, lo, bStart, aEnd, hi), readyIndex: READY, goIndex: GO, stopIndex: STOP }, 15_000),
    ];
    const churns = [
      refs.call<number>("refChurn", { rounds: 20_000, readyIndex: READY, goIndex: GO }, 15_000),
      alloc.call("churn", { id: 8, seed: 99, ops: 20_000, maxHeld: 16, maxSegment: 8, stopIndex: 16, heldIndex: 17 }, 15_000),
    ];
    const [rounds, [maxRefs]] = await finish(control, 3, copies, churns);
    assert.ok((maxRefs as number) >= 6, "the churn saw its clone and its attached handle");
    t.diagnostic(`copy rounds: ${rounds.join(", ")}`);
    assert.equal(frame.referenceCount(), 4, "every clone and attach was undone exactly");

    const bytes = new Uint8Array(PAGE_SIZE);
    frame.readBytes(0, bytes);
    assertZones(bytes, 0, zonesFor("final", outer, lo, bStart, aEnd, hi), "final frame");

    await Promise.all([a, b, refs].map((w) => w.call("dispose")));
    assert.equal(frame.referenceCount(), 1);
    await finishAll([a, b, refs, alloc]);
    frame.dispose();
    fx.space.dispose();
    assert.equal(fx.mem.freeFrames(), fx.free0, "every frame is back");
  });

  test("two workers copy into overlapping ranges of user memory across a page boundary while others map and unmap around them", T, async (t) => {
    const fx = fixture();
    const { space, control } = fx;
    const lo = VA + 3072;
    const bStart = VA + 3584;
    const aEnd = VA + PAGE_SIZE + 512;
    const hi = VA + PAGE_SIZE + 1024;
    space.fillZeros(lo, hi - lo);
    const outer: [number, number] = [VA, VA + 2 * PAGE_SIZE];
    const a = fx.spawn();
    const b = fx.spawn();
    const near = fx.spawn();
    const far = fx.spawn();

    const ROUNDS = 1_000;
    const copies = [
      a.call<number>("copies", { where: "space", how: "writeBytes", at: lo, len: aEnd - lo, byte: A, rounds: ROUNDS, zones: zonesFor("A", outer, lo, bStart, aEnd, hi), readyIndex: READY, goIndex: GO, stopIndex: STOP }, 15_000),
      b.call<number>("copies", { where: "space", how: "readFallible", at: bStart, len: hi - bStart, byte: B, rounds: ROUNDS, zones: zonesFor("B", outer, lo, bStart, aEnd, hi), readyIndex: READY, goIndex: GO, stopIndex: STOP }, 15_000),
    ];
    const churns = [
      // In the same last-level table: each unmap shoots down every TLB of the space.
      near.call("mapChurn", { va: VA + 16 * PAGE_SIZE, pages: 4, rounds: 300, readyIndex: READY, goIndex: GO }, 15_000),
      // A gigabyte away: page-table nodes are made and freed each round.
      far.call("mapChurn", { va: VA + 2 ** 30, pages: 2, rounds: 300, readyIndex: READY, goIndex: GO }, 15_000),
    ];
    const [rounds] = await finish(control, 4, copies, churns);
    t.diagnostic(`copy rounds: ${rounds.join(", ")}`);

    const bytes = new Uint8Array(2 * PAGE_SIZE);
    space.readBytes(VA, bytes);
    assertZones(bytes, VA, zonesFor("final", outer, lo, bStart, aEnd, hi), "final user memory");

    await Promise.all([a, b, near, far].map((w) => w.call("dispose")));
    await finishAll([a, b, near, far]);
    assert.equal(fx.frame.referenceCount(), 1);
    fx.frame.dispose();
    space.dispose();
    assert.equal(fx.mem.freeFrames(), fx.free0, "every frame and page-table node is back");
  });
});
