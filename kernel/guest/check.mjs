// Runs the guest programs' expected runs (kernel/guest/expected/*.json) on a
// reference and compares, or records, what they print.
//
//   node kernel/guest/check.mjs [--native] [--write] [NAME...]
//   node kernel/guest/check.mjs --run PROGRAM [ARG]...   (stdin is passed on)
//
// Default reference: qemu-riscv64 (Debian's qemu-user) running the committed
// RV64GC binaries. --native: the same C sources built for this x86-64 host
// and run natively on its Linux kernel; only runs marked "native": true are
// compared (their output must be the same on any Linux architecture), which
// is how the Linux-only results (partial copies, set_robust_list, ...) are
// confirmed on a real kernel rather than written from the source alone.
//
// Each run gets the file-system layout the kernel's tests give it (see
// README.md): a fresh root with /bin (the programs), /tmp, /dev/null, /proc
// and the run's "files", its "cwd", exactly its "env", its "stdin" on a pipe.
// The root is a user + mount namespace (unshare -Urm; no privileges needed
// beyond unprivileged user namespaces), so nothing on the host changes. Under
// qemu, a binfmt_misc instance private to that namespace (Linux >= 6.7) lets
// execve start RISC-V programs, with argv[0] preserved, as a RISC-V Linux
// machine would; qemu-user alone cannot execve a guest binary.
//
// --write records the reference's output. --native --write records the Linux
// result (stdout, stderr, exit) of the runs marked "native". Plain --write
// records qemu's: stdout/stderr/exit of the runs whose result is not Linux's
// own (neither "native" nor with a "note"), and for those that are, only the
// "qemu" field (what qemu prints instead, where it differs). Review the diff
// before committing. It also records "instructions": what the run's first
// process executes under qemu (tools/qemu-insn-count.c), for the kernel's
// tests and benchmarks to budget by.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const native = argv.includes("--native");
const write = argv.includes("--write");
const names = argv.filter((a) => !a.startsWith("--"));

// A binfmt_misc entry for RV64 ELF executables (the one Debian's
// qemu-user-binfmt registers): P keeps argv[0], F opens qemu now, so it also
// runs inside the chroot, which holds no qemu.
const binfmt =
  ":qemu-riscv64:M::\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xf3\\x00" +
  ":\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff" +
  ":/usr/bin/qemu-riscv64:PF";

// Runs inside the new namespaces: $1 root, $2 programs directory, $3 binfmt
// entry or "", then the command to exec.
const setup = `
set -e
root=$1 bin=$2 fmt=$3; shift 3
mount --rbind /usr "$root/usr"
mount --rbind /proc "$root/proc"
mount --bind /dev/null "$root/dev/null"
mount --bind "$bin" "$root/bin"
if [ -n "$fmt" ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  printf '%s' "$fmt" > /proc/sys/fs/binfmt_misc/register
fi
exec "$@"
`;

function fail(message) {
  process.stderr.write(`check.mjs: ${message}\n`);
  process.exit(2);
}

// Builds, for this host, the programs that have runs marked "native" (only
// those are portable; the others hold RISC-V assembly).
function nativeBin(programs) {
  const out = mkdtempSync(join(tmpdir(), "vmio-guest-native-"));
  const src = join(here, "src");
  for (const name of programs) {
    const r = spawnSync("gcc", ["-static", "-O2", "-Wall", "-o", join(out, name), `${name}.c`, "-lm"], {
      cwd: src,
      encoding: "utf8",
    });
    if (r.status !== 0) fail(`native build of ${name}.c failed:\n${r.stderr}`);
  }
  return out;
}

// Builds tools/qemu-insn-count.c, the instruction-counting qemu plugin;
// undefined (and no counts recorded) when the host has no gcc.
function buildCounter() {
  const out = join(mkdtempSync(join(tmpdir(), "vmio-guest-counter-")), "qemu-insn-count.so");
  const r = spawnSync("gcc", ["-shared", "-fPIC", "-O2", "-o", out, join(here, "tools/qemu-insn-count.c")], { encoding: "utf8" });
  if (r.status === 0) return out;
  process.stderr.write(`check.mjs: no instruction counts: ${r.error?.message ?? r.stderr}\n`);
  return undefined;
}

