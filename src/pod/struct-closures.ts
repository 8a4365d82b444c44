/**
 * The closure-built struct codec: specialised per struct without generating
 * code at run time, so it works under a strict Content-Security-Policy.
 *
 * The limit of closures: V8 keeps one set of inline caches per function
 * literal, shared by every closure made from it. A site such as `x[k0]`
 * runs at hand-written speed while it sees one property name; once
 * closures of several struct types have run through it, it is megamorphic
 * for good: a decode of 4 × u32 then takes about 100 ns instead of 3 (a
 * codec written by hand from one literal for nine struct types does no
 * better: bench/pod.bench.ts, "floor of a CSP-safe codec"). So a struct's
 * codec must come from literals that no other struct type uses.
 *
 * Hence struct-literals.ts, written at build time by
 * scripts/gen-struct-literals.mjs: for each field count from 1 to
 * {@link MAX_FIELDS}, {@link COPIES} copies of one factory, each its own
 * literal with every field unrolled (one property access site per field).
 * Struct types take the copies of their field count in turn, so the first
 * {@link COPIES} struct types of each field count (nested ones included)
 * have inline caches of their own; a later one shares a copy with an
 * earlier type, and both are slow once both have been used. The copies
 * cost 16 kB of minified bundle (1.7 kB gzipped). Structs of more than
 * {@link MAX_FIELDS} fields go through a loop.
 *
 * A write is fast when V8 inlines it whole — snapshot, store and the
 * fields' codecs — into its caller and scalar-replaces the snapshot; V8
 * inlines a caller's calls only up to 920 bytes of bytecode in all, and
 * refuses a callee whose size with what it inlined itself, scaled by 1.2,
 * would pass that. An encode of 8 scalar fields without padding fits with
 * about 5 bytes to spare (with the 10 bytes of an empty padding writer's
 * call it did not, and ran 5× slower: bench/pod.bench.ts); a padded one
 * pays for its padding writer's call again. So the code here and in struct-literals.ts is written for
 * bytecode size (see there, and the scalars' snapshots in scalars.ts).
 *
 * The generated path (`{ codegen: true }`) gives every type its own code,
 * however many there are; bench/pod.bench.ts measures both.
 *
 * @module
 */

import { notStruct, rethrow } from "./pod-fault.js";
import type { Codec, Field, PodSnapshot } from "./pod-type.js";
import { COPIES, MAX_FIELDS, factories, type Fail, type NotObject } from "./struct-literals.js";

type Obj = Record<string, unknown>;
type Pad = (v: DataView, o: number) => void;

/** The path step that names field `key` in an error message. */
export function fieldStep(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** For each field count, the copy of its factory the next struct type gets. */
const turns = new Array<number>(MAX_FIELDS).fill(0);

/**
 * Builds the closure codec of a struct whose fields are laid out as given
 * and whose padding is zeroed by `zeroPadding` (`null`: no padding).
 *
 * @internal
 */
export function closureStructCodec(fields: readonly Field[], zeroPadding: Pad | null): Codec<Obj> {
  const n = fields.length;
  const steps = fields.map((f) => fieldStep(f.key));
  if (n === 0) return emptyStruct;
  if (n > MAX_FIELDS) return loopCodec(fields, steps, zeroPadding);
  const copy = turns[n - 1] as number;
  turns[n - 1] = (copy + 1) % COPIES;
  const factory = (factories[n - 1] as (typeof factories)[number])[copy] as (typeof factories)[number][number];
  const fail: Fail = (err, field, path) => rethrow(err, steps[field ?? 0] as string, path);
  return factory(fail, notObject, zeroPadding, ...fields.flatMap((f) => [f.key, f.offset, f.type.decode, f.type.snapshot, f.type.store]));
}

/** The fault of a struct's value that is not an object. */
const notObject: NotObject = (x, path) => rethrow(notStruct(x), "", path);

/** The codec of `struct({})`: checks that a value is an object, reads nothing, writes nothing. */
const emptyStruct: Codec<Obj> = {
  decode: () => ({}),
  snapshot: (x, path) => {
    if (typeof x !== "object" || x === null) notObject(x, path);
    return null as unknown as PodSnapshot<Obj>;
  },
  store: () => {},
};

/** The codec of a struct of more than {@link MAX_FIELDS} fields: loops over them; its snapshot is an array. */
function loopCodec(fields: readonly Field[], steps: readonly string[], zeroPadding: Pad | null): Codec<Obj> {
  return {
    decode: (v, o) => {
      const r: Obj = {};
      for (const f of fields) r[f.key] = f.type.decode(v, o + f.offset);
      return r;
    },
    snapshot: (x, path) => {
      if (typeof x !== "object" || x === null) notObject(x, path);
      const s = x as Obj;
      const snaps: unknown[] = [];
      let i = 0;
      try {
        for (; i < fields.length; i++) {
          const f = fields[i] as Field;
          snaps.push(f.type.snapshot(s[f.key]));
        }
      } catch (err) {
        rethrow(err, steps[i] as string, path);
      }
      return snaps as unknown as PodSnapshot<Obj>;
    },
    store: (v, o, snap) => {
      const snaps = snap as unknown as unknown[];
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i] as Field;
        f.type.store(v, o + f.offset, snaps[i] as PodSnapshot<unknown>);
      }
      if (zeroPadding !== null) zeroPadding(v, o);
    },
  };
}
