/**
 * The frame allocator: a free bitmap and a segment tree over it, changed only
 * with `Atomics`, so that every thread sharing a RAM can allocate and free
 * without a lock.
 *
 * Safety contract: the bitmap is the truth — bit `f` (word `f >>> 5`, bit
 * `f & 31`) is 1 exactly when frame `f` is free. A frame is claimed by
 * clearing its bit with a compare-and-swap and released by setting it, so two
 * threads can never both claim one frame. The tree summarises the bitmap for
 * finding free runs: every change of a word refreshes its leaf and the leaf's
 * ancestors, each node recomputed until the children it read are the ones
 * still there, so once concurrent updates are over the tree equals the one a
 * rebuild would compute. A search trusts the tree's "no run that long"
 * (O(log n), no rebuild); when the tree points at a run that the bitmap does
 * not have (a racing claim, or a thread that died halfway through an update),
 * the search refreshes the nodes on that path and tries again. Only
 * reclaiming a dead thread rebuilds the whole tree ({@link
 * FrameAllocator.rebuild}), since only then may a stale node say "no" where
 * the bitmap says yes. No step waits for another thread: a thread that dies
 * at any point can at worst leak the frames it was claiming, never block the
 * others.
 *
 * Policy: first fit at the lowest address, except that the most recently
 * freed run is tried first — a freed frame is the next one handed out when
 * the request fits in it, as OSTD's frame tests expect. Free runs coalesce by
 * construction (adjacent free bits are one run), so freeing everything
 * restores one contiguous block.
 *
 * Cost: allocation and free are O(log n) in the number of frames (the tree
 * walk) plus O(k / 32 · log n) for a run of k frames; a request that cannot
 * be met is O(1) (the root's longest run).
 *
 * @module
 */

/** Bits per bitmap word. */
const WORD = 32;
/** Words per tree node: longest free run, free prefix, free suffix, free frames. */
const NODE = 4;

/**
 * Where the allocator's state lives: typed-array views over the RAM's
 * metadata region (an `ArrayBuffer`, or a `SharedArrayBuffer` for RAM shared
 * with workers).
 *
 * @internal
 */
export interface AllocatorState {
  /** Free bitmap: one bit per frame, 1 = free. */
  readonly bits: Int32Array;
  /** Segment tree, four words per node (longest free run, free prefix, free suffix, free frames). Node 1 is the root. */
  readonly tree: Int32Array;
  /** One word: the first frame of the most recently freed run (the reuse hint), or -1. */
  readonly hint: Int32Array;
  /** Index of the hint word in `hint`. */
  readonly hintIndex: number;
  /** Number of frames covered (frames ≥ this never exist). */
  readonly nframes: number;
  /**
   * Whether other threads may use the state concurrently. Only then are the
   * words accessed with `Atomics` (7–14× the cost of a plain access) and tree
   * updates re-checked against racing updaters.
   */
  readonly shared?: boolean;
}

/**
 * Number of tree leaves (bitmap words rounded up to a power of two).
 *
 * @internal
 */
export function treeLeaves(nframes: number): number {
  const words = Math.max(1, Math.ceil(nframes / WORD));
  let leaves = 1;
  while (leaves < words) leaves *= 2;
  return leaves;
}

/**
 * Int32 words needed by the bitmap and the tree for `nframes` frames.
 *
 * @internal
 */
export function allocatorWords(nframes: number): { bits: number; tree: number } {
  const leaves = treeLeaves(nframes);
  return { bits: leaves, tree: NODE * 2 * leaves };
}

function trailingOnes(w: number): number {
  const inv = ~w;
  if (inv === 0) return WORD;
  return 31 - Math.clz32(inv & -inv);
}

function popCount(w: number): number {
  let x = w - ((w >>> 1) & 0x5555_5555);
  x = (x & 0x3333_3333) + ((x >>> 2) & 0x3333_3333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f_0f0f, 0x0101_0101) >>> 24) & 0xff;
}

function leadingOnes(w: number): number {
  return Math.clz32(~w);
}

function longestOnes(w: number): number {
  let n = 0;
  let x = w;
  while (x !== 0) {
    x &= x << 1;
    n++;
  }
  return n;
}

/** Lowest bit position at which `n` (1..32) consecutive ones start in `w`, or -1. */
function runInWord(w: number, n: number): number {
  let y = w;
  for (let k = 1; k < n && y !== 0; k++) y &= w >>> k;
  if (y === 0) return -1;
  return 31 - Math.clz32(y & -y);
}

/** Mask of the bits of word `word` that fall in frames `[start, end)`. */
function maskOf(word: number, start: number, end: number): number {
  const lo = Math.max(start - word * WORD, 0);
  const hi = Math.min(end - word * WORD, WORD);
  if (hi - lo === WORD) return -1;
  return (((1 << (hi - lo)) - 1) << lo) | 0;
}

