/**
 * A tour of vmio: `npm start` runs this file (`node build/examples/tour.js`).
 *
 * Five stops, each printing what it does: Pod types, readers and writers
 * over typed memory, frames and segments of a small RAM, a user address
 * space where a fallible copy stops exactly at a fault, and the same space
 * with a page-fault handler doing demand paging and copy-on-write. The
 * output is deterministic: run it twice, diff the outputs.
 *
 * @module
 */

import {
  CachePolicy,
  FrameAllocOptions,
  PAGE_SIZE,
  PageFlags,
  PageProperty,
  PhysicalMemory,
  VmError,
  VmReader,
  VmSpace,
  VmWriter,
  alignOf,
  array,
  sizeOf,
  struct,
  u16,
  u32,
  u64,
  u8,
  type Infallible,
  type PageFaultInfo,
} from "vmio";

const hex = (n: number): string => `0x${n.toString(16)}`;
const bytesHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const section = (title: string): void => console.log(`\n== ${title} ==`);

/** Runs `f` and prints the error it throws: a VmError (a runtime condition) or a contract violation (a bug). */
function expectError(what: string, f: () => unknown): void {
  try {
    f();
    console.log(`${what}: no error?!`);
  } catch (e) {
    if (e instanceof VmError) console.log(`${what}: VmError ${e.code}, copied ${e.copied}`);
    else console.log(`${what}: ${(e as Error).name} [${(e as { code?: string }).code}] ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------
section("1. Pod types: a descriptor is the single source of truth");
// C layout (repr(C)): `length` is 8-aligned, so 4 bytes of padding follow `magic`.
const Header = struct({ magic: u32, length: u64, flags: u8, ids: array(u16, 3) });
console.log(`${Header.name}: size ${sizeOf(Header)}, align ${alignOf(Header)}`);
const buf = new Uint8Array(sizeOf(Header)).fill(0xee); // stale bytes, to show that padding is zeroed
VmWriter.from(buf).writeVal(Header, { magic: 0x464c457f, length: 1n << 40n, flags: 1, ids: [1, 2, 3] });
console.log(`encoded: ${bytesHex(buf)}  (bytes 4-7 and 17 are padding: zeroed)`);
const h = VmReader.from(buf).readVal(Header); // inferred: { magic: number; length: bigint; flags: number; ids: number[] }
console.log(`decoded: magic ${hex(h.magic)}, length ${h.length} (a ${typeof h.length}), flags ${h.flags}, ids [${h.ids.join(", ")}]`);

// ---------------------------------------------------------------------------
section("2. Typed memory: infallible readers and writers");
const message = new TextEncoder().encode("hello from typed memory");
const dst = new Uint8Array(10);
const r = VmReader.from(message);
const w = VmWriter.from(dst);
// A copy moves min(remain, avail) bytes and advances both cursors.
console.log(`read() copied ${r.read(w)} bytes: "${text(dst)}"; reader cursor ${r.cursor()}, ${r.remain()} left`);
// Addresses are offsets from the start of the view given to `from`.
const word = VmReader.from(message.subarray(6, 10)); // "from"
console.log(`a reader over message.subarray(6, 10) starts at cursor ${word.cursor()}, ${word.remain()} bytes to read`);
expectError("skipping past the end (a bug, not a runtime condition)", () => word.skip(5));

// ---------------------------------------------------------------------------
section("3. Frames and segments: RAM, reference counts, lifetimes");
const ram = new PhysicalMemory({ size: 1 << 20 }); // 256 frames of 4 KiB
const options = new FrameAllocOptions(ram);
const free0 = ram.freeFrames();
console.log(`RAM ${ram.size} bytes: ${ram.reservedFrames()} frames hold the metadata, ${free0} are free`);

let escaped: VmReader<Infallible>;
{
  using frame = options.allocFrame(); // disposed at the end of this block
  console.log(`frame at ${hex(frame.startPaddr())}, zeroed by default: u64 at 0 = ${frame.readVal(0, u64)}`);
  frame.writeVal(64, Header, { magic: 1, length: 2n, flags: 3, ids: [4, 5, 6] }); // VmIo: offsets into the frame
  const extra = frame.clone();
  console.log(`after clone(): referenceCount ${frame.referenceCount()}`);
  extra.dispose();
  console.log(`after dispose() of the clone: referenceCount ${frame.referenceCount()}`);
  escaped = frame.reader().skip(64); // a reader borrows the handle it came from
  console.log(`through the frame's reader: ids = [${escaped.clone().readVal(Header).ids.join(", ")}]`);
}
expectError("the reader after its frame was disposed", () => escaped.readVal(u32));

const seg = options.allocSegment(4);
seg.writeBytes(PAGE_SIZE - 3, new TextEncoder().encode("across frames")); // one copy, two frames
console.log(`segment [${hex(seg.startPaddr())}, ${hex(seg.endPaddr())}): "${text(readBytes(seg, PAGE_SIZE - 3, 13))}"`);
expectError("a read past its end", () => seg.readVal(4 * PAGE_SIZE - 2, u32));
// split() and iteration consume a segment, as in OSTD: its references move to the new handles.
const [low, high] = seg.split(2 * PAGE_SIZE);
expectError("the segment after split()", () => seg.size());
for (using f of high) console.log(`  frame of the high half at ${hex(f.startPaddr())}, ${f.referenceCount()} reference`);
low.dispose();
console.log(`free frames: ${ram.freeFrames()} (all returned)`);

function readBytes(obj: { readBytes(offset: number, b: Uint8Array): void }, offset: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  obj.readBytes(offset, out);
  return out;
}

// ---------------------------------------------------------------------------
section("4. A user address space: fallible copies stop at the first fault");
const RW = PageProperty.newUser(PageFlags.RW, CachePolicy.Writeback);
const RO = PageProperty.newUser(PageFlags.R, CachePolicy.Writeback);
const BASE = 0x40_0000;
const space = new VmSpace(ram);
space.activate(); // reader()/writer() and VmIo work on the space active on this thread
{
  using cursor = space.cursorMut({ start: BASE, end: BASE + PAGE_SIZE });
  using frame = options.allocFrame();
  cursor.map(frame, RW); // the mapping holds a reference of its own
}
// 100 bytes starting 40 bytes before the end of the only mapped page.
const uw = space.writer(BASE + PAGE_SIZE - 40, 100);
try {
  uw.writeFallible(VmReader.from(new Uint8Array(100).fill(0x55)));
} catch (e) {
  if (!(e instanceof VmError)) throw e;
  console.log(`writeFallible: VmError ${e.code} after copied = ${e.copied} bytes; writer cursor at ${hex(uw.cursor())} (the first unmapped byte)`);
}

// ---------------------------------------------------------------------------
section("5. Page faults: demand paging and copy-on-write");
const faults: string[] = [];
space.setPageFaultHandler((fault: PageFaultInfo) => {
  const page = Math.floor(fault.address / PAGE_SIZE) * PAGE_SIZE;
  using cursor = space.cursorMut({ start: page, end: page + PAGE_SIZE });
  const mapped = cursor.query().item;
  if (mapped === undefined) {
    // Demand paging: the first touch of a page maps a fresh zeroed frame.
    using frame = options.allocFrame();
    cursor.map(frame, RW);
    faults.push(`demand-paged ${hex(page)} (${fault.write ? "write" : "read"} at ${hex(fault.address)})`);
    return true; // resolved: the access retries
  }
  using old = mapped.frame; // query() hands out a handle of its own
  if (!fault.write || (mapped.prop.flags & PageFlags.W) !== 0) return false; // a real fault: let it stand
  // Copy-on-write: give this space its own copy of the read-only page.
  faults.push(`copy-on-write of ${hex(page)}: the shared frame has ${old.referenceCount()} references (two mappings, this handle)`);
  using copy = options.allocFrame();
  old.reader().read(copy.writer());
  cursor.unmap(PAGE_SIZE);
  cursor.jump(page);
  cursor.map(copy, RW);
  return true;
});

// The write from section 4 again, and on across three pages nobody mapped.
const long = new Uint8Array(3 * PAGE_SIZE).fill(0x66);
const n = space.writer(BASE + PAGE_SIZE - 40, long.length).writeFallible(VmReader.from(long));
console.log(`writeFallible copied ${n} of ${long.length} bytes`);
for (const f of faults.splice(0)) console.log(`  handler: ${f}`);

// Copy-on-write, as after fork(): one frame mapped read-only in two spaces.
const COW = 0x80_0000;
const child = new VmSpace(ram);
{
  using shared = options.allocFrame();
  shared.writeBytes(0, new TextEncoder().encode("parent data"));
  for (const s of [space, child]) {
    using cursor = s.cursorMut({ start: COW, end: COW + PAGE_SIZE });
    cursor.map(shared, RO);
  }
}
child.activate(); // the child has no fault handler: its faults stand
expectError("child writes the read-only page", () => child.writeBytes(COW, new TextEncoder().encode("child")));
space.activate();
space.writeBytes(COW, new TextEncoder().encode("PARENT"));
for (const f of faults.splice(0)) console.log(`  handler: ${f}`);
console.log(`parent now reads "${text(readBytes(space, COW, 11))}"`);
child.activate();
console.log(`child still reads "${text(readBytes(child, COW, 11))}"`);

// Disposing a space unmaps everything and frees its page table.
space.dispose();
child.dispose();
console.log(`\nfree frames at the end: ${ram.freeFrames()} of ${free0} (nothing leaked)`);
