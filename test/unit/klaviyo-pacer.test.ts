import fc from 'fast-check';
import { FixedWindowRateLimiter } from '../../src/sandbox/klaviyo/rate-limiter';
import { Pacer, SlidingWindows } from '../../src/sinks/klaviyo/pacer';

/** Start times the pacer hands out to a caller that always wants the next request right away. */
function schedule(n: number, limit: { burst: number; steady: number }, marginMs: number, from = 0): number[] {
  const windows = new SlidingWindows(limit, marginMs);
  const starts: number[] = [];
  let now = from;
  for (let i = 0; i < n; i += 1) {
    now = windows.reserve(now);
    starts.push(now);
  }
  return starts;
}

function maxInWindow(starts: readonly number[], windowMs: number): number {
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < starts.length; hi += 1) {
    while (starts[hi] - starts[lo] >= windowMs) lo += 1;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}

describe('pacer', () => {
  test('runs a 1,000-request bulk backfill exactly at 10/s and 150/min: the k-th start is the earliest possible', () => {
    const starts = schedule(1000, { burst: 10, steady: 150 }, 0);
    const expected = starts.map((_, k) => Math.floor(k / 150) * 60_000 + Math.floor((k % 150) / 10) * 1_000);
    expect(starts).toEqual(expected);
    expect(maxInWindow(starts, 1_000)).toBe(10);
    expect(maxInWindow(starts, 60_000)).toBe(150);
  });

  test('property: no start would be throttled by Klaviyo-style fixed windows, whatever their alignment', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 59_999 }), fc.nat(100),
      (burst, steadyExtra, offset, marginMs) => {
        const limit = { burst, steady: burst + steadyExtra };
        const limiter = new FixedWindowRateLimiter(new Map([['create_event' as const, limit]]));
        for (const at of schedule(limit.steady * 2 + 5, limit, marginMs, offset)) {
          expect(limiter.take('k', 'create_event', at).allowed).toBe(true);
        }
      },
    ), { numRuns: 60 });
  });

  test('a pause (Retry-After) holds every start until it has passed, even slots reserved before it', async () => {
    let now = 0;
    const pacer = new Pacer({ burst: 1000, steady: 100_000 }, 0, () => now);
    pacer.pause(40);
    const started = Date.now();
    const timer = setInterval(() => { now = Date.now() - started; }, 2);
    await pacer.acquire();
    clearInterval(timer);
    expect(now).toBeGreaterThanOrEqual(40);
  });
});
