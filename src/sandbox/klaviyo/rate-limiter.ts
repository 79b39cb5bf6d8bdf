import { createHash } from 'crypto';
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

/**
 * Klaviyo's limits: per API key and endpoint, a burst count per 1 s and a steady count per 60 s, both fixed
 * windows. Throttled requests do not count against the windows.
 */
export class FixedWindowRateLimiter {
  private readonly windows = new Map<string, { burst: Window; steady: Window }>();

  constructor(private readonly limits: ReadonlyMap<OperationId, RateLimit>) {}

  take(key: string, operation: OperationId, nowMs: number): RateDecision {
    const limit = this.limits.get(operation);
    if (!limit) throw new Error(`no rate limit for ${operation}`);
    const id = `${key}\u0000${operation}`;
    const state = this.windows.get(id) ?? { burst: { start: 0, count: 0 }, steady: { start: 0, count: 0 } };
    this.windows.set(id, state);
    roll(state.burst, nowMs, SECOND);
    roll(state.steady, nowMs, MINUTE);
    const steadyReset = state.steady.start + MINUTE - nowMs;
    if (state.steady.count >= limit.steady) return { allowed: false, retryAfterSeconds: Math.ceil(steadyReset / SECOND) };
    if (state.burst.count >= limit.burst) {
      return { allowed: false, retryAfterSeconds: Math.ceil((state.burst.start + SECOND - nowMs) / SECOND) };
    }
    state.burst.count += 1;
    state.steady.count += 1;
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

/**
 * Remembers the Retry-After each request was given, by fingerprint (key, method, path, body), to catch clients that
 * retry it too soon. Fingerprints rather than (key, operation), so that requests already in flight when a 429 went
 * out are not mistaken for retries.
 */
export class RetryAfterTracker {
  private readonly notBefore = new Map<string, number>();

  advise(fingerprint: string, nowMs: number, retryAfterSeconds: number): void {
    this.notBefore.set(fingerprint, nowMs + retryAfterSeconds * SECOND);
  }

  /** How many ms too early this request is, or 0 when it is not early. */
  earlyBy(fingerprint: string, nowMs: number): number {
    const deadline = this.notBefore.get(fingerprint);
    return deadline !== undefined && nowMs < deadline ? deadline - nowMs : 0;
  }

  clear(): void {
    this.notBefore.clear();
  }
}

export function requestFingerprint(authorization: string, method: string, path: string, body: Buffer): string {
  return createHash('sha256').update(`${authorization}\u0000${method}\u0000${path}\u0000`).update(body).digest('hex');
}
