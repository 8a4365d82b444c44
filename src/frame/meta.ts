/**
 * Frame metadata flags (transitional: they move here from
 * physical-memory.ts with the frame table in the next commit).
 *
 * @module
 */

export { FLAG_PAGE_TABLE, FLAG_RESERVED, FLAG_TYPED } from "./physical-memory.js";
