/**
 * Plain-old-data descriptors: OSTD's `Pod` and `PodOnce`, as values.
 *
 * In Rust a type is `Pod` when any bit pattern is a valid value, so memory
 * can be reinterpreted as it freely. TypeScript has no such types, so vmio
 * describes them with a descriptor object — `u32`, `struct({...})`,
 * `array(u8, 16)` — that knows its size, its alignment and how to decode and
 * encode a value in little-endian byte order. The descriptor is the single
 * source of truth: the TS value type is inferred from it (`PodValue<P>`),
 * nobody writes a type twice.
 *
 * Rules every codec keeps:
 * - decoding never exposes padding bytes and runs no user code; encoding
 *   writes zeros into padding;
 * - 64-bit integers (`u64`, `i64`, `usize`, `isize`) are `bigint`, every other
 *   scalar is a `number`;
 * - **snapshot, validate, then act.** A value to be written is a user object
 *   whose fields may be getters or whose whole self may be a `Proxy`: user
 *   code that can answer differently each time it is asked, throw, or
 *   re-enter vmio and change the very memory being written. So encoding is
 *   two phases. {@link PodDescriptor.snapshot} reads every user-visible part
 *   of the value exactly once (each field, each element, nested ones too),
 *   validates what it read and returns a snapshot; it is the only place user
 *   code runs, and it throws before anything is written. Then the caller
 *   checks its memory (lease, bounds, translation — which may run a fault
 *   handler, itself free to write values re-entrantly), and
 *   {@link PodDescriptor.store} writes the snapshot: no user code, no
 *   exception for a snapshot that `snapshot` returned. A half-written value,
 *   or a write that lands after a getter disposed the target, is impossible
 *   by construction.
 *
 * The snapshot representation is private to the descriptor that made it: the
 * primitive itself for a scalar; for a struct, a fresh object of one class
 * (closure path) or of the type's own literal shape (generated path, which
 * flattens nested structs and arrays of up to 32 scalars into it); for an
 * array on the closure path, an object literal of its elements' snapshots
 * up to 4 elements and a fresh JS array past that. Nothing is pooled, so a
 * snapshot stays valid however often the descriptor is re-entered before it
 * is stored, and can be stored more than once. Because the objects are
 * fresh, of a fixed shape and consumed by `store` right after, V8
 * scalar-replaces them — no allocation at all — when `snapshot` and `store`
 * are inlined into their caller: measured (bench/pod.bench.ts), a checked
 * two-phase encode then runs as fast as hand-written code making the same
 * checks. The codecs are kept small for that reason (V8 inlines a chain of
 * calls only up to about 920 bytes of bytecode in all).
 *
 * @module
 */

import { invalidType } from "../base/contract.js";
import { PodFault } from "./pod-fault.js";

declare const podValue: unique symbol;
declare const podOnce: unique symbol;
declare const podSnapshot: unique symbol;

/**
 * A plain-old-data type: its size, its alignment, and a little-endian codec.
 * Obtain one from the scalar constants (`u8` … `f64`), {@link struct} or
 * {@link array}; other objects are rejected at run time.
 *
 * OSTD counterpart: a Rust type implementing `ostd_pod::Pod`.
 */
export interface PodType<T> {
  /** Size in bytes (`core::mem::size_of`). */
  readonly size: number;
  /** Alignment in bytes (`core::mem::align_of`). */
  readonly align: number;
  /** A readable rendering of the type, such as `"u32"` or `"struct { a: u32, b: u64 }"`. */
  readonly name: string;
  /** Type-level only: the decoded value type. Never present at run time. */
  readonly [podValue]?: T;
}

/**
 * A Pod type that can be loaded or stored by one non-tearing memory access:
 * the integer scalars of size 1, 2, 4 and 8.
 *
 * OSTD counterpart: `ostd::mm::PodOnce`.
 */
export interface PodOnceType<T> extends PodType<T> {
  /** Type-level only: marks the `PodOnce` subset. Never present at run time. */
  readonly [podOnce]: true;
}

/** The TS value type that a descriptor decodes to (inferred from the descriptor). */
export type PodValue<P> = P extends PodType<infer T> ? T : never;

/** Which typed-array view serves one-instruction (`Atomics`) access to a `PodOnce` type. */
export type OnceKind = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "u64" | "i64";

