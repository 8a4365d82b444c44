/**
 * The closure-built struct codec: specialised per struct without generating
 * code, so it works under a strict Content-Security-Policy.
 *
 * Each struct gets its own closures over its field names, offsets and field
 * codecs, with one distinct property access per field: the first
 * {@link SITES} fields are unrolled by hand (a struct with fewer fields skips
 * the rest behind a test of its field count), the fields after them go
 * through a loop. Four keep the whole chain of a write — snapshot, store and
 * their fields' codecs — within V8's inlining budget (about 920 bytes of
 * bytecode in all), so that a write can be inlined into its caller and its
 * snapshot scalar-replaced; an eight-field variant did not fit, and a
 * four-field write through it ran 8× slower. For the same budget the parts
 * are passed to the factories below as parameters rather than closed over as
 * `const`s, whose temporal-dead-zone checks add bytecode at every use.
 *
 * A value is decoded by a constructor function whose `prototype` is
 * `Object.prototype`: the object it makes is a plain object, allocated with
 * its final shape and scalar-replaced when it does not escape (a `{}` filled
 * field by field ran 3× slower). A snapshot is a {@link Snap}, one class for
 * every struct, so `store` reads it with monomorphic loads.
 *
 * The limit of closures: V8 keeps one set of inline caches per function
 * literal, shared by every closure made from it, so the same `x[k0]` site
 * serves the first field of every struct — nested ones included — and the
 * loop serves every field past the fourth. While a site sees one name it
 * runs at hand-written speed; once it sees several it goes megamorphic
 * (about 10 ns per field read, 30 ns per field decoded). The generated path
 * (`{ codegen: true }`) gives every type its own code and stays fast;
 * bench/pod.bench.ts measures both.
 *
 * @module
 */

import { notStruct, rethrow } from "./pod-fault.js";
import type { Codec, Decoder, Field, PodSnapshot, Snapshotter, Storer } from "./pod-type.js";

/** How many fields are unrolled, each with its own property access site. */
const SITES = 4;

type Obj = Record<string, unknown>;

/** The snapshot of a struct: its first four fields' snapshots in `a` … `d`, the others' in `rest`. */
class Snap {
  constructor(
    readonly a: unknown,
    readonly b: unknown,
    readonly c: unknown,
    readonly d: unknown,
    readonly rest: unknown[] | null,
  ) {}
}

