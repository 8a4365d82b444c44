// A model of one user address space under re-entrancy (issue 8): random
// sequences of map / unmap / protect, fallible copies in and out and within
// the space (overlapping ones too: memmoves), fills and values, frame handles
// and queries — run with page-fault handlers, protectNext ops and getters
// that call back into the same space (map, unmap, protect, dispose, copy) —
// against a reference model: a Map from page to frame and flags, and a Map
// from frame to its bytes.
//
// How the two stay comparable. A handler is one piece of logic written
// against a small `SpaceApi`. vmio runs it against the real space, and each
// call is recorded (the fault it was asked about and what it did, with the
// physical addresses vmio's allocator chose); then the model simulates the
// same operation byte by byte, as the copy engine promises it behaves, and
// each time the model reaches a fault it replays the next recorded call
// against itself — after checking that vmio asked about the very same byte.
// So the handler is asked at the same bytes in the same order, and the
// counts, errors, cursors and every byte of the window must agree. Frames are
// compared through handles of their own (query), not through the space.
//
// Every run ends with every handle and the space disposed, and `freeFrames()`
// back to where it started.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CachePolicy,
  FrameAllocOptions,
  PAGE_SIZE,
  PageFlags,
  PageProperty,
  PhysicalMemory,
  VmError,
  VmReader,
  VmSpace,
  VmWriter,
  struct,
  u32,
  u64,
  type PageFaultInfo,
  type UFrame,
} from "../../src/index.js";

/** Pages in the window; 0..7 sit in one leaf page-table node, 8..11 in the next. */
export const NPAGES = 12;
const WBASE = 0x40_0000 - 8 * PAGE_SIZE;
const WEND = WBASE + NPAGES * PAGE_SIZE;
const RWX = PageFlags.RWX;
const SENTINEL = 0xa5;

// ---- the handlers: one logic, run against vmio and against the model ----

type HandlerKind = "none" | "demand" | "cow" | "refuse" | "throws" | "nonBoolean" | "meddle" | "unmapNext" | "dispose";
const HANDLERS: readonly HandlerKind[] = ["none", "demand", "cow", "refuse", "throws", "nonBoolean", "meddle", "unmapNext", "dispose"];

/** What a handler (or a getter, or a protectNext op) may do to the space. */
interface SpaceApi {
  mapped(page: number): boolean;
  flags(page: number): number;
  /** Maps a new zeroed frame. */
  mapFresh(page: number, flags: number): void;
  /** Replaces a page's frame with a copy of it, adding `W`. */
  cow(page: number): void;
  protect(page: number, flags: number): void;
  unmap(page: number): void;
  dispose(): void;
}

/** The error a throwing handler throws. */
class HandlerError extends Error {}

function pageOf(addr: number): number {
  return Math.floor((addr - WBASE) / PAGE_SIZE);
}

function inWindow(page: number): boolean {
  return page >= 0 && page < NPAGES;
}

/** The handler logic. Returns what the handler returns (not always a boolean: `nonBoolean`). */
function handle(kind: HandlerKind, api: SpaceApi, fault: PageFaultInfo): unknown {
  const page = pageOf(fault.address);
  switch (kind) {
    case "none":
    case "refuse":
      return false;
    case "throws":
      throw new HandlerError(`handler at 0x${fault.address.toString(16)}`);
    case "nonBoolean":
      return 1;
    case "dispose":
      api.dispose();
      return fault.write; // true after a dispose: vmio must not trust it
    default:
  }
  if (!inWindow(page)) return false;
  if (!api.mapped(page)) {
    api.mapFresh(page, PageFlags.RW);
    if (kind === "meddle" && page > 0 && api.mapped(page - 1)) api.protect(page - 1, PageFlags.R);
    if (kind === "unmapNext" && page + 1 < NPAGES && api.mapped(page + 1)) api.unmap(page + 1);
    return true;
  }
  const flags = api.flags(page);
  if (kind === "cow" && fault.write && (flags & PageFlags.R) !== 0 && (flags & PageFlags.W) === 0) {
    api.cow(page);
    return true;
  }
  return false;
}

/** One call of a handler as vmio made it: the fault, and the frames it allocated (in order). */
interface Call {
  readonly address: number;
  readonly write: boolean;
  readonly paddrs: number[];
}

// ---- the model ----

interface MPage {
  paddr: number;
  flags: number;
}

/** An access's outcome in the model: fine, a fault that stands, or an exception (parked: the access accounts its bytes first). */
type Access = { kind: "ok" } | { kind: "fault" } | { kind: "parked"; error: Expected } | { kind: "thrown"; error: Expected };

/** An exception, as the model predicts it. */
type Expected = { kind: "handler" } | { kind: "typeError"; code: string };