/**
 * A validated copy of a value of `T`, made by {@link PodDescriptor.snapshot}
 * and consumed by {@link PodDescriptor.store} of the same descriptor. Opaque:
 * its representation is the descriptor's own business.
 *
 * @internal
 */
export type PodSnapshot<T> = { readonly [podSnapshot]: T };

/** Reads a value at `offset` of `view`; the range is known to be in bounds. @internal */
export type Decoder<T> = (view: DataView, offset: number) => T;
/**
 * Reads a user value once, validates it and returns its snapshot. With a
 * `path`, a bad value is a coded `TypeError`/`RangeError` naming it; without
 * (a container snapshotting its parts), a {@link PodFault}.
 *
 * @internal
 */
export type Snapshotter<T> = (value: unknown, path?: string) => PodSnapshot<T>;
/** Writes a snapshot at `offset` of `view`, padding included; the range is known to be in bounds. @internal */
export type Storer<T> = (view: DataView, offset: number, snap: PodSnapshot<T>) => void;
/** @deprecated Old one-phase encoder: writes a value that has already passed its validator. @internal */
export type Encoder<T> = (view: DataView, offset: number, value: T) => void;
/** @deprecated True when `value` is a valid value of the type. @internal */
export type Validator = (value: unknown) => boolean;
/** @deprecated Throws the precise `TypeError`/`RangeError` for a value its validator refused; `path` names it. @internal */
export type Rejecter = (value: unknown, path: string) => never;

/**
 * What a descriptor is made of, as the generated-code path ({@link
 * PodDescriptor.shape}) needs to see it: a scalar with its `DataView`
 * accessors and its check as JS source, a struct with its fields, or an
 * array.
 *
 * @internal
 */
export type Shape =
  | {
      readonly kind: "scalar";
      /** `DataView` method names, e.g. `"getUint32"` / `"setUint32"`. */
      readonly get: string;
      readonly set: string;
      /** A JS expression that is true exactly for valid values of the variable `$`. */
      readonly check: string;
      /** The fault for a value the check refused. */
      readonly fault: (value: unknown) => PodFault;
    }
  | { readonly kind: "struct"; readonly fields: readonly Field[] }
  | { readonly kind: "array"; readonly elem: PodDescriptor<unknown>; readonly length: number };

/** One field of a struct: its name, its offset in the struct and its type. @internal */
export interface Field {
  readonly key: string;
  readonly offset: number;
  readonly type: PodDescriptor<unknown>;
}

/** The codec functions a descriptor is built from. @internal */
export interface Codec<T> {
  readonly decode: Decoder<T>;
  readonly snapshot: Snapshotter<T>;
  readonly store: Storer<T>;
  /** Built from generated code (default `false`). */
  readonly generated?: boolean;
}

/**
 * The one run-time representation of every {@link PodType}.
 *
 * How the io layer writes a value (the only correct order):
 *
 * ```ts
 * const snap = d.snapshot(value, "value"); // user code runs here, and only here; may throw
 * // … check the lease, the bounds, translate (fault handlers may run) …
 * d.store(view, offset, snap);             // no user code; cannot throw
 * ```
 *
 * A snapshot is stored only where `size` bytes are in bounds of a live
 * `view`, and only by the descriptor that made it; it may be stored any
 * number of times (into a scratch buffer first, say). For a scalar — every
 * `PodOnce` type — the snapshot is the primitive value itself, ready for an
 * `Atomics` store. Reading is one phase: `d.decode(view, offset)`, no user
 * code.
 *
 * @internal
 */
