// The frame allocator: unit tests of FrameAllocator on small frame counts
// (including counts that are not a multiple of 32 and runs that cross
// 32-frame bitmap words), a model test of its policy, and its behaviour
// through PhysicalMemory.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { FrameAllocOptions, PAGE_SIZE, type UFrame, type USegment } from "../../src/index.js";
import { FrameAllocator, allocatorWords, type AllocatorState } from "../../src/frame/frame-allocator.js";
import { memory, usableFrames } from "./support.js";

interface Harness {
  readonly a: FrameAllocator;
  readonly state: AllocatorState;
  readonly nframes: number;
}

/**
 * A fresh allocator over `nframes` frames with `[start, end)` free. With
 * `shared`, its state lives in SharedArrayBuffers and uses the Atomics paths.
 */
function harness(nframes: number, start = 0, end = nframes, shared = false): Harness {
  const words = allocatorWords(nframes);
  const i32 = (n: number) => (shared ? new Int32Array(new SharedArrayBuffer(4 * n)) : new Int32Array(n));
  // `as`: tolerate the state gaining or losing optional-looking fields while src evolves.
  const state = {
    bits: i32(words.bits),
    tree: i32(words.tree),
    hint: i32(2),
    hintIndex: 1,
    nframes,
    shared,
  } as AllocatorState;
  const a = FrameAllocator.format(state, start, end);
  return { a, state, nframes };
}

function freeSet(h: Harness): boolean[] {
  return Array.from({ length: h.nframes }, (_, f) => h.a.isFree(f));
}

/** The tree a full rebuild computes from the current bitmap. */
function rebuiltTree(h: Harness): Int32Array {
  const state = { ...h.state, bits: h.state.bits.slice(), tree: new Int32Array(h.state.tree.length), hint: new Int32Array(2), shared: false } as AllocatorState;
  new FrameAllocator(state).rebuild();
  return state.tree;
}

/**
 * The documented policy, as plainly as possible: the most recently freed run
 * is tried first (once), otherwise first fit at the lowest address.
 */
class PolicyModel {
  readonly free: boolean[];
  hint = -1;
  constructor(readonly nframes: number, start: number, end: number) {
    this.free = Array.from({ length: nframes }, (_, f) => f >= start && f < end);
  }
  private fits(s: number, n: number): boolean {
    if (s < 0 || s + n > this.nframes) return false;
    for (let f = s; f < s + n; f++) if (!this.free[f]) return false;
    return true;
  }
  alloc(n: number): number {
    if (n > this.nframes) return -1;
    let got = -1;
    if (this.fits(this.hint, n)) {
      got = this.hint;
      this.hint = -1;
    } else {
      for (let s = 0; s + n <= this.nframes; s++) {
        if (this.fits(s, n)) {
          got = s;
          break;
        }
      }
    }
    if (got >= 0) for (let f = got; f < got + n; f++) this.free[f] = false;
    return got;
  }
  release(s: number, n: number): void {
    for (let f = s; f < s + n; f++) this.free[f] = true;
    this.hint = s;
  }
}

