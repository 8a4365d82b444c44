/**
 * Generated codecs: the opt-in path of `struct(…, { codegen: true })` and
 * `array(…, …, { codegen: true })`.
 *
 * For each type, JavaScript source is written out and compiled once with
 * `new Function`: one `decode`, one `snapshot` and one `store` function whose
 * field names, offsets, `DataView` accessors and checks are literals (but a
 * small type's `store` calls its scalars' stores: see `generatedCodec`), with
 * nested structs and small arrays flattened into them. Every type thus has
 * its own functions and its own inline caches, which the closure path cannot
 * have (struct-closures.ts), a decoded value is one literal, and a snapshot
 * is one object of the type's own shape, which V8 scalar-replaces when
 * `snapshot` and `store` are inlined into their caller.
 *
 * Safety of the generated source: nothing of the user's is spliced into it
 * but field names, and those only as `JSON.stringify` string literals (in
 * property keys and error paths); numbers are offsets and lengths this
 * library computed; functions are passed in as arguments, never as source.
 * The reads, checks and faults happen in exactly the order of the closure
 * path, so both paths read a value's getters in the same order and refuse a
 * value with the same error (the tests run on both).
 *
 * A strict Content-Security-Policy (no `'unsafe-eval'`) forbids `new
 * Function`: it is probed once, and where it throws, the caller falls back
 * to the closure path.
 *
 * @module
 */

import { invalidType } from "../base/contract.js";
import { paddingWrites } from "./padding.js";
import { notArray, notStruct, rethrow, wrongLength } from "./pod-fault.js";
import { PodDescriptor, type Codec, type Shape } from "./pod-type.js";
import { fieldStep } from "./struct-closures.js";

/**
 * Nested structs and arrays of at most this many scalars are flattened into
 * the generated code; larger ones are called through their own codecs, so
 * that the code stays small (an array of 4096 bytes is a loop, not 4096
 * statements). An array type itself is generated only up to this size.
 */
const FLATTEN_LEAVES = 32;

/** Up to this many leaves, `store` calls the scalars' own stores (see `generatedCodec`). */
const CALLED_STORES = 4;

/** Whether `new Function` works here; probed once, on first use. */
let allowed: boolean | undefined;

function codegenAllowed(): boolean {
  if (allowed === undefined) {
    try {
      allowed = new Function("return true")() === true;
    } catch {
      allowed = false;
    }
  }
  return allowed;
}

/**
 * Reads the `codegen` option of `opts` (once), checking `opts` first.
 *
 * @throws {TypeError} `opts` is neither `undefined` nor an object, or its
 *   `codegen` is neither `undefined` nor a boolean.
 * @internal
 */
export function codegenOption(opts: unknown): boolean {
  if (opts === undefined) return false;
  if (typeof opts !== "object" || opts === null) invalidType("opts", "an object", opts);
  const codegen = (opts as { codegen?: unknown }).codegen;
  if (codegen === undefined) return false;
  if (typeof codegen !== "boolean") invalidType("opts.codegen", "a boolean", codegen);
  return codegen;
}

/** A type as the generator sees it; the top one is not a descriptor yet. */
interface Node {
  readonly shape: Shape;
  readonly size: number;
}

/** What a snapshot holds in one property, and how `store` writes it. */
interface Leaf {
  readonly offset: number;
  /** The leaf's type: a scalar, or a type too large to flatten (written by its own `store`). */
  readonly type: PodDescriptor<unknown>;
  /** The variable holding the snapshot of the value. */
  readonly name: string;
}

/** Where a snapshot can fail: what to rethrow for the refused value, and the value's path steps. */
type FaultSite = readonly [fault: (value: unknown) => unknown, steps: string];

/**
 * Generates the codec of a struct or array type of this shape and size, or
 * returns `null` where code generation is not allowed, or for an array of
 * more than {@link FLATTEN_LEAVES} scalars, which keeps the closure codec's
 * loop (unrolled, its code would be as long as the array).
 *
 * @internal
 */