/**
 * A lock-free first-fit allocator of runs of frames.
 *
 * @internal
 */
export class FrameAllocator {
  readonly #bits: Int32Array;
  readonly #tree: Int32Array;
  readonly #hint: Int32Array;
  readonly #hintIndex: number;
  readonly #nframes: number;
  readonly #leaves: number;
  readonly #shared: boolean;

  /** An allocator over existing state (RAM made elsewhere, or on another thread). */
  constructor(state: AllocatorState) {
    this.#bits = state.bits;
    this.#tree = state.tree;
    this.#hint = state.hint;
    this.#hintIndex = state.hintIndex;
    this.#nframes = state.nframes;
    this.#leaves = treeLeaves(state.nframes);
    this.#shared = state.shared ?? false;
  }

  /**
   * Formats fresh state with frames `[start, end)` free and returns its
   * allocator. Not thread-safe: for new RAM only, before anyone else sees it.
   */
  static format(state: AllocatorState, start: number, end: number): FrameAllocator {
    const bits = state.bits;
    bits.fill(0);
    for (let w = Math.floor(start / WORD); w * WORD < end; w++) bits[w] = maskOf(w, start, end);
    Atomics.store(state.hint, state.hintIndex, -1);
    const a = new FrameAllocator(state);
    a.rebuild();
    return a;
  }

