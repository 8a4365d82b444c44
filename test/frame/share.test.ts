// Sharing RAM, frames and segments, tested in one thread: PhysicalMemory
// share()/attach() gives a second object over the same RAM whose allocator,
// reference counts and bytes are coherent with the first; UFrame and
// USegment share()/attach() tokens carry one reference each, are plain
// structured-clonable objects, and can be attached once. (Real workers are
// tested in test/threads.)

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  FrameAllocOptions,
  FrameVec,
  PAGE_SIZE,
  PhysicalMemory,
  UFrame,
  USegment,
  u32,
  u64,
  type FrameToken,
  type MemoryToken,
  type SegmentToken,
} from "../../src/index.js";
import { memory, pattern, throwsContract, throwsDisposed, throwsVmError, usableFrames } from "./support.js";

/** A shared RAM and a second PhysicalMemory attached to it. */
function pair(frames = 64): { a: PhysicalMemory; b: PhysicalMemory } {
  const a = memory(frames, { shared: true });
  const b = PhysicalMemory.attach(a.share());
  return { a, b };
}

/** Reference count of the frame at `offset` of a live segment, not counting the probe's own. */
function refsAt(seg: USegment, offset: number): number {
  const [f] = [...seg.slice(offset, offset + PAGE_SIZE)];
  const n = f!.referenceCount() - 1;
  f!.dispose();
  return n;
}