describe("FrameAllocator (unit)", () => {
  test("initialize(start, end) frees exactly [start, end), for counts around multiples of 32", () => {
    for (const n of [1, 2, 5, 31, 32, 33, 45, 63, 64, 65, 96, 100, 257]) {
      for (const start of [0, 1, 3, 31, 32].filter((s) => s < n)) {
        const h = harness(n, start);
        assert.equal(h.a.freeCount(), n - start, `n=${n} start=${start}`);
        assert.deepEqual(
          freeSet(h),
          Array.from({ length: n }, (_, f) => f >= start),
        );
        assert.deepEqual(h.state.tree, rebuiltTree(h));
      }
    }
  });

  test("format on a state holding old bits clears them first", () => {
    const h = harness(70);
    const a = FrameAllocator.format(h.state, 10, 20);
    assert.equal(a.freeCount(), 10);
    assert.equal(a.alloc(11), -1);
    assert.equal(a.alloc(10), 10);
  });

  test("alloc is first fit at the lowest address", () => {
    const h = harness(100, 3);
    assert.equal(h.a.alloc(1), 3);
    assert.equal(h.a.alloc(2), 4);
    assert.equal(h.a.alloc(10), 6);
    assert.equal(h.a.freeCount(), 100 - 16);
    for (let f = 0; f < 16; f++) assert.equal(h.a.isFree(f), false);
    assert.equal(h.a.isFree(16), true);
  });

  test("runs crossing 32-frame word boundaries", () => {
    const h = harness(100);
    assert.equal(h.a.alloc(30), 0);
    assert.equal(h.a.alloc(5), 30, "frames 30..34 cross the word boundary at 32");
    assert.equal(h.a.alloc(40), 35, "frames 35..74 span words 1 and 2");
    assert.equal(h.a.alloc(25), 75, "the last 25 frames, to the end of a partial word");
    assert.equal(h.a.freeCount(), 0);
    assert.equal(h.a.alloc(1), -1);
    h.a.free(31, 2);
    h.a.free(63, 3);
    assert.equal(h.a.freeCount(), 5);
    assert.equal(h.a.alloc(3), 63, "the most recently freed run");
    assert.equal(h.a.alloc(3), -1, "no three adjacent frames are left");
    assert.equal(h.a.alloc(2), 31);
  });

  test("requests larger than 32 frames, up to all frames", () => {
    for (const n of [33, 45, 64, 65, 100, 130]) {
      const h = harness(n);
      assert.equal(h.a.alloc(n + 1), -1);
      assert.equal(h.a.alloc(n), 0, `n=${n}`);
      assert.equal(h.a.freeCount(), 0);
      h.a.free(0, n);
      assert.equal(h.a.freeCount(), n);
      if (n > 40) {
        assert.equal(h.a.alloc(7), 0);
        assert.equal(h.a.alloc(33), 7);
        assert.equal(h.a.alloc(n - 40), 40);
        assert.equal(h.a.freeCount(), 0);
      }
    }
  });

  test("frames past nframes in the last bitmap word never exist", () => {
    const h = harness(45);
    assert.equal(h.a.alloc(40), 0);
    assert.equal(h.a.alloc(6), -1, "only 5 frames (40..44) remain");
    assert.equal(h.a.alloc(5), 40);
    assert.equal(h.a.alloc(1), -1);
    h.a.free(44, 1);
    assert.equal(h.a.alloc(2), -1);
    assert.equal(h.a.alloc(1), 44);
  });

  test("a failed alloc changes nothing", () => {
    const h = harness(100);
    h.a.alloc(10);
    h.a.alloc(10);
    h.a.free(0, 5);
    const bits = h.state.bits.slice();
    const tree = h.state.tree.slice();
    const hint = h.state.hint.slice();
    assert.equal(h.a.alloc(81), -1);
    assert.equal(h.a.alloc(1000), -1);
    assert.deepEqual(h.state.bits, bits);
    assert.deepEqual(h.state.tree, tree);
    assert.deepEqual(h.state.hint, hint);
  });

  test("the most recently freed run is handed out next when the request fits, then first fit resumes", () => {
    const h = harness(64);
    for (let i = 0; i < 8; i++) assert.equal(h.a.alloc(8), 8 * i);
    h.a.free(8, 8);
    h.a.free(40, 8);
    assert.equal(h.a.alloc(2), 40, "the latest free wins over a lower free run");
    assert.equal(h.a.alloc(2), 8, "the hint is used once");
    h.a.free(24, 8);
    assert.equal(h.a.alloc(9), -1);
    assert.equal(h.a.alloc(8), 24);
  });

  test("free runs coalesce: freeing pieces in any order restores one block", () => {
    const h = harness(77);
    assert.equal(h.a.alloc(77), 0);
    const pieces: Array<[number, number]> = [];
    for (let s = 0; s < 77; ) {
      const n = Math.min(77 - s, 1 + ((s * 7) % 13));
      pieces.push([s, n]);
      s += n;
    }
    for (const i of [5, 0, 9, 2, 7, 1, 8, 3, 6, 4, 10, 11, 12, 13, 14].filter((i) => i < pieces.length)) {
      h.a.free(...pieces[i]!);
    }
    for (const [s, n] of pieces.slice(15)) h.a.free(s, n);
    assert.equal(h.a.freeCount(), 77);
    assert.deepEqual(h.state.tree, rebuiltTree(h));
    assert.equal(h.a.alloc(77), 0);
  });

  test("freeCount is the tree root's count, O(1), and always equals the bitmap's count (shared and unshared)", () => {
    for (const shared of [false, true]) {
      const h = harness(1000, 7, 1000, shared);
      assert.equal(h.a.freeCount(), 993);
      let seed = 12345;
      const rnd = (n: number): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed % n;
      };
      const held: Array<[number, number]> = [];
      for (let step = 0; step < 400; step++) {
        if (held.length > 0 && rnd(3) === 0) {
          const [start, n] = held.splice(rnd(held.length), 1)[0] as [number, number];
          h.a.free(start, n);
        } else {
          const n = 1 + rnd(40);
          const start = h.a.alloc(n);
          if (start >= 0) held.push([start, n]);
        }
        assert.equal(h.a.freeCount(), h.a.countBitmap(), `step ${step} (shared: ${shared})`);
      }
      assert.deepEqual(h.state.tree, rebuiltTree(h));
    }
  });

  test("rebuild recomputes the same tree that incremental updates maintain", () => {
    const h = harness(200, 5);
    const runs = [h.a.alloc(40), h.a.alloc(3), h.a.alloc(70), h.a.alloc(1)];
    h.a.free(runs[1]!, 3);
    h.a.free(runs[2]! + 10, 20);
    const before = h.state.tree.slice();
    h.a.rebuild();
    assert.deepEqual(h.state.tree, before);
  });

  test("a failed request is answered by the root, without a rebuild; only rebuild() repairs a tree that says no wrongly", () => {
    const h = harness(100);
    assert.equal(h.a.alloc(50), 0);
    h.a.free(20, 10);
    assert.equal(h.a.alloc(10), 20); // consumes the hint
    assert.equal(h.a.alloc(51), -1, "no run of 51");
    assert.deepEqual(h.state.tree, rebuiltTree(h), "the tree is as it was");
    // A tree that lies "no" (what a thread killed halfway through an update can leave) is believed…
    h.state.tree.fill(0);
    assert.equal(h.a.alloc(50), -1);
    assert.ok(h.state.tree.every((x) => x === 0), "a failed request never rebuilds the tree");
    // …until the reclaimer of that thread rebuilds it.
    h.a.rebuild();
    assert.equal(h.a.alloc(50), 50);
    assert.deepEqual(h.state.tree, rebuiltTree(h));
    assert.equal(h.a.alloc(1), -1);
  });

  test("a stale tree (an older snapshot) never hands out a claimed frame", () => {
    const h = harness(96);
    const old = h.state.tree.slice(); // all free
    assert.equal(h.a.alloc(40), 0);
    assert.equal(h.a.alloc(40), 40);
    h.state.tree.set(old); // the tree now claims frames 0..95 are free
    const got = h.a.alloc(10);
    assert.equal(got, 80, "the only free run");
    assert.equal(h.a.alloc(7), -1);
    assert.equal(h.a.alloc(6), 90);
    assert.equal(h.a.freeCount(), 0);
    assert.equal(h.a.longestRun(), 0, "the paths it was misled on are repaired, up to the root");
  });

  for (const shared of [false, true]) {
    test(`model (${shared ? "shared" : "unshared"} state): alloc/free/rebuild sequences follow the policy exactly and keep the tree consistent`, () => {
      const op = fc.oneof(
        { arbitrary: fc.record({ kind: fc.constant("alloc" as const), n: fc.integer({ min: 1, max: 70 }) }), weight: 5 },
        { arbitrary: fc.record({ kind: fc.constant("allocSmall" as const), n: fc.integer({ min: 1, max: 4 }) }), weight: 3 },
        { arbitrary: fc.record({ kind: fc.constant("free" as const), pick: fc.nat(), cut: fc.nat(), len: fc.nat() }), weight: 5 },
        { arbitrary: fc.record({ kind: fc.constant("rebuild" as const) }), weight: 1 },
      );
      fc.assert(
        fc.property(fc.constantFrom(1, 7, 31, 32, 33, 45, 64, 65, 100, 130), fc.integer({ min: 0, max: 3 }), fc.array(op, { maxLength: 60 }), (n, reserved, ops) => {
          const start = Math.min(reserved, n - 1);
          const h = harness(n, start, n, shared);
          const model = new PolicyModel(n, start, n);
          const held: Array<[number, number]> = [];
          for (const o of ops) {
            if (o.kind === "alloc" || o.kind === "allocSmall") {
              const want = model.alloc(o.n);
              const got = h.a.alloc(o.n);
              assert.equal(got, want, `alloc(${o.n})`);
              if (got >= 0) held.push([got, o.n]);
            } else if (o.kind === "free") {
              if (held.length === 0) continue;
              // Free any sub-run of a held run, as PhysicalMemory does when
              // only some frames of a segment lose their last reference.
              const i = o.pick % held.length;
              const [s, len] = held[i]!;
              const off = o.cut % len;
              const k = 1 + (o.len % (len - off));
              held.splice(i, 1);
              if (off > 0) held.push([s, off]);
              if (off + k < len) held.push([s + off + k, len - off - k]);
              h.a.free(s + off, k);
              model.release(s + off, k);
            } else {
              h.a.rebuild();
            }
            assert.deepEqual(freeSet(h), model.free);
            assert.equal(h.a.freeCount(), model.free.filter(Boolean).length);
            assert.deepEqual(h.state.tree, rebuiltTree(h), "incremental tree equals the rebuilt one");
          }
        }),
        { seed: 0x5eed, numRuns: 150 },
      );
    });
  }
});

