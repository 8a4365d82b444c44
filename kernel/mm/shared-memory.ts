/**
 * Shared memory objects: the pages behind `MAP_SHARED` mappings, which
 * `fork` shares instead of copying. The object holds one frame handle per
 * page touched so far; every area mapping it holds a reference, and the
 * last one to go frees the frames (mappings keep their own references, as
 * vmio's page table does).
 *
 * Linux counterpart: a shmem (tmpfs) inode behind `MAP_SHARED|MAP_ANONYMOUS`.
 *
 * @module
 */

import { FrameAllocOptions, type PhysicalMemory, type UFrame } from "vmio";

/**
 * The pages of one shared mapping.
 *
 * Linux counterpart: `shmem_file_setup` / `shmem_get_folio`.
 */
export class SharedMemory {
  readonly #alloc: FrameAllocOptions;
  readonly #pages = new Map<number, UFrame>();
  #refs = 0;

  constructor(memory: PhysicalMemory) {
    this.#alloc = new FrameAllocOptions(memory);
  }

  /** Page `index` of the object, made (zeroed) on first use. The object keeps the handle. @throws {VmError} `NoMemory`. */
  page(index: number): UFrame {
    let frame = this.#pages.get(index);
    if (frame === undefined) {
      frame = this.#alloc.allocFrame();
      this.#pages.set(index, frame);
    }
    return frame;
  }

  /** Number of pages made so far. */
  get pages(): number {
    return this.#pages.size;
  }

  /** One more area maps the object. */
  ref(): void {
    this.#refs++;
  }

  /** One area less; the last frees the pages. */
  unref(): void {
    if (--this.#refs > 0) return;
    for (const f of this.#pages.values()) f.dispose();
    this.#pages.clear();
  }
}
