// The package as people install it: the packed tarball and a git
// dependency each install into a fresh project outside the repository, and a
// consumer type-checks and runs against them in every setup the package
// claims — TypeScript with `module: nodenext`, TypeScript with
// `moduleResolution: bundler`, plain JavaScript ESM, and plain CommonJS
// (`require`, Node >= 20.19) — with `skipLibCheck: false` and a plain
// `ES2022` + `DOM` lib, so the published declarations must name every lib
// they need themselves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// This file runs as build/test/package/install.test.js.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

// Time boxes here are guards against a command that hangs, not measures of speed: on a loaded 2-core machine
// (tests niced below benchmarks) the git dependency's install, which installs vmio's dev dependencies and
// compiles it twice, took 250 s, and a consumer's type check with skipLibCheck false can take a minute.

/** Runs a command, time-boxed (a hang guard); returns its stdout. Throws with the command's output on failure. */
function run(cmd: string, args: string[], cwd: string, timeoutMs = 300_000): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) failed: ${err.message}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
  }
}

// What a dependent writes: typed memory, frames, a user address space with a
// page-fault handler, and `using` left out (plain JS in Node 20 cannot parse it).
const consumerTs = `import { CachePolicy, FrameAllocOptions, PageFlags, PageProperty, PhysicalMemory, VmError, VmReader, VmSpace, VmWriter, struct, u32, u64, type Infallible, type PodValue } from "vmio";
const Header = struct({ magic: u32, len: u64 });
const h: PodValue<typeof Header> = { magic: 0x766d696f, len: 5n };
const bytes = new Uint8Array(16);
VmWriter.from(bytes).writeVal(Header, h);
const back = VmReader.from(bytes).readVal(Header);
if (back.magic !== h.magic || back.len !== h.len) throw new Error("round trip");
const mem = new PhysicalMemory({ size: 1 << 20 });
const space = new VmSpace(mem);
space.setPageFaultHandler(({ address }) => {
  if (address >= 0x1_0000_0000) return false; // demand paging below 4 GiB only
  const frame = new FrameAllocOptions(mem).allocFrame();
  const page = Math.floor(address / 4096) * 4096;
  const cursor = space.cursorMut({ start: page, end: page + 4096 });
  cursor.map(frame, PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback));
  cursor.dispose();
  frame.dispose();
  return true;
});
space.activate();
space.writeVal(0x10000, u32, 42);
const r: VmReader<Infallible> = VmReader.from(bytes);
let faulted = false;
try { space.reader(0x7000_0000_0000, 8).readVal(u64); } catch (e) { faulted = e instanceof VmError && e.code === "PageFault"; }
if (space.readVal(0x10000, u32) !== 42 || !faulted || r.remain() !== 16) throw new Error("user memory");
space.dispose();
console.log("consumer ok");
`;

const consumerJs = consumerTs
  .replace(/, type Infallible, type PodValue/, "")
  .replace(/: PodValue<typeof Header>/, "")
  .replace(/: VmReader<Infallible>/, "");

const consumerCjs = consumerJs.replace(/^import \{([^}]*)\} from "vmio";/, 'const {$1} = require("vmio");');

interface Setup {
  readonly name: string;
  readonly files: Record<string, string>;
  /** Command run in the project after install; its stdout must end with "consumer ok". */
  readonly check: (dir: string) => string;
}

const strictLib = { strict: true, skipLibCheck: false, lib: ["ES2022", "DOM"], types: [], target: "ES2022" };