export function generatedCodec<T>(shape: Shape, size: number): Codec<T> | null {
  if (!codegenAllowed()) return null;
  if (shape.kind === "array" && leafCount(shape) > FLATTEN_LEAVES) return null;
  const top: Node = { shape, size };
  const g = new Generator();
  const decodeBody = `return ${g.decode(top, 0)};`;
  g.snapshot(top, "x", 0, "");
  const snap = `{ ${g.leaves.map((leaf, i) => `f${i}: ${leaf.name}`).join(", ")} }`;
  // A scalar of a type of few leaves is written by a call of its own store
  // rather than its `DataView` setter written out: V8 inlines either (a
  // scalar's store is under the 27 bytes of bytecode it always inlines) but,
  // measured, keeps a check of the view's map and a load of its length per
  // value in the generated `store` and not through the call (an encode of
  // `{ a: u32 }` 0.49 → 0.70 of hand-written speed; of 4 × u32 unchanged).
  // From 5 leaves up the calls' extra bytecode costs more: they take
  // `writeVal` of a nested struct of 5 scalars past V8's inlining budget
  // (0.16 → 0.08).
  const inline = g.leaves.length > CALLED_STORES;
  const stores = g.leaves.map((leaf, i) => g.store(leaf, `s.f${i}`, inline));
  const covered = g.leaves.map((leaf) => [leaf.offset, leaf.type.size] as const);
  for (const [p, width] of paddingWrites(covered, size)) stores.push(`v.setUint${width * 8}(${at(p)}, 0);`);
  const source = [
    `"use strict";`,
    `function decode(v, o) {\n${decodeBody}\n}`,
    // One exit for every refusal: a failing check records its site and the
    // refused value and leaves the block, 5 bytes of bytecode shorter than a
    // call of `fail` (an 8 × u32 snapshot: 394 → 349), and V8's inlining
    // budget is counted in those bytes.
    `function snapshot(x, path) {\nvar site, bad;\ncheck: {\n${g.lines.join("\n")}\nreturn ${snap};\n}\nreturn fail(site, bad, path);\n}`,
    `function store(v, o, s) {\n${stores.join("\n")}\n}`,
    `return { decode, snapshot, store, generated: true };`,
  ].join("\n");
  const fail = (site: number, value: unknown, path: string | undefined): never => {
    const [fault, steps] = g.faults[site] as FaultSite;
    return rethrow(fault(value), steps, path);
  };
  try {
    // The dependencies are parameters, not `const`s: V8 would check a
    // closed-over `const` for its temporal dead zone at every use, and the
    // bytes of those checks count against the size under which a function
    // is inlined (460 bytes of bytecode).
    const names = ["fail", ...g.deps.map((_, i) => `d${i}`)];
    return new Function(...names, source)(fail, ...g.deps) as Codec<T>;
  } catch {
    // Forbidden since the probe (a policy applied later): use the closures.
    return null;
  }
}

/** Whether a scalar is a 64-bit integer, whose `DataView` accessors V8 does not inline (see scalars.ts). */
function isWide(shape: Shape & { kind: "scalar" }): boolean {
  return shape.get.startsWith("getBig");
}

/** `o + offset` as source. */
function at(offset: number): string {
  return offset === 0 ? "o" : `o + ${offset}`;
}

/** How many scalars a value of this shape holds: the measure of what is flattened. */
function leafCount(shape: Shape): number {
  if (shape.kind === "scalar") return 1;
  if (shape.kind === "array") return shape.length * leafCount(shape.elem.shape);
  let n = 0;
  for (const f of shape.fields) n += leafCount(f.type.shape);
  return n;
}

/** The descriptor to call for `node` instead of flattening it (a large nested type), or `null`. */
function delegateOf(node: Node): PodDescriptor<unknown> | null {
  return node instanceof PodDescriptor && node.shape.kind !== "scalar" && leafCount(node.shape) > FLATTEN_LEAVES ? node : null;
}

class Generator {
  /** Values the generated code refers to, as `d0`, `d1`, …: functions, never source. */
  readonly deps: unknown[] = [];
  /** The places the generated snapshot can fail, numbered; a failing one ends in the one call `fail(site, value, path)`. */
  readonly faults: FaultSite[] = [];
  /** The statements of `snapshot`. */
  readonly lines: string[] = [];
  /** What the snapshot holds, in layout order. */
  readonly leaves: Leaf[] = [];
  #names = 0;

  /** The name under which generated code reaches `value`. */
  ref(value: unknown): string {
    let i = this.deps.indexOf(value);
    if (i < 0) i = this.deps.push(value) - 1;
    return `d${i}`;
  }

  fresh(): string {
    return `t${this.#names++}`;
  }

