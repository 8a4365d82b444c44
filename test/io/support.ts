/**
 * Helpers shared by the io tests.
 *
 * @module
 */

/**
 * Things that look like the cursor `real` but are not one: a proxy of it and
 * an object inheriting from its prototype, with `others` (plain values and
 * cursors of the other class). `traps` records every proxy trap that runs:
 * telling a cursor from these must run none.
 */
export function notCursors(real: object, others: readonly unknown[]): { fakes: unknown[]; traps: string[] } {
  const traps: string[] = [];
  const handler: ProxyHandler<object> = {
    get: (t, k) => (traps.push(`get ${String(k)}`), Reflect.get(t, k)),
    has: (t, k) => (traps.push(`has ${String(k)}`), Reflect.has(t, k)),
    getPrototypeOf: (t) => (traps.push("getPrototypeOf"), Reflect.getPrototypeOf(t)),
  };
  const proto = Object.getPrototypeOf(real) as object;
  return { fakes: [null, undefined, {}, 3, ...others, new Proxy(real, handler), Object.create(proto) as object], traps };
}

/**
 * Runs `fn` with `Uint8Array.prototype.set` replaced by one that throws (a
 * user's change made after vmio loaded), restoring it after; returns how
 * many times the replacement was called. vmio's copies hold the built-in
 * `set` and must never call a replacement.
 */
export function withUserSet(fn: () => void): number {
  const own = Uint8Array.prototype.set;
  let calls = 0;
  Uint8Array.prototype.set = function () {
    calls++;
    throw new Error("the user's set");
  } as unknown as typeof own;
  try {
    fn();
  } finally {
    Uint8Array.prototype.set = own;
  }
  return calls;
}
