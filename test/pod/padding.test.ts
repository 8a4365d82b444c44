// Padding: the zero stores that cover every byte no field covers, as few and
// as wide as possible, and nothing else.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { paddingWrites, zeroPadding } from "../../src/pod/padding.js";

describe("padding", () => {
  test("gaps are covered by the widest stores that fit", () => {
    assert.deepEqual(paddingWrites([], 0), []);
    assert.deepEqual(paddingWrites([[0, 4]], 4), []);
    assert.deepEqual(paddingWrites([[0, 1], [4, 4]], 8), [[1, 2], [3, 1]]);
    assert.deepEqual(paddingWrites([[0, 4], [8, 8]], 16), [[4, 4]]);
    assert.deepEqual(paddingWrites([[0, 1]], 8), [[1, 4], [5, 2], [7, 1]]);
    assert.deepEqual(paddingWrites([[2, 2]], 4), [[0, 2]]);
    assert.deepEqual(paddingWrites([], 3), [[0, 2], [2, 1]]);
  });

  test("1 to 6 zero stores (single, called in turn up to 4, then the loop) zero exactly their bytes", () => {
    for (let n = 1; n <= 6; n++) {
      // n one-byte fields, each after a 4-byte gap: n stores of 4 bytes.
      const covered = Array.from({ length: n }, (_, i) => [5 * i + 4, 1] as [number, number]);
      const size = 5 * n;
      const writes = paddingWrites(covered, size);
      assert.equal(writes.length, n);
      const buf = new Uint8Array(size + 2).fill(0xff);
      zeroPadding(writes)(new DataView(buf.buffer), 1);
      const expected = Array.from({ length: size + 2 }, (_, i) => (i === 0 || i === size + 1 || (i - 1) % 5 === 4 ? 0xff : 0));
      assert.deepEqual(Array.from(buf), expected, `${n} stores`);
    }
  });

  test("random layouts: the stores zero exactly the uncovered bytes", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 })), { maxLength: 6 }), fc.integer({ min: 0, max: 9 }), (parts, tail) => {
        // Ranges in ascending order: each after a gap from the previous one.
        const covered: Array<[number, number]> = [];
        let at = 0;
        for (const [gap, length] of parts) {
          covered.push([at + gap, length]);
          at += gap + length;
        }
        const size = at + tail;
        const buf = new Uint8Array(size + 2).fill(0xff);
        zeroPadding(paddingWrites(covered, size))(new DataView(buf.buffer), 1);
        const expected = new Array<number>(size + 2).fill(0);
        expected[0] = 0xff;
        expected[size + 1] = 0xff;
        for (const [offset, length] of covered) for (let i = 0; i < length; i++) expected[1 + offset + i] = 0xff;
        assert.deepEqual(Array.from(buf), expected);
      }),
      { seed: 0x9add, numRuns: 300 },
    );
  });
});
