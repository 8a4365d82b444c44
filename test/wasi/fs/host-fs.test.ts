/**
 * The host backend keeps the guest inside its preopen: symlinks that point
 * out (relative and absolute, to files and to directories), `..` and
 * absolute paths fail with NOTCAPABLE through every path function, and
 * nothing outside changes. Host errors arrive as errnos, permission bits
 * included (tested unprivileged: root ignores them).
 */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { E, R, testGuest, type TestGuest } from "../guest.js";
import { EXPECTED } from "./modes-scenario.js";

let tmp: string;
let sandbox: string;
let outside: string;
let g: TestGuest;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vmio-hostfs-"));
  outside = path.join(tmp, "outside");
  sandbox = path.join(tmp, "sandbox");
  fs.mkdirSync(outside);
  fs.mkdirSync(path.join(sandbox, "sub"), { recursive: true });
  fs.writeFileSync(path.join(outside, "secret.txt"), "secret");
  fs.symlinkSync("../outside", path.join(sandbox, "rel"));
  fs.symlinkSync(outside, path.join(sandbox, "abs"));
  fs.symlinkSync("../outside/secret.txt", path.join(sandbox, "relfile"));
  fs.symlinkSync(path.join(outside, "secret.txt"), path.join(sandbox, "absfile"));
  fs.symlinkSync("../..", path.join(sandbox, "sub", "up"));
  fs.writeFileSync(path.join(sandbox, "inside.txt"), "inside");
  // The Node entry (what "vmio/wasi" resolves to here) takes a host path.
  g = await testGuest({ preopens: { "/": sandbox } });
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ESCAPES = ["rel/secret.txt", "abs/secret.txt", "relfile", "absfile", "../outside/secret.txt", `${"/"}etc/passwd`, "sub/up/outside/secret.txt", "sub/../../outside/secret.txt"];

function open(p: string, oflags = 0, follow = 1, rights: bigint = R.FD_READ): number {
  const [ptr, len] = g.put(1000, p);
  return g.call.path_open!(3, follow, ptr, len, oflags, rights, 0n, 0, 200);
}

test("opening through a path that leads out is NOTCAPABLE, whatever the kind of link", () => {
  for (const p of ESCAPES) assert.equal(open(p), E.NOTCAPABLE, p);
  for (const p of ESCAPES) assert.equal(open(p, 1 | 8, 1, R.FD_WRITE), E.NOTCAPABLE, `${p} with O_CREAT|O_TRUNC`);
  assert.equal(fs.readFileSync(path.join(outside, "secret.txt"), "utf8"), "secret");
  assert.equal(open("absfile", 0, 0), E.LOOP, "not following: the last component is a symlink, as O_NOFOLLOW says");
  assert.equal(open("inside.txt"), E.SUCCESS);
});

test("every other path function refuses the same paths and changes nothing outside", () => {
  const at = (p: string) => g.put(1000, p);
  const at2 = (p: string) => g.put(2000, p);
  for (const p of ["rel/x", "abs/x", "../x", "sub/up/x"]) {
    assert.equal(g.call.path_create_directory!(3, ...at(p)), E.NOTCAPABLE, `mkdir ${p}`);
    assert.equal(g.call.path_symlink!(...at2("t"), 3, ...at(p)), E.NOTCAPABLE, `symlink at ${p}`);
    assert.equal(g.call.path_link!(3, 0, ...at2("inside.txt"), 3, ...at(p)), E.NOTCAPABLE, `link to ${p}`);
    assert.equal(g.call.path_rename!(3, ...at2("inside.txt"), 3, ...at(p)), E.NOTCAPABLE, `rename to ${p}`);
  }
  for (const p of ["rel/secret.txt", "abs/secret.txt", "../outside/secret.txt"]) {
    assert.equal(g.call.path_unlink_file!(3, ...at(p)), E.NOTCAPABLE, `unlink ${p}`);
    assert.equal(g.call.path_filestat_get!(3, 0, ...at(p), 4096), E.NOTCAPABLE, `stat ${p}`);
    assert.equal(g.call.path_filestat_set_times!(3, 0, ...at(p), 0n, 0n, 2 | 8), E.NOTCAPABLE, `utimes ${p}`);
    assert.equal(g.call.path_readlink!(3, ...at(p), 3000, 64, 200), E.NOTCAPABLE, `readlink ${p}`);
  }
  for (const p of ["relfile", "absfile"]) {
    assert.equal(g.call.path_filestat_get!(3, 1, ...at(p), 4096), E.NOTCAPABLE, `stat following ${p}`);
    assert.equal(g.call.path_filestat_get!(3, 0, ...at(p), 4096), E.SUCCESS, `the link ${p} itself`);
    assert.equal(g.call.path_link!(3, 1, ...at(p), 3, ...at2("hard")), E.NOTCAPABLE, `hard link following ${p}`);
  }
  assert.equal(g.call.path_remove_directory!(3, ...at("rel")), E.NOTDIR, "a link is no directory to remove");
  assert.deepEqual(fs.readdirSync(outside), ["secret.txt"]);
  assert.equal(fs.readFileSync(path.join(outside, "secret.txt"), "utf8"), "secret");
});

