/**
 * `vmio/wasi` as a dependent sees it: under Node the conditional export
 * resolves to the Node entry (host directories); the default entry imports
 * nothing from Node (what browsers load); both export the same surface; the
 * published declarations compile with skipLibCheck off.
 */

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const SURFACE = ["Errno", "MemoryDir", "MemoryFile", "MemorySubdir", "MemorySymlink", "WASI"];

test('import("vmio/wasi") under Node is the Node entry; both entries export the same names', async () => {
  const viaName = (await import("vmio/wasi")) as Record<string, unknown>;
  const nodeEntry = (await import(join(root, "build/src/wasi/node.js"))) as Record<string, unknown>;
  const defaultEntry = (await import(join(root, "build/src/wasi/index.js"))) as Record<string, unknown>;
  assert.equal(viaName["WASI"], nodeEntry["WASI"]);
  assert.deepEqual(Object.keys(viaName).sort(), SURFACE);
  assert.deepEqual(Object.keys(defaultEntry).sort(), SURFACE);
  assert.equal(viaName["MemoryDir"], defaultEntry["MemoryDir"], "one MemoryDir class for both entries");
});

test("nothing the default entry loads imports a Node built-in (it is what browsers run)", () => {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, "utf8");
    for (const m of code.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/g)) {
      const spec = m[1]!;
      assert.ok(spec.startsWith("."), `${file} imports ${spec}`);
      visit(resolve(dirname(file), spec));
    }
  };
  visit(join(root, "build/src/wasi/index.js"));
  assert.ok(seen.size > 5);
  assert.ok(![...seen].some((f) => f.endsWith("host-fs.js") || f.endsWith("node-stdio.js")));
});

test("the published vmio/wasi declarations compile on their own, and a dependent's code type-checks", () => {
  const dir = join(root, "build", "package-check");
  mkdirSync(dir, { recursive: true });
  const consumer = join(dir, "wasi-consumer.ts");
  writeFileSync(
    consumer,
    `import { Errno, MemoryDir, WASI, type MemoryDirTree, type WASIOptions } from "vmio/wasi";
const tree: MemoryDirTree = { "a.txt": "text", sub: { link: MemoryDir.symlink("../a.txt") } };
const options: WASIOptions = { args: ["prog"], env: { A: "1" }, preopens: { "/": new MemoryDir(tree) }, stdout: (b: Uint8Array) => void b };
const wasi = new WASI(options);
const imports: { wasi_snapshot_preview1: Record<string, unknown> } = wasi.getImportObject();
const fault: number = Errno.FAULT;
export { imports, fault };
`,
  );
  const program = ts.createProgram([consumer], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"],
    types: ["node"],
    typeRoots: [join(root, "node_modules", "@types")],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  });
  const report = ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    return d.file === undefined ? text : `${d.file.fileName}: ${text}`;
  });
  assert.deepEqual(report, []);
  assert.ok(program.getSourceFiles().some((f) => f.fileName.endsWith(join("build", "src", "wasi", "index.d.ts"))));
});
