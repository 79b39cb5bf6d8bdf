import fc from 'fast-check';
import { endpointMinimumSeconds, minimumSeconds } from '../../src/bench/rate-minimum';
import { DOCUMENTED_LIMITS } from '../../src/sinks/klaviyo/limits';

const bulk = DOCUMENTED_LIMITS.bulkCreateEvents; // 10/s, 150/min

describe('rate-limit minimum', () => {
  it('fills each minute at the burst rate, then waits for the next minute', () => {
    expect(endpointMinimumSeconds(0, bulk)).toBe(0);
    expect(endpointMinimumSeconds(1, bulk)).toBe(0);
    expect(endpointMinimumSeconds(10, bulk)).toBe(0);
    expect(endpointMinimumSeconds(11, bulk)).toBe(1);
    expect(endpointMinimumSeconds(150, bulk)).toBe(14);
    expect(endpointMinimumSeconds(151, bulk)).toBe(60);
    expect(endpointMinimumSeconds(1_000, bulk)).toBe(6 * 60 + 9);
  });

  it('never lets any 1 s or 60 s window hold more than its limit when requests start on the schedule it implies', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 400 }), (n, burst, extra) => {
      const limit = { burst, steady: burst + extra };
      // The schedule: request i starts at the minimum for i + 1 requests.
      const starts = Array.from({ length: n }, (_, i) => endpointMinimumSeconds(i + 1, limit));
      const perSecond = new Map<number, number>();
      const perMinute = new Map<number, number>();
      for (const t of starts) {
        perSecond.set(t, (perSecond.get(t) ?? 0) + 1);
        perMinute.set(Math.floor(t / 60), (perMinute.get(Math.floor(t / 60)) ?? 0) + 1);
      }
      expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(limit.burst);
      expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(limit.steady);
      expect(starts[n - 1]).toBe(endpointMinimumSeconds(n, limit));
    }));
  });

  it('takes the slowest endpoint, since endpoints have separate limits', () => {
    expect(minimumSeconds({ bulkCreateEvents: 151, bulkImportProfiles: 20, unknown: 10_000 }, DOCUMENTED_LIMITS)).toBe(60);
  });
});