// Runs one program in a fresh root (fmt: the binfmt entry, "" for native
// programs); with `counter` (the qemu plugin) it also counts instructions,
// at the price of QEMU_PLUGIN in the guest's environment.
function run(bin, name, spec, fmt, counter) {
  const root = mkdtempSync(join(tmpdir(), "vmio-guest-root-"));
  try {
    for (const dir of ["bin", "usr", "proc", "dev", "tmp"]) mkdirSync(join(root, dir));
    chmodSync(join(root, "tmp"), 0o1777);
    writeFileSync(join(root, "dev/null"), "");
    spawnSync("ln", ["-s", "usr/lib", join(root, "lib")]);
    spawnSync("ln", ["-s", "usr/lib64", join(root, "lib64")]);
    for (const [path, content] of Object.entries(spec.files ?? {})) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content, { mode: 0o644 });
    }
    const cwd = spec.cwd ?? "/";
    mkdirSync(join(root, cwd), { recursive: true });
    const env = Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`);
    if (counter) {
      copyFileSync(counter, join(root, ".vmio-insn-count.so"));
      env.push("QEMU_PLUGIN=file=/.vmio-insn-count.so");
    }
    const command = ["/usr/bin/env", "-i", ...env, "/usr/bin/unshare", `--root=${root}`, `--wd=${cwd}`];
    const r = spawnSync(
      "unshare",
      ["-Urm", "/bin/sh", "-c", setup, "setup", root, bin, fmt, ...command, `/bin/${name}`, ...(spec.args ?? [])],
      { input: spec.stdin ?? "", encoding: "utf8", timeout: 120_000, maxBuffer: 64 << 20 },
    );
    if (r.error) fail(`${name}: ${r.error.message}`);
    const exit = r.signal ? 128 + signalNumber(r.signal) : r.status;
    const counts = [...r.stderr.matchAll(/^vmio-insn-count: (\d+)$/gm)];
    return { stdout: r.stdout, stderr: r.stderr, exit, instructions: counts.length ? Number(counts.at(-1)[1]) : undefined };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function signalNumber(signal) {
  const n = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 }[signal];
  if (n === undefined) fail(`unexpected signal ${signal}`);
  return n;
}

// The first differing line of two outputs, for the failure report.
function firstDifference(got, want) {
  const g = got.split("\n");
  const w = want.split("\n");
  for (let i = 0; i < Math.max(g.length, w.length); i++) {
    if (g[i] !== w[i]) return `line ${i + 1}:\n    got:  ${JSON.stringify(g[i] ?? null)}\n    want: ${JSON.stringify(w[i] ?? null)}`;
  }
  return "";
}

if (argv[0] === "--run") {
  // One program on qemu in the same layout, e.g. `--run extra/tsh -c 'pwd'`.
  const input = (() => {
    try {
      return readFileSync(0);
    } catch {
      return "";
    }
  })();
  const got = run(join(here, "bin"), argv[1], { args: argv.slice(2), stdin: input }, binfmt);
  process.stdout.write(got.stdout);
  process.stderr.write(got.stderr);
  process.exit(got.exit);
}

const fields = ["stdout", "stderr", "exit"];

// A run's keys in one order: inputs, results, then annotations.
const keyOrder = ["args", "env", "stdin", "cwd", "files", "stdout", "stderr", "exit", "instructions", "native", "note", "qemu"];
function inOrder(spec) {
  const known = keyOrder.filter((k) => k in spec).map((k) => [k, spec[k]]);
  return Object.fromEntries([...known, ...Object.entries(spec).filter(([k]) => !keyOrder.includes(k))]);
}

// Records a reference's result `got` into the run `spec`; true if it changed.
function record(spec, got, label) {
  let changed = false;
  const linuxOwned = spec.native || spec.note !== undefined; // qemu must not overwrite it
  if (native || !linuxOwned) {
    for (const k of fields) {
      if (spec[k] !== got[k]) {
        spec[k] = got[k];
        changed = true;
      }
    }
    return changed;
  }
  const differs = Object.fromEntries(fields.filter((k) => spec[k] !== got[k]).map((k) => [k, got[k]]));
  const any = Object.keys(differs).length > 0;
  if (any && spec.note === undefined) process.stdout.write(`${label}: qemu differs from Linux; explain it in a "note"\n`);
  if (!any && spec.note !== undefined) process.stdout.write(`${label}: has a note, but qemu agrees with Linux\n`);
  if (JSON.stringify(differs) !== JSON.stringify(spec.qemu ?? {})) {
    if (any) spec.qemu = differs;
    else delete spec.qemu;
    changed = true;
  }
  return changed;
}

const expectedDir = join(here, "expected");
const all = readdirSync(expectedDir).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
for (const n of names) if (!all.includes(n)) fail(`no expected/${n}.json`);
const load = (name) => JSON.parse(readFileSync(join(expectedDir, `${name}.json`), "utf8"));
const bin = native ? nativeBin(all.filter((n) => load(n).runs.some((r) => r.native))) : join(here, "bin");
const counter = write && !native ? buildCounter() : undefined;
let failures = 0;
let compared = 0;
try {
  for (const name of names.length ? names : all) {
    const file = join(expectedDir, `${name}.json`);
    const expected = load(name);
    let changed = false;
    expected.runs.forEach((spec, i) => {
      if (native && !spec.native) return;
      const got = run(bin, name, spec, native ? "" : binfmt);
      const want = native ? spec : { ...spec, ...spec.qemu };
      const label = `${name} run ${i + 1} (${JSON.stringify(spec.args ?? [])})`;
      compared++;
      if (write) {
        changed = record(spec, got, label) || changed;
        if (counter) {
          const { instructions } = run(bin, name, spec, binfmt, counter);
          if (instructions !== undefined && spec.instructions !== instructions) {
            spec.instructions = instructions;
            changed = true;
          }
        }
        return;
      }
      const bad = fields.filter((k) => want[k] !== got[k]);
      if (bad.length === 0) {
        process.stdout.write(`pass ${label}\n`);
        return;
      }
      failures++;
      process.stdout.write(`FAIL ${label}\n`);
      for (const k of bad) {
        if (k === "exit") process.stdout.write(`  exit: got ${got.exit}, want ${want.exit}\n`);
        else process.stdout.write(`  ${k} ${firstDifference(got[k], want[k])}\n`);
      }
    });
    if (changed) {
      expected.runs = expected.runs.map(inOrder);
      writeFileSync(file, JSON.stringify(expected, null, 2) + "\n");
      process.stdout.write(`wrote expected/${name}.json\n`);
    }
  }
} finally {
  if (native) rmSync(bin, { recursive: true, force: true });
  if (counter) rmSync(dirname(counter), { recursive: true, force: true });
}
if (!write) process.stdout.write(`${compared - failures}/${compared} runs match ${native ? "native x86-64 Linux" : "qemu-riscv64"}\n`);
process.exit(failures ? 1 : 0);
