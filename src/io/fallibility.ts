/**
 * The marker types `Fallible` and `Infallible`.
 *
 * They exist only for the compiler: a `VmReader<Infallible>` may call
 * `read`, `readOnce` and the other infallible-only methods, a
 * `VmReader<Fallible>` may not. At run time each reader and writer also
 * remembers its kind, so plain-JS callers get a `TypeError` instead of an
 * unchecked access.
 *
 * @module
 */

declare const fallibleBrand: unique symbol;
declare const infallibleBrand: unique symbol;

/**
 * Marks memory in which any byte may fault (user memory). Type-level only.
 *
 * OSTD counterpart: `ostd::mm::Fallible`.
 */
export interface Fallible {
  /** The brand that tells the two markers apart; it exists only in types. */
  readonly [fallibleBrand]: "Fallible";
}

/**
 * Marks memory that cannot fault while it is valid (typed memory, live frames). Type-level only.
 *
 * OSTD counterpart: `ostd::mm::Infallible`.
 */
export interface Infallible {
  /** The brand that tells the two markers apart; it exists only in types. */
  readonly [infallibleBrand]: "Infallible";
}

/** Either marker: what a method that accepts both kinds of reader or writer takes. */
export type Fallibility = Fallible | Infallible;
