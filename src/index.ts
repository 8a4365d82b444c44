/**
 * vmio — Asterinas OSTD's memory model for TypeScript.
 *
 * The public surface (the API reference, `npm run docs`, documents every
 * export; docs/architecture.md, "Layers"). Layers below (pod →
 * io → frame → vm → guest → user) never import this file.
 *
 * @module
 */
// Handles are `Disposable` (`using`); the published declarations name that
// lib themselves, so a dependent needs no particular `lib` setting for them.
/// <reference lib="esnext.disposable" preserve="true" />

export { type PodType, type PodOnceType, type PodValue, sizeOf, alignOf } from "./pod/pod-type.js";
export { u8, u16, u32, u64, i8, i16, i32, i64, usize, isize, f32, f64 } from "./pod/scalars.js";
export { struct, type StructFields, type StructOptions, type StructValue } from "./pod/struct.js";
export { array, type ArrayOptions } from "./pod/array.js";

export { type Fallible, type Infallible, type Fallibility } from "./io/fallibility.js";
export { VmError, type VmErrorCode } from "./io/vm-error.js";
export { VmReader } from "./io/vm-reader.js";
export { VmWriter } from "./io/vm-writer.js";
export { type VmIo, type VmIoFill, type VmIoOnce } from "./io/vm-io.js";

export { PAGE_SIZE } from "./frame/page-size.js";
export { type TrackLeaksOption } from "./frame/leak-tracking.js";
export { PhysicalMemory, type PhysicalMemoryOptions, type PagingName, type LeakReport, type MemoryToken, type ReclaimReport } from "./frame/physical-memory.js";
export { FrameAllocOptions } from "./frame/frame-alloc-options.js";
export { Frame, UFrame, type FrameToken } from "./frame/frame.js";
export { Segment, USegment, type SegmentToken } from "./frame/segment.js";
export { FrameVec } from "./frame/frame-vec.js";

export { PageFlags, CachePolicy, PageProperty } from "./vm/page-property.js";
export { VmSpace, MAX_USERSPACE_VADDR, type PageFaultInfo, type SpaceToken } from "./vm/vm-space.js";
export { Mmu, type TlbStats } from "./vm/mmu.js";
export { Cursor, CursorMut, type VaRange, type QueriedPage, type MappedItem, type CopyOptions } from "./vm/cursor.js";
export { type PageTableWalk, type PageTableNodeInfo, type PageTableEntryInfo } from "./vm/page-table-walk.js";

export { GuestMemory } from "./guest/guest-memory.js";
export { type WebAssemblyMemory } from "./guest/guest-space.js";
export { type UserMemory } from "./user/user-memory.js";
export { readCString } from "./user/c-string.js";
export { Iovec32, Iovec64, IOV_MAX, MAX_RW_COUNT, type IovecValue32, type IovecValue64 } from "./user/iovec.js";
export { VmReaderArray } from "./user/vm-reader-array.js";
export { VmWriterArray } from "./user/vm-writer-array.js";
