/**
 * `struct`: C-layout (`#[repr(C)]`) and packed (`#[repr(C, packed)]`) records.
 *
 * Layout: fields in declaration order, each at the next offset that is a
 * multiple of its alignment; the struct's alignment is the largest field
 * alignment and its size is rounded up to it. `packed` drops all padding and
 * has alignment 1. Field offsets are computed once, here.
 *
 * Codecs: every struct gets codecs specialised to its fields, built one of
 * two ways. By default from closures (`struct-closures.ts`): no code is
 * generated, so they work under a strict Content-Security-Policy. With
 * `{ codegen: true }`, from JavaScript source generated for the struct
 * (`codegen.ts`), nested structs and small arrays flattened into it: fast
 * however many struct types a program uses, where the closures have inline
 * caches of their own only for the first four struct types of each field
 * count (struct-closures.ts). Where code generation is forbidden the
 * option falls back to the closures. Both paths produce the same bytes and
 * values and the same errors (the tests run every codec test on both).
 *
 * @module
 */

import { invalidType, outOfRange } from "../base/contract.js";
import { codegenOption, generatedCodec } from "./codegen.js";
import { paddingWrites, zeroPadding } from "./padding.js";
import { closureStructCodec } from "./struct-closures.js";
import { PodDescriptor, descriptorOf, type Field, type PodType, type PodValue } from "./pod-type.js";

/** The fields of a struct: names to Pod types, in declaration order. */
export type StructFields = Readonly<Record<string, PodType<unknown>>>;

/** The value type of a struct with these fields. */
export type StructValue<F extends StructFields> = { -readonly [K in keyof F]: PodValue<F[K]> };

/** Options of {@link struct}. */
export interface StructOptions {
  /** Remove all padding and use alignment 1, like `#[repr(C, packed)]`. Default `false`. */
  readonly packed?: boolean;
  /**
   * Build the struct's codecs from generated JavaScript (`new Function`)
   * instead of closures. Default `false`, because a strict
   * Content-Security-Policy forbids generating code; where it is forbidden,
   * `true` quietly uses the closures (probed once per process, so a CSP
   * report is sent at most once). Layout, values, bytes and errors are the
   * same either way; only speed differs (see bench/pod.bench.ts).
   */
  readonly codegen?: boolean;
}

type Obj = Record<string, unknown>;

/**
 * Describes a C-layout struct. The value type is inferred from the fields:
 * `struct({ a: u32, b: u64 })` is a `PodType<{ a: number; b: bigint }>` of
 * size 16 and alignment 8 with `b` at offset 8.
 *
 * Field names must not look like array indices (`"0"`, `"12"`): JavaScript
 * enumerates such keys before all others, which would silently reorder the
 * layout. `"__proto__"` is refused as well.
 *
 * A value to write is read field by field, each field (getter or not)
 * exactly once, and written only after every field has been checked.
 *
 * OSTD counterpart: a `#[repr(C)]` struct deriving `Pod`.
 *
 * @throws {TypeError} `fields` is not an object of Pod types, a name is
 *   refused, or `opts` is malformed.
 * @throws {RangeError} the struct would be larger than 2^53 − 1 bytes
 *   (`code` `ERR_OUT_OF_RANGE`).
 */
export function struct<F extends StructFields>(fields: F, opts?: StructOptions): PodType<StructValue<F>> {
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
    invalidType("fields", "an object mapping field names to Pod types", fields);
  }
  // Each option is read once.
  const codegen = codegenOption(opts);
  const given = opts?.packed;
  const packed = given === undefined ? false : given;
  if (typeof packed !== "boolean") invalidType("opts.packed", "a boolean", packed);

  const layout: Field[] = [];
  let offset = 0;
  let align = 1;
  for (const key of Object.keys(fields)) {
    if (key === "__proto__" || /^(?:0|[1-9]\d*)$/.test(key)) {
      invalidType(`field name ${JSON.stringify(key)}`, "a name that is not an array index or __proto__", key);
    }
    const type = descriptorOf(fields[key] as PodType<unknown>, `fields.${key}`);
    if (!packed) {
      offset = alignUp(offset, type.align);
      align = Math.max(align, type.align);
    }
    layout.push({ key, offset, type });
    offset += type.size;
  }
  const size = alignUp(offset, align);
  if (!Number.isSafeInteger(size)) outOfRange("the size of the struct", "at most 2^53 - 1 bytes", size);

  const name = `${packed ? "packed " : ""}struct { ${layout.map((f) => `${f.key}: ${f.type.name}`).join(", ")} }`;
  const shape = { kind: "struct", fields: layout } as const;
  const padding = paddingWrites(layout.map((f) => [f.offset, f.type.size]), size);
  const codec =
    (codegen ? generatedCodec<Obj>(shape, size) : null) ??
    closureStructCodec(layout, padding.length === 0 ? null : zeroPadding(padding));
  return new PodDescriptor<Obj>(name, size, align, null, shape, codec) as unknown as PodType<StructValue<F>>;
}

function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}
