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
 * - decoding never exposes padding bytes; encoding writes zeros into them;
 * - 64-bit integers (`u64`, `i64`, `usize`, `isize`) are `bigint`, every other
 *   scalar is a `number`;
 * - a value is checked completely before the first byte is written, so a bad
 *   value never leaves a half-written struct behind.
 *
 * @module
 */

import { invalidType } from "../base/contract.js";

declare const podValue: unique symbol;
declare const podOnce: unique symbol;

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

/** Reads a value at `offset` of `view`; the range is known to be in bounds. */
export type Decoder<T> = (view: DataView, offset: number) => T;
/** Writes a value that has already passed its checker. */
export type Encoder<T> = (view: DataView, offset: number, value: T) => void;
/** True when `value` is a valid value of the type. Allocation-free: it runs on every encode. */
export type Validator = (value: unknown) => boolean;
/** Throws the precise `TypeError`/`RangeError` for a value its validator refused; `path` names it. */
export type Rejecter = (value: unknown, path: string) => never;

/**
 * The one run-time representation of every {@link PodType}.
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

  constructor(
    readonly name: string,
    readonly size: number,
    readonly align: number,
    /** Non-null exactly for the `PodOnce` types. */
    readonly once: OnceKind | null,
    readonly decode: Decoder<T>,
    readonly encode: Encoder<T>,
    readonly valid: Validator,
    readonly reject: Rejecter,
  ) {
    Object.defineProperty(this, "self", { value: this });
    // Frozen: a descriptor whose size or codec could be changed after the
    // fact would let a reader or writer step outside its range.
    Object.freeze(this);
  }
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
