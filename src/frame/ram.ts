/**
 * The internal view of a `PhysicalMemory` that the layers above use
 * (`ramOf(memory)`, physical-memory.ts).
 *
 * Transitional: this first version maps the view onto the members
 * `PhysicalMemory` has today, so that the vm layer can move to it on its
 * own; the next commit makes it the real state behind a private field.
 *
 * @module
 */

import { lockWord, unlockWord } from "../base/futex-lock.js";
import { PAGE_SIZE } from "./page-size.js";
import { FLAG_TYPED, type PhysicalMemory } from "./physical-memory.js";
import { newNonce, redeem, TOKEN_KINDS } from "./frame.js";

/**
 * One thread's view of one RAM.
 *
 * @internal
 */
export interface Ram {
  readonly memory: PhysicalMemory;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly shared: boolean;
  readonly id: number;
  readonly frames: {
    alloc(n: number, zeroed: boolean, flags: number): number;
    ref(start: number, n: number): void;
    unref(start: number, n: number): void;
    aux(f: number): number;
    auxAdd(f: number, delta: number): number;
    flags(f: number): number;
    refCount(f: number): number;
    isFree(f: number): boolean;
  };
  readonly gp: {
    enter(): void;
    exit(): void;
    suspend(): number;
    resume(depth: number): void;
    synchronize(): void;
    retire(frames: readonly number[]): void;
  };
  readonly tickets: {
    issue(kind: keyof typeof TOKEN_KINDS, frame: number, count: number): { ticket: number; nonce: number };
    redeem(ramId: number, token: { kind: string; memory: number; paddr: number; ticket: number; nonce: number }, kind: keyof typeof TOKEN_KINDS, expected: string, count: number): number;
  };
  readonly holdings: null | { record(kind: number, first: number, second: number): number };
  lock(index: number, what: string): void;
  unlock(index: number): void;
  reserveHoldings(n?: number): void;
  holdFrames(start: number, end: number): number;
  dropHolding(id: number): void;
}

/**
 * The view of `mem`, over its current members.
 *
 * @internal
 */
export function makeRam(mem: PhysicalMemory): Ram {
  return {
    memory: mem,
    bytes: mem._ram,
    view: mem._view,
    u32: mem._u32,
    i32: mem._i32,
    shared: mem._shared,
    id: mem._id,
    frames: {
      alloc(n, zeroed, flags) {
        const start = mem._allocFrames(n, zeroed, (flags & FLAG_TYPED) !== 0);
        if ((flags & ~FLAG_TYPED) !== 0) for (let f = start; f < start + n; f++) mem._setFlags(f, flags & ~FLAG_TYPED);
        return start;
      },
      ref: (start, n) => mem._refFrames(start, n),
      unref: (start, n) => mem._unrefFrames(start, n),
      aux: (f) => mem._aux(f),
      auxAdd: (f, delta) => mem._auxAdd(f, delta),
      flags: (f) => mem._flags(f),
      refCount: (f) => mem._refCount(f),
      isFree: (f) => mem._isFree(f),
    },
    gp: {
      enter: () => mem._gp.enter(),
      exit: () => mem._gp.exit(),
      suspend: () => mem._gp.suspend(),
      resume: (depth) => mem._gp.resume(depth),
      synchronize: () => mem._gp.synchronize(),
      retire(frames) {
        if (frames.length === 0) return;
        mem._gp.synchronize();
        for (const f of frames) mem._unrefFrames(f, 1);
      },
    },
    tickets: {
      issue(kind, frame, count) {
        const nonce = newNonce();
        return { ticket: mem._issueTicket(nonce, TOKEN_KINDS[kind] as number, frame, count), nonce };
      },
      redeem: (_id, token, kind, expected, count) => redeem(mem, token, kind, expected, count) / PAGE_SIZE,
    },
    holdings: null,
    lock: (index, what) => lockWord(mem._i32, index, what),
    unlock: (index) => unlockWord(mem._i32, index),
    reserveHoldings: () => {},
    holdFrames: () => -1,
    dropHolding: () => {},
  };
}