describe("PhysicalMemory.share and attach", () => {
  test("share() on unshared RAM is a TypeError", () => {
    throwsContract(() => memory(64).share(), TypeError);
    throwsContract(() => new PhysicalMemory({ size: 64 * PAGE_SIZE, shared: false }).share(), TypeError);
  });

  test("share() gives a plain token holding the RAM's SharedArrayBuffer; it survives structuredClone", () => {
    const mem = memory(64, { shared: true });
    const token = mem.share();
    assert.equal(Object.getPrototypeOf(token), Object.prototype);
    assert.equal(token.kind, "vmio.PhysicalMemory");
    assert.equal(typeof token.version, "number");
    assert.ok(token.buffer instanceof SharedArrayBuffer);
    assert.equal(token.buffer.byteLength, mem.size);
    assert.ok(Number.isInteger(token.slot) && Number.isInteger(token.nonce));
    const cloned = structuredClone(token);
    assert.deepEqual(Object.keys(cloned).sort(), ["buffer", "kind", "nonce", "slot", "version"]);
    const other = PhysicalMemory.attach(cloned);
    assert.equal(other.size, mem.size);
    assert.equal(other.freeFrames(), mem.freeFrames());
    // Sharing again is fine: on a thread that has the RAM, attach returns its object and gives the token's slot back.
    assert.equal(PhysicalMemory.attach(mem.share()), mem);
  });

  test("each token reserves one of 64 thread slots until it is attached elsewhere and reclaimed, or reclaimed unattached", () => {
    const mem = memory(64, { shared: true });
    const free0 = mem.freeFrames();
    const tokens: MemoryToken[] = [];
    // The creating thread has a slot of its own: 63 are left for tokens.
    for (let i = 0; i < 63; i++) tokens.push(mem.share());
    assert.equal(new Set(tokens.map((t) => t.slot)).size, 63, "a slot each");
    throwsContract(() => mem.share(), RangeError);
    // A token never attached gives its slot back when reclaimed; reclaiming it again does nothing.
    const first = tokens.shift() as MemoryToken;
    assert.deepEqual(mem.reclaim(first), { attached: false, inAccess: false, locks: 0, frames: 0, spaces: 0, retired: 0 });
    assert.deepEqual(mem.reclaim(first), { attached: false, inAccess: false, locks: 0, frames: 0, spaces: 0, retired: 0 });
    const again = mem.share();
    assert.equal(again.slot, first.slot, "the slot is free again");
    throwsContract(() => PhysicalMemory.attach(structuredClone(first)), RangeError);
    // Attaching a token on a thread that has the RAM gives its slot back at once.
    assert.equal(PhysicalMemory.attach(again), mem);
    assert.equal(mem.share().slot, again.slot);
    for (const t of tokens) mem.reclaim(t);
    assert.equal(mem.freeFrames(), free0, "reservations take no frame");
  });

  test("reclaim refuses what is not a memory token of this RAM with a TypeError, and unshared RAM", () => {
    const mem = memory(64, { shared: true });
    const other = memory(64, { shared: true });
    const token = mem.share();
    for (const bad of [undefined, null, {}, other.share(), { ...token, slot: 64 }, { ...token, slot: -1 }, { ...token, nonce: 0 }, { ...token, nonce: 1.5 }, { ...token, kind: "vmio.UFrame" }]) {
      throwsContract(() => mem.reclaim(bad as MemoryToken), TypeError);
    }
    throwsContract(() => memory(64).reclaim(token), TypeError);
    // A forged nonce names no reservation: nothing is reclaimed, nothing given back.
    const forged = { ...token, nonce: token.nonce ^ 1 || 2 };
    assert.equal(mem.reclaim(forged).attached, false);
    assert.equal(PhysicalMemory.attach(forged), mem);
    assert.notEqual(mem.share().slot, token.slot, "the real token's slot is still reserved");
    assert.equal(mem.reclaim(token).attached, false, "reserved, never attached");
  });

  test("an attached memory has the same size, reserved frames and free frames, and is shared", () => {
    const { a, b } = pair(100);
    assert.equal(b.size, a.size);
    assert.equal(b.shared, true);
    assert.equal(b.reservedFrames(), a.reservedFrames());
    assert.equal(b.freeFrames(), a.freeFrames());
    assert.equal(b.freeFrames(), usableFrames(a));
    // It can share in turn.
    const c = PhysicalMemory.attach(b.share());
    assert.equal(c.freeFrames(), a.freeFrames());
  });

  test("attach refuses anything but a token of vmio RAM with a TypeError", () => {
    const mem = memory(64, { shared: true });
    const good = mem.share();
    const junk = new SharedArrayBuffer(64 * PAGE_SIZE);
    const bad: unknown[] = [
      undefined,
      null,
      {},
      "vmio.PhysicalMemory",
      mem,
      good.buffer,
      { ...good, kind: "vmio.UFrame" },
      { kind: "vmio.PhysicalMemory", version: good.version },
      { ...good, buffer: new ArrayBuffer(64 * PAGE_SIZE) },
      { ...good, buffer: new Uint8Array(good.buffer) },
      { ...good, buffer: junk },
      { ...good, version: good.version + 1 },
      { ...good, version: String(good.version) },
      { ...good, buffer: new SharedArrayBuffer(8) },
    ];
    for (const t of bad) throwsContract(() => PhysicalMemory.attach(t as MemoryToken), TypeError);
    assert.ok(new Uint8Array(junk).every((x) => x === 0), "a refused buffer is not initialised or written");
  });

  test("allocation is coherent: the two objects never hand out the same frame, and agree on free frames", () => {
    const { a, b } = pair(64);
    const usable = usableFrames(a);
    const fromA = new FrameAllocOptions(a).allocSegment(5);
    assert.equal(b.freeFrames(), usable - 5);
    const fromB = new FrameAllocOptions(b).allocSegment(5);
    assert.equal(a.freeFrames(), usable - 10);
    assert.ok(fromB.endPaddr() <= fromA.startPaddr() || fromB.startPaddr() >= fromA.endPaddr(), "disjoint");
    // Exhaust through one, and the other has nothing either.
    const rest = new FrameAllocOptions(a).allocSegment(a.freeFrames());
    throwsVmError(() => new FrameAllocOptions(b).allocFrame(), "NoMemory");
    rest.dispose();
    assert.equal(b.freeFrames(), usable - 10);
    // A frame freed through one object is the next one handed out by the other.
    const paddr = fromA.startPaddr();
    fromA.dispose();
    const again = new FrameAllocOptions(b).allocSegment(5);
    assert.equal(again.startPaddr(), paddr);
    again.dispose();
    fromB.dispose();
    assert.equal(a.freeFrames(), usable);
    assert.equal(b.freeFrames(), usable);
  });

  test("bytes are coherent: what a frame of one object writes, a handle of the other reads", () => {
    const { a, b } = pair(64);
    const f = new FrameAllocOptions(a).allocFrame();
    const g = UFrame.attach(b, f.share());
    assert.equal(g.startPaddr(), f.startPaddr());
    f.writeBytes(100, pattern(64, 2));
    const out = new Uint8Array(64);
    g.readBytes(100, out);
    assert.deepEqual(out, pattern(64, 2));
    g.writeOnce(8, u64, 0x0123_4567_89ab_cdefn);
    assert.equal(f.readOnce(8, u64), 0x0123_4567_89ab_cdefn);
    assert.equal(f.reader().skip(8).readVal(u64), 0x0123_4567_89ab_cdefn);
    // Reference counts are one set of numbers.
    assert.equal(f.referenceCount(), 2);
    assert.equal(g.referenceCount(), 2);
    const g2 = g.clone();
    assert.equal(f.referenceCount(), 3);
    g2.dispose();
    g.dispose();
    assert.equal(f.referenceCount(), 1);
    f.dispose();
    assert.equal(b.freeFrames(), usableFrames(b));
  });
});

