/**
 * Catching demo-cow's copy-on-write moment in the inspector's page, for the
 * README's screenshot tool and the browser tests (Node, a developer's tool).
 *
 * Polling the page for the moment races the page's redraws: on a loaded
 * machine a poll can come after the moment's sample was drawn and replaced,
 * and the demo moves on without it. So the page is watched from inside
 * instead: a script installed before the page's own wraps the kernel
 * worker's `onmessage`, tests every sample as it arrives, and from the first
 * that shows the moment on, holds back every later message (in order) until
 * released. The worker runs on; the page keeps drawing what it has, which
 * ends at the moment's sample, so a slow screenshot still shows it. Nothing
 * depends on when a poll or a frame happens.
 *
 * @module
 */

import type { Page } from "playwright-core";

/** What the page exposes once the hold is installed, as `globalThis.inspectorHold`. */
export interface MomentHold {
  /** The moment's sample number, once one came. */
  readonly seq: number | undefined;
  /** Delivers the messages held back, in order, and holds no more. */
  release(): void;
}

/** Which moment: demo-cow (the first program) after its fork, parent and child both sharing pages copy-on-write. */
export interface MomentOptions {
  /** Also a page the child has already copied (a "cow-copy" fault). */
  readonly copied: boolean;
}

/** The parts of the worker's messages the moment is read from. */
type Message =
  | { readonly kind: "demo"; readonly index: number }
  | {
      readonly kind: "sample";
      readonly sample: {
        readonly seq: number;
        readonly processes: ReadonlyArray<{ readonly regions: ReadonlyArray<{ readonly cowShared: number }> }>;
        readonly counters: { readonly faults: Readonly<Record<string, number>> };
      };
    }
  | { readonly kind: "other" };

type Handler = ((this: unknown, e: { readonly data: Message }) => void) | null;
type WorkerClass = new (...args: never[]) => { onmessage: Handler };

/** Runs in the page, before its scripts (it is serialized: it uses nothing from outside). */
function installHold(options: MomentOptions): void {
  const g = globalThis as unknown as { Worker: WorkerClass; inspectorHold: MomentHold };
  const Native = g.Worker;
  let demo = -1;
  let seq: number | undefined;
  let released = false;
  const held: Array<() => void> = [];
  g.inspectorHold = {
    get seq() {
      return seq;
    },
    release() {
      released = true;
      for (const deliver of held.splice(0)) deliver();
    },
  };
  const watch =
    (handler: NonNullable<Handler>): NonNullable<Handler> =>
    function (this: unknown, e) {
      if (seq !== undefined && !released) {
        held.push(() => handler.call(this, e));
        return;
      }
      const m = e.data;
      if (m.kind === "demo") demo = m.index;
      if (seq === undefined && demo === 0 && m.kind === "sample") {
        const s = m.sample;
        const moment =
          s.processes.length === 2 &&
          s.processes.every((p) => p.regions.some((r) => r.cowShared > 0)) &&
          (!options.copied || (s.counters.faults["cow-copy"] ?? 0) > 0);
        if (moment) seq = s.seq;
      }
      handler.call(this, e);
    };
  // The platform's `onmessage` accessor, wherever on the prototype chain it is.
  let owner: object | null = Native.prototype as object;
  let base: PropertyDescriptor | undefined;
  while (owner !== null && (base = Object.getOwnPropertyDescriptor(owner, "onmessage")) === undefined) owner = Object.getPrototypeOf(owner) as object | null;
  const accessor = base;
  if (accessor?.get === undefined || accessor.set === undefined) throw new Error("inspectorHold: Worker has no onmessage accessor");
  class Watched extends Native {}
  Object.defineProperty(Watched.prototype, "onmessage", {
    configurable: true,
    get(this: object): Handler {
      return accessor.get?.call(this) as Handler;
    },
    set(this: object, handler: Handler) {
      accessor.set?.call(this, handler === null ? null : watch(handler));
    },
  });
  g.Worker = Watched;
}

/**
 * Installs the hold in `page`, for its next navigation: call it before
 * `page.goto`. Read it in the page as `globalThis.inspectorHold`.
 */
export async function holdCowMoment(page: Page, options: MomentOptions): Promise<void> {
  await page.addInitScript(installHold, options);
}
