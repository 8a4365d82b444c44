/**
 * Reclaiming exited threads (transitional: the next commit implements it).
 *
 * @module
 */

import type { HOLD_SPACE } from "./holdings.js";
import type { Ram } from "./ram.js";

/**
 * Says how to release holdings of `kind` when their thread is reclaimed.
 *
 * @internal
 */
export function registerReleaser(_kind: typeof HOLD_SPACE, _releaser: (ram: Ram, first: number, second: number) => void): void {}
