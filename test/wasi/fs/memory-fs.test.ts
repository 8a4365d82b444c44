/**
 * The in-memory backend against the host's file system as the reference
 * model: random sequences of file-system calls, made by a guest through
 * vmio/wasi on a MemoryDir and on a host directory, must give the same
 * errnos and the same observable results (seeded fast-check). Plus what
 * only the in-memory backend has: open files outliving their names.
 */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { MemoryDir } from "vmio/wasi";
import { E, R, testGuest, type TestGuest } from "../guest.js";
import { EXPECTED, memoryTree, runScenario } from "./modes-scenario.js";

// Few names, so that random sequences build on each other (a, then a/b, then stat a).
const PATHS = ["a", "b", "a/b", "a/", "l", "l/b", "b/a", "a/b/c"] as const;
const TARGETS = ["a", "b", "a/b", "..", "x", "l", "a/"] as const;

type Op =
  | { op: "mkdir" | "rmdir" | "unlink" | "readlink" | "read" | "readdir"; p: string }
  | { op: "stat"; p: string; follow: boolean }
  | { op: "create"; p: string; data: string }
  | { op: "link" | "rename"; p: string; q: string }
  | { op: "symlink"; target: string; p: string };

const path_ = fc.constantFrom(...PATHS);
const simple = (op: "mkdir" | "rmdir" | "unlink" | "readlink" | "read" | "readdir"): fc.Arbitrary<Op> => fc.record({ op: fc.constant(op), p: path_ });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: simple("mkdir"), weight: 5 },
  { arbitrary: fc.record({ op: fc.constant("create" as const), p: path_, data: fc.string({ maxLength: 6 }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("stat" as const), p: path_, follow: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constantFrom("link" as const, "rename" as const), p: path_, q: path_ }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("symlink" as const), target: fc.constantFrom(...TARGETS), p: path_ }), weight: 2 },
  { arbitrary: simple("rmdir"), weight: 2 },
  { arbitrary: simple("unlink"), weight: 2 },
  { arbitrary: simple("readdir"), weight: 2 },
  { arbitrary: simple("read"), weight: 1 },
  { arbitrary: simple("readlink"), weight: 1 },
);

const ALL = R.FD_READ | R.FD_WRITE | R.FD_READDIR | R.FD_FILESTAT_GET;

/** Runs one operation as a guest would; returns what the guest can observe. */
function apply(g: TestGuest, o: Op): unknown {
  const p = g.put(1000, o.p);
  switch (o.op) {
    case "mkdir": return g.call.path_create_directory!(3, ...p);
    case "rmdir": return g.call.path_remove_directory!(3, ...p);
    case "unlink": return g.call.path_unlink_file!(3, ...p);
    case "readlink": {
      const e = g.call.path_readlink!(3, ...p, 3000, 64, 200);
      return e === 0 ? [e, new TextDecoder().decode(g.u8().subarray(3000, 3000 + g.u32(200)))] : e;
    }
    case "stat": {
      const e = g.call.path_filestat_get!(3, o.follow ? 1 : 0, ...p, 4096);
      if (e !== 0) return e;
      const type = g.u8()[4096 + 16]!;
      // Directory sizes are the backend's business; everything else must agree.
      return [e, type, g.u64(4096 + 24), type === 3 ? "dir" : g.u64(4096 + 32)];
    }
    case "create": {
      const e = g.call.path_open!(3, 1, ...p, 1 | 8, ALL, 0n, 0, 200);
      if (e !== 0) return e;
      const fd = g.u32(200);
      const [d, n] = g.put(2000, o.data);
      g.iovecs(100, [[d, n]]);
      const w = g.call.fd_write!(fd, 100, 1, 204);
      return [e, w, g.call.fd_close!(fd)];
    }
    case "read": {
      const e = g.call.path_open!(3, 1, ...p, 0, ALL, 0n, 0, 200);
      if (e !== 0) return e;
      const fd = g.u32(200);
      g.iovecs(100, [[2000, 64]]);
      const r = g.call.fd_read!(fd, 100, 1, 204);
      const got = r === 0 ? new TextDecoder().decode(g.u8().subarray(2000, 2000 + g.u32(204))) : r;
      return [e, got, g.call.fd_close!(fd)];
    }
    case "readdir": {
      const e = g.call.path_open!(3, 1, ...p, 2, ALL, 0n, 0, 200);
      if (e !== 0) return e;
      const fd = g.u32(200);
      const r = g.call.fd_readdir!(fd, 8192, 4096, 0n, 204);
      const names: string[] = [];
      for (let at = 8192; at < 8192 + g.u32(204); ) {
        const len = g.u32(at + 16);
        names.push(`${new TextDecoder().decode(g.u8().subarray(at + 24, at + 24 + len))}:${g.u8()[at + 20]}`);
        at += 24 + len;
      }
      return [e, r, names.sort(), g.call.fd_close!(fd)];
    }
    case "link": return g.call.path_link!(3, 0, ...p, 3, ...g.put(1100, o.q));
    case "rename": return g.call.path_rename!(3, ...p, 3, ...g.put(1100, o.q));
    case "symlink": return g.call.path_symlink!(...g.put(1100, o.target), 3, ...p);
  }
}

