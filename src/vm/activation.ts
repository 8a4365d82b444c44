/**
 * Which address space is active on this thread.
 *
 * Module state is per thread in JavaScript (every worker loads its own copy
 * of this module), so one variable is exactly "the current address space of
 * this CPU" in OSTD's sense.
 *
 * @module
 */

let current: object | undefined;

/**
 * The address space active on this thread, if any.
 *
 * @internal
 */
export function activeSpace(): object | undefined {
  return current;
}

/**
 * Makes `space` the active address space of this thread.
 *
 * @internal
 */
export function setActiveSpace(space: object | undefined): void {
  current = space;
}
