/**
 * Share tickets: how a frame, segment or address-space token is attached
 * exactly once, as it was made.
 *
 * A token (`UFrame.share()`, `USegment.share()`, `VmSpace.share()`) is a
 * plain object that travels by `postMessage`; anyone can copy or alter it.
 * So the token only names a ticket: four header words that hold a random
 * nonce (0 while the ticket is free) and what the token stands for (its kind,
 * first frame and count). `attach` redeems the ticket with a compare-and-swap
 * of the nonce back to 0 — once, and only if kind, frame and count match —
 * and only then adopts the reference the token carried. A second attach, a
 * forged nonce or an altered field is refused and changes nothing.
 *
 * @module
 */

import { contractViolation, invalidType } from "../base/contract.js";
import { H_TICKETS, TICKETS, TICKET_WORDS } from "./layout.js";
import { PAGE_SIZE } from "./page-size.js";

/**
 * Codes of the token kinds in tickets.
 *
 * @internal
 */
export const TOKEN_KINDS = { "vmio.UFrame": 1, "vmio.USegment": 2, "vmio.VmSpace": 3 } as const;

/** @internal */
export type TokenKind = keyof typeof TOKEN_KINDS;

/** The fields every frame, segment and space token has. @internal */
export interface TicketToken {
  readonly kind: string;
  /** Identifies the RAM. */
  readonly memory: number;
  /** Physical address of the first frame (or the control block). */
  readonly paddr: number;
  readonly ticket: number;
  readonly nonce: number;
}

/**
 * A random non-zero 31-bit number.
 *
 * @internal
 */
export function newNonce(): number {
  return ((Math.random() * 0x7fff_fffe) | 0) + 1;
}

/**
 * The share tickets of one RAM.
 *
 * OSTD counterpart: none (OSTD's CPUs share one address space); in
 * spirit, a capability handed from one thread to another exactly once.
 *
 * @internal
 */
export class ShareTickets {
  readonly #i32: Int32Array;

  constructor(i32: Int32Array) {
    this.#i32 = i32;
  }

  /**
   * Reserves a ticket for a token of `kind` standing for `(frame, count)`
   * and returns `{ ticket, nonce }`.
   *
   * @throws {RangeError} every ticket is taken (too many tokens not yet attached).
   */
  issue(kind: TokenKind, frame: number, count: number): { ticket: number; nonce: number } {
    const i32 = this.#i32;
    const nonce = newNonce();
    const start = (Math.random() * TICKETS) | 0;
    for (let k = 0; k < TICKETS; k++) {
      const t = (start + k) % TICKETS;
      const w = H_TICKETS + t * TICKET_WORDS;
      if (Atomics.compareExchange(i32, w, 0, nonce) === 0) {
        Atomics.store(i32, w + 1, TOKEN_KINDS[kind]);
        Atomics.store(i32, w + 2, frame);
        Atomics.store(i32, w + 3, count);
        return { ticket: t, nonce };
      }
    }
    return contractViolation(`more than ${TICKETS} share tokens are waiting to be attached`);
  }

  /**
   * Checks `token` (of RAM `ramId`) and redeems its ticket; returns its first
   * frame number.
   *
   * @throws {TypeError} not a token of `kind` for this RAM.
   * @throws {RangeError} attached already, or altered.
   */
  redeem(ramId: number, token: TicketToken, kind: TokenKind, expected: string, count: number): number {
    const t = token as Partial<TicketToken> | null | undefined;
    if (t == null || t.kind !== kind || typeof t.paddr !== "number" || typeof t.ticket !== "number" || typeof t.nonce !== "number") {
      invalidType("token", expected, token);
    }
    if (t.memory !== ramId) invalidType("token", `${expected} of this PhysicalMemory`, token);
    const frame = t.paddr / PAGE_SIZE;
    if (!this.#take(t.ticket, t.nonce, TOKEN_KINDS[kind], frame, count)) {
      contractViolation("this share token was attached already, or altered (a token can be attached once, as it was made)");
    }
    return frame;
  }

  /** True exactly once per issued ticket, and only for the values it was issued for. */
  #take(ticket: number, nonce: number, kind: number, frame: number, count: number): boolean {
    if (!Number.isInteger(ticket) || ticket < 0 || ticket >= TICKETS || !Number.isInteger(nonce) || nonce === 0) return false;
    const i32 = this.#i32;
    const w = H_TICKETS + ticket * TICKET_WORDS;
    if (Atomics.load(i32, w + 1) !== kind || Atomics.load(i32, w + 2) !== frame || Atomics.load(i32, w + 3) !== count) return false;
    return Atomics.compareExchange(i32, w, nonce, 0) === nonce;
  }
}
