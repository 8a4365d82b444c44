/**
 * The one way vmio builds objects whose state only vmio may supply.
 *
 * Classes such as `UFrame` or `USegment` wrap internal state (a frame
 * number and the RAM it lives in) that must never come from user code: a
 * handle built around a frame it holds no reference to would free that
 * frame twice. Their constructors take {@link INTERNAL} as their first
 * argument and refuse anything else (`ERR_ILLEGAL_CONSTRUCTOR`). A class
 * with a public constructor (`PhysicalMemory`, `VmSpace`) takes the key as
 * an optional extra argument after its public ones; without it, it builds
 * from the public arguments only.
 *
 * The key is a symbol that no public object holds or returns and that
 * `index.ts` does not re-export, so plain JavaScript cannot obtain it (the
 * package `exports` map blocks deep imports). Each class makes its instances
 * through a factory captured in a `static {}` block of its own body, where
 * its protected constructor is reachable, and exported from its module for
 * the layers that need it.
 *
 * @module
 */

/**
 * The construction key of vmio's internal objects.
 *
 * @internal
 */
export const INTERNAL: unique symbol = Symbol("vmio.internal");
