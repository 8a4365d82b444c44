// "It did not wait" in wall time, made safe on a loaded machine.

/**
 * Whether an operation that took `ms` did not wait out a bound of `boundMs`:
 * it took under half of it, and the bound is seconds long. A fast path of
 * microseconds against a wait of seconds, so a loaded machine cannot make a
 * no-wait look like a wait. (The converse, "it waited the bound", is a
 * wall-time lower bound and needs no such care: load only adds time.) The
 * caller sets the bound to at least 5 s for the operation it measures.
 */
export function noWait(ms: number, boundMs: number): boolean {
  if (boundMs < 5_000) throw new RangeError(`a bound of ${boundMs} ms is too short to tell a wait on a loaded machine`);
  return ms < boundMs / 2;
}
