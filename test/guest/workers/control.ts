// The control words shared by shared.test.ts and guest-worker.ts.

/** Set by the test: stop hammering. */
export const STOP = 0;
/** Set by the test: grow now. */
export const GROW_REQUEST = 1;
/** Set by the worker: grown. */
export const GROWN = 2;
/** Set by the worker: hammering has started. */
export const READY = 3;
