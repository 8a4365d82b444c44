// The frame map: vmio's reserved frames, page-table nodes, user pages with
// their references and every mapping, shared frames, the zero page, and the
// rest.
import { test } from "node:test";
import assert from "node:assert/strict";
import { frameMap, useOf } from "../../../inspector/view/frame-map.js";
import type { FramesView, PageTableView, ProcessView } from "../../../inspector/protocol.js";
import { P, region } from "./fixtures.js";

function proc(pid: number, pages: Array<[number, number, number]>, pageTable?: PageTableView): ProcessView {
  return { pid, ppid: pid - 1, state: "alive", exe: "/bin/x", argv: [], threads: [], regions: [region(pages)], pageTable, tlb: undefined };
}

/** A page table of a root (frame `root`) and one level-3 node (frame `l3`) under its entry 0. */
function twoNodes(root: number, l3: number): PageTableView {
  const child = { level: 3, paddr: l3 * P, va: 0, present: 0, entries: [] };
  const entry = { index: 0, va: 0, span: 2 ** 39, flags: ["P", "RW", "US"], paddr: l3 * P, child };
  return { paging: "x86-64", root: { level: 4, paddr: root * P, va: 0, present: 1, entries: [entry] }, nodes: 2, pages: 0 };
}

const frames: FramesView = { size: 1024 * P, reserved: 10, total: 1014, free: 1000, user: 4, kernel: 10, pageTables: 4, peak: 20, zeroPage: 20 * P };

test("each frame's use: reserved, a private user page, a shared one with both mappings, the zero page, the rest", () => {
  const map = frameMap(
    [
      proc(1, [[0x10000, 12, 1], [0x11000, 13, 2], [0x12000, 20, 3]]),
      proc(2, [[0x11000, 13, 2], [0x40000, 20, 3]]),
    ],
    frames,
  );
  assert.equal(map.frames, 1024);
  assert.equal(map.highest, 20);
  assert.deepEqual([0, 9, 10, 11, 12, 13, 20, 21].map((n) => useOf(map, n)), ["reserved", "reserved", "other", "other", "user", "shared", "zero", "other"]);
  assert.deepEqual(map.mapped.get(13), { use: "shared", refs: 2, mappings: [{ pid: 1, va: 0x11000 }, { pid: 2, va: 0x11000 }] });
  assert.deepEqual(map.mapped.get(20)?.mappings, [{ pid: 1, va: 0x12000 }, { pid: 2, va: 0x40000 }]);
});

test("a frame mapped once but referenced twice (another handle holds it) is shared; nothing mapped: the highest is the last reserved", () => {
  const map = frameMap([proc(1, [[0x10000, 30, 2]])], { ...frames, zeroPage: undefined });
  assert.equal(useOf(map, 30), "shared");
  assert.equal(frameMap([], frames).highest, 9);
});

test("page-table nodes, of every process, with their level and the address they start at; they count for the highest frame", () => {
  const map = frameMap([proc(1, [[0x10000, 12, 1]], twoNodes(11, 40)), proc(2, [], twoNodes(14, 15))], frames);
  assert.deepEqual([11, 12, 14, 15, 40, 41].map((n) => useOf(map, n)), ["table", "user", "table", "table", "table", "other"]);
  assert.deepEqual(map.tables.get(40), { pid: 1, level: 3, va: 0 });
  assert.deepEqual(map.tables.get(14), { pid: 2, level: 4, va: 0 });
  assert.equal(map.highest, 40);
});
