/**
 * The teaching kernel's CPU: an RV64GC user-mode hart and the memory
 * interface it executes against. Imports nothing from Node and nothing from
 * vmio's internals, so it runs in a browser worker as well.
 *
 * @module
 */

export { Hart, CONTEXT_SIZE, type ExitReason, type Access, type HartOptions } from "./hart.js";
export { AmoOp, amo32Result, amo64Result, type CpuMemory } from "./memory.js";
export { FlatMemory, MemoryFault } from "./flat-memory.js";
