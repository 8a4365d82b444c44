/**
 * Where the machine state lives in RAM.
 *
 * Like a real kernel's frame table, vmio keeps its bookkeeping in RAM itself,
 * in the first frames, which are reserved and never handed out. Sharing the
 * buffer with a worker shares the whole machine state.
 *
 * | part          | size                                                    |
 * | ------------- | ------------------------------------------------------- |
 * | header        | 32 KiB: layout words, grace-period epoch, thread slots, share tickets |
 * | frame table   | 16 bytes per frame (meta.ts)                            |
 * | free bitmap   | 1 bit per frame, rounded up (frame-allocator.ts)        |
 * | segment tree  | 32 bytes per 32 frames, rounded up (frame-allocator.ts) |
 *
 * That is about 0.4 % of RAM plus eight pages: 64 MiB of RAM keeps 77 of its
 * 16384 frames for itself.
 *
 * Every index below is an `Int32Array` index into the whole RAM.
 *
 * @module
 */

import { allocatorWords } from "./frame-allocator.js";
import { PAGE_SIZE } from "./page-size.js";

/** "vmio", in the first word. */
export const MAGIC = 0x766d696f;
/** Bumped whenever anything below moves. */
export const LAYOUT_VERSION = 4;

/** The header: eight pages at the start of RAM. */
export const HEADER_BYTES = 8 * PAGE_SIZE;

/** Header word: {@link MAGIC}. */
export const H_MAGIC = 0;
/** Header word: {@link LAYOUT_VERSION}. */
export const H_VERSION = 1;
/** Header word: the number of frames, reserved ones included. */
export const H_NFRAMES = 2;
/** Header word: the number of reserved metadata frames. */
export const H_META_FRAMES = 3;
/** The allocator's reuse hint. */
export const H_HINT = 4;
/** A random number naming this RAM in share tokens. */
export const H_ID = 5;
/** The paging format of the RAM's page tables, by its number in `PAGING_NAMES` (paging-name.ts). */
export const H_PAGING = 6;
/** The grace-period epoch (grace-period.ts). */
export const H_EPOCH = 8;
/** How many threads are waiting for a grace period to end (grace-period.ts). */
export const H_WAITING = 9;

/** Where the thread slots (thread-slots.ts) start. */
export const H_SLOTS = 64;
/** How many threads can use one RAM at once (the creator and one per unreclaimed token). */
export const SLOTS = 64;
/** Words per thread slot. */
export const SLOT_WORDS = 64;

/** Where the share tickets (share-tickets.ts) start: after the slots, to the end of the header. */
export const H_TICKETS = H_SLOTS + SLOTS * SLOT_WORDS;
/** Words per share ticket. */
export const TICKET_WORDS = 4;
/** How many share tokens can wait to be attached at once. */
export const TICKETS = Math.floor((HEADER_BYTES / 4 - H_TICKETS) / TICKET_WORDS);

/** The frame table starts right after the header. */
export const FRAME_TABLE = HEADER_BYTES / 4;
/** Frame-table words per frame (meta.ts). */
export const FT_WORDS = 4;

/** Where the allocator's bitmap and tree start, for RAM of `nframes` frames. */
export function allocatorBases(nframes: number): { bits: number; tree: number; words: { bits: number; tree: number } } {
  const words = allocatorWords(nframes);
  const bits = FRAME_TABLE + FT_WORDS * nframes;
  return { bits, tree: bits + words.bits, words };
}

/** Frames needed at the start of RAM for the header, frame table, bitmap and tree. */
export function metadataFrames(nframes: number): number {
  const { tree, words } = allocatorBases(nframes);
  return Math.ceil((4 * (tree + words.tree)) / PAGE_SIZE);
}