class Model {
  readonly pages = new Map<number, MPage>();
  readonly frames = new Map<number, Uint8Array>();
  /** Handles the test holds: paddr per handle. */
  readonly handles: number[] = [];
  dead = false;
  /** Bumped by every change that removes or narrows a translation (vmio's epoch). */
  generation = 0;
  handler: HandlerKind = "none";
  /** The recorded handler calls still to replay. */
  calls: Call[] = [];
  inHandler = false;

  refs(paddr: number): number {
    let n = 0;
    for (const p of this.pages.values()) if (p.paddr === paddr) n++;
    for (const h of this.handles) if (h === paddr) n++;
    return n;
  }

  /** Forgets a frame nothing refers to any more. */
  release(paddr: number): void {
    if (this.refs(paddr) === 0) this.frames.delete(paddr);
  }

  ok(addr: number, write: boolean): boolean {
    if (this.dead) return false;
    const p = this.pages.get(pageOf(addr));
    if (p === undefined || addr < WBASE || addr >= WEND) return false;
    if ((p.flags & PageFlags.R) === 0) return false;
    return !write || (p.flags & PageFlags.W) !== 0;
  }

  byte(addr: number): number {
    const p = this.pages.get(pageOf(addr)) as MPage;
    return (this.frames.get(p.paddr) as Uint8Array)[(addr - WBASE) % PAGE_SIZE] as number;
  }

  setByte(addr: number, value: number): void {
    const p = this.pages.get(pageOf(addr)) as MPage;
    (this.frames.get(p.paddr) as Uint8Array)[(addr - WBASE) % PAGE_SIZE] = value;
  }

  map(page: number, paddr: number, flags: number, bytes?: Uint8Array): void {
    if (bytes !== undefined) this.frames.set(paddr, bytes);
    this.pages.set(page, { paddr, flags: flags & RWX });
  }

  unmap(page: number): void {
    const p = this.pages.get(page);
    if (p === undefined) return;
    this.pages.delete(page);
    this.generation++;
    this.release(p.paddr);
  }

  protect(page: number, flags: number): void {
    (this.pages.get(page) as MPage).flags = flags & RWX;
    this.generation++;
  }

  kill(): void {
    this.dead = true;
    this.generation++;
    for (const page of [...this.pages.keys()]) this.unmap(page);
  }

  /** The model's access at `addr`: asks the handler (replaying vmio's recorded call) when it is not accessible. */
  access(addr: number, write: boolean): Access {
    if (this.dead) return { kind: "thrown", error: { kind: "typeError", code: "ERR_USE_AFTER_DISPOSE" } };
    if (this.ok(addr, write)) return { kind: "ok" };
    if (this.handler === "none" || this.inHandler) return { kind: "fault" };
    const call = this.calls.shift();
    assert.ok(call !== undefined, `vmio did not ask the handler about 0x${addr.toString(16)} (${write ? "write" : "read"})`);
    assert.deepEqual({ address: call.address, write: call.write }, { address: addr, write }, "vmio asked the handler about the same byte");
    const paddrs = call.paddrs.slice();
    let result: unknown;
    this.inHandler = true;
    try {
      result = handle(this.handler, this.api(paddrs), { address: addr, write, execute: false });
    } catch (e) {
      assert.ok(e instanceof HandlerError);
      return { kind: "parked", error: { kind: "handler" } };
    } finally {
      this.inHandler = false;
    }
    assert.equal(paddrs.length, 0, "the model's handler allocated what vmio's did");
    if (typeof result !== "boolean") return { kind: "parked", error: { kind: "typeError", code: "ERR_INVALID_RETURN_VALUE" } };
    if (!result) return { kind: "fault" };
    if (this.dead) return { kind: "thrown", error: { kind: "typeError", code: "ERR_USE_AFTER_DISPOSE" } };
    return this.ok(addr, write) ? { kind: "ok" } : { kind: "fault" };
  }

  /** The model's side of the handler API; frames it allocates take the physical addresses vmio's allocator gave. */
  api(paddrs: number[]): SpaceApi {
    const next = (): number => {
      const p = paddrs.shift();
      assert.ok(p !== undefined, "the model's handler allocated more than vmio's");
      return p;
    };
    return {
      mapped: (page) => this.pages.has(page),
      flags: (page) => (this.pages.get(page) as MPage).flags,
      mapFresh: (page, flags) => this.map(page, next(), flags, new Uint8Array(PAGE_SIZE)),
      cow: (page) => {
        const old = this.pages.get(page) as MPage;
        const copy = (this.frames.get(old.paddr) as Uint8Array).slice();
        this.unmap(page);
        this.map(page, next(), old.flags | PageFlags.W, copy);
      },
      protect: (page, flags) => this.protect(page, flags),
      unmap: (page) => this.unmap(page),
      dispose: () => this.kill(),
    };
  }
}

