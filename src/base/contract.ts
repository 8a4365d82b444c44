/**
 * Contract violations: the failures that panic in OSTD.
 *
 * vmio keeps two kinds of failure apart (docs/architecture.md, "Errors"). A `VmError`
 * is a runtime condition the caller is expected to handle; everything in
 * this file is a bug in the caller — a bad argument, skipping past the end,
 * using a disposed handle — and is thrown as a plain `TypeError` or
 * `RangeError`, never as a `VmError`, so that no `catch (e) { if (e
 * instanceof VmError) … }` can swallow it by accident.
 *
 * Every helper here is a cold function that throws. Hot accessors call them
 * instead of throwing inline: V8 optimises a small function with an inline
 * `throw new …` measurably worse (docs/architecture.md, "Measured rules").
 *
 * @module
 */

/** Error codes carried by contract violations, after Node core's `err.code`. */
export type ContractCode =
  | "ERR_INVALID_ARG_TYPE"
  | "ERR_INVALID_ARG_VALUE"
  | "ERR_OUT_OF_RANGE"
  | "ERR_USE_AFTER_DISPOSE"
  | "ERR_DETACHED_BUFFER"
  | "ERR_CONTRACT"
  | "ERR_ILLEGAL_CONSTRUCTOR"
  | "ERR_REENTERED"
  | "ERR_INVALID_RETURN_VALUE";

/**
 * Codes of the other errors vmio throws: a wait on another thread that gave
 * up (the caller did nothing wrong, and it is no memory condition), and a
 * broken internal invariant.
 */
export type WaitCode = "ERR_LOCK_TIMEOUT" | "ERR_GRACE_PERIOD_TIMEOUT";

/** Gives `err` its `code` (an own, enumerable property, as Node core's errors have). */
export function withCode<E extends Error>(err: E, code: ContractCode | WaitCode | "ERR_VMIO_INTERNAL"): E {
  Object.defineProperty(err, "code", { value: code, enumerable: true, writable: true, configurable: true });
  return err;
}

/** Renders a value for an error message without running user code. */
export function describe(value: unknown): string {
  switch (typeof value) {
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n (a bigint)`;
    case "string":
      return `${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)} (a string)`;
    case "undefined":
      return "undefined";
    case "boolean":
      return `${value} (a boolean)`;
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    default:
      if (value === null) return "null";
      if (Array.isArray(value)) return "an array";
      if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
      return "an object";
  }
}

/** Throws a `TypeError`: `name` is not of the expected kind. */
export function invalidType(name: string, expected: string, value: unknown): never {
  throw withCode(new TypeError(`${name} must be ${expected}, received ${describe(value)}`), "ERR_INVALID_ARG_TYPE");
}

/** Throws a `RangeError`: `name` has the right type but an unusable value. */
export function outOfRange(name: string, expected: string, value: unknown): never {
  throw withCode(new RangeError(`${name} must be ${expected}, received ${describe(value)}`), "ERR_OUT_OF_RANGE");
}

/** Throws a `RangeError` for a broken precondition that is not about one argument. */
export function contractViolation(message: string): never {
  throw withCode(new RangeError(message), "ERR_CONTRACT");
}

/** Throws a `TypeError`: a handle was used after `dispose()` (or after it was consumed). */
export function useAfterDispose(what: string): never {
  throw withCode(new TypeError(`${what} has been disposed`), "ERR_USE_AFTER_DISPOSE");
}

/** Throws a `TypeError`: the `ArrayBuffer` behind a view was detached or shrunk below the view. */
export function detachedBuffer(): never {
  throw withCode(
    new TypeError("the ArrayBuffer behind this memory was detached or shrunk (transferred, or a WebAssembly.Memory grew)"),
    "ERR_DETACHED_BUFFER",
  );
}

/**
 * Throws a `TypeError`: a class whose instances only vmio makes was called
 * with `new` (or subclassed) from outside. `use` says where instances come from.
 */
export function illegalConstructor(name: string, use: string): never {
  throw withCode(new TypeError(`${name} has no public constructor: ${use}`), "ERR_ILLEGAL_CONSTRUCTOR");
}

/**
 * Throws a `TypeError`: `what` (a lock) is already held by the calling
 * thread, which tried to take it again — from a callback vmio called while
 * holding it. Waiting would wait for itself forever.
 */
export function reentered(what: string): never {
  throw withCode(
    new TypeError(`${what} is already held by this thread: a callback (fault handler, protectNext op, getter) re-entered an operation that holds it`),
    "ERR_REENTERED",
  );
}

/**
 * Throws a `TypeError` (`ERR_REENTERED`): `what` was called from inside a
 * callback that vmio runs in the middle of `during` on the same object,
 * which must not change until `during` is done.
 */
export function reenteredFrom(what: string, during: string): never {
  throw withCode(
    new TypeError(`${what} was called from inside the callback of ${during} on the same object, which cannot change while that callback runs`),
    "ERR_REENTERED",
  );
}

/**
 * Throws an `Error` (`ERR_VMIO_INTERNAL`): an invariant that vmio keeps by
 * construction did not hold. Never the caller's fault; report it.
 */
export function internalError(message: string): never {
  throw withCode(new Error(`vmio internal error: ${message}`), "ERR_VMIO_INTERNAL");
}
