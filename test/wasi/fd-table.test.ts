/** The fd table: lowest free number first, renumber onto open fds only, a cap on open fds. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { FdTable, type Descriptor } from "../../src/wasi/fd-table.js";
import { FsError } from "../../src/wasi/fs/file-system.js";
import { BytesInput } from "../../src/wasi/stdio.js";
import { E } from "./guest.js";

const stdio = (): Descriptor => ({ kind: "stdio", stream: new BytesInput(new Uint8Array(0)), base: 0, inheriting: 0, fdflags: 0 });

test("new fds take the lowest free number, as POSIX open does", () => {
  const t = new FdTable();
  assert.deepEqual([t.add(stdio()), t.add(stdio()), t.add(stdio())], [0, 1, 2]);
  t.remove(1);
  assert.equal(t.add(stdio()), 1);
  t.remove(2);
  assert.equal(t.add(stdio()), 2);
  assert.equal(t.remove(7), undefined);
});

test("renumber moves from onto to and hands back what to held; both must be open", () => {
  const t = new FdTable();
  const [a, b] = [stdio(), stdio()];
  t.add(a);
  t.add(b);
  assert.equal(t.renumber(0, 1), b);
  assert.equal(t.get(1), a);
  assert.equal(t.get(0), undefined);
  assert.throws(() => t.renumber(0, 1), (e: unknown) => e instanceof FsError && e.errno === E.BADF);
  assert.throws(() => t.renumber(1, 5), (e: unknown) => e instanceof FsError && e.errno === E.BADF);
  assert.equal(t.renumber(1, 1), undefined, "onto itself: nothing to close");
  assert.equal(t.all().length, 1);
});

test("at most 1024 fds are open: the next is MFILE", () => {
  const t = new FdTable();
  for (let i = 0; i < 1024; i++) t.add(stdio());
  assert.throws(() => t.add(stdio()), (e: unknown) => e instanceof FsError && e.errno === 33);
  t.remove(500);
  assert.equal(t.add(stdio()), 500);
});