// ---- vmio's side ----

/** vmio's side of the handler API: real cursors on the real space, recording the frames they allocate. */
function realApi(space: VmSpace, opts: FrameAllocOptions, paddrs: number[]): SpaceApi {
  const at = (page: number) => WBASE + page * PAGE_SIZE;
  const query = (page: number): { paddr: number; flags: number } | undefined => {
    using c = space.cursor({ start: at(page), end: at(page) + PAGE_SIZE });
    const item = c.query().item;
    if (item === undefined) return undefined;
    using frame = item.frame;
    return { paddr: frame.startPaddr(), flags: item.prop.flags & RWX };
  };
  const mapFrame = (page: number, frame: UFrame, flags: number): void => {
    using c = space.cursorMut({ start: at(page), end: at(page) + PAGE_SIZE });
    c.map(frame, PageProperty.newUser(flags, CachePolicy.Writeback));
    paddrs.push(frame.startPaddr());
  };
  return {
    mapped: (page) => query(page) !== undefined,
    flags: (page) => (query(page) as { flags: number }).flags,
    mapFresh: (page, flags) => {
      using frame = opts.allocFrame();
      mapFrame(page, frame, flags);
    },
    cow: (page) => {
      using c = space.cursorMut({ start: at(page), end: at(page) + PAGE_SIZE });
      const item = c.query().item as { frame: UFrame; prop: PageProperty };
      using old = item.frame;
      using copy = opts.allocFrame();
      old.reader().read(copy.writer());
      c.unmap(PAGE_SIZE);
      mapFrame(page, copy, (item.prop.flags & RWX) | PageFlags.W);
    },
    protect: (page, flags) => {
      using c = space.cursorMut({ start: at(page), end: at(page) + PAGE_SIZE });
      c.protectNext(PAGE_SIZE, (p) => {
        p.flags = flags;
      });
    },
    unmap: (page) => {
      using c = space.cursorMut({ start: at(page), end: at(page) + PAGE_SIZE });
      c.unmap(PAGE_SIZE);
    },
    dispose: () => space.dispose(),
  };
}

// ---- operations ----

type GetterKind = "plain" | "counted" | "unmapOther" | "mapOther";
type OpKind = "plain" | "reenter" | "query" | "throws" | "getter" | "copy";
type ValueType = "u32" | "u64" | "struct";

export type Op =
  | { kind: "map"; page: number; flags: number; seed: number; getter: GetterKind; other: number; keep: boolean }
  | { kind: "mapHandle"; handle: number; page: number; flags: number }
  | { kind: "unmap"; page: number; n: number }
  | { kind: "protect"; page: number; n: number; flags: number; op: OpKind; other: number }
  | { kind: "read"; addr: number; len: number; handler: HandlerKind }
  | { kind: "write"; addr: number; len: number; seed: number; handler: HandlerKind }
  | { kind: "fill"; addr: number; len: number; handler: HandlerKind }
  | { kind: "copy"; src: number; dst: number; len: number; handler: HandlerKind }
  | { kind: "readVal"; addr: number; type: ValueType; handler: HandlerKind }
  | { kind: "writeVal"; addr: number; type: ValueType; seed: number; handler: HandlerKind; getter: GetterKind; other: number }
  | { kind: "alloc"; seed: number }
  | { kind: "drop"; handle: number }
  | { kind: "poke"; handle: number; offset: number; seed: number }
  | { kind: "disposeSpace" };

const pageArb = fc.integer({ min: 0, max: NPAGES - 1 });
const flagsArb = fc.constantFrom(PageFlags.RW, PageFlags.RW, PageFlags.R, PageFlags.RWX, PageFlags.RX, PageFlags.W, 0);
const offsetArb = fc.oneof(fc.constantFrom(0, 1, 7, 8, PAGE_SIZE - 8, PAGE_SIZE - 3, PAGE_SIZE - 1), fc.integer({ min: 0, max: PAGE_SIZE - 1 }));
const addrArb = fc.tuple(pageArb, offsetArb).map(([p, o]) => WBASE + p * PAGE_SIZE + o);
const lenArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 40 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: PAGE_SIZE + 64 }) },
  { weight: 1, arbitrary: fc.integer({ min: PAGE_SIZE, max: 3 * PAGE_SIZE }) },
);
const handlerArb = fc.constantFrom(...HANDLERS);
const getterArb = fc.constantFrom<GetterKind>("plain", "plain", "counted", "unmapOther", "mapOther");
const seedArb = fc.integer({ min: 1, max: 250 });