test("a relative link that points out may be created and read, never followed", () => {
  const [t, tl] = g.put(2000, "../outside/secret.txt");
  const [p, pl] = g.put(1000, "made");
  assert.equal(g.call.path_symlink!(t, tl, 3, p, pl), E.SUCCESS);
  assert.equal(g.call.path_readlink!(3, p, pl, 3000, 64, 200), E.SUCCESS);
  assert.equal(g.u32(200), tl);
  assert.equal(open("made"), E.NOTCAPABLE);
  const [a, al] = g.put(2000, path.join(outside, "secret.txt"));
  assert.equal(g.call.path_symlink!(a, al, 3, ...g.put(1000, "made-abs")), E.NOTCAPABLE, "an absolute target is refused outright");
  assert.equal(fs.existsSync(path.join(sandbox, "made-abs")), false);
});

test("host I/O errors are errnos: a file where a directory is expected, a missing file, a non-empty directory", () => {
  assert.equal(open("inside.txt/x"), E.NOTDIR);
  assert.equal(open("missing"), E.NOENT);
  fs.writeFileSync(path.join(sandbox, "sub", "f"), "");
  assert.equal(g.call.path_remove_directory!(3, ...g.put(1000, "sub")), E.NOTEMPTY);
  assert.equal(g.call.path_create_directory!(3, ...g.put(1000, "sub")), E.EXIST);
});

test("times set by the guest read back to the nanosecond, though Node's utimes takes doubles", () => {
  const [p, n] = g.put(1000, "inside.txt");
  const t = 1_700_000_000_123_456_789n;
  assert.equal(g.call.path_filestat_set_times!(3, 0, p, n, t, t + 1n, 1 | 4), E.SUCCESS);
  assert.equal(g.call.path_filestat_get!(3, 0, p, n, 4096), E.SUCCESS);
  assert.equal(g.u64(4096 + 40), t);
  assert.equal(g.u64(4096 + 48), t + 1n);
  // Once the host changes the time itself, the host's value shows again.
  fs.utimesSync(path.join(sandbox, "inside.txt"), 1000, 2000);
  assert.equal(g.call.path_filestat_get!(3, 0, p, n, 4096), E.SUCCESS);
  assert.equal(g.u64(4096 + 48), 2000n * 1_000_000_000n);
  // A host file dated before 1970 has a negative time; WASI's are unsigned: the epoch, not an exception.
  fs.utimesSync(path.join(sandbox, "inside.txt"), new Date(-1_000_000), new Date(-2_000_000)); // a negative number would mean "now" to Node
  assert.equal(g.call.path_filestat_get!(3, 0, p, n, 4096), E.SUCCESS);
  assert.equal(g.u64(4096 + 48), 0n);
});

/** Runs the permission scenario on a host directory in a child process, as `nobody` if asked. */
function hostScenario(asNobody: boolean): { uid: number | undefined; results: Record<string, number | string> } {
  const child = fileURLToPath(new URL("./modes-child.js", import.meta.url));
  const out = execFileSync(process.execPath, [child, ...(asNobody ? ["--as-nobody"] : [])], { encoding: "utf8", timeout: 60_000 });
  return JSON.parse(out) as { uid: number | undefined; results: Record<string, number | string> };
}

const isRoot = process.getuid?.() === 0;

test("permission bits on a host directory give an unprivileged owner the errnos Linux gives (EACCES → ACCES), as MemoryDir does", () => {
  // Root ignores permission bits (CAP_DAC_OVERRIDE): the scenario runs as nobody then, or it would pass for nothing.
  const { uid, results } = hostScenario(isRoot);
  assert.notEqual(uid, 0, "the scenario must run unprivileged");
  assert.deepEqual(results, EXPECTED);
  if (isRoot) {
    // What root changes, pinned down: run as root, exactly the calls of AS_ROOT answer otherwise.
    const asRoot = hostScenario(false).results;
    const differs = Object.keys(EXPECTED).filter((k) => asRoot[k] !== EXPECTED[k]);
    assert.deepEqual(Object.fromEntries(differs.map((k) => [k, asRoot[k]])), AS_ROOT);
  }
});

/**
 * The scenario's calls whose answer differs when the host process is root:
 * each ACCES, which root's CAP_DAC_OVERRIDE skips — to success, or to the
 * check that came after the permission.
 */
const AS_ROOT: Record<string, number> = {
  ...Object.fromEntries(Object.keys(EXPECTED).filter((k) => EXPECTED[k] === E.ACCES).map((k) => [k, E.SUCCESS])),
  "unlink readonly/sub (ACCES before ISDIR)": E.ISDIR,
  "rmdir readonly/f (ACCES before NOTDIR)": E.NOTDIR,
};
