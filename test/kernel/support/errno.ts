// What a kernel call threw: the errno of a SysError, 0 when it returned.
import { SysError } from "../../../kernel/abi/errno.js";

/** The errno `f` failed with (0 when it did not throw); other exceptions pass through. */
export function errnoOf(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    if (e instanceof SysError) return e.errno;
    throw e;
  }
  return 0;
}
