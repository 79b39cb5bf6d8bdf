import { mulberry32, type Random } from '../../util/prng';

/** Probabilities per request, checked in this order; at most one fault per request. */
export interface FaultRates {
  readonly rateLimited?: number;
  readonly serverError?: number;
  readonly reset?: number;
  readonly throttled?: number;
  readonly slow?: number;
  readonly slowMs?: number;
  /** Seconds sent in Retry-After with a 429 (Shopify sends e.g. "2.0"). */
  readonly retryAfterSeconds?: number;
}

export type Fault =
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number }
  | { readonly kind: 'server_error' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'throttled' }
  | { readonly kind: 'slow'; readonly ms: number };

/**
 * Seeded fault injection. A faulted request (other than `slow`, which only delays) is answered before the sandbox
 * reads it, so it has no effect on the store or the cost bucket.
 */
export class FaultInjector {
  private rates: FaultRates = {};
  private random: Random;
  private readonly counts = new Map<Fault['kind'], number>();

  constructor(seed: number) {
    this.random = mulberry32(seed);
  }

  configure(rates: FaultRates, seed?: number): void {
    this.rates = rates;
    if (seed !== undefined) this.random = mulberry32(seed);
  }

  clear(): void {
    this.rates = {};
  }

  injected(): Readonly<Record<Fault['kind'], number>> {
    return {
      rate_limited: this.counts.get('rate_limited') ?? 0,
      server_error: this.counts.get('server_error') ?? 0,
      reset: this.counts.get('reset') ?? 0,
      throttled: this.counts.get('throttled') ?? 0,
      slow: this.counts.get('slow') ?? 0,
    };
  }

  next(): Fault | null {
    const r = this.rates;
    const fault = this.pick(r);
    if (fault) this.counts.set(fault.kind, (this.counts.get(fault.kind) ?? 0) + 1);
    return fault;
  }

  private pick(r: FaultRates): Fault | null {
    if (this.hit(r.rateLimited)) return { kind: 'rate_limited', retryAfterSeconds: r.retryAfterSeconds ?? 2 };
    if (this.hit(r.serverError)) return { kind: 'server_error' };
    if (this.hit(r.reset)) return { kind: 'reset' };
    if (this.hit(r.throttled)) return { kind: 'throttled' };
    if (this.hit(r.slow)) return { kind: 'slow', ms: r.slowMs ?? 1000 };
    return null;
  }

  private hit(rate: number | undefined): boolean {
    // Draw only for configured faults, so adding one kind does not reshuffle the others' sequence.
    return rate !== undefined && rate > 0 && this.random() < rate;
  }
}