  /** An expression decoding a value of `node` at `o + offset`. */
  decode(node: Node, offset: number): string {
    const shape = node.shape;
    const delegate = delegateOf(node);
    if (delegate !== null) return `${this.ref(delegate.decode)}(v, ${at(offset)})`;
    if (shape.kind === "scalar") {
      // A 64-bit integer through its scalar's own codec, which V8 inlines,
      // not `DataView`'s bigint accessors, which it does not (scalars.ts).
      if (isWide(shape)) return `${this.ref((node as PodDescriptor<unknown>).decode)}(v, ${at(offset)})`;
      return `v.${shape.get}(${at(offset)}${node.size > 1 ? ", true" : ""})`;
    }
    if (shape.kind === "array") {
      const step = shape.elem.size;
      return `[${Array.from({ length: shape.length }, (_, i) => this.decode(shape.elem, offset + i * step)).join(", ")}]`;
    }
    return `{ ${shape.fields.map((f) => `${JSON.stringify(f.key)}: ${this.decode(f.type, offset + f.offset)}`).join(", ")} }`;
  }

  /**
   * Statements that snapshot the value in variable `x` (already read, once)
   * as a `node` at `offset`, reading its parts once each, in the order the
   * closure path reads them; `steps` is its path below the top value.
   *
   * A part is read into `bad` and checked there, and only then copied to a
   * local of its own: a failing check then leaves with `site` set and the
   * refused value already in `bad` (5 bytes of bytecode, where setting `bad`
   * on the way out cost 10). Those bytes count: V8 inlines a `writeVal`
   * that it has optimized on its own only while that, its snapshot and its
   * store fit its inlining budget together (codegen's `snapshot` of 8 × u32:
   * 349 → 333 bytes, which `writeVal` of 8 fields needed to fit).
   */
  snapshot(node: Node, x: string, offset: number, steps: string): void {
    const shape = node.shape;
    // A failing site leaves the block `check` with its number in `site`
    // and in `bad` the refused value (or the error a nested snapshot threw),
    // for the one call `fail(site, bad, path)` after the block.
    const fail = (fault: (value: unknown) => unknown, value: string): string =>
      `{ site = ${this.faults.push([fault, steps]) - 1};${value === "bad" ? "" : ` bad = ${value};`} break check; }`;
    // The part's own local, once its check has passed (`x` itself unless it is `bad`).
    const keep = (): string => {
      if (x !== "bad") return x;
      const t = this.fresh();
      this.lines.push(`const ${t} = bad;`);
      return t;
    };
    const delegate = delegateOf(node);
    if (delegate !== null) {
      const s = this.fresh();
      this.lines.push(`let ${s};`, `try { ${s} = ${this.ref(delegate.snapshot)}(${x}); } catch (e) { ${fail((e) => e, "e")} }`);
      this.leaves.push({ offset, type: delegate, name: s });
      return;
    }
    if (shape.kind === "scalar") {
      this.lines.push(`if (!(${shape.check.split("$").join(x)})) ${fail(shape.fault, x)}`);
      this.leaves.push({ offset, type: node as PodDescriptor<unknown>, name: keep() });
      return;
    }
    if (shape.kind === "array") {
      const n = shape.length;
      this.lines.push(`if (!Array.isArray(${x})) ${fail((v) => notArray(v, n), x)}`);
      const a = keep();
      const len = this.fresh();
      this.lines.push(`const ${len} = ${a}.length;`, `if (${len} !== ${n}) ${fail((v) => wrongLength(v, n), len)}`);
      for (let i = 0; i < n; i++) {
        this.lines.push(`bad = ${a}[${i}];`);
        this.snapshot(shape.elem, "bad", offset + i * shape.elem.size, `${steps}[${i}]`);
      }
      return;
    }
    this.lines.push(`if (typeof ${x} !== "object" || ${x} === null) ${fail(notStruct, x)}`);
    const o = keep();
    for (const f of shape.fields) {
      this.lines.push(`bad = ${o}[${JSON.stringify(f.key)}];`);
      this.snapshot(f.type, "bad", offset + f.offset, steps + fieldStep(f.key));
    }
  }

  /** A statement writing `leaf`'s snapshot, found at `snap`. */
  store(leaf: Leaf, snap: string, inline: boolean): string {
    const shape = leaf.type.shape;
    if (inline && shape.kind === "scalar" && !isWide(shape)) {
      return `v.${shape.set}(${at(leaf.offset)}, ${snap}${leaf.type.size > 1 ? ", true" : ""});`;
    }
    return `${this.ref(leaf.type.store)}(v, ${at(leaf.offset)}, ${snap});`;
  }
}
