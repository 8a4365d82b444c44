/** The stdio streams: bytes in, a sink out, the console line by line with nothing lost at exit. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { GuestMemory, Iovec32, VmReaderArray } from "vmio";
import { BytesInput, ConsoleOutput, SinkOutput } from "../../src/wasi/stdio.js";
import { FsError } from "../../src/wasi/fs/file-system.js";

test("BytesInput reads its bytes in order, then 0; it is not writable", () => {
  const src = new Uint8Array([1, 2, 3]);
  const s = new BytesInput(src);
  src[0] = 9;
  const buf = new Uint8Array(2);
  assert.equal(s.readable(), 3);
  assert.equal(s.read(buf), 2);
  assert.deepEqual(buf, new Uint8Array([1, 2]));
  assert.equal(s.read(buf), 1);
  assert.equal(s.read(buf), 0);
  assert.throws(() => s.write(buf), FsError);
  const mem = new GuestMemory(new ArrayBuffer(65536));
  assert.throws(() => s.gather(VmReaderArray.fromIovecs(mem, 0, 0, Iovec32), 0), (e: unknown) => e instanceof FsError && e.errno === 8);
});

test("ConsoleOutput prints whole lines, keeps a partial one, and prints it at flush; UTF-8 split across writes survives", () => {
  const lines: string[] = [];
  const s = new ConsoleOutput((l) => lines.push(l));
  const e = new TextEncoder().encode("a\nbé");
  s.write(e.subarray(0, 4)); // "a\nb" and the first byte of é
  assert.deepEqual(lines, ["a"]);
  s.write(e.subarray(4));
  s.write(new TextEncoder().encode("\n\nend"));
  assert.deepEqual(lines, ["a", "bé", ""]);
  s.flush();
  assert.deepEqual(lines, ["a", "bé", "", "end"]);
  assert.throws(() => s.read(new Uint8Array(1)), FsError);
});

test("SinkOutput hands each write to the sink", () => {
  const got: number[] = [];
  const s = new SinkOutput((b) => got.push(b.length));
  assert.equal(s.write(new Uint8Array(4)), 4);
  assert.deepEqual(got, [4]);
  assert.equal(s.readable(), 0);
});