const setups: Setup[] = [
  {
    name: "TypeScript, module nodenext",
    files: {
      "package.json": JSON.stringify({ name: "consumer", private: true, type: "module" }),
      "tsconfig.json": JSON.stringify({ compilerOptions: { ...strictLib, module: "NodeNext", moduleResolution: "NodeNext", outDir: "out" }, include: ["consumer.ts"] }),
      "consumer.ts": consumerTs,
    },
    check: (dir) => {
      run(process.execPath, [tsc, "-p", "."], dir);
      return run(process.execPath, ["out/consumer.js"], dir);
    },
  },
  {
    name: "TypeScript, moduleResolution bundler",
    files: {
      "package.json": JSON.stringify({ name: "consumer", private: true, type: "module" }),
      "tsconfig.json": JSON.stringify({ compilerOptions: { ...strictLib, module: "ESNext", moduleResolution: "Bundler", outDir: "out" }, include: ["consumer.ts"] }),
      "consumer.ts": consumerTs,
    },
    check: (dir) => {
      run(process.execPath, [tsc, "-p", "."], dir);
      return run(process.execPath, ["out/consumer.js"], dir);
    },
  },
  {
    name: "plain JavaScript, ESM",
    files: { "package.json": JSON.stringify({ name: "consumer", private: true, type: "module" }), "consumer.js": consumerJs },
    check: (dir) => run(process.execPath, ["consumer.js"], dir),
  },
  {
    name: "plain JavaScript, CommonJS require",
    files: { "package.json": JSON.stringify({ name: "consumer", private: true }), "consumer.cjs": consumerCjs },
    check: (dir) => run(process.execPath, ["consumer.cjs"], dir),
  },
];

/** Writes a setup's files into `dir` and runs its check against the `vmio` installed in `dir/node_modules`. */
function checkSetup(setup: Setup, dir: string): void {
  for (const [name, text] of Object.entries(setup.files)) writeFileSync(join(dir, name), text);
  const out = setup.check(dir);
  assert.match(out, /consumer ok\s*$/, `${setup.name}: ${out}`);
}

test("the packed tarball installs into a fresh project and works in every consumer setup", { timeout: 600_000 }, (t) => {
  const work = mkdtempSync(join(tmpdir(), "vmio-install-"));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  // `npm test` has just built everything; packing must not rebuild build/
  // under the feet of the tests running beside this one.
  run(npm, ["pack", "--ignore-scripts", "--pack-destination", work], root);
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  assert.ok(tarball !== undefined, "npm pack wrote a tarball");
  const dir = join(work, "project");
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  // vmio has no dependencies, so installing the tarball needs no registry.
  run(npm, ["install", "--offline", "--no-package-lock", join(work, tarball)], dir);
  const installed = join(dir, "node_modules", "vmio");
  // Source maps point at sources that ship with the package.
  assert.ok(existsSync(join(installed, "src", "index.ts")), "sources for the source maps");
  // The same install serves every setup (each one's files are written after it), as in the git test below.
  for (const setup of setups) {
    const sub = join(work, setup.name.replace(/\W+/g, "-"));
    mkdirSync(join(sub, "node_modules"), { recursive: true });
    cpSync(installed, join(sub, "node_modules", "vmio"), { recursive: true });
    checkSetup(setup, sub);
  }
});

test("a git dependency installs a built package (npm runs prepare) and works in every consumer setup", { timeout: 1_200_000 }, (t) => {
  const work = mkdtempSync(join(tmpdir(), "vmio-git-"));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  // The dependency is the commit under test; a clone of it stands in for the
  // remote, so that uncommitted changes in this working tree do not leak in.
  const head = run("git", ["rev-parse", "HEAD"], root).trim();
  const remote = join(work, "remote.git");
  run("git", ["clone", "--quiet", "--bare", root, remote], work);
  const dir = join(work, "project");
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  run(npm, ["install", "--prefer-offline", "--no-package-lock", `git+file://${remote}#${head}`], dir, 900_000);
  const installed = join(dir, "node_modules", "vmio");
  assert.ok(existsSync(join(installed, "build", "src", "index.js")), "prepare built the library");
  assert.ok(existsSync(join(installed, "build", "src", "index.d.ts")), "with its declarations");
  for (const setup of setups) {
    const sub = join(work, setup.name.replace(/\W+/g, "-"));
    mkdirSync(join(sub, "node_modules"), { recursive: true });
    cpSync(installed, join(sub, "node_modules", "vmio"), { recursive: true });
    checkSetup(setup, sub);
  }
});
