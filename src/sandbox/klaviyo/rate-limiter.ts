import type { OperationId, RateLimit } from './operations';

export type RateDecision =
  | { readonly allowed: true; readonly limit: number; readonly remaining: number; readonly resetSeconds: number }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Window {
  start: number;
  count: number;
}

const SECOND = 1_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * Klaviyo's limits: per API key and endpoint, a burst count per 1 s and a steady count per 60 s, both fixed
 * windows. Throttled requests do not count against the windows.
 */
export class FixedWindowRateLimiter {
  private readonly windows = new Map<string, { burst: Window; steady: Window; daily: Window }>();

  constructor(private readonly limits: ReadonlyMap<OperationId, RateLimit>) {}

  take(key: string, operation: OperationId, nowMs: number): RateDecision {
    const limit = this.limits.get(operation);
    if (!limit) throw new Error(`no rate limit for ${operation}`);
    const id = `${key}\u0000${operation}`;
    const state = this.windows.get(id) ?? { burst: { start: 0, count: 0 }, steady: { start: 0, count: 0 }, daily: { start: 0, count: 0 } };
    this.windows.set(id, state);
    roll(state.burst, nowMs, SECOND);
    roll(state.steady, nowMs, MINUTE);
    roll(state.daily, nowMs, DAY);
    // A spent daily cap (UTC day) is answered like the others: 429 with the seconds until it resets.
    if (limit.daily !== undefined && state.daily.count >= limit.daily) {
      return { allowed: false, retryAfterSeconds: Math.ceil((state.daily.start + DAY - nowMs) / SECOND) };
    }
    const steadyReset = state.steady.start + MINUTE - nowMs;
    if (state.steady.count >= limit.steady) return { allowed: false, retryAfterSeconds: Math.ceil(steadyReset / SECOND) };
    if (state.burst.count >= limit.burst) {
      return { allowed: false, retryAfterSeconds: Math.ceil((state.burst.start + SECOND - nowMs) / SECOND) };
    }
    state.burst.count += 1;
    state.steady.count += 1;
    state.daily.count += 1;
    return {
      allowed: true,
      limit: limit.steady,
      remaining: limit.steady - state.steady.count,
      resetSeconds: Math.ceil(steadyReset / SECOND),
    };
  }

  clear(): void {
    this.windows.clear();
  }
}

function roll(window: Window, nowMs: number, size: number): void {
  const start = Math.floor(nowMs / size) * size;
  if (start !== window.start) {
    window.start = start;
    window.count = 0;
  }
}

/** How a request stands against the 429s its endpoint gave out before it arrived. */
export type RetryAfterVerdict =
  | { readonly kind: 'clear' }
  /** Sent after the 429 could have reached the client, and before its Retry-After: the client should have waited. */
  | { readonly kind: 'early'; readonly earlyByMs: number }
  /** Already on its way when the 429 went out: the client could not have known. */
  | { readonly kind: 'on_wire' };

interface Advice {
  readonly throttledAt: number;
  readonly notBefore: number;
}

/**
 * Remembers each 429's Retry-After per (key, operation): Klaviyo's limits are per endpoint, and "immediate retries
 * will always receive a 429", so after a 429 no request to that endpoint should be sent before Retry-After, whatever
 * its body. A request that started arriving within `graceMs` after the 429 was answered counts as already on the
 * wire: the client sent it before the answer could reach it (loopback latency plus an event-loop turn).
 */
export class RetryAfterTracker {
  private readonly advice = new Map<string, Advice[]>();

  constructor(private readonly graceMs: number) {}

  advise(key: string, operation: OperationId, nowMs: number, retryAfterSeconds: number): void {
    const id = `${key}\u0000${operation}`;
    const live = (this.advice.get(id) ?? []).filter((a) => a.notBefore > nowMs);
    live.push({ throttledAt: nowMs, notBefore: nowMs + retryAfterSeconds * SECOND });
    this.advice.set(id, live);
  }

  /** `startedMs`: when the request's first bytes arrived. */
  verdict(key: string, operation: OperationId, startedMs: number): RetryAfterVerdict {
    const pending = (this.advice.get(`${key}\u0000${operation}`) ?? []).filter((a) => startedMs < a.notBefore);
    const ignored = pending.filter((a) => startedMs > a.throttledAt + this.graceMs);
    if (ignored.length > 0) return { kind: 'early', earlyByMs: Math.max(...ignored.map((a) => a.notBefore)) - startedMs };
    return pending.length > 0 ? { kind: 'on_wire' } : { kind: 'clear' };
  }

  clear(): void {
    this.advice.clear();
  }
}