/** Copies within the window, clipped to it; overlapping ones (both ways) come often. */
const copyArb = fc
  .tuple(addrArb, fc.oneof(addrArb.map((a) => ({ abs: a })), fc.integer({ min: -3 * PAGE_SIZE, max: 3 * PAGE_SIZE }).map((d) => ({ delta: d }))), lenArb, handlerArb)
  .map(([src, d, len, handler]) => {
    const dst = "abs" in d ? d.abs : Math.min(Math.max(src + d.delta, WBASE), WEND - 1);
    return { kind: "copy" as const, src, dst, len: Math.min(len, WEND - Math.max(src, dst)), handler };
  });

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("map" as const), page: pageArb, flags: flagsArb, seed: seedArb, getter: getterArb, other: pageArb, keep: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("mapHandle" as const), handle: fc.nat(7), page: pageArb, flags: flagsArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("unmap" as const), page: pageArb, n: fc.integer({ min: 1, max: 3 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("protect" as const),
      page: pageArb,
      n: fc.integer({ min: 1, max: 4 }),
      flags: flagsArb,
      op: fc.constantFrom<OpKind>("plain", "reenter", "query", "throws", "getter", "copy"),
      other: pageArb,
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("read" as const), addr: addrArb, len: lenArb, handler: handlerArb }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("write" as const), addr: addrArb, len: lenArb, seed: seedArb, handler: handlerArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("fill" as const), addr: addrArb, len: lenArb, handler: handlerArb }) },
  { weight: 4, arbitrary: copyArb },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("readVal" as const), addr: addrArb, type: fc.constantFrom<ValueType>("u32", "u64", "struct"), handler: handlerArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("writeVal" as const),
      addr: addrArb,
      type: fc.constantFrom<ValueType>("u32", "u64", "struct"),
      seed: seedArb,
      handler: handlerArb,
      getter: getterArb,
      other: pageArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("alloc" as const), seed: seedArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("drop" as const), handle: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("poke" as const), handle: fc.nat(7), offset: fc.nat(PAGE_SIZE - 16), seed: seedArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("disposeSpace" as const) }) },
);

const Pair = struct({ a: u32, b: u64 });
const SIZES: Record<ValueType, number> = { u32: 4, u64: 8, struct: 16 };

/** Bytes `[0, len)` of a pattern that never repeats within 251 bytes and is never 0. */
function pattern(len: number, seed: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = ((i * 7 + seed * 13) % 251) + 1;
  return b;
}

/** What an operation ended with, as vmio reported it and as the model predicts it. */
type Outcome = { kind: "ok"; n?: number } | { kind: "pageFault"; copied: number } | { kind: "handler" } | { kind: "typeError"; code: string } | { kind: "rangeError" };

function outcomeOf(e: unknown): Outcome {
  if (e instanceof VmError) {
    assert.equal(e.code, "PageFault", `an unexpected VmError: ${e.message}`);
    return { kind: "pageFault", copied: e.copied };
  }
  if (e instanceof HandlerError) return { kind: "handler" };
  if (e instanceof TypeError) return { kind: "typeError", code: String((e as { code?: unknown }).code) };
  if (e instanceof RangeError) return { kind: "rangeError" };
  throw e;
}

/** The outcome a model access predicts, given the bytes done before it. */
function stopped(a: Access, copied: number): Outcome {
  if (a.kind === "fault") return { kind: "pageFault", copied };
  if (a.kind === "parked" || a.kind === "thrown") return a.error.kind === "handler" ? { kind: "handler" } : { kind: "typeError", code: a.error.code };
  throw new Error("not stopped");
}

/** Statistics of a run, for the long-run script. */
export interface Stats {
  ops: number;
  faults: number;
  handlerCalls: number;
  reentries: number;
  spaces: number;
}