  #load(a: Int32Array, i: number): number {
    return this.#shared ? Atomics.load(a, i) : (a[i] as number);
  }

  #put(a: Int32Array, i: number, v: number): void {
    if (this.#shared) Atomics.store(a, i, v);
    else a[i] = v;
  }

  /**
   * Recomputes the whole tree from the bitmap: O(n). Safe while other
   * threads allocate and free: each node is recomputed as {@link
   * FrameAllocator} updates are. The repair after a thread died in the
   * middle of an update.
   */
  rebuild(): void {
    for (let leaf = 0; leaf < this.#leaves; leaf++) this.#setLeaf(leaf);
    for (let node = this.#leaves - 1; node >= 1; node--) {
      this.#combine(node, (WORD * this.#leaves) >>> (32 - Math.clz32(node)));
    }
  }

  /**
   * Number of free frames, from the tree's root: O(1). Exact whenever no
   * update is in flight (on shared RAM, one that is racing may be missing
   * from it for a moment, as from any count read while others allocate).
   */
  freeCount(): number {
    return this.#load(this.#tree, NODE + 3);
  }

  /** Number of free frames, counted in the bitmap (O(n): for tests of the tree's count). */
  countBitmap(): number {
    let n = 0;
    for (let w = 0; w < this.#bits.length; w++) n += popCount(Atomics.load(this.#bits, w));
    return n;
  }

  /** The longest free run, as the tree's root says. */
  longestRun(): number {
    return this.#load(this.#tree, NODE);
  }

  /** Whether frame `f` is free in the bitmap. */
  isFree(f: number): boolean {
    return (Atomics.load(this.#bits, f >>> 5) & (1 << (f & 31))) !== 0;
  }

  /**
   * Claims `n ≥ 1` contiguous frames and returns the first, or -1 when no
   * free run of that length exists.
   */
  alloc(n: number): number {
    if (n > this.#nframes) return -1;
    const hinted = this.#load(this.#hint, this.#hintIndex);
    if (hinted >= 0 && hinted + n <= this.#nframes && this.#claim(hinted, n)) {
      if (this.#shared) Atomics.compareExchange(this.#hint, this.#hintIndex, hinted, -1);
      else this.#hint[this.#hintIndex] = -1;
      return hinted;
    }
    for (;;) {
      const found = this.#find(n);
      if (found === -1) return -1;
      if (found >= 0) {
        if (this.#claim(found, n)) return found;
        // Lost a race for that run, or the tree is stale there: refresh its words.
        const last = Math.floor((found + n - 1) / WORD);
        for (let w = Math.floor(found / WORD); w <= last; w++) this.#update(w);
      } else {
        // The tree led to leaf word -found - 2, which has no such run: refresh it.
        this.#update(-found - 2);
      }
    }
  }

  /** Returns frames `[start, start + n)`, all claimed, to the free pool. */
  free(start: number, n: number): void {
    const end = start + n;
    const first = Math.floor(start / WORD);
    const last = Math.floor((end - 1) / WORD);
    const bits = this.#bits;
    for (let w = first; w <= last; w++) {
      if (this.#shared) Atomics.or(bits, w, maskOf(w, start, end));
      else bits[w] = (bits[w] as number) | maskOf(w, start, end);
    }
    for (let w = first; w <= last; w++) this.#update(w);
    this.#put(this.#hint, this.#hintIndex, start);
  }

  /**
   * First-fit search in the tree: a frame index; -1 if the root has no run
   * that long; `-w - 2` if the tree led to leaf word `w`, which has none.
   */
  #find(n: number): number {
    const t = this.#tree;
    if (this.#load(t, NODE) < n) return -1;
    let node = 1;
    let lo = 0;
    let span = WORD * this.#leaves;
    while (node < this.#leaves) {
      const left = 2 * node;
      const half = span / 2;
      if (this.#load(t, NODE * left) >= n) {
        node = left;
      } else {
        const suffix = this.#load(t, NODE * left + 2);
        if (suffix + this.#load(t, NODE * (left + 1) + 1) >= n) return lo + half - suffix;
        node = left + 1;
        lo += half;
      }
      span = half;
    }
    const w = node - this.#leaves;
    const bit = n > WORD ? -1 : runInWord(this.#load(this.#bits, w), n);
    return bit < 0 ? -w - 2 : lo + bit;
  }

  /** Clears the bits of `[start, start + n)` if all are set; all or nothing. */
  #claim(start: number, n: number): boolean {
    const end = start + n;
    const first = Math.floor(start / WORD);
    const last = Math.floor((end - 1) / WORD);
    const bits = this.#bits;
    for (let w = first; w <= last; w++) {
      const mask = maskOf(w, start, end);
      for (;;) {
        const old = this.#load(bits, w);
        if ((old & mask) !== mask) {
          // Someone owns a frame of the run: give back what this call took.
          for (let u = first; u < w; u++) {
            if (this.#shared) Atomics.or(bits, u, maskOf(u, start, end));
            else bits[u] = (bits[u] as number) | maskOf(u, start, end);
          }
          for (let u = first; u < w; u++) this.#update(u);
          return false;
        }
        if (!this.#shared) {
          bits[w] = old & ~mask;
          break;
        }
        if (Atomics.compareExchange(bits, w, old, old & ~mask) === old) break;
      }
    }
    for (let w = first; w <= last; w++) this.#update(w);
    return true;
  }

  /**
   * Refreshes the leaf of word `w` and its ancestors. Each node is recomputed
   * until its inputs read the same before and after the store, so that of
   * two racing updaters the last one to write a node has seen its inputs'
   * final values.
   */
  #update(w: number): void {
    this.#setLeaf(w);
    let half = WORD;
    for (let node = (this.#leaves + w) >>> 1; node >= 1; node >>>= 1, half *= 2) this.#combine(node, half);
  }

  #setLeaf(w: number): void {
    const i = NODE * (this.#leaves + w);
    const t = this.#tree;
    if (!this.#shared) {
      const word = this.#bits[w] as number;
      t[i] = longestOnes(word);
      t[i + 1] = trailingOnes(word);
      t[i + 2] = leadingOnes(word);
      t[i + 3] = popCount(word);
      return;
    }
    for (;;) {
      const word = Atomics.load(this.#bits, w);
      Atomics.store(t, i, longestOnes(word));
      Atomics.store(t, i + 1, trailingOnes(word));
      Atomics.store(t, i + 2, leadingOnes(word));
      Atomics.store(t, i + 3, popCount(word));
      if (Atomics.load(this.#bits, w) === word) return;
    }
  }

  /** Recomputes `node` from its two children, each `half` frames long. */
  #combine(node: number, half: number): void {
    const t = this.#tree;
    const l = NODE * 2 * node;
    const r = l + NODE;
    if (!this.#shared) {
      this.#store(node, t[l] as number, t[l + 1] as number, t[l + 2] as number, t[r] as number, t[r + 1] as number, t[r + 2] as number, half);
      t[NODE * node + 3] = (t[l + 3] as number) + (t[r + 3] as number);
      return;
    }
    for (;;) {
      const a = Atomics.load(t, l), b = Atomics.load(t, l + 1), c = Atomics.load(t, l + 2), g = Atomics.load(t, l + 3);
      const d = Atomics.load(t, r), e = Atomics.load(t, r + 1), f = Atomics.load(t, r + 2), h = Atomics.load(t, r + 3);
      this.#store(node, a, b, c, d, e, f, half);
      Atomics.store(t, NODE * node + 3, g + h);
      if (
        a === Atomics.load(t, l) && b === Atomics.load(t, l + 1) && c === Atomics.load(t, l + 2) && g === Atomics.load(t, l + 3) &&
        d === Atomics.load(t, r) && e === Atomics.load(t, r + 1) && f === Atomics.load(t, r + 2) && h === Atomics.load(t, r + 3)
      ) {
        return;
      }
    }
  }

  /** Stores the combination of a left child (longest a, prefix b, suffix c) and a right one (d, e, f), each `half` frames long. */
  #store(node: number, a: number, b: number, c: number, d: number, e: number, f: number, half: number): void {
    const i = NODE * node;
    this.#put(this.#tree, i, Math.max(a, d, c + e));
    this.#put(this.#tree, i + 1, b === half ? half + e : b);
    this.#put(this.#tree, i + 2, f === half ? half + c : f);
  }
}
