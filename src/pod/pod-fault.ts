/**
 * How a bad part of a value is reported with its full path.
 *
 * A nested descriptor (the `inner` of `struct({ inner: S })`, an array's
 * element) is shared by every type that contains it, so it cannot know the
 * path it is reached by, and building `"value.inner.list[2]"` on every call
 * would cost a string concatenation per field on the hot path. Instead, the
 * code that finds a bad part throws a `PodFault` holding the part's value and
 * what was expected; each container it passes through on the way out adds
 * its own step (`.inner`, `[2]`) in a `catch`, which costs nothing until
 * something is thrown; and the outermost snapshot — the one called with a
 * `path` — turns it into the coded `TypeError`/`RangeError` of the API (Node
 * core's `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE`).
 *
 * A `PodFault` never leaves the Pod layer: a snapshot called without a path
 * throws it, and only containers call snapshots without a path. Errors
 * thrown by user code (getters, `Proxy` traps) are not `PodFault`s and pass
 * through untouched.
 *
 * @module
 */

import { invalidType, outOfRange } from "../base/contract.js";

/**
 * A bad part of a value, on its way out to the outermost `snapshot`.
 *
 * @internal
 */
export class PodFault {
  /** Path steps from the innermost outwards (`"[2]"`, `".list"`, `".inner"`). */
  readonly #steps: string[] = [];

  constructor(
    /** The part of the value that was refused (a `.length` for a length fault). */
    readonly value: unknown,
    /** What was expected instead, for the message. */
    readonly expected: string,
    /** `RangeError` (right type, unusable value) rather than `TypeError`. */
    readonly range: boolean,
  ) {}

  /** Adds the step by which the faulting part was reached; returns this fault, to be rethrown. */
  within(step: string): this {
    this.#steps.push(step);
    return this;
  }

  /** Throws the API's error for this fault, naming the part as `path` followed by the recorded steps. */
  throwAt(path: string): never {
    const name = path + [...this.#steps].reverse().join("");
    return this.range ? outOfRange(name, this.expected, this.value) : invalidType(name, this.expected, this.value);
  }
}

/**
 * Throws `e` on its way out of a container or of the outermost snapshot. A
 * `PodFault` gets `step` (the container's part it came from, `""` for none)
 * and, at the outermost snapshot (`path` given), becomes the API's coded
 * error; anything else (a user getter's own exception) is rethrown
 * unchanged.
 *
 * @internal
 */
export function rethrow(e: unknown, step: string, path: string | undefined): never {
  if (e instanceof PodFault) {
    if (step !== "") e.within(step);
    if (path !== undefined) e.throwAt(path);
  }
  throw e;
}

/** @internal A value that is not an object where a struct was expected. */
export function notStruct(value: unknown): PodFault {
  return new PodFault(value, "an object with the struct's fields", false);
}

/** @internal A value that is not an array where an array of `length` was expected. */
export function notArray(value: unknown, length: number): PodFault {
  return new PodFault(value, `an array of ${length} elements`, false);
}

/** @internal An array value whose length (read once) is not the type's. */
export function wrongLength(length: unknown, expected: number): PodFault {
  return new PodFault(length, `${expected}`, true).within(".length");
}