test("the in-memory backend gives the same errnos and results as the host file system", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vmio-memfs-model-"));
  let run = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 30 }), async (ops) => {
        const hostDir = path.join(tmp, String(run++));
        fs.mkdirSync(hostDir);
        const mem = await testGuest({ preopens: { "/": new MemoryDir() } });
        const host = await testGuest({ preopens: { "/": hostDir } });
        for (const [i, o] of ops.entries()) {
          assert.deepEqual(apply(mem, o), apply(host, o), `step ${i}: ${JSON.stringify(o)}`);
        }
        fs.rmSync(hostDir, { recursive: true, force: true });
      }),
      { seed: 20261129, numRuns: 300 },
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("an open file outlives its name; a removed directory takes no new entries", async () => {
  const dir = new MemoryDir({ f: "kept", d: {} });
  const g = await testGuest({ preopens: { "/": dir } });
  assert.equal(g.call.path_open!(3, 0, ...g.put(1000, "f"), 0, R.FD_READ | R.FD_FILESTAT_GET, 0n, 0, 200), E.SUCCESS);
  const fd = g.u32(200);
  const createRights = R.PATH_OPEN | (1n << 10n);
  assert.equal(g.call.path_open!(3, 0, ...g.put(1000, "d"), 2, createRights, R.FD_READ, 0, 208), E.SUCCESS);
  assert.equal(g.call.path_unlink_file!(3, ...g.put(1000, "f")), E.SUCCESS);
  g.iovecs(100, [[2000, 16]]);
  assert.equal(g.call.fd_read!(fd, 100, 1, 204), E.SUCCESS);
  assert.equal(new TextDecoder().decode(g.u8().subarray(2000, 2000 + g.u32(204))), "kept");
  assert.equal(g.call.fd_filestat_get!(fd, 4096), E.SUCCESS);
  assert.equal(g.u64(4096 + 24), 0n, "nlink 0");
  const dfd = g.u32(208);
  assert.equal(g.call.path_remove_directory!(3, ...g.put(1000, "d")), E.SUCCESS);
  assert.equal(g.call.path_open!(dfd, 0, ...g.put(1000, "new"), 1, R.FD_READ, 0n, 0, 200), E.NOENT);
  assert.deepEqual(Object.keys(dir.snapshot()), []);
});

test("modes: a MemoryDir gives the guest the errnos Linux gives an unprivileged owner, and a refused call changes nothing", async () => {
  const results = await runScenario(async () => {
    const dir = memoryTree();
    return [await testGuest({ preopens: { "/": dir } }), () => dir.snapshot()];
  });
  assert.deepEqual(results, EXPECTED);
});