describe("UFrame.share and attach", () => {
  test("share() adds the token's own reference; attach() turns it into a handle without adding another", () => {
    const mem = memory(64, { shared: true });
    const f = new FrameAllocOptions(mem).allocFrame();
    const token = f.share();
    assert.equal(f.referenceCount(), 2, "the token holds a reference");
    const g = UFrame.attach(mem, token);
    assert.ok(g instanceof UFrame);
    assert.notEqual(g, f);
    assert.equal(g.startPaddr(), f.startPaddr());
    assert.equal(g.size(), PAGE_SIZE);
    assert.equal(f.referenceCount(), 2, "attach adopts the token's reference");
    f.writeVal(0, u32, 99);
    assert.equal(g.readVal(0, u32), 99);
    f.dispose();
    assert.equal(g.referenceCount(), 1);
    assert.equal(g.readVal(0, u32), 99, "the attached handle keeps the frame alive");
    g.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("a token is a plain object of plain values and survives structuredClone; the clone attaches", () => {
    const mem = memory(64, { shared: true });
    const f = new FrameAllocOptions(mem).allocFrame();
    const token = f.share();
    assert.equal(Object.getPrototypeOf(token), Object.prototype);
    assert.equal(token.kind, "vmio.UFrame");
    assert.equal(token.paddr, f.startPaddr());
    for (const v of Object.values(token)) assert.ok(typeof v === "string" || typeof v === "number", "only plain values");
    const cloned = structuredClone(token);
    assert.deepEqual(cloned, token);
    assert.deepEqual(JSON.parse(JSON.stringify(token)), token);
    const g = UFrame.attach(mem, cloned);
    assert.equal(g.startPaddr(), f.startPaddr());
    // The original and the clone are one token: it has been attached.
    throwsContract(() => UFrame.attach(mem, token), RangeError);
    assert.equal(f.referenceCount(), 2);
    g.dispose();
    f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("a second attach of the same token is a RangeError and adds no handle or reference", () => {
    const mem = memory(64, { shared: true });
    const f = new FrameAllocOptions(mem).allocFrame();
    const token = f.share();
    const g = UFrame.attach(mem, token);
    throwsContract(() => UFrame.attach(mem, token), RangeError);
    throwsContract(() => UFrame.attach(PhysicalMemory.attach(mem.share()), token), RangeError);
    assert.equal(f.referenceCount(), 2);
    g.dispose();
    f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("each share() makes a token of its own; each is attached once", () => {
    const mem = memory(64, { shared: true });
    const f = new FrameAllocOptions(mem).allocFrame();
    const tokens = [f.share(), f.share(), f.share()];
    assert.equal(f.referenceCount(), 4);
    const handles = tokens.map((t) => UFrame.attach(mem, t));
    for (const t of tokens) throwsContract(() => UFrame.attach(mem, t), RangeError);
    assert.equal(f.referenceCount(), 4);
    for (const h of handles) h.dispose();
    f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("a token not yet attached keeps the frame alive after every handle is disposed", () => {
    const mem = memory(64, { shared: true });
    const f = new FrameAllocOptions(mem).allocFrame();
    f.writeVal(16, u32, 0xfeed);
    const paddr = f.startPaddr();
    const token = f.share();
    f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem) - 1, "the token's reference holds the frame");
    const other = new FrameAllocOptions(mem).allocFrame();
    assert.notEqual(other.startPaddr(), paddr);
    const g = UFrame.attach(mem, token);
    assert.equal(g.readVal(16, u32), 0xfeed);
    g.dispose();
    other.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("attach works through a second PhysicalMemory over the same RAM", () => {
    const { a, b } = pair();
    const f = new FrameAllocOptions(a).allocFrame();
    const g = UFrame.attach(b, structuredClone(f.share()));
    assert.equal(g.referenceCount(), 2);
    f.dispose();
    assert.equal(g.referenceCount(), 1);
    g.dispose();
    assert.equal(a.freeFrames(), usableFrames(a));
  });

  test("a token for another memory is a TypeError, and stays attachable to its own", () => {
    const mem = memory(64, { shared: true });
    const elsewhere = memory(64, { shared: true });
    const f = new FrameAllocOptions(mem).allocFrame();
    const token = f.share();
    throwsContract(() => UFrame.attach(elsewhere, token), TypeError);
    throwsContract(() => UFrame.attach(memory(64), token), TypeError);
    assert.equal(elsewhere.freeFrames(), usableFrames(elsewhere));
    const g = UFrame.attach(mem, token);
    g.dispose();
    f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("anything but a UFrame token of a PhysicalMemory is a TypeError", () => {
    const mem = memory(64, { shared: true });
    const f = new FrameAllocOptions(mem).allocFrame();
    const seg = new FrameAllocOptions(mem).allocSegment(1);
    const token = f.share();
    const segToken = seg.share();
    const bad: unknown[] = [
      undefined,
      null,
      {},
      "vmio.UFrame",
      segToken,
      mem.share(),
      { ...token, kind: "vmio.USegment" },
      { ...token, paddr: String(token.paddr) },
      { ...token, ticket: undefined },
      { ...token, nonce: null },
    ];
    for (const t of bad) throwsContract(() => UFrame.attach(mem, t as FrameToken), TypeError);
    for (const m of [undefined, null, {}, mem.share(), f]) throwsContract(() => UFrame.attach(m as PhysicalMemory, token), TypeError);
    assert.equal(f.referenceCount(), 2, "nothing was attached");
    UFrame.attach(mem, token).dispose();
    USegment.attach(mem, segToken).dispose();
    f.dispose();
    seg.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("a token with the right ticket but the wrong nonce is a RangeError and leaves the real token attachable", () => {
    const mem = memory(64, { shared: true });
    const f = new FrameAllocOptions(mem).allocFrame();
    const token = f.share();
    throwsContract(() => UFrame.attach(mem, { ...token, nonce: token.nonce === 1 ? 2 : token.nonce - 1 }), RangeError);
    const g = UFrame.attach(mem, token);
    g.dispose();
    f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("share() on unshared RAM, on a disposed handle, or on a typed frame is a TypeError and takes no reference", () => {
    const plain = memory(64);
    const f = new FrameAllocOptions(plain).allocFrame();
    throwsContract(() => f.share(), TypeError);
    assert.equal(f.referenceCount(), 1);
    f.dispose();
    assert.equal(plain.freeFrames(), usableFrames(plain));

    const mem = memory(64, { shared: true });
    const g = new FrameAllocOptions(mem).allocFrame();
    const keep = g.clone();
    g.dispose();
    throwsDisposed(() => g.share());
    assert.equal(keep.referenceCount(), 1);
    keep.dispose();

    const typed = new FrameAllocOptions(mem).allocFrameWith("meta");
    throwsContract(() => (UFrame.prototype.share as (this: unknown) => FrameToken).call(typed), TypeError);
    assert.equal(typed.referenceCount(), 1);
    typed.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("tokens waiting to be attached are bounded: past the limit share() is a RangeError with no reference taken", () => {
    const mem = memory(64, { shared: true });
    const f = new FrameAllocOptions(mem).allocFrame();
    const tokens: FrameToken[] = [];
    let refused: unknown;
    for (let i = 0; i < 100_000; i++) {
      try {
        tokens.push(f.share());
      } catch (e) {
        refused = e;
        break;
      }
    }
    assert.ok(refused instanceof RangeError, `share() eventually refuses: ${String(refused)}`);
    assert.ok(tokens.length >= 64, `at least some tokens may wait (${tokens.length})`);
    assert.equal(f.referenceCount(), 1 + tokens.length, "the refused share took no reference");
    // Attaching one frees its ticket for a new token.
    UFrame.attach(mem, tokens.pop()!).dispose();
    tokens.push(f.share());
    for (const t of tokens) UFrame.attach(mem, t).dispose();
    assert.equal(f.referenceCount(), 1);
    f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });
});

describe("USegment.share and attach", () => {
  test("share() adds one reference to every frame; attach() gives a segment over the same frames holding them", () => {
    const mem = memory(64, { shared: true });
    const seg = new FrameAllocOptions(mem).allocSegment(3);
    const token = seg.share();
    assert.equal(token.kind, "vmio.USegment");
    assert.equal(token.paddr, seg.startPaddr());
    assert.equal(token.nframes, 3);
    for (let off = 0; off < seg.size(); off += PAGE_SIZE) assert.equal(refsAt(seg, off), 2);
    const other = USegment.attach(mem, structuredClone(token));
    assert.ok(other instanceof USegment);
    assert.equal(other.startPaddr(), seg.startPaddr());
    assert.equal(other.endPaddr(), seg.endPaddr());
    assert.equal(other.size(), 3 * PAGE_SIZE);
    for (let off = 0; off < seg.size(); off += PAGE_SIZE) assert.equal(refsAt(seg, off), 2, "attach adds no reference");
    seg.writeBytes(PAGE_SIZE - 3, pattern(10, 4));
    const out = new Uint8Array(10);
    other.readBytes(PAGE_SIZE - 3, out);
    assert.deepEqual(out, pattern(10, 4));
    seg.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem) - 3);
    other.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("an attached segment behaves like any other: split, slice, iterate, FrameVec", () => {
    const { a, b } = pair();
    const seg = new FrameAllocOptions(a).allocSegment(4);
    const other = USegment.attach(b, seg.share());
    const slice = other.slice(PAGE_SIZE, 3 * PAGE_SIZE);
    const [left, right] = other.split(2 * PAGE_SIZE);
    throwsDisposed(() => other.size());
    const vec = new FrameVec(right);
    assert.equal(vec.length, 2);
    let n = 0;
    for (const f of left) {
      assert.equal(f.startPaddr(), seg.startPaddr() + n * PAGE_SIZE);
      f.dispose();
      n++;
    }
    assert.equal(n, 2);
    right.dispose();
    slice.dispose();
    seg.dispose();
    vec.dispose();
    assert.equal(a.freeFrames(), usableFrames(a));
  });

  test("a second attach is a RangeError; a token for another memory or of another kind is a TypeError", () => {
    const mem = memory(64, { shared: true });
    const seg = new FrameAllocOptions(mem).allocSegment(2);
    const token = seg.share();
    throwsContract(() => USegment.attach(memory(64, { shared: true }), token), TypeError);
    throwsContract(() => USegment.attach(mem, { ...token, kind: "vmio.UFrame" } as unknown as SegmentToken), TypeError);
    const f = new FrameAllocOptions(mem).allocFrame();
    const frameToken = f.share();
    throwsContract(() => USegment.attach(mem, frameToken as unknown as SegmentToken), TypeError);
    throwsContract(() => UFrame.attach(mem, token as unknown as FrameToken), TypeError);
    for (const nframes of [-1, 1.5, NaN, "2", undefined]) {
      throwsContract(() => USegment.attach(mem, { ...token, nframes } as unknown as SegmentToken), TypeError);
    }
    // A count the ticket was not issued for is an altered token: refused, and the real one still attaches.
    for (const nframes of [0, 1, 3]) throwsContract(() => USegment.attach(mem, { ...token, nframes }), RangeError);
    for (const t of [undefined, null, {}, "vmio.USegment"]) throwsContract(() => USegment.attach(mem, t as unknown as SegmentToken), TypeError);
    const other = USegment.attach(mem, token);
    throwsContract(() => USegment.attach(mem, token), RangeError);
    other.dispose();
    seg.dispose();
    UFrame.attach(mem, frameToken).dispose();
    f.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("an empty slice can be shared and attached (its ticket is redeemed, not left behind)", () => {
    const mem = memory(64, { shared: true });
    const seg = new FrameAllocOptions(mem).allocSegment(2);
    const empty = seg.slice(PAGE_SIZE, PAGE_SIZE);
    const tokens = [empty.share(), empty.share()];
    for (const token of tokens) {
      const got = USegment.attach(mem, token);
      assert.equal(got.size(), 0);
      assert.equal(got.startPaddr(), seg.startPaddr() + PAGE_SIZE);
      throwsContract(() => USegment.attach(mem, token), RangeError);
      got.dispose();
    }
    empty.dispose();
    seg.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("a slice shares only its own frames", () => {
    const mem = memory(64, { shared: true });
    const seg = new FrameAllocOptions(mem).allocSegment(4);
    const slice = seg.slice(PAGE_SIZE, 3 * PAGE_SIZE);
    const token = slice.share();
    assert.equal(token.paddr, seg.startPaddr() + PAGE_SIZE);
    assert.equal(token.nframes, 2);
    assert.deepEqual([0, 1, 2, 3].map((i) => refsAt(seg, i * PAGE_SIZE)), [1, 3, 3, 1]);
    slice.dispose();
    const other = USegment.attach(mem, token);
    assert.equal(other.size(), 2 * PAGE_SIZE);
    other.dispose();
    seg.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });

  test("share() on unshared RAM, on a disposed or consumed segment, or on a typed segment is a TypeError and takes no reference", () => {
    const plain = memory(64);
    const s = new FrameAllocOptions(plain).allocSegment(2);
    throwsContract(() => s.share(), TypeError);
    assert.deepEqual([0, 1].map((i) => refsAt(s, i * PAGE_SIZE)), [1, 1]);
    s.dispose();
    assert.equal(plain.freeFrames(), usableFrames(plain));

    const mem = memory(64, { shared: true });
    const seg = new FrameAllocOptions(mem).allocSegment(2);
    const keep = seg.clone();
    seg.dispose();
    throwsDisposed(() => seg.share());
    const consumed = keep.clone();
    const [x, y] = consumed.split(PAGE_SIZE);
    throwsDisposed(() => consumed.share());
    x.dispose();
    y.dispose();
    assert.deepEqual([0, 1].map((i) => refsAt(keep, i * PAGE_SIZE)), [1, 1]);
    keep.dispose();

    const typed = new FrameAllocOptions(mem).allocSegmentWith(2, () => "meta");
    throwsContract(() => (USegment.prototype.share as (this: unknown) => SegmentToken).call(typed), TypeError);
    typed.dispose();
    assert.equal(mem.freeFrames(), usableFrames(mem));
  });
});
