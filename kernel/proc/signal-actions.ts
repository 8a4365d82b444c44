/**
 * Signal dispositions: what each signal does in a process. Threads share
 * them (`CLONE_SIGHAND`); `fork` copies them; `execve` resets caught
 * signals to their default (ignored ones stay ignored).
 *
 * Linux counterpart: `struct sighand_struct` (`kernel/signal.c`,
 * `flush_signal_handlers`).
 *
 * @module
 */

import { NSIG, SIG_DFL, SIG_IGN } from "../abi/signal.js";

/** One signal's disposition. Linux counterpart: `struct k_sigaction`. */
export interface SignalAction {
  /** `SIG_DFL`, `SIG_IGN`, or the handler's address. */
  handler: number;
  flags: number;
  /** Signals blocked while the handler runs. */
  mask: bigint;
}

/**
 * The dispositions of signals 1–64.
 *
 * Linux counterpart: `struct sighand_struct`.
 */
export class SignalActions {
  readonly #actions: SignalAction[];
  /** Threads and processes sharing them (`CLONE_SIGHAND`). */
  users = 1;

  constructor(from?: SignalActions) {
    const source = from === undefined ? undefined : from.#actions;
    this.#actions = Array.from({ length: NSIG + 1 }, (_, i) => {
      const a = source?.[i];
      return a === undefined ? { handler: SIG_DFL, flags: 0, mask: 0n } : { ...a };
    });
  }

  /** The disposition of `sig` (1–64). */
  get(sig: number): SignalAction {
    return this.#actions[sig] as SignalAction;
  }

  /** Replaces the disposition of `sig`. */
  set(sig: number, action: SignalAction): void {
    this.#actions[sig] = { ...action };
  }

  /** A copy (`fork`). */
  fork(): SignalActions {
    return new SignalActions(this);
  }

  /** Resets every caught signal to `SIG_DFL` (`execve`). Linux counterpart: `flush_signal_handlers`. */
  resetForExec(): void {
    for (let s = 1; s <= NSIG; s++) {
      const a = this.#actions[s] as SignalAction;
      if (a.handler !== SIG_IGN) this.#actions[s] = { handler: SIG_DFL, flags: 0, mask: 0n };
      else a.flags = 0;
    }
  }
}
