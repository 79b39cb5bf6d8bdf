/**
 * Per-endpoint pacing to Klaviyo's burst (1 s) and steady (60 s) windows. Klaviyo counts in fixed windows; we
 * keep a sliding log instead, which is stricter than any alignment of fixed windows, so we can run right at the
 * limit without ever tripping it. A small margin absorbs the jitter between our send time and Klaviyo's arrival.
 */
import type { RateLimit } from './limits';
import { sleep } from '../../util/retry';

export const BURST_WINDOW_MS = 1_000;
export const STEADY_WINDOW_MS = 60_000;

/** Pure core: the sliding log of start times for one endpoint. */
export class SlidingWindows {
  private readonly starts: number[] = [];
  private pausedUntil = 0;

  constructor(private readonly limit: RateLimit, private readonly marginMs: number) {}

  /** Earliest start at or after `now` that keeps every 1 s and 60 s window within the limit. */
  earliest(now: number): number {
    let at = Math.max(now, this.pausedUntil);
    const n = this.starts.length;
    if (n >= this.limit.burst) at = Math.max(at, this.starts[n - this.limit.burst] + BURST_WINDOW_MS + this.marginMs);
    if (n >= this.limit.steady) at = Math.max(at, this.starts[n - this.limit.steady] + STEADY_WINDOW_MS + this.marginMs);
    return at;
  }

  /** Reserves the earliest slot; starts are recorded in order, so the log stays sorted. */
  reserve(now: number): number {
    const at = this.earliest(now);
    this.starts.push(at);
    const keep = Math.max(this.limit.burst, this.limit.steady);
    if (this.starts.length > keep * 2) this.starts.splice(0, this.starts.length - keep);
    return at;
  }

  /** After a 429: nothing starts before the server said it may. */
  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  isPaused(now: number): boolean {
    return now < this.pausedUntil;
  }
}

export class Pacer {
  private readonly windows: SlidingWindows;

  constructor(limit: RateLimit, marginMs: number, private readonly now: () => number = Date.now) {
    this.windows = new SlidingWindows(limit, marginMs);
  }

  /** Resolves when a request may start. A slot reserved before a pause began is given up, not used early. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const at = this.windows.reserve(this.now());
      const wait = at - this.now();
      if (wait > 0) await sleep(wait, signal);
      if (signal?.aborted || !this.windows.isPaused(this.now())) return;
    }
  }

  pause(ms: number): void {
    this.windows.pause(this.now() + ms);
  }
}