export class PodDescriptor<T> implements PodType<T> {
  declare readonly [podValue]?: T;
  /**
   * The descriptor itself, as a non-enumerable own property: the brand that
   * hot paths test (`t.self === t`: one load, one compare, where `instanceof`
   * or a `#private in` test cost ~1 ns more per call on Node 20). A copy made
   * by spreading does not have it, and an object inheriting from a
   * descriptor has the inherited one, which is not itself.
   */
  declare readonly self: PodDescriptor<T>;
  /** Reads a value at `offset` of `view`; the caller has checked the range. */
  readonly decode: Decoder<T>;
  /**
   * Phase one of a write: reads every user-visible part of `value` exactly
   * once, validates it, and returns its snapshot. Callers outside the Pod
   * layer always pass `path`, the name of the value in messages.
   *
   * @throws {TypeError} a value or a part of it has the wrong type; the
   *   message names it from `path` (`"value.inner.list[2]"`), `code` is
   *   `ERR_INVALID_ARG_TYPE`.
   * @throws {RangeError} a number out of the type's range, or an array of the
   *   wrong length; `code` is `ERR_OUT_OF_RANGE`.
   * @throws whatever a getter or `Proxy` trap of `value` throws, unchanged.
   */
  readonly snapshot: Snapshotter<T>;
  /** Phase two of a write: writes a snapshot of this descriptor, zeros in padding. Runs no user code, never throws. */
  readonly store: Storer<T>;
  /** Whether the codecs are generated code (`struct(…, { codegen: true })` where allowed). */
  readonly generated: boolean;
  /** @deprecated Use {@link snapshot}. True when `value` is valid (reads its getters). */
  readonly valid: Validator;
  /** @deprecated Use {@link snapshot}. Throws the coded error for an invalid `value`. */
  readonly reject: Rejecter;
  /** @deprecated Use {@link snapshot} then {@link store}. Snapshots `value` (reading its getters again) and stores it. */
  readonly encode: Encoder<T>;

  constructor(
    readonly name: string,
    readonly size: number,
    readonly align: number,
    /** Non-null exactly for the `PodOnce` types. */
    readonly once: OnceKind | null,
    /** The structure, for the generated-code path. */
    readonly shape: Shape,
    codec: Codec<T>,
    /** A scalar's validator: a scalar's snapshot is the value itself, so its `encode` is its `store`. */
    scalarValid?: Validator,
  ) {
    const { decode, snapshot, store } = codec;
    this.decode = decode;
    this.snapshot = snapshot;
    this.store = store;
    this.generated = codec.generated ?? false;
    this.valid = scalarValid ?? ((value) => isValid(snapshot, value));
    this.reject = (value, path) => {
      snapshot(value, path);
      // A getter answered differently now than during `valid`: exactly what
      // the two-phase encode exists for.
      return changedWhileChecked(value, path);
    };
    this.encode =
      scalarValid !== undefined
        ? (store as unknown as Encoder<T>)
        : (view, offset, value) => store(view, offset, snapshot(value, "value"));
    Object.defineProperty(this, "self", { value: this });
    // Frozen, shape included: a descriptor whose size, codec or field
    // offsets could be changed after the fact would let a reader or writer
    // step outside its range, and the generated code of a struct nesting it
    // is written from its shape.
    if (shape.kind === "struct") {
      for (const f of shape.fields) Object.freeze(f);
      Object.freeze(shape.fields);
    }
    Object.freeze(shape);
    Object.freeze(this);
  }
}

function isValid<T>(snapshot: Snapshotter<T>, value: unknown): boolean {
  try {
    snapshot(value);
    return true;
  } catch (e) {
    if (e instanceof PodFault) return false;
    throw e;
  }
}

function changedWhileChecked(value: unknown, path: string): never {
  return invalidType(path, "a value whose getters answer the same each time (one changed between two reads)", value);
}

/**
 * Returns `t` as a descriptor.
 *
 * @throws {TypeError} `t` is not a descriptor made by this library.
 * @internal
 */
export function descriptorOf<T>(t: PodType<T>, name = "type"): PodDescriptor<T> {
  if (!isDescriptor(t)) notPodType(t, name);
  return t;
}

/**
 * Whether `t` is a descriptor made by this library (the cheap brand test).
 *
 * @internal
 */
export function isDescriptor<T>(t: PodType<T>): t is PodDescriptor<T> {
  return t != null && (t as PodDescriptor<T>).self === t;
}

/** @internal */
export function notPodType(value: unknown, name: string): never {
  return invalidType(name, "a Pod type descriptor (u8 … f64, struct(…) or array(…))", value);
}

/**
 * Size of a Pod type in bytes.
 *
 * OSTD counterpart: `core::mem::size_of::<T>()`.
 *
 * @throws {TypeError} `t` is not a Pod type descriptor.
 */
export function sizeOf(t: PodType<unknown>): number {
  return descriptorOf(t, "t").size;
}

/**
 * Alignment of a Pod type in bytes.
 *
 * OSTD counterpart: `core::mem::align_of::<T>()`.
 *
 * @throws {TypeError} `t` is not a Pod type descriptor.
 */
export function alignOf(t: PodType<unknown>): number {
  return descriptorOf(t, "t").align;
}
