// Pipes and the terminal devices: blocking and waking, end of file,
// EPIPE with SIGPIPE, PIPE_BUF atomicity, a large write resumed across
// blocks, partial copies by whole pieces; terminal ioctls only on a
// terminal; input that arrives later.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Errno } from "../../../kernel/abi/errno.js";
import { FileSystem } from "../../../kernel/fs/file-system.js";
import { ArraySink, ArraySource, BLOCKED, type ByteSink, type IoContext } from "../../../kernel/fs/io.js";
import { PIPE_BUF, PIPE_CAPACITY, makePipe } from "../../../kernel/fs/pipe.js";
import { InputQueue, hostStreamDevice } from "../../../kernel/fs/terminal.js";
import type { WaitQueue } from "../../../kernel/sync/wait-queue.js";

/** A context that records where the operation would sleep and whether SIGPIPE was raised. */
function ctx(): IoContext & { waits: WaitQueue[]; sigpipes: number } {
  const c = {
    waits: [] as WaitQueue[],
    sigpipes: 0,
    done: 0,
    wait(q: WaitQueue) {
      c.waits.push(q);
    },
    sigpipe() {
      c.sigpipes++;
    },
  };
  return c;
}

test("a read of an empty pipe blocks while a writer exists, and is end of file once none does", () => {
  const fs = new FileSystem();
  const [r, w] = makePipe(fs, 0, 0, 0);
  const c = ctx();
  assert.equal(r.read(new ArraySink(new Uint8Array(8)), c), BLOCKED);
  assert.equal(c.waits.length, 1);
  let woken = 0;
  c.waits[0]?.add({ wake: () => woken++ });
  assert.equal(w.write(new ArraySource(new Uint8Array([1, 2, 3])), ctx()), 3);
  assert.equal(woken, 1, "the write woke the reader");
  const sink = new ArraySink(new Uint8Array(8));
  assert.equal(r.read(sink, ctx()), 3);
  w.unref();
  assert.equal(r.read(new ArraySink(new Uint8Array(8)), ctx()), 0);
});

test("O_NONBLOCK reads and writes are EAGAIN instead of blocking; a write with no reader is EPIPE and raises SIGPIPE", () => {
  const fs = new FileSystem();
  const [r, w] = makePipe(fs, 0, 0, 0o4000);
  assert.equal(r.read(new ArraySink(new Uint8Array(8)), ctx()), -Errno.EAGAIN);
  assert.equal(w.write(new ArraySource(new Uint8Array(PIPE_CAPACITY)), ctx()), PIPE_CAPACITY);
  assert.equal(w.write(new ArraySource(new Uint8Array(1)), ctx()), -Errno.EAGAIN);
  r.unref();
  const c = ctx();
  assert.equal(w.write(new ArraySource(new Uint8Array(1)), c), -Errno.EPIPE);
  assert.equal(c.sigpipes, 1);
});

test("a write of at most PIPE_BUF bytes goes in whole or waits; a larger one fills the pipe and resumes where it stopped", () => {
  const fs = new FileSystem();
  const [r, w] = makePipe(fs, 0, 0, 0);
  assert.equal(w.write(new ArraySource(new Uint8Array(PIPE_CAPACITY - 100)), ctx()), PIPE_CAPACITY - 100);
  const c = ctx();
  assert.equal(w.write(new ArraySource(new Uint8Array(PIPE_BUF)), c), BLOCKED, "no room for an atomic write");
  r.read(new ArraySink(new Uint8Array(PIPE_CAPACITY)), ctx());
  // A large write: PIPE_CAPACITY + 10 bytes blocks after PIPE_CAPACITY, keeping its progress.
  const data = new Uint8Array(PIPE_CAPACITY + 10).map((_, i) => i & 0xff);
  const big = ctx();
  assert.equal(w.write(new ArraySource(data), big), BLOCKED);
  assert.equal(big.done, PIPE_CAPACITY);
  const first = new ArraySink(new Uint8Array(PIPE_CAPACITY));
  assert.equal(r.read(first, ctx()), PIPE_CAPACITY);
  assert.equal(w.write(new ArraySource(data), big), PIPE_CAPACITY + 10, "the retry skips what went in and counts it");
  const rest = new ArraySink(new Uint8Array(64));
  assert.equal(r.read(rest, ctx()), 10);
  assert.deepEqual([...rest.written], [...data.subarray(PIPE_CAPACITY)]);
});

test("a read whose destination takes only part of a piece consumes nothing of it (Linux's pipe_read)", () => {
  const fs = new FileSystem();
  const [r, w] = makePipe(fs, 0, 0, 0);
  w.write(new ArraySource(new Uint8Array([1, 2, 3, 4, 5])), ctx());
  const faulty: ByteSink = { avail: 5, put: (b) => Math.min(2, b.length) };
  assert.equal(r.read(faulty, ctx()), -Errno.EFAULT);
  assert.equal(r.pipe.length, 5, "still all there");
});

test("terminal streams: TCGETS and TIOCGWINSZ on a terminal, ENOTTY otherwise; input that arrives later wakes the reader", () => {
  const fs = new FileSystem();
  const input = new InputQueue();
  let asked = 0;
  input.onDemand = () => asked++;
  const ttyDev = hostStreamDevice(fs, { input, tty: true, rows: 50, cols: 132 }, 0);
  const tty = ttyDev.open(ttyDev, 0);
  const plainDev = hostStreamDevice(fs, { output: () => {}, tty: false }, 1);
  const notTty = plainDev.open(plainDev, 1);
  const ws = tty.ioctl(0x5413, 0);
  assert.ok(typeof ws === "object" && "out" in ws);
  assert.deepEqual([...new Uint16Array((ws as { out: Uint8Array }).out.buffer)].slice(0, 2), [50, 132]);
  assert.equal(notTty.ioctl(0x5413, 0), -Errno.ENOTTY);
  assert.equal(notTty.ioctl(0x5401, 0), -Errno.ENOTTY);
  const c = ctx();
  assert.equal(tty.read(new ArraySink(new Uint8Array(4)), c), BLOCKED);
  assert.equal(asked, 1);
  let woken = 0;
  c.waits[0]?.add({ wake: () => woken++ });
  input.push(new TextEncoder().encode("hi\n"));
  assert.equal(woken, 1);
  const sink = new ArraySink(new Uint8Array(2));
  assert.equal(tty.read(sink, ctx()), 2);
  assert.equal(new TextDecoder().decode(sink.written), "hi");
  input.end();
  const rest = new ArraySink(new Uint8Array(8));
  assert.equal(tty.read(rest, ctx()), 1);
  assert.equal(tty.read(new ArraySink(new Uint8Array(8)), ctx()), 0, "end of input");
});
