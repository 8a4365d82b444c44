// Keeps the README honest: every ```ts block of README.md is type-checked
// against the built declarations (as a user's editor would see it) and,
// unless its fence says `ts no-run`, run — so a snippet that no longer
// compiles, throws, or fails one of its own asserts fails `npm test`.
//
// Snippets are written to build/readme-snippets/ (inside the package, so
// that `import … from "vmio"` resolves by package self-reference to
// build/src/index.js), as .ts for the type check and as .mjs, transpiled
// with `ts.transpileModule`, to run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

// This file runs as build/test/readme/readme.test.js.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const outDir = join(root, "build", "readme-snippets");

interface Snippet {
  /** 1-based number, in README order. */
  readonly n: number;
  /** Line of the opening fence in README.md. */
  readonly line: number;
  /** The closest heading above it. */
  readonly heading: string;
  readonly code: string;
  /** False for fences marked `ts no-run` (they are still type-checked). */
  readonly run: boolean;
}

function extract(markdown: string): Snippet[] {
  const lines = markdown.split("\n");
  const found: Snippet[] = [];
  let heading = "(top)";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const h = /^#{1,6}\s+(.*)$/.exec(line);
    if (h !== null) heading = h[1] as string;
    const fence = /^```(ts|typescript)\b(.*)$/.exec(line);
    if (fence === null) {
      // Skip the body of any other fenced block, so a `#` inside it is not a heading.
      if (/^```/.test(line)) while (++i < lines.length && !/^```\s*$/.test(lines[i] as string));
      continue;
    }
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !/^```\s*$/.test(lines[i] as string)) body.push(lines[i] as string);
    assert.ok(i < lines.length, `README.md:${start + 1}: unterminated code block`);
    const flags = (fence[2] as string).trim().split(/\s+/);
    found.push({ n: found.length + 1, line: start + 1, heading, code: body.join("\n") + "\n", run: !flags.includes("no-run") });
  }
  return found;
}

const snippets = extract(readFileSync(join(root, "README.md"), "utf8"));
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

test("README.md has ts snippets to check", () => {
  assert.ok(snippets.length >= 5, `found only ${snippets.length} snippets`);
});

test("every README snippet type-checks against the public API", () => {
  const files = snippets.map((s) => {
    const file = join(outDir, `snippet-${s.n}.ts`);
    writeFileSync(file, s.code);
    return file;
  });
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"],
    types: ["node"],
    typeRoots: [join(root, "node_modules", "@types")],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file === undefined || files.includes(d.file.fileName));
  const report = diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (d.file === undefined || d.start === undefined) return text;
    const n = Number(/snippet-(\d+)\.ts$/.exec(d.file.fileName)?.[1]);
    const s = snippets[n - 1] as Snippet;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return `README.md:${s.line + 1 + line} (snippet ${n}, "${s.heading}"): ${text}`;
  });
  assert.deepEqual(report, [], `README snippets do not type-check:\n${report.join("\n")}`);
});

for (const s of snippets) {
  test(`README snippet ${s.n} runs ("${s.heading}", README.md:${s.line})`, { skip: s.run ? false : "marked no-run" }, async () => {
    const js = ts.transpileModule(s.code, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: `snippet-${s.n}.ts`,
    }).outputText;
    const file = join(outDir, `snippet-${s.n}.mjs`);
    writeFileSync(file, js);
    await import(pathToFileURL(file).href);
  });
}