describe("the shared flag changes how the state is accessed, never what the allocator does", () => {
  /** A harness whose state omits `shared` altogether (the default), over plain arrays. */
  function defaultHarness(nframes: number, start: number): Harness {
    const words = allocatorWords(nframes);
    const state = { bits: new Int32Array(words.bits), tree: new Int32Array(words.tree), hint: new Int32Array(2), hintIndex: 1, nframes } as AllocatorState;
    const a = FrameAllocator.format(state, start, nframes);
    return { a, state, nframes };
  }

  test("lockstep: unshared, shared (SharedArrayBuffer) and default states hold identical bitmaps, trees and hints after every step", () => {
    const op = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant("alloc" as const), n: fc.integer({ min: 1, max: 70 }) }), weight: 5 },
      { arbitrary: fc.record({ kind: fc.constant("free" as const), pick: fc.nat(), cut: fc.nat(), len: fc.nat() }), weight: 5 },
      { arbitrary: fc.record({ kind: fc.constant("rebuild" as const) }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.constantFrom(1, 31, 33, 64, 100, 130), fc.integer({ min: 0, max: 3 }), fc.array(op, { maxLength: 60 }), (n, reserved, ops) => {
        const start = Math.min(reserved, n - 1);
        const hs = [harness(n, start, n, false), harness(n, start, n, true), defaultHarness(n, start)];
        const same = (step: string): void => {
          const [ref, ...others] = hs;
          for (const h of others) {
            assert.deepEqual(Array.from(h.state.bits), Array.from(ref!.state.bits), `${step}: bitmap`);
            assert.deepEqual(Array.from(h.state.tree), Array.from(ref!.state.tree), `${step}: tree`);
            assert.equal(h.state.hint[h.state.hintIndex], ref!.state.hint[ref!.state.hintIndex], `${step}: hint`);
            assert.equal(h.a.freeCount(), ref!.a.freeCount(), `${step}: free count`);
          }
        };
        same("initialize");
        const held: Array<[number, number]> = [];
        for (const [i, o] of ops.entries()) {
          const step = `op ${i} ${JSON.stringify(o)}`;
          if (o.kind === "alloc") {
            const got = hs.map((h) => h.a.alloc(o.n));
            assert.ok(got.every((g) => g === got[0]), `${step}: ${got.join(", ")}`);
            if (got[0]! >= 0) held.push([got[0]!, o.n]);
          } else if (o.kind === "free") {
            if (held.length === 0) continue;
            const j = o.pick % held.length;
            const [s0, len] = held[j]!;
            const off = o.cut % len;
            const k = 1 + (o.len % (len - off));
            held.splice(j, 1);
            if (off > 0) held.push([s0, off]);
            if (off + k < len) held.push([s0 + off + k, len - off - k]);
            for (const h of hs) h.a.free(s0 + off, k);
          } else {
            for (const h of hs) h.a.rebuild();
          }
          same(step);
        }
      }),
      { seed: 0x5a4ed, numRuns: 120 },
    );
  });

  test("PhysicalMemory: shared and unshared RAM hand out the same frames for the same requests", () => {
    const memories = [memory(100), memory(100, { shared: true })];
    const handles = memories.map(() => [] as Array<UFrame | USegment>);
    const requests = [1, 3, 1, 7, -1, 2, -3, 5, 1, -2, 4, -1, -1, 6, 1];
    for (const r of requests) {
      const paddrs = memories.map((mem, i) => {
        const hs = handles[i]!;
        if (r > 0) {
          const h = r === 1 ? new FrameAllocOptions(mem).allocFrame() : new FrameAllocOptions(mem).allocSegment(r);
          hs.push(h);
          return h.startPaddr();
        }
        const [h] = hs.splice((-r * 7) % hs.length, 1);
        h!.dispose();
        return -1;
      });
      assert.equal(paddrs[0], paddrs[1], `request ${r}`);
      assert.equal(memories[0]!.freeFrames(), memories[1]!.freeFrames());
    }
    for (const hs of handles) for (const h of hs) h.dispose();
    for (const mem of memories) assert.equal(mem.freeFrames(), usableFrames(mem));
  });
});

