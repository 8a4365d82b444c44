// Model-based test of the frame layer: random sequences of allocations,
// clones, slices, splits, iterations, FrameVecs and disposals run against
// vmio and against a tiny model — a Map from frame number to reference count.
//
// After every step: vmio's reference counts equal the model's, a frame is
// free in the allocator exactly when the model says nobody holds it, live
// allocations never overlap (a new allocation only gets frames the model has
// as free), no frame's bytes are disturbed by anyone but its owner, and
// freeFrames() = usable − frames held. At the end everything is disposed and
// the whole usable range comes back as one contiguous block.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Frame, FrameAllocOptions, FrameVec, PAGE_SIZE, Segment, UFrame, USegment, VmError, u32, type PhysicalMemory } from "../../src/index.js";
import { memory, usableFrames } from "./support.js";
import { ramOf } from "../../src/frame/physical-memory.js";

type Handle = Frame<unknown> | Segment<unknown> | FrameVec;

interface Held {
  readonly h: Handle;
  /** Frame numbers this handle holds one reference to each (a FrameVec may repeat one). */
  readonly frames: number[];
  readonly typed: boolean;
}

type Op =
  | { kind: "allocFrame"; typed: boolean }
  | { kind: "allocSegment"; typed: boolean; n: number }
  | { kind: "clone"; pick: number }
  | { kind: "slice"; pick: number; a: number; b: number }
  | { kind: "split"; pick: number; at: number }
  | { kind: "iterate"; pick: number; stopAfter: number }
  | { kind: "vec"; picks: number[] }
  | { kind: "dispose"; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("allocFrame" as const), typed: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("allocSegment" as const), typed: fc.boolean(), n: fc.integer({ min: 1, max: 12 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant("clone" as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("slice" as const), pick: fc.nat(), a: fc.nat(), b: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("split" as const), pick: fc.nat(), at: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("iterate" as const), pick: fc.nat(), stopAfter: fc.nat({ max: 6 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("vec" as const), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("dispose" as const), pick: fc.nat() }), weight: 6 },
);

function segmentFrames(seg: Segment<unknown>): number[] {
  const first = seg.startPaddr() / PAGE_SIZE;
  return Array.from({ length: seg.size() / PAGE_SIZE }, (_, i) => first + i);
}

class Machine {
  readonly opts: FrameAllocOptions;
  readonly raw: FrameAllocOptions;
  readonly held: Held[] = [];
  /** The model: references per frame (absent = 0). */
  readonly refs = new Map<number, number>();
  /** The tag each held untyped frame carries in its first word. */
  readonly tags = new Map<number, number>();
  private nextTag = 1;

  constructor(readonly mem: PhysicalMemory) {
    this.opts = new FrameAllocOptions(mem);
    this.raw = new FrameAllocOptions(mem).zeroed(false);
  }

  private ref(frames: number[], by: number): void {
    for (const f of frames) {
      const n = (this.refs.get(f) ?? 0) + by;
      assert.ok(n >= 0, `model refcount of frame ${f} went negative`);
      if (n === 0) {
        this.refs.delete(f);
        this.tags.delete(f);
      } else {
        this.refs.set(f, n);
      }
    }
  }

  /** The model side of a new allocation: every frame must have been free and usable. */
  private adopt(h: Handle, frames: number[], typed: boolean): void {
    for (const f of frames) {
      assert.ok(f >= this.mem.reservedFrames() && f < this.mem.size / PAGE_SIZE, `frame ${f} is outside the usable range`);
      assert.equal(this.refs.get(f), undefined, `frame ${f} handed out while the model says it is held`);
    }
    this.ref(frames, 1);
    this.held.push({ h, frames, typed });
    if (!typed) {
      // Tag the frames (through the handle) so that aliasing would show.
      for (const [i, f] of frames.entries()) {
        const tag = this.nextTag++;
        (h as UFrame | USegment).writeVal(i * PAGE_SIZE, u32, tag);
        this.tags.set(f, tag);
      }
    }
  }

  /** Whether the model has a run of `n` frames nobody holds. */
  private hasFreeRun(n: number): boolean {
    let run = 0;
    for (let f = this.mem.reservedFrames(); f < this.mem.size / PAGE_SIZE; f++) {
      run = this.refs.has(f) ? 0 : run + 1;
      if (run >= n) return true;
    }
    return false;
  }

  private pick<K extends Held>(pick: number, filter: (x: Held) => x is K): K | undefined {
    const candidates = this.held.filter(filter);
    return candidates.length === 0 ? undefined : candidates[pick % candidates.length];
  }

  private remove(x: Held): void {
    this.held.splice(this.held.indexOf(x), 1);
  }

  run(op: Op): void {
    switch (op.kind) {
      case "allocFrame":
      case "allocSegment": {
        const n = op.kind === "allocFrame" ? 1 : op.n;
        const possible = this.hasFreeRun(n);
        const freeBefore = this.mem.freeFrames();
        // Alternate zeroed and raw allocations: neither may matter to correctness.
        const opts = this.nextTag % 2 === 0 ? this.opts : this.raw;
        let h: Handle;
        try {
          if (op.kind === "allocFrame") h = op.typed ? opts.allocFrameWith({ tag: this.nextTag }) : opts.allocFrame();
          else h = op.typed ? opts.allocSegmentWith(n, (p) => p) : opts.allocSegment(n);
        } catch (e) {
          assert.ok(e instanceof VmError && e.code === "NoMemory", `unexpected ${String(e)}`);
          assert.equal(possible, false, `NoMemory for ${n} frames although the model has a free run that long`);
          assert.equal(this.mem.freeFrames(), freeBefore, "a failed allocation changes nothing");
          return;
        }
        assert.equal(possible, true, `allocated ${n} frames although the model has no free run that long`);
        const frames = h instanceof Segment ? segmentFrames(h) : [(h as Frame<unknown>).startPaddr() / PAGE_SIZE];
        assert.equal(frames.length, n);
        this.adopt(h, frames, op.typed);
        return;
      }
      case "clone": {
        const x = this.pick(op.pick, (_): _ is Held => true);
        if (x === undefined) return;
        const c = x.h.clone();
        this.ref(x.frames, 1);
        this.held.push({ h: c, frames: [...x.frames], typed: x.typed });
        return;
      }
      case "slice": {
        const x = this.pick(op.pick, (y): y is Held => y.h instanceof Segment);
        if (x === undefined) return;
        const count = x.frames.length;
        const a = op.a % (count + 1);
        const b = a + (op.b % (count - a + 1));
        const s = (x.h as Segment<unknown>).slice(a * PAGE_SIZE, b * PAGE_SIZE);
        assert.equal(s.size(), (b - a) * PAGE_SIZE);
        assert.equal(s.startPaddr(), (x.h as Segment<unknown>).startPaddr() + a * PAGE_SIZE);
        const frames = x.frames.slice(a, b);
        this.ref(frames, 1);
        this.held.push({ h: s, frames, typed: x.typed });
        return;
      }
      case "split": {
        const x = this.pick(op.pick, (y): y is Held => y.h instanceof Segment && y.frames.length >= 2);
        if (x === undefined) return;
        const k = 1 + (op.at % (x.frames.length - 1));
        const [l, r] = (x.h as Segment<unknown>).split(k * PAGE_SIZE);
        this.remove(x);
        this.held.push({ h: l, frames: x.frames.slice(0, k), typed: x.typed }, { h: r, frames: x.frames.slice(k), typed: x.typed });
        return;
      }
      case "iterate": {
        const x = this.pick(op.pick, (y): y is Held => y.h instanceof Segment);
        if (x === undefined) return;
        this.remove(x);
        let i = 0;
        for (const f of x.h as Segment<unknown>) {
          if (i >= op.stopAfter) {
            // Breaking out while holding `f`: it is ours to dispose too.
            f.dispose();
            break;
          }
          assert.equal(f instanceof UFrame, !x.typed);
          assert.equal(f.startPaddr() / PAGE_SIZE, x.frames[i]);
          this.held.push({ h: f, frames: [x.frames[i]!], typed: x.typed });
          i++;
        }
        // Frames not yielded (and the one disposed above) lost the segment's reference.
        this.ref(x.frames.slice(i), -1);
        return;
      }
      case "vec": {
        const ufs = this.held.filter((y) => y.h instanceof UFrame);
        if (ufs.length === 0) return;
        const chosen = op.picks.map((p) => ufs[p % ufs.length]!);
        const v = new FrameVec(chosen.map((y) => y.h as UFrame));
        const frames = chosen.map((y) => y.frames[0]!);
        assert.deepEqual(
          frames.map((_, i) => v.paddrOf(i) / PAGE_SIZE),
          frames,
        );
        // The vector sees each frame's tag at the start of its page.
        frames.forEach((f, i) => assert.equal(v.readVal(i * PAGE_SIZE, u32), this.tags.get(f)));
        this.ref(frames, 1);
        this.held.push({ h: v, frames, typed: false });
        return;
      }
      case "dispose": {
        const x = this.pick(op.pick, (_): _ is Held => true);
        if (x === undefined) return;
        x.h.dispose();
        this.remove(x);
        this.ref(x.frames, -1);
        return;
      }
    }
  }

  check(): void {
    const mem = this.mem;
    const nframes = mem.size / PAGE_SIZE;
    for (let f = mem.reservedFrames(); f < nframes; f++) {
      const want = this.refs.get(f) ?? 0;
      assert.equal(ramOf(mem).frames.refCount(f), want, `reference count of frame ${f}`);
      assert.equal(ramOf(mem).frames.isFree(f), want === 0, `frame ${f} is free exactly when nobody holds it`);
    }
    for (let f = 0; f < mem.reservedFrames(); f++) assert.equal(ramOf(mem).frames.isFree(f), false, `reserved frame ${f}`);
    assert.equal(mem.freeFrames(), usableFrames(mem) - this.refs.size);
    for (const [f, tag] of this.tags) assert.equal(ramOf(mem).view.getUint32(f * PAGE_SIZE, true), tag, `tag of frame ${f}`);
    for (const x of this.held) {
      if (x.h instanceof Frame) assert.equal(x.h.referenceCount(), this.refs.get(x.frames[0]!), "Frame.referenceCount()");
      if (x.h instanceof FrameVec) assert.equal(x.h.length, x.frames.length);
    }
  }

  finish(): void {
    for (const x of this.held.splice(0)) {
      x.h.dispose();
      this.ref(x.frames, -1);
    }
    assert.equal(this.refs.size, 0);
    this.check();
    assert.equal(this.mem.freeFrames(), usableFrames(this.mem), "every frame came back");
    const all = this.opts.allocSegment(this.mem.freeFrames());
    assert.equal(all.startPaddr(), this.mem.reservedFrames() * PAGE_SIZE, "one contiguous block");
    assert.equal(all.endPaddr(), this.mem.size);
    all.dispose();
  }
}

test("model: random allocate/clone/slice/split/iterate/FrameVec/dispose sequences keep reference counts, free frames and ownership exact", () => {
  fc.assert(
    fc.property(fc.constantFrom(40, 64, 100), fc.boolean(), fc.array(opArb, { minLength: 1, maxLength: 50 }), (frames, shared, ops) => {
      const m = new Machine(memory(frames, { shared }));
      m.check();
      for (const op of ops) {
        m.run(op);
        m.check();
      }
      m.finish();
    }),
    { seed: 20240611, numRuns: 200 },
  );
});

test("model: a memory driven to exhaustion and back recovers one contiguous block", () => {
  fc.assert(
    fc.property(fc.boolean(), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 40 }), (shared, sizes, order) => {
      const m = new Machine(memory(64, { shared }));
      for (const n of sizes) m.run({ kind: "allocSegment", typed: n % 3 === 0, n });
      m.check();
      for (const p of order) m.run({ kind: "dispose", pick: p });
      m.check();
      m.finish();
    }),
    { seed: 7, numRuns: 100 },
  );
});
