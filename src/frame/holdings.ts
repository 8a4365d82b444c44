/**
 * Kinds of what a thread holds (transitional: the holdings ledger itself
 * comes with the next commit).
 *
 * @module
 */

/** An address space's user count held by a view of it (`VmSpace`): control block, root table. */
export const HOLD_SPACE = 2;
