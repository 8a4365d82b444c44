// What the test thread and its workers say to each other (see kit.ts and
// ../support.ts). Exceptions cross the thread boundary described as plain
// objects: structured cloning keeps an Error's message but not vmio's own
// fields (VmError's `code` and `copied`, a contract violation's `code`).

/** The command that asks a worker to answer, close its port and end (`done()` in support.ts). */
export const EXIT_COMMAND = "__exit";

/** A thrown value, described. */
export interface ErrorInfo {
  /** The constructor's name: "VmError", "RangeError", "TypeError", "Error", … */
  readonly name: string;
  readonly message: string;
  /** VmError's code ("PageFault", …) or a contract violation's ("ERR_USE_AFTER_DISPOSE", …). */
  readonly code?: string;
  /** VmError's `copied`. */
  readonly copied?: number;
  readonly stack?: string;
}

/** Describes any thrown value. */
export function errorInfo(e: unknown): ErrorInfo {
  if (e instanceof Error) {
    const extra = e as { code?: unknown; copied?: unknown };
    return {
      name: e.constructor.name,
      message: e.message,
      ...(typeof extra.code === "string" ? { code: extra.code } : {}),
      ...(typeof extra.copied === "number" ? { copied: extra.copied } : {}),
      ...(e.stack === undefined ? {} : { stack: e.stack }),
    };
  }
  return { name: typeof e, message: String(e) };
}

/** Runs `fn` and describes what it threw, or returns `undefined` when it returned. */
export function caught(fn: () => unknown): ErrorInfo | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return errorInfo(e);
  }
}
