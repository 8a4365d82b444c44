/**
 * A process's memory as the rest of the kernel holds it: the address space,
 * the CPU's view of it, and the harts executing in it — so that a change
 * that makes decoded instructions stale (`munmap`, `mprotect`, `mremap`)
 * reaches every hart that may have them. Shared by the threads of a process
 * and by a `vfork` child until it calls `execve`.
 *
 * Linux counterpart: `struct mm_struct` with its users count (`mmget`/`mmput`).
 *
 * @module
 */

import type { PhysicalMemory } from "vmio";
import type { Hart } from "../cpu/hart.js";
import { AddressSpace } from "../mm/address-space.js";
import type { FaultEvent, MmEvents } from "../mm/mm-events.js";
import { SpaceMemory } from "../mm/space-memory.js";

/** Where a process memory reports faults and stale code (the kernel's counters, other CPUs). */
export interface MemoryEvents {
  fault(pm: ProcessMemory, e: FaultEvent): void;
  codeChanged(pm: ProcessMemory, start: number, end: number): void;
  /** The memory's last user is gone (other CPUs drop their views of it). */
  released(pm: ProcessMemory): void;
}

/**
 * An address space and its users.
 *
 * Linux counterpart: `struct mm_struct`.
 */
export class ProcessMemory implements MmEvents {
  readonly as: AddressSpace;
  /** The CPU's view: what harts of this memory execute against. */
  readonly cpu: SpaceMemory;
  /** Harts executing in this memory (they drop decoded instructions when code changes). */
  readonly harts = new Set<Hart>();
  readonly #events: MemoryEvents;
  /** Threads (of any process) using it. */
  users = 1;
  /** Bumped whenever decoded instructions of this memory may be stale (CPUs compare it before running). */
  codeGen = 0;
  /** Address of the signal trampoline page (set at `execve`; kept by `fork`). */
  trampoline = 0;
  /** A number that tells memories apart (futex keys). */
  readonly id: number;
  static #ids = 0;

  /**
   * A new, empty memory; with `parent`, a copy-on-write copy of it (`fork`).
   *
   * @throws {VmError} `NoMemory`.
   */
  constructor(memory: PhysicalMemory, events: MemoryEvents, lock: Int32Array | undefined, parent?: ProcessMemory) {
    this.#events = events;
    this.id = ++ProcessMemory.#ids;
    this.as = parent === undefined ? new AddressSpace(memory, this) : parent.as.fork(this);
    this.cpu = new SpaceMemory(this.as.space, lock);
    if (parent !== undefined) this.trampoline = parent.trampoline;
  }

  fault(e: FaultEvent): void {
    this.#events.fault(this, e);
  }

  codeChanged(start: number, end: number): void {
    this.codeGen++;
    for (const h of this.harts) h.invalidateCode(start, end);
    this.#events.codeChanged(this, start, end);
  }

  /** Drops one user; the last frees the address space. */
  release(): void {
    if (--this.users !== 0) return;
    this.as.dispose();
    this.#events.released(this);
  }
}
