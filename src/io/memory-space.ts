/**
 * Memory spaces: how the io layer reaches memory that is not one contiguous run.
 *
 * The io layer knows nothing of frames or page tables. Memory that is one
 * contiguous byte range for the whole life of a reader (typed memory, a
 * segment of RAM) is handed to readers directly as a `Uint8Array`. Memory
 * that is stitched together from pieces (a vector of scattered frames, a
 * user address space translated page by page) is a `MemorySpace`: asked for
 * the run of bytes that starts at an address, it answers with the backing
 * bytes and the run's length, or with 0 for an unresolved fault.
 *
 * Safety contract for implementers:
 * - `run(addr, len, write)` is only called with `len ≥ 1` and with
 *   `[addr, addr + len)` inside the range of a reader or writer created on
 *   this space; it returns `n` in `1..len` with `runBytes[runOffset …
 *   runOffset + n)` being exactly the memory at `[addr, addr + n)`, or 0 when
 *   the byte at `addr` cannot be accessed (for writing, when `write`).
 * - `runBytes` is a `Uint8Array` over a whole buffer (byte offset 0), so
 *   that `runOffset` is also the byte's offset in that buffer; `runView` is a
 *   `DataView` over the same buffer.
 * - Faults that the space can resolve (a TLB miss, demand paging) are
 *   resolved inside `run` and never surface; a fault handler's exception is
 *   parked in `pendingError` and `run` returns 0, so the copy in progress can
 *   account for the bytes it moved before the exception is rethrown.
 * - A space whose backing memory is gone (disposed frames, a disposed address
 *   space) throws a `TypeError` from `run`: that is a contract violation, not
 *   a fault.
 *
 * @module
 */

const emptyBuffer = new ArrayBuffer(0);

/**
 * Memory that is reached one contiguous run at a time.
 *
 * @internal
 */
export abstract class MemorySpace {
  /** Bytes of the last run: a view over the whole backing buffer. */
  runBytes: Uint8Array = new Uint8Array(emptyBuffer);
  /** A `DataView` over the same buffer as {@link runBytes}. */
  runView: DataView = new DataView(emptyBuffer);
  /** Index in {@link runBytes} (and offset in its buffer) of the address passed to the last `run`. */
  runOffset = 0;
  /**
   * When the space has one at hand, a view of exactly the bytes of the last
   * run (`runBytes[runOffset … runOffset + n)`), so that the copy engine can
   * copy it without making a `subarray`; otherwise `null`.
   */
  runSlice: Uint8Array | null = null;
  /** An exception thrown by a fault handler during the last failed `run`, until taken. */
  pendingError: unknown = undefined;
  /** Whether {@link pendingError} holds an exception. */
  hasPendingError = false;
  /** Address of the byte that faulted when `run` last returned 0. */
  faultAddr = 0;
  /** Whether that access was a write. */
  faultWrite = false;

  /** Whether the backing memory is a `SharedArrayBuffer` (other threads may race on it). */
  abstract readonly shared: boolean;

  /**
   * Whether runs may lie in a buffer that typed memory can also view (guest
   * memory: the host holds views of the same `WebAssembly.Memory` buffer).
   * The copy engine then copies overlapping ranges as `memmove` does. RAM
   * is reachable only through vmio, so its spaces say false.
   */
  readonly aliasable: boolean = false;

  /**
   * Finds the run of accessible bytes that starts at `addr`, at most `len`
   * long. Returns its length (≥ 1), with `runBytes`/`runOffset` describing
   * it, or 0 if the byte at `addr` faults.
   */
  abstract run(addr: number, len: number, write: boolean): number;

  /**
   * The run at `addr` if it is at hand with no work at all: true (with
   * `runOffset` set, and `runSlice` either cleared or a view of exactly
   * `[addr, addr + len)`) when all of it is one run already translated for
   * the access. Never faults, never calls a handler: a false answer costs
   * nothing to retry through `run`.
   */
  probe(_addr: number, _len: number, _write: boolean): boolean {
    return false;
  }

  /**
   * The run at `addr` if the space has it at hand with no work, when
   * {@link MemorySpace.probe} did not (a run longer than one piece, such as
   * one whole page of a scattered copy): its length (≥ 1), with `runOffset`
   * and `runSlice` set exactly as `run` would set them and the same
   * answer as `run` would give, else 0 and the caller asks `run`. Never
   * faults, never calls a handler. Called only with `len ≥ 1`.
   */
  probeRun(_addr: number, _len: number, _write: boolean): number {
    return 0;
  }

  /**
   * A number that changes whenever runs handed out earlier may have become
   * invalid (pages unmapped or protected, memory released). The copy engine
   * compares it around calls that can run a fault handler.
   */
  abstract generation(): number;

  /**
   * Enters a critical section for one access (a copy, a value), on spaces
   * whose runs other threads may invalidate. Called only when `shared`.
   */
  enter(): void {}

  /** Leaves the critical section entered by {@link MemorySpace.enter}. */
  exit(): void {}

  /** Takes the parked fault-handler exception, if any. */
  takePendingError(): { error: unknown } | undefined {
    if (!this.hasPendingError) return undefined;
    const error = this.pendingError;
    this.pendingError = undefined;
    this.hasPendingError = false;
    return { error };
  }
}
