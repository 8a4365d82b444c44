// The two kinds of user memory the helpers must serve alike, behind one
// shape: a GuestMemory (one wasm page; everything past 64 KiB faults) and a
// VmSpace (five mapped pages, an unmapped hole, one more mapped page).

import { GuestMemory, PAGE_SIZE, PageFlags, type UserMemory } from "../../src/index.js";
import { fixture, mapNew } from "../vm/support.js";
import { wasmMemory } from "../guest/support.js";

export interface Kind {
  readonly name: string;
  readonly mem: UserMemory;
  /** First address of the usable region. */
  readonly base: number;
  /** First address that faults after `base` (the end of guest memory, the hole in the space). */
  readonly fault: number;
  /** Where the second mapped region of the space starts, past the hole (guest: undefined). */
  readonly beyondHole: number | undefined;
  /** An address that is outside memory altogether (a buffer there is refused up front). */
  readonly outside: number;
  /** Writes host bytes at `addr`. */
  put(addr: number, bytes: Uint8Array): void;
  /** Reads host bytes at `addr`. */
  get(addr: number, len: number): Uint8Array;
}

export function guestKind(): Kind {
  const memory = wasmMemory(1, 4);
  const g = new GuestMemory(memory);
  return {
    name: "GuestMemory",
    mem: g,
    base: 0,
    fault: 65536,
    beyondHole: undefined,
    outside: 65536,
    put: (addr, bytes) => g.writeBytes(addr, bytes),
    get: (addr, len) => new Uint8Array(memory.buffer).slice(addr, addr + len),
  };
}

export const SPACE_BASE = 0x40_0000;

export function spaceKind(): Kind {
  const { mem, space } = fixture();
  for (let k = 0; k < 5; k++) mapNew(space, mem, SPACE_BASE + k * PAGE_SIZE, PageFlags.RW);
  mapNew(space, mem, SPACE_BASE + 6 * PAGE_SIZE, PageFlags.RW);
  return {
    name: "VmSpace",
    mem: space,
    base: SPACE_BASE,
    fault: SPACE_BASE + 5 * PAGE_SIZE,
    beyondHole: SPACE_BASE + 6 * PAGE_SIZE,
    outside: 0x8000_0000_0000 - PAGE_SIZE,
    put: (addr, bytes) => space.writeBytes(addr, bytes),
    get: (addr, len) => {
      const out = new Uint8Array(len);
      space.readBytes(addr, out);
      return out;
    },
  };
}

export const kinds: ReadonlyArray<() => Kind> = [guestKind, spaceKind];

export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
