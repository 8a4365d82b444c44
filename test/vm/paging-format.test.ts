// The paging formats as the page-table code uses them: a leaf entry's frame
// bits and property bits are separate fields (copyFrom re-encodes an entry
// by swapping its property bits alone), and a format is found by its id.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CachePolicy, PageFlags, PageProperty } from "../../src/index.js";
import { PAGING_NAMES } from "../../src/frame/paging-name.js";
import { formatById } from "../../src/vm/paging-format.js";

const POLICIES = [CachePolicy.Uncacheable, CachePolicy.WriteCombining, CachePolicy.WriteProtected, CachePolicy.Writethrough, CachePolicy.Writeback];
/** Every property a leaf can hold. */
const PROPS = POLICIES.flatMap((cache) => Array.from({ length: PageFlags.DIRTY * 2 }, (_, flags) => new PageProperty(flags, cache)));
/** Frame numbers that exercise the frame bits of both halves (both formats: up to 2^40 frames). */
const FRAMES = [0, 1, 0xf_ffff, 0x10_0000, 0x3f_ffff, 0x40_0000, 0x12_3456, 2 ** 30 - 1, 2 ** 40 - 1];

test("formatById gives each format by its RAM-header id", () => {
  PAGING_NAMES.forEach((name, id) => assert.equal(formatById(id).name, name));
  assert.throws(() => formatById(PAGING_NAMES.length), /unknown paging format/);
});

for (const name of PAGING_NAMES) {
  const fmt = formatById(PAGING_NAMES.indexOf(name));
  // The property's bits of each half, as copyFrom derives them.
  const propLo = (1 << fmt.ppnShift) - 1;
  const propHi = ~fmt.ppnHiMask;

  test(`${name}: a leaf's frame bits (lo from ppnShift up, hi & ppnHiMask) and property bits (the rest) are separate fields`, () => {
    for (const frame of FRAMES) {
      for (const prop of PROPS) {
        const lo = fmt.leafLo(frame, prop);
        const hi = fmt.leafHi(frame, prop);
        assert.equal(fmt.frameOf(lo, hi), frame, "frameOf reads the frame bits");
        assert.equal((lo >>> fmt.ppnShift) + (hi & fmt.ppnHiMask) * fmt.ppnHiScale, frame, "and so do the masks");
        // The property bits do not depend on the frame, nor the frame bits on the property.
        assert.equal(lo & propLo, fmt.leafLo(0, prop), `lo property bits of ${frame}`);
        assert.equal(hi & propHi, fmt.leafHi(0, prop) | 0, `hi property bits of ${frame}`);
        assert.equal((lo & ~propLo) >>> 0, (fmt.leafLo(frame, PROPS[0] as PageProperty) & ~propLo) >>> 0);
        assert.equal(hi & fmt.ppnHiMask, fmt.leafHi(frame, PROPS[0] as PageProperty) & fmt.ppnHiMask);
        // So an entry re-encoded by its property bits alone is the entry encoded whole.
        const other = PROPS[(frame + prop.flags * 7 + prop.cache) % PROPS.length] as PageProperty;
        assert.equal(((lo & ~propLo) | fmt.leafLo(0, other)) >>> 0, fmt.leafLo(frame, other));
        assert.equal(((hi & fmt.ppnHiMask) | fmt.leafHi(0, other)) >>> 0, fmt.leafHi(frame, other));
      }
    }
  });

  test(`${name}: the property a leaf decodes to depends on its property bits alone`, () => {
    for (const prop of PROPS) {
      const bare = fmt.propertyOf(fmt.leafLo(0, prop), fmt.leafHi(0, prop));
      assert.ok(bare.equals(prop), `round trip of flags ${prop.flags}, cache ${prop.cache}`);
      for (const frame of FRAMES) assert.ok(fmt.propertyOf(fmt.leafLo(frame, prop), fmt.leafHi(frame, prop)).equals(bare));
    }
  });
}