/** One run: a fresh RAM and space, the ops, a check after each, and everything disposed at the end. */
export function runOps(ops: readonly Op[], shared: boolean, stats: Stats): void {
  const mem = new PhysicalMemory({ size: 1 << 20, shared });
  const free0 = mem.freeFrames();
  const opts = new FrameAllocOptions(mem);
  const model = new Model();
  const handles: UFrame[] = [];
  let space = new VmSpace(mem);
  space.activate();
  stats.spaces++;
  /**
   * Runs `real` with a handler of kind `k` installed on the space (none for
   * "none"), recording its calls; then the model replays them.
   */
  const withHandler = <T>(k: HandlerKind, real: () => T): T => {
    const calls: Call[] = [];
    const s = space;
    if (k !== "none") {
      s.setPageFaultHandler((fault) => {
        const call: Call = { address: fault.address, write: fault.write, paddrs: [] };
        calls.push(call);
        stats.handlerCalls++;
        return handle(k, realApi(s, opts, call.paddrs), fault) as boolean;
      });
    }
    model.handler = k;
    try {
      return real();
    } finally {
      // The handler may have disposed the space.
      if (k !== "none" && s === space && !model.dead) {
        try {
          s.setPageFaultHandler(undefined);
        } catch {
          // disposed: respawn() will replace it
        }
      }
      model.calls = calls;
    }
  };
  const replayed = (): void => {
    assert.deepEqual(model.calls, [], "the model asked the handler about every fault vmio asked about");
    model.handler = "none";
  };
  const respawn = (): void => {
    // The space died (a handler or the test disposed it): a new one, as a process gets after exec.
    model.kill();
    model.dead = false;
    space = new VmSpace(mem);
    space.activate();
    stats.spaces++;
  };

  for (const op of ops) {
    stats.ops++;
    switch (op.kind) {
      case "map": {
        // A property whose getter may change the space before the map; vmio reads it once, first.
        const other = op.other;
        const prop = PageProperty.newUser(op.flags, CachePolicy.Writeback);
        let reads = 0;
        const effects: Array<(api: SpaceApi) => void> = [];
        const effectPaddrs: number[] = [];
        if (op.getter !== "plain") {
          Object.defineProperty(prop, "flags", {
            get: () => {
              if (reads++ === 0) {
                const api = realApi(space, opts, effectPaddrs);
                if (op.getter === "unmapOther" && api.mapped(other)) {
                  api.unmap(other);
                  effects.push((m) => m.unmap(other));
                }
                if (op.getter === "mapOther" && !api.mapped(other)) {
                  api.mapFresh(other, PageFlags.R);
                  effects.push((m) => m.mapFresh(other, PageFlags.R));
                }
              }
              return op.flags;
            },
          });
        }
        const frame = opts.allocFrame();
        frame.writeBytes(0, pattern(PAGE_SIZE, op.seed));
        let out: Outcome;
        try {
          using c = space.cursorMut({ start: WBASE + op.page * PAGE_SIZE, end: WBASE + (op.page + 1) * PAGE_SIZE });
          c.map(frame, prop);
          out = { kind: "ok" };
        } catch (e) {
          out = outcomeOf(e);
        }
        if (op.getter !== "plain") assert.equal(reads, 1, "a PageProperty's flags are read once");
        const api = model.api(effectPaddrs.slice());
        for (const effect of effects) effect(api);
        const expected: Outcome = model.pages.has(op.page) ? { kind: "rangeError" } : { kind: "ok" };
        assert.deepEqual(out, expected, `map ${JSON.stringify(op)}`);
        const paddr = frame.startPaddr();
        model.frames.set(paddr, pattern(PAGE_SIZE, op.seed));
        if (out.kind === "ok") model.map(op.page, paddr, op.flags);
        if (op.keep) {
          handles.push(frame);
          model.handles.push(paddr);
        } else {
          frame.dispose();
          model.release(paddr);
        }
        break;
      }
      case "mapHandle": {
        const i = op.handle % Math.max(1, handles.length);
        const frame = handles[i];
        if (frame === undefined) break;
        const paddr = frame.startPaddr();
        // One mapping per frame: the model has no aliasing.
        if ([...model.pages.values()].some((p) => p.paddr === paddr)) break;
        let out: Outcome;
        try {
          using c = space.cursorMut({ start: WBASE + op.page * PAGE_SIZE, end: WBASE + (op.page + 1) * PAGE_SIZE });
          c.map(frame, PageProperty.newUser(op.flags, CachePolicy.Writeback));
          out = { kind: "ok" };
        } catch (e) {
          out = outcomeOf(e);
        }
        assert.deepEqual(out, model.pages.has(op.page) ? { kind: "rangeError" } : { kind: "ok" });
        if (out.kind === "ok") model.map(op.page, paddr, op.flags);
        break;
      }
      case "unmap": {
        const n = Math.min(op.n, NPAGES - op.page);
        let reads = 0;
        const range = {
          start: WBASE + op.page * PAGE_SIZE,
          get end() {
            reads++;
            return WBASE + (op.page + n) * PAGE_SIZE;
          },
        };
        using c = space.cursorMut(range);
        assert.equal(reads, 1, "a range's end is read once");
        c.unmap(n * PAGE_SIZE);
        for (let p = op.page; p < op.page + n; p++) model.unmap(p);
        break;
      }
      case "protect": {
        const n = Math.min(op.n, NPAGES - op.page);
        const start = WBASE + op.page * PAGE_SIZE;
        let found = -1;
        for (let p = op.page; p < op.page + n; p++) {
          if (model.pages.has(p)) {
            found = p;
            break;
          }
        }
        using c = space.cursorMut({ start, end: start + n * PAGE_SIZE });
        let out: Outcome;
        const inner: unknown[] = [];
        let getterReads = 0;
        let r: { start: number; end: number } | undefined;
        try {
          r = c.protectNext(n * PAGE_SIZE, (p) => {
            const api = realApi(space, opts, []);
            if (op.op === "throws") throw new HandlerError("op");
            if (op.op === "reenter") {
              // Every change of this space from the op is refused at once, and changes nothing.
              for (const change of [() => api.unmap(op.other), () => api.mapFresh(op.other, PageFlags.RW), () => api.protect(op.other, PageFlags.R), () => api.dispose()]) {
                try {
                  change();
                  inner.push("done");
                } catch (e) {
                  inner.push(e);
                }
              }
            }
            if (op.op === "query") assert.equal(api.mapped(found), true, "a query inside the op sees the page");
            if (op.op === "copy") {
              // Reading the space is allowed (a fault here may not map: the handler's change would be refused).
              try {
                space.readBytes(WBASE + found * PAGE_SIZE, new Uint8Array(16));
              } catch {
                // a fault, or a handler's refused change: either way nothing changed
              }
            }
            if (op.op === "getter") {
              Object.defineProperty(p, "flags", {
                get: () => {
                  getterReads++;
                  return op.flags;
                },
              });
            } else p.flags = op.flags;
          });
          out = { kind: "ok" };
        } catch (e) {
          out = outcomeOf(e);
        }
        if (op.op === "reenter" && found >= 0) {
          stats.reentries += inner.length;
          for (const e of inner) assert.ok(e instanceof TypeError && (e as { code?: unknown }).code === "ERR_REENTERED", `a change from the op is ERR_REENTERED, not ${String(e)}`);
        }
        if (op.op === "getter" && found >= 0) assert.equal(getterReads, 1, "the op's property is read once");
        if (found < 0) {
          assert.deepEqual(out, { kind: "ok" });
          assert.equal(r, undefined);
        } else if (op.op === "throws") {
          assert.deepEqual(out, { kind: "handler" });
        } else {
          assert.deepEqual(out, { kind: "ok" });
          assert.deepEqual(r, { start: WBASE + found * PAGE_SIZE, end: WBASE + (found + 1) * PAGE_SIZE });
          model.protect(found, op.flags);
        }
        break;
      }
      case "read": {
        const len = Math.min(op.len, WEND - op.addr);
        const buf = new Uint8Array(len).fill(SENTINEL);
        const r = space.reader(op.addr, len);
        const out = withHandler(op.handler, () => {
          try {
            return { kind: "ok", n: r.readFallible(VmWriter.from(buf)) } as Outcome;
          } catch (e) {
            return outcomeOf(e);
          }
        });
        // The model: byte by byte, the handler asked where vmio asked it.
        const expectedBuf = new Uint8Array(len).fill(SENTINEL);
        let i = 0;
        let expected: Outcome = { kind: "ok", n: len };
        let thrown = false;
        for (; i < len; i++) {
          const a = model.access(op.addr + i, false);
          if (a.kind !== "ok") {
            expected = stopped(a, i);
            thrown = a.kind === "thrown";
            break;
          }
          expectedBuf[i] = model.byte(op.addr + i);
        }
        replayed();
        if (expected.kind === "pageFault") stats.faults++;
        assert.deepEqual(out, expected, `read ${JSON.stringify(op)}`);
        if (!thrown) assert.deepEqual(buf, expectedBuf, "the bytes read, and nothing after them");
        assert.equal(r.cursor(), op.addr + (thrown ? 0 : i), "the reader advanced by the bytes copied");
        if (model.dead) respawn();
        break;
      }
      case "write":
      case "fill": {
        const len = Math.min(op.len, WEND - op.addr);
        const data = op.kind === "write" ? pattern(len, op.seed) : new Uint8Array(len);
        const w = space.writer(op.addr, len);
        const out = withHandler(op.handler, () => {
          try {
            return { kind: "ok", n: op.kind === "write" ? w.writeFallible(VmReader.from(data)) : w.fillZeros(len) } as Outcome;
          } catch (e) {
            return outcomeOf(e);
          }
        });
        let i = 0;
        let expected: Outcome = { kind: "ok", n: len };
        let thrown = false;
        for (; i < len; i++) {
          const a = model.access(op.addr + i, true);
          if (a.kind !== "ok") {
            expected = stopped(a, i);
            thrown = a.kind === "thrown";
            break;
          }
          model.setByte(op.addr + i, data[i] as number);
        }
        replayed();
        if (expected.kind === "pageFault") stats.faults++;
        assert.deepEqual(out, expected, `${op.kind} ${JSON.stringify(op)}`);
        assert.equal(w.cursor(), op.addr + (thrown ? 0 : i), "the writer advanced by the bytes written");
        if (model.dead) respawn();
        break;
      }
      case "copy": {
        const { src, dst } = op;
        const len = Math.max(0, op.len);
        const r = space.reader(src, len);
        const w = space.writer(dst, len);
        const out = withHandler(op.handler, () => {
          try {
            return { kind: "ok", n: r.readFallible(w) } as Outcome;
          } catch (e) {
            return outcomeOf(e);
          }
        });
        let expected: Outcome = { kind: "ok", n: len };
        let done = 0;
        let thrown = false;
        if (dst > src && dst < src + len) {
          // A memmove up: the source is read first, then written (as if through a buffer).
          const tmp: number[] = [];
          let readStop: Access | undefined;
          for (let i = 0; i < len; i++) {
            const a = model.access(src + i, false);
            if (a.kind !== "ok") {
              readStop = a;
              break;
            }
            tmp.push(model.byte(src + i));
          }
          for (; done < tmp.length; done++) {
            const a = model.access(dst + done, true);
            if (a.kind !== "ok") {
              expected = stopped(a, done);
              thrown = a.kind === "thrown";
              break;
            }
            model.setByte(dst + done, tmp[done] as number);
          }
          if (expected.kind === "ok" && readStop !== undefined) {
            expected = stopped(readStop, done);
            thrown = readStop.kind === "thrown";
          }
        } else {
          // Front to back; a source whose page the destination's handler changed is taken again.
          while (done < len) {
            const a = model.access(src + done, false);
            if (a.kind !== "ok") {
              expected = stopped(a, done);
              thrown = a.kind === "thrown";
              break;
            }
            const generation = model.generation;
            const b = model.access(dst + done, true);
            if (b.kind !== "ok") {
              expected = stopped(b, done);
              thrown = b.kind === "thrown";
              break;
            }
            if (model.generation !== generation) continue;
            model.setByte(dst + done, model.byte(src + done));
            done++;
          }
        }
        replayed();
        if (expected.kind === "pageFault") stats.faults++;
        assert.deepEqual(out, expected, `copy ${JSON.stringify(op)}`);
        assert.equal(r.cursor(), src + (thrown ? 0 : done), "the reader advanced by the bytes copied");
        assert.equal(w.cursor(), dst + (thrown ? 0 : done), "the writer advanced by the bytes copied");
        if (model.dead) respawn();
        break;
      }
      case "readVal": {
        const size = SIZES[op.type];
        if (op.addr + size > WEND) break;
        const type = op.type === "u32" ? u32 : op.type === "u64" ? u64 : Pair;
        let value: unknown;
        const out = withHandler(op.handler, () => {
          try {
            value = space.readVal(op.addr, type as typeof Pair);
            return { kind: "ok" } as Outcome;
          } catch (e) {
            return outcomeOf(e);
          }
        });
        let expected: Outcome = { kind: "ok" };
        const bytes = new Uint8Array(size);
        for (let i = 0; i < size; i++) {
          const a = model.access(op.addr + i, false);
          if (a.kind !== "ok") {
            expected = stopped(a, 0);
            break;
          }
          bytes[i] = model.byte(op.addr + i);
        }
        replayed();
        assert.deepEqual(out, expected, `readVal ${JSON.stringify(op)}`);
        if (out.kind === "ok") assert.deepEqual(value, VmReader.from(bytes).readVal(type as typeof Pair), "the value read");
        if (model.dead) respawn();
        break;
      }
      case "writeVal": {
        const size = SIZES[op.type];
        if (op.addr + size > WEND) break;
        const bytes = pattern(16, op.seed);
        const dv = new DataView(bytes.buffer);
        const a32 = dv.getUint32(0, true);
        const b64 = dv.getBigUint64(op.type === "struct" ? 8 : 0, true);
        if (op.type === "struct") bytes.fill(0, 4, 8); // the struct's padding
        // A struct value whose getter may change the space first: read once, before any translation.
        let reads = 0;
        const effects: Array<(api: SpaceApi) => void> = [];
        const effectPaddrs: number[] = [];
        const value = {
          get a(): number {
            if (reads++ === 0 && op.getter !== "plain" && op.getter !== "counted") {
              const api = realApi(space, opts, effectPaddrs);
              if (op.getter === "unmapOther" && api.mapped(op.other)) {
                api.unmap(op.other);
                effects.push((m) => m.unmap(op.other));
              }
              if (op.getter === "mapOther" && !api.mapped(op.other)) {
                api.mapFresh(op.other, PageFlags.RW);
                effects.push((m) => m.mapFresh(op.other, PageFlags.RW));
              }
            }
            return a32;
          },
          b: b64,
        };
        const out = withHandler(op.handler, () => {
          try {
            if (op.type === "u32") space.writeVal(op.addr, u32, a32);
            else if (op.type === "u64") space.writeVal(op.addr, u64, b64);
            else space.writeVal(op.addr, Pair, value);
            return { kind: "ok" } as Outcome;
          } catch (e) {
            return outcomeOf(e);
          }
        });
        if (op.type === "struct") {
          assert.equal(reads, 1, "a struct value's getter runs once");
          const paddrs = effectPaddrs.slice();
          for (const effect of effects) effect(model.api(paddrs));
        }
        // The model: every page of the value translated for writing, in order, before any byte is written.
        let expected: Outcome = { kind: "ok" };
        const firsts = [op.addr];
        for (let p = pageOf(op.addr) + 1; WBASE + p * PAGE_SIZE < op.addr + size; p++) firsts.push(WBASE + p * PAGE_SIZE);
        for (const at of firsts) {
          const a = model.access(at, true);
          if (a.kind !== "ok") {
            expected = stopped(a, 0);
            break;
          }
        }
        if (expected.kind === "ok") {
          for (let i = 0; i < size; i++) {
            const a = model.access(op.addr + i, true);
            if (a.kind !== "ok") {
              expected = stopped(a, 0);
              break;
            }
            model.setByte(op.addr + i, bytes[i] as number);
          }
        }
        replayed();
        assert.deepEqual(out, expected, `writeVal ${JSON.stringify(op)}`);
        if (model.dead) respawn();
        break;
      }
      case "alloc": {
        if (handles.length >= 8) break;
        const frame = opts.allocFrame();
        frame.writeBytes(0, pattern(PAGE_SIZE, op.seed));
        handles.push(frame);
        model.handles.push(frame.startPaddr());
        model.frames.set(frame.startPaddr(), pattern(PAGE_SIZE, op.seed));
        break;
      }
      case "drop": {
        if (handles.length === 0) break;
        const i = op.handle % handles.length;
        (handles[i] as UFrame).dispose();
        handles.splice(i, 1);
        const [paddr] = model.handles.splice(i, 1);
        model.release(paddr as number);
        break;
      }
      case "poke": {
        if (handles.length === 0) break;
        const i = op.handle % handles.length;
        const data = pattern(16, op.seed);
        (handles[i] as UFrame).writeBytes(op.offset, data);
        (model.frames.get(model.handles[i] as number) as Uint8Array).set(data, op.offset);
        break;
      }
      case "disposeSpace":
        space.dispose();
        respawn();
        break;
    }
    check(space, handles, model);
  }
  for (const h of handles) h.dispose();
  space.dispose();
  assert.equal(mem.freeFrames(), free0, "every frame came back: handles, mappings, tables, control blocks");
}

