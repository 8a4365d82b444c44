// Shared helpers for tests that check vmio runs no user code while it makes
// a view of a caller's array: the getters a view is made from, redefined on
// %TypedArray%.prototype for the length of one call.

/** What the redefined getters answer. */
export interface ViewLies {
  readonly buffer: ArrayBuffer;
  readonly byteOffset: number;
  readonly byteLength: number;
}

/**
 * Runs `fn` with `buffer`, `byteOffset` and `byteLength` of
 * %TypedArray%.prototype redefined to answer `lies` (calling `onGet` first
 * on each run), then puts the built-in getters back, even if `fn` throws.
 * Returns how many times a redefined getter ran.
 */
export function withLyingViewGetters(lies: ViewLies, fn: () => void, onGet: () => void = () => {}): number {
  const proto = Object.getPrototypeOf(Uint8Array.prototype) as object;
  const saved = (["buffer", "byteOffset", "byteLength"] as const).map((k) => [k, Object.getOwnPropertyDescriptor(proto, k) as PropertyDescriptor] as const);
  let ran = 0;
  const lie = (value: unknown): PropertyDescriptor => ({
    configurable: true,
    get() {
      ran++;
      onGet();
      return value;
    },
  });
  Object.defineProperty(proto, "buffer", lie(lies.buffer));
  Object.defineProperty(proto, "byteOffset", lie(lies.byteOffset));
  Object.defineProperty(proto, "byteLength", lie(lies.byteLength));
  try {
    fn();
  } finally {
    for (const [k, d] of saved) Object.defineProperty(proto, k, d);
  }
  return ran;
}
