/**
 * argv or the environment as `args_get`/`environ_get` hand them to the
 * guest: NUL-terminated strings back to back, laid out once when the host
 * is made (they never change), so each call is a range check, one pointer
 * store per string and one copy.
 *
 * @module
 */

/** A fixed list of strings in their guest layout. WASI counterpart: wasmtime's `StringArray`. */
export class StringList {
  /** The number of strings. */
  readonly count: number;
  /** Every string followed by a NUL, back to back: what `args_get` copies to `argv_buf`. */
  readonly bytes: Uint8Array;
  /** Where each string starts in {@link StringList.bytes}. */
  readonly starts: readonly number[];

  /** The list of `strings` (UTF-8, without NUL: the caller checked). */
  constructor(strings: readonly Uint8Array[]) {
    let total = 0;
    for (const s of strings) total += s.length + 1;
    const bytes = new Uint8Array(total);
    const starts: number[] = [];
    let at = 0;
    for (const s of strings) {
      starts.push(at);
      bytes.set(s, at);
      at += s.length + 1;
    }
    this.count = strings.length;
    this.bytes = bytes;
    this.starts = starts;
  }
}
