/**
 * Contract violations at the CPU's API boundary: `TypeError`/`RangeError`
 * with a Node-style `code`, as vmio's public API throws them (vmio's
 * docs/architecture.md, "Errors"). The CPU does not import vmio's internals, so it keeps its
 * own two cold helpers.
 *
 * @module
 */

function withCode<E extends Error>(err: E, code: string): E {
  Object.defineProperty(err, "code", { value: code, enumerable: true, writable: true, configurable: true });
  return err;
}

function show(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "bigint") return `${value}n (a bigint)`;
  if (typeof value === "string") return `${JSON.stringify(value.slice(0, 40))} (a string)`;
  if (value === null || value === undefined) return String(value);
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Throws a `TypeError` with code `ERR_INVALID_ARG_TYPE`. */
export function invalidType(name: string, expected: string, value: unknown): never {
  throw withCode(new TypeError(`${name} must be ${expected}, received ${show(value)}`), "ERR_INVALID_ARG_TYPE");
}

/** Throws a `RangeError` with code `ERR_OUT_OF_RANGE`. */
export function outOfRange(name: string, expected: string, value: unknown): never {
  throw withCode(new RangeError(`${name} must be ${expected}, received ${show(value)}`), "ERR_OUT_OF_RANGE");
}

/** Throws a `RangeError` with code `ERR_CONTRACT`: a precondition that is not about one argument. */
export function contractViolation(message: string): never {
  throw withCode(new RangeError(message), "ERR_CONTRACT");
}

/** Checks that `value` is an integer number in `[min, max]` (a `TypeError` if not a number, else a `RangeError`). */
export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number") invalidType(name, "a number", value);
  if (!Number.isInteger(value) || value < min || value > max) outOfRange(name, `an integer in [${min}, ${max}]`, value);
  return value;
}
