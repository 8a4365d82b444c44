// readCString on both kinds of user memory: strings inside memory, ending
// exactly at the fault boundary, crossing it, exceeding maxLen, running into
// the reader's end; long strings over several pages; fault handlers asked
// only for pages the string runs into; and the argument errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FrameAllocOptions, PAGE_SIZE, PageFlags, VmReader, VmSpace, readCString } from "../../src/index.js";
import { throwsContract, throwsVmError, user } from "../vm/support.js";
import { ascii, kinds, spaceKind } from "./support.js";
import { spaceStateOf } from "../../src/vm/vm-space.js";

const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));

for (const make of kinds) {
  const name = make().name;

  test(`${name}: a string inside memory is read up to its NUL, which is consumed`, () => {
    const k = make();
    k.put(k.base + 10, ascii("hello\0world\0"));
    const r = k.mem.reader(k.base + 10, 100);
    assert.equal(text(readCString(r, 64)), "hello");
    assert.equal(r.cursor(), k.base + 16);
    assert.equal(text(readCString(r, 64)), "world");
    assert.equal(r.cursor(), k.base + 22);
    const empty = readCString(r, 64); // the byte after is 0: an empty string
    assert.deepEqual(empty, new Uint8Array(0));
    assert.equal(r.cursor(), k.base + 23);
  });

  test(`${name}: a string whose NUL is the last byte before the fault boundary succeeds`, () => {
    for (const len of [0, 1, 7, 8, 63, 64, 65, 200]) {
      const k = make();
      const start = k.fault - len - 1;
      k.put(start, new Uint8Array([...ascii("x".repeat(len)), 0]));
      const r = k.mem.reader(start, 1000);
      assert.equal(text(readCString(r, 4096)), "x".repeat(len), `length ${len}`);
      assert.equal(r.cursor(), k.fault);
    }
  });

  test(`${name}: a string that runs into the fault boundary faults, copied = the bytes consumed`, () => {
    for (const len of [1, 5, 64, 100]) {
      const k = make();
      const start = k.fault - len;
      k.put(start, ascii("y".repeat(len)));
      const r = k.mem.reader(start, 1000);
      throwsVmError(() => readCString(r, 4096), "PageFault", len);
      assert.equal(r.cursor(), k.fault, "the reader advanced by the bytes consumed");
    }
    // Starting right at the boundary: nothing consumed.
    const k = make();
    throwsVmError(() => readCString(k.mem.reader(k.fault, 10), 10), "PageFault", 0);
  });

  test(`${name}: no NUL within maxLen bytes is null, and maxLen counts the NUL`, () => {
    const k = make();
    k.put(k.base, ascii("abcdef\0"));
    assert.equal(text(readCString(k.mem.reader(k.base, 100), 7)), "abcdef");
    const r = k.mem.reader(k.base, 100);
    assert.equal(readCString(r, 6), null);
    assert.equal(r.cursor(), k.base + 6, "the reader advanced past what it read");
    assert.equal(readCString(k.mem.reader(k.base, 100), 0), null);
    // maxLen is what bounds the read: a string just before a fault is not faulted into.
    const f = make();
    f.put(f.fault - 4, ascii("abcd"));
    assert.equal(readCString(f.mem.reader(f.fault - 4, 100), 4), null);
  });

  test(`${name}: the reader's end bounds the string: no NUL before it is null, never a read past it`, () => {
    const k = make();
    k.put(k.base, ascii("abcdef\0"));
    const r = k.mem.reader(k.base, 3);
    assert.equal(readCString(r, 100), null);
    assert.equal(r.remain(), 0);
    k.put(k.fault - 2, ascii("ab"));
    assert.equal(readCString(k.mem.reader(k.fault - 2, 2), 100), null, "a reader ending at the boundary never faults");
  });

  test(`${name}: long strings, over many chunks, come back whole`, () => {
    for (const len of [127, 128, 129, 1000, 3000]) {
      const k = make();
      const s = Array.from({ length: len }, (_, i) => String.fromCharCode(97 + (i % 26))).join("");
      k.put(k.base + 5, new Uint8Array([...ascii(s), 0]));
      const r = k.mem.reader(k.base + 5, 10_000);
      assert.equal(text(readCString(r, 10_000)), s);
      assert.equal(r.cursor(), k.base + 5 + len + 1);
    }
  });
}

test("VmSpace: strings across pages and past the hole; a fault handler is only asked for pages the string runs into", () => {
  const k = spaceKind();
  const space = k.mem as VmSpace;
  const faults: number[] = [];
  space.setPageFaultHandler(({ address }) => {
    faults.push(address);
    return false;
  });
  // Ends exactly before the hole: the page after is never touched.
  k.put(k.fault - 3000, new Uint8Array([...ascii("z".repeat(2999)), 0]));
  assert.equal(readCString(k.mem.reader(k.fault - 3000, 8000), 8000)?.length, 2999);
  assert.deepEqual(faults, []);
  // Crosses into the hole: the handler is asked for exactly that byte, once.
  k.put(k.fault - 10, ascii("q".repeat(10)));
  throwsVmError(() => readCString(k.mem.reader(k.fault - 10, 100), 100), "PageFault", 10);
  assert.deepEqual(faults, [k.fault]);
  // Demand paging in the middle of a string: the handler maps the page and the string continues.
  const mem = spaceStateOf(space).mem;
  space.setPageFaultHandler(({ address }) => {
    const page = address - (address % PAGE_SIZE);
    using cursor = space.cursorMut({ start: page, end: page + PAGE_SIZE });
    using frame = new FrameAllocOptions(mem).allocFrame();
    frame.writeBytes(0, new Uint8Array([...ascii("tail"), 0]));
    cursor.map(frame, user(PageFlags.RW));
    return true;
  });
  assert.equal(text(readCString(k.mem.reader(k.fault - 10, 100), 100)), "qqqqqqqqqqtail");
});

test("a fault handler's own exception passes through readCString as it is, the reader advanced by what was read", () => {
  const k = spaceKind();
  const space = k.mem as VmSpace;
  const boom = new Error("handler failed");
  space.setPageFaultHandler(() => {
    throw boom;
  });
  k.put(k.fault - 4, ascii("abcd"));
  const r = k.mem.reader(k.fault - 4, 100);
  assert.throws(() => readCString(r, 100), (e) => e === boom);
  assert.equal(r.cursor(), k.fault);
});

test("readCString works on typed memory readers (infallible and fallible) too", () => {
  const bytes = new Uint8Array([...ascii("typed"), 0, 1, 2]);
  assert.equal(text(readCString(VmReader.from(bytes), 100)), "typed");
  assert.equal(text(readCString(VmReader.from(bytes).toFallible(), 100)), "typed");
  assert.equal(readCString(VmReader.from(ascii("no nul")), 100), null);
});

test("readCString argument errors are TypeError/RangeError", () => {
  const r = VmReader.from(new Uint8Array(4));
  throwsContract(() => readCString({} as VmReader, 4), TypeError);
  throwsContract(() => readCString(null as unknown as VmReader, 4), TypeError);
  throwsContract(() => readCString(r, -1), RangeError);
  throwsContract(() => readCString(r, 1.5), RangeError);
  throwsContract(() => readCString(r, "4" as unknown as number), TypeError);
});
