/**
 * Per-endpoint pacing to Klaviyo's burst (1 s) and steady (60 s) windows. Klaviyo counts requests as they
 * arrive, in fixed windows of unknown alignment; all we know is that a request arrived between the moment we
 * sent it and the moment its answer came back. So a request may start at t only if fewer than `limit` earlier
 * requests could still have arrived within (t - window, t]: those still in flight, and those answered after
 * t - window. That holds for any alignment and any network jitter, and costs about one round trip per burst
 * window, nothing in the steady window.
 */
import type { RateLimit } from './limits';
import { sleep } from '../../util/retry';

export const BURST_WINDOW_MS = 1_000;
export const STEADY_WINDOW_MS = 60_000;

/** Either the earliest start time, or: wait until some request in flight is answered. */
export type Earliest = { readonly at: number } | { readonly waitForAnswer: true };

/** What the rule reads: requests in flight and answer times (ascending) of one endpoint, and a 429's pause. */
export interface WindowState {
  readonly now: number;
  readonly inFlight: number;
  readonly ends: readonly number[];
  readonly pausedUntil: number;
}

/**
 * THE timing rule, for this process's windows and for an account's windows shared by a fleet through Redis alike:
 * a request may start once fewer than `limit` earlier requests could still have arrived within each window.
 */
export function earliestStart(limit: RateLimit, marginMs: number, state: WindowState): Earliest {
  let at = Math.max(state.now, state.pausedUntil);
  const open = state.inFlight;
  const { ends } = state;
  for (const [count, window] of [[limit.burst, BURST_WINDOW_MS], [limit.steady, STEADY_WINDOW_MS]] as const) {
    if (open >= count) return { waitForAnswer: true };
    // With `open` possibly inside the window, the (count - open)-th latest answer must be a window old.
    const k = count - open;
    if (ends.length >= k) at = Math.max(at, ends[ends.length - k] + window + marginMs);
  }
  return { at };
}

/** What the dispatcher paces each endpoint with: this process's Pacer, or a fleet's SharedPacer. */
export interface RequestPacer {
  /**
   * Resolves with a request id once the request may start (null when aborted); `finish(id)` once it is answered.
   * `patient()` true: wait however long the account's windows say, never put the job back (a delivery under way);
   * asked when the wait is known, since another request of the same delivery may have started meanwhile.
   */
  acquire(signal?: AbortSignal, patient?: () => boolean): Promise<number | null>;
  finish(id: number): void;
  pause(ms: number): void;
}

/** Pure core: requests in flight and the answer times of recent ones, for one endpoint. */
export class SlidingWindows {
  private readonly inFlight = new Set<number>();
  /** Answer times, ascending; only the last `steady` can bind a new request. */
  private readonly ends: number[] = [];
  private nextId = 0;
  private pausedUntil = 0;

  constructor(private readonly limit: RateLimit, private readonly marginMs: number) {}

  earliest(now: number): Earliest {
    return earliestStart(this.limit, this.marginMs, { now, inFlight: this.inFlight.size, ends: this.ends, pausedUntil: this.pausedUntil });
  }

  start(): number {
    const id = this.nextId++;
    this.inFlight.add(id);
    return id;
  }

  finish(id: number, at: number): void {
    if (!this.inFlight.delete(id)) return;
    let i = this.ends.length;
    while (i > 0 && this.ends[i - 1] > at) i -= 1;
    this.ends.splice(i, 0, at);
    if (this.ends.length > this.limit.steady * 2) this.ends.splice(0, this.ends.length - this.limit.steady);
  }

  /** After a 429: nothing starts before the server said it may. */
  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }
}

export class Pacer implements RequestPacer {
  private readonly windows: SlidingWindows;
  private answered: Array<() => void> = [];
  /** Acquisitions run one after another, first come first served. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(limit: RateLimit, marginMs: number, private readonly now: () => number = Date.now) {
    this.windows = new SlidingWindows(limit, marginMs);
  }

  /** Resolves with a request id once the request may start (null when aborted); `finish(id)` once it is answered. */
  acquire(signal?: AbortSignal): Promise<number | null> {
    const next = this.turn.then(() => this.take(signal));
    this.turn = next.catch(() => undefined);
    return next;
  }

  /** The request got its answer, or failed for good (timeout, reset). */
  finish(id: number): void {
    this.windows.finish(id, this.now());
    const waiting = this.answered;
    this.answered = [];
    for (const wake of waiting) wake();
  }

  pause(ms: number): void {
    this.windows.pause(this.now() + ms);
  }

  private async take(signal?: AbortSignal): Promise<number | null> {
    for (;;) {
      if (signal?.aborted) return null;
      const earliest = this.windows.earliest(this.now());
      if ('waitForAnswer' in earliest) {
        await this.nextAnswer(signal);
        continue;
      }
      const wait = earliest.at - this.now();
      if (wait <= 0) return this.windows.start();
      await sleep(wait, signal);
    }
  }

  private nextAnswer(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.answered.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