describe("allocator through PhysicalMemory", () => {
  test("exhaustion then full release restores one contiguous block", () => {
    const mem = memory(100);
    const opts = new FrameAllocOptions(mem);
    const frames: UFrame[] = [];
    const segs: USegment[] = [];
    for (let i = 0; mem.freeFrames() > 0; i++) {
      if (i % 3 === 0 && mem.freeFrames() >= 3) segs.push(opts.allocSegment(3));
      else frames.push(opts.allocFrame());
    }
    assert.throws(() => opts.allocFrame());
    for (const s of segs) s.dispose();
    for (const f of frames) f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
    const all = opts.allocSegment(mem.freeFrames());
    assert.equal(all.startPaddr(), mem.reservedFrames() * PAGE_SIZE);
    all.dispose();
  });

  test("coalescing after freeing frames in random order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.nat(), (count, seed) => {
        const mem = memory(70);
        const opts = new FrameAllocOptions(mem);
        const frames = Array.from({ length: count }, () => opts.allocFrame());
        // A deterministic shuffle driven by fast-check's seed.
        const order = frames.map((f, i) => ({ f, key: (i * 2654435761 + seed) % 4294967296 })).sort((x, y) => x.key - y.key);
        for (const { f } of order) f.dispose();
        assert.equal(mem.freeFrames(), usableFrames(mem));
        const all = opts.allocSegment(mem.freeFrames());
        all.dispose();
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  test("the most recently freed run is handed out next when the request fits", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    const a = opts.allocSegment(4);
    const b = opts.allocSegment(4);
    const c = opts.allocSegment(4);
    const bStart = b.startPaddr();
    a.dispose();
    b.dispose();
    const next = opts.allocSegment(3);
    assert.equal(next.startPaddr(), bStart, "b was freed last, and 3 frames fit in it");
    const lowest = opts.allocFrame();
    assert.equal(lowest.startPaddr(), mem.reservedFrames() * PAGE_SIZE, "then first fit: a's first frame");
    for (const h of [c, next, lowest]) h.dispose();
  });

  test("a request that does not fit in the freed run is served by first fit", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    const a = opts.allocSegment(4);
    const b = opts.allocSegment(2);
    const c = opts.allocFrame();
    a.dispose();
    const aStart = mem.reservedFrames() * PAGE_SIZE;
    b.dispose();
    const big = opts.allocSegment(4);
    assert.equal(big.startPaddr(), aStart, "4 frames fit in a's run but not in b's");
    const small = opts.allocSegment(2);
    assert.equal(small.startPaddr(), aStart + 4 * PAGE_SIZE, "b's run is still the hint and now fits");
    for (const h of [big, small, c]) h.dispose();
  });

  test("frames freed by the last handle of a clone group are reused", () => {
    const mem = memory(64);
    const opts = new FrameAllocOptions(mem);
    const f = opts.allocFrame();
    const g = f.clone();
    const paddr = f.startPaddr();
    const other = opts.allocFrame();
    f.dispose();
    const x = opts.allocFrame();
    assert.notEqual(x.startPaddr(), paddr, "still referenced by g");
    g.dispose();
    const y = opts.allocFrame();
    assert.equal(y.startPaddr(), paddr);
    for (const h of [other, x, y]) h.dispose();
  });
});
