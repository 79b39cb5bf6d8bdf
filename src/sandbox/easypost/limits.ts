import { mulberry32, type Random } from '../../util/prng';

/** Per-request fault probabilities (0-1). A faulted request is refused before it touches any state. */
export interface FaultOptions {
  readonly rate429?: number;
  readonly rate5xx?: number;
  readonly rateSlow?: number;
  readonly rateReset?: number;
  /** Extra latency of a slow response; the request then proceeds normally. */
  readonly slowMs?: number;
  readonly seed?: number;
}

export type Fault = 'none' | 'rate_limited' | 'server_error' | 'slow' | 'reset';

export class FaultInjector {
  private readonly random: Random;
  constructor(private readonly options: FaultOptions) {
    this.random = mulberry32(options.seed ?? 1);
  }

  /** One roll per request, in a fixed order, so a seed replays the same fault sequence. */
  next(): Fault {
    const roll = this.random();
    const { rate429 = 0, rate5xx = 0, rateReset = 0, rateSlow = 0 } = this.options;
    if (roll < rate429) return 'rate_limited';
    if (roll < rate429 + rate5xx) return 'server_error';
    if (roll < rate429 + rate5xx + rateReset) return 'reset';
    if (roll < rate429 + rate5xx + rateReset + rateSlow) return 'slow';
    return 'none';
  }

  get slowMs(): number {
    return this.options.slowMs ?? 2_000;
  }
}

/**
 * EasyPost's fixed limit on Index endpoints (5 requests/second per key). Real time, not the simulated clock:
 * the limit is about request bursts, which happen in wall-clock time whatever the scenario's date.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Counts only admitted requests, so a client that backs off is not punished for its refused ones. */
  tryAcquire(key: string): boolean {
    const now = this.now();
    const recent = (this.hits.get(key) ?? []).filter((at) => at > now - this.windowMs);
    const admitted = recent.length < this.limit;
    if (admitted) recent.push(now);
    this.hits.set(key, recent);
    return admitted;
  }
}