/** The whole window and every handle, compared with the model through the frames themselves. */
function check(space: VmSpace, handles: readonly UFrame[], model: Model): void {
  const buf = new Uint8Array(PAGE_SIZE);
  for (let page = 0; page < NPAGES; page++) {
    using c = space.cursor({ start: WBASE + page * PAGE_SIZE, end: WBASE + (page + 1) * PAGE_SIZE });
    const item = c.query().item;
    const m = model.pages.get(page);
    if (item === undefined) {
      assert.equal(m, undefined, `page ${page} is mapped in the model`);
      continue;
    }
    using frame = item.frame;
    assert.ok(m !== undefined, `page ${page} is mapped in vmio only`);
    assert.deepEqual({ paddr: frame.startPaddr(), flags: item.prop.flags & RWX }, { paddr: m.paddr, flags: m.flags }, `page ${page}`);
    frame.readBytes(0, buf);
    assert.deepEqual(buf, model.frames.get(m.paddr), `the bytes of page ${page}`);
  }
  for (const [i, h] of handles.entries()) {
    h.readBytes(0, buf);
    assert.deepEqual(buf, model.frames.get(model.handles[i] as number), `the bytes of handle ${i}`);
  }
}

/** Runs `runs` random sequences of `ops` operations (seeded), half on shared RAM. */
export function runSpaceModel(opts: { seed: number; runs: number; ops: number; shared: boolean }): Stats {
  const stats: Stats = { ops: 0, faults: 0, handlerCalls: 0, reentries: 0, spaces: 0 };
  fc.assert(
    fc.property(fc.array(opArb, { minLength: opts.ops, maxLength: opts.ops }), (ops) => runOps(ops, opts.shared, stats)),
    { seed: opts.seed, numRuns: opts.runs, endOnFailure: false },
  );
  return stats;
}
