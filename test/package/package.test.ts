// The package as a dependent sees it: `import … from "vmio"` resolves (by
// package self-reference, through package.json "exports") to the built
// entry point, exports exactly the public surface listed here, and its type
// declarations compile cleanly on their own (skipLibCheck off), so no
// published .d.ts refers to anything that was stripped as internal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import * as direct from "../../src/index.js";

// This file runs as build/test/package/package.test.js.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

const surface = [
  // Pod types
  "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "usize", "isize", "f32", "f64",
  "struct", "array", "sizeOf", "alignOf",
  // Readers, writers, errors, VM objects
  "VmReader", "VmWriter", "VmError",
  // Physical memory and frames
  "PAGE_SIZE", "PhysicalMemory", "FrameAllocOptions", "Frame", "UFrame", "Segment", "USegment", "FrameVec",
  // User address spaces
  "MAX_USERSPACE_VADDR", "PageFlags", "CachePolicy", "PageProperty", "VmSpace", "Cursor", "CursorMut", "Mmu",
  // Guest memory and the user-memory helpers
  "GuestMemory", "readCString", "Iovec32", "Iovec64", "IOV_MAX", "MAX_RW_COUNT", "VmReaderArray", "VmWriterArray",
].sort();

test('import("vmio") is the built entry point, by package self-reference', async () => {
  const viaName = (await import("vmio")) as Record<string, unknown>;
  assert.equal(viaName.VmReader, direct.VmReader, "the same module instance as build/src/index.js");
  assert.deepEqual(Object.keys(viaName).sort(), surface);
});

test("the published declarations compile on their own, and a dependent's code type-checks against them", () => {
  const dir = join(root, "build", "package-check");
  mkdirSync(dir, { recursive: true });
  const consumer = join(dir, "consumer.ts");
  writeFileSync(
    consumer,
    `import { CachePolicy, FrameAllocOptions, FrameVec, GuestMemory, Iovec32, PageFlags, PageProperty, PhysicalMemory, VmReader, VmReaderArray, VmSpace, VmWriter, readCString, struct, u32, u64, type Fallible, type Infallible, type PodValue, type UserMemory } from "vmio";
const S = struct({ a: u32, b: u64 });
const v: PodValue<typeof S> = { a: 1, b: 2n };
const mem = new PhysicalMemory({ size: 1 << 20 });
const frame = new FrameAllocOptions(mem).allocFrame();
const vec = new FrameVec([frame]);
vec.writeVal(0, S, v);
const r: VmReader<Infallible> = frame.reader();
const w: VmWriter<Fallible> = VmWriter.from(new Uint8Array(16)).toFallible();
r.readFallible(w);
const space = new VmSpace(mem);
space.cursorMut({ start: 0, end: 4096 }).map(frame, PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback));
space.activate();
space.readBytes(0, new Uint8Array(4));
const guest = new GuestMemory(new ArrayBuffer(64));
const user: UserMemory = guest;
const iovs = VmReaderArray.fromIovecs(user, 0, 1, Iovec32);
iovs.readFallible(VmWriter.from(new Uint8Array(iovs.sumLens())));
const name: Uint8Array | null = readCString(guest.reader(8, 8), 8);
export { v, name };
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
  // The checker must have resolved "vmio" to the built declarations, not to src/.
  const files = program.getSourceFiles().map((f) => f.fileName);
  assert.ok(files.some((f) => f.endsWith(join("build", "src", "index.d.ts"))), "resolved to build/src/index.d.ts");
});