/** The path step that names field `key` in an error message. */
export function fieldStep(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Stands in for a field a struct does not have; never used (guarded by the field count). */
const none = (): undefined => undefined;
const unused = { key: "", offset: 0, type: { decode: none, snapshot: none, store: none } } as unknown as Field;

/**
 * Builds the closure codec of a struct whose fields are laid out as given
 * and whose padding is zeroed by `zeroPadding`.
 *
 * @internal
 */
export function closureStructCodec(fields: readonly Field[], zeroPadding: (v: DataView, o: number) => void): Codec<Obj> {
  const n = fields.length;
  if (n === 0) return emptyStruct;
  const [f0, f1, f2, f3] = [0, 1, 2, 3].map((i) => fields[i] ?? unused) as [Field, Field, Field, Field];
  const rest = fields.slice(SITES);
  const steps = fields.map((f) => fieldStep(f.key));
  return {
    decode: decodeRest(rest, decodeHead(n, valueClass(n, f0.key, f1.key, f2.key, f3.key), f0.offset, f0.type.decode, f1.offset, f1.type.decode, f2.offset, f2.type.decode, f3.offset, f3.type.decode)),
    snapshot: snapshotHead(n, steps, snapshotRest(rest, steps.slice(SITES)), f0.key, f0.type.snapshot, f1.key, f1.type.snapshot, f2.key, f2.type.snapshot, f3.key, f3.type.snapshot),
    store: storeHead(n, storeRest(rest), zeroPadding, f0.offset, f0.type.store, f1.offset, f1.type.store, f2.offset, f2.type.store, f3.offset, f3.type.store),
  };
}

/** The codec of `struct({})`: checks that a value is an object, reads nothing, writes nothing. */
const emptyStruct: Codec<Obj> = {
  decode: () => ({}),
  snapshot: (x, path) => {
    if (typeof x !== "object" || x === null) rethrow(notStruct(x), "", path);
    return null as unknown as PodSnapshot<Obj>;
  },
  store: () => {},
};

type ValueClass = new (a: unknown, b: unknown, c: unknown, d: unknown) => Obj;

/**
 * A constructor of the struct's values: its objects are plain (their
 * prototype is `Object.prototype`), with the first fields as own properties
 * in declaration order.
 */
function valueClass(n: number, k0: string, k1: string, k2: string, k3: string): ValueClass {
  function Value(this: Obj, a: unknown, b: unknown, c: unknown, d: unknown): void {
    this[k0] = a;
    if (n > 1) this[k1] = b;
    if (n > 2) this[k2] = c;
    if (n > 3) this[k3] = d;
  }
  Value.prototype = Object.prototype;
  return Value as unknown as ValueClass;
}

function decodeHead(
  n: number,
  Value: ValueClass,
  o0: number,
  d0: Decoder<unknown>,
  o1: number,
  d1: Decoder<unknown>,
  o2: number,
  d2: Decoder<unknown>,
  o3: number,
  d3: Decoder<unknown>,
): Decoder<Obj> {
  return (v, o) =>
    new Value(
      d0(v, o + o0),
      n > 1 ? d1(v, o + o1) : undefined,
      n > 2 ? d2(v, o + o2) : undefined,
      n > 3 ? d3(v, o + o3) : undefined,
    );
}

function decodeRest(rest: readonly Field[], head: Decoder<Obj>): Decoder<Obj> {
  if (rest.length === 0) return head;
  return (v, o) => {
    const r = head(v, o);
    for (const f of rest) r[f.key] = f.type.decode(v, o + f.offset);
    return r;
  };
}

type RestSnapshot = (x: Obj, path: string | undefined) => unknown[] | null;

function snapshotHead(
  n: number,
  steps: readonly string[],
  rest: RestSnapshot,
  k0: string,
  c0: Snapshotter<unknown>,
  k1: string,
  c1: Snapshotter<unknown>,
  k2: string,
  c2: Snapshotter<unknown>,
  k3: string,
  c3: Snapshotter<unknown>,
): Snapshotter<Obj> {
  return (x, path) => {
    if (typeof x !== "object" || x === null) rethrow(notStruct(x), "", path);
    const s = x as Obj;
    // Each field is read once, into a local, before it is checked. No
    // bookkeeping of which field is being read: a fault is in the first
    // field without a snapshot (a snapshot is never `undefined`).
    let a, b, c, d;
    try {
      a = c0(s[k0]);
      if (n > 1) b = c1(s[k1]);
      if (n > 2) c = c2(s[k2]);
      if (n > 3) d = c3(s[k3]);
    } catch (err) {
      rethrow(err, steps[[a, b, c, d].indexOf(undefined)] as string, path);
    }
    return new Snap(a, b, c, d, rest(s, path)) as unknown as PodSnapshot<Obj>;
  };
}

/** Snapshots the fields after the first {@link SITES}, in a loop. */
function snapshotRest(rest: readonly Field[], steps: readonly string[]): RestSnapshot {
  if (rest.length === 0) return () => null;
  return (x, path) => {
    const snaps: unknown[] = [];
    let i = 0;
    try {
      for (; i < rest.length; i++) {
        const f = rest[i] as Field;
        snaps.push(f.type.snapshot(x[f.key]));
      }
    } catch (err) {
      rethrow(err, steps[i] as string, path);
    }
    return snaps;
  };
}

type RestStore = (v: DataView, o: number, snaps: unknown[] | null) => void;

function storeHead(
  n: number,
  rest: RestStore,
  zeroPadding: (v: DataView, o: number) => void,
  o0: number,
  e0: Storer<unknown>,
  o1: number,
  e1: Storer<unknown>,
  o2: number,
  e2: Storer<unknown>,
  o3: number,
  e3: Storer<unknown>,
): Storer<Obj> {
  return (v, o, snap) => {
    const s = snap as unknown as Snap;
    e0(v, o + o0, s.a as PodSnapshot<unknown>);
    if (n > 1) e1(v, o + o1, s.b as PodSnapshot<unknown>);
    if (n > 2) e2(v, o + o2, s.c as PodSnapshot<unknown>);
    if (n > 3) e3(v, o + o3, s.d as PodSnapshot<unknown>);
    rest(v, o, s.rest);
    zeroPadding(v, o);
  };
}

/** Stores the fields after the first {@link SITES}, in a loop. */
function storeRest(rest: readonly Field[]): RestStore {
  if (rest.length === 0) return () => {};
  return (v, o, snaps) => {
    for (let i = 0; i < rest.length; i++) {
      const f = rest[i] as Field;
      f.type.store(v, o + f.offset, (snaps as unknown[])[i] as PodSnapshot<unknown>);
    }
  };
}
