// Helpers shared by the Pod tests: the two codec paths every codec test runs on.
import type { PodType } from "../../src/index.js";
import type { PodDescriptor } from "../../src/pod/pod-type.js";

/** The codec paths: closures (the default, CSP-safe) and generated code (`codegen: true`). */
export const codecPaths: ReadonlyArray<readonly [name: string, codegen: boolean]> = [
  ["closure", false],
  ["generated", true],
];

/** Whether `t`'s codecs were generated. */
export function isGenerated(t: PodType<unknown>): boolean {
  return (t as PodDescriptor<unknown>).generated;
}

/** The descriptor behind `t` (its two-phase codec). */
export function descriptor<T>(t: PodType<T>): PodDescriptor<T> {
  return t as PodDescriptor<T>;
}

/**
 * A predicate for `assert.throws`: a contract violation of this class with
 * this `code`, whose message names `name` when given (`"<name> must be …"`).
 */
export function coded(type: typeof TypeError | typeof RangeError, code: string, name?: string): (e: unknown) => boolean {
  return (e) =>
    e instanceof type && (e as { code?: unknown }).code === code && (name === undefined || (e as Error).message.startsWith(`${name} must be`));
}
