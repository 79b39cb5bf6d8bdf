import fc from 'fast-check';
import { endpointMinimumSeconds, minimumSeconds, neededRequests } from '../../src/bench/rate-minimum';
import { DOCUMENTED_LIMITS, type RateLimit } from '../../src/sinks/klaviyo/limits';

const bulk = DOCUMENTED_LIMITS.bulkCreateEvents; // 10/s, 150/min

/**
 * An independent brute force: walk the seconds from the first request, sending in each as many as both of its
 * fixed windows (the second, and the minute it falls in) still allow, and answer the second of the last request.
 */
function bruteForceSeconds(requests: number, limit: RateLimit): number {
  let left = requests;
  let inMinute = 0;
  for (let second = 0; ; second += 1) {
    if (second % 60 === 0) inMinute = 0;
    const now = Math.min(limit.burst, limit.steady - inMinute, left);
    left -= now;
    inMinute += now;
    if (left === 0) return second;
  }
}

describe('rate-limit minimum', () => {
  it('hand-checked values: fills each minute at the burst rate, then waits for the next minute', () => {
    expect(endpointMinimumSeconds(0, bulk)).toBe(0);
    expect(endpointMinimumSeconds(1, bulk)).toBe(0);
    expect(endpointMinimumSeconds(10, bulk)).toBe(0);
    expect(endpointMinimumSeconds(11, bulk)).toBe(1);
    expect(endpointMinimumSeconds(150, bulk)).toBe(14);
    expect(endpointMinimumSeconds(151, bulk)).toBe(60);
    expect(endpointMinimumSeconds(1_000, bulk)).toBe(6 * 60 + 9);
  });

  it('equals a second-by-second brute force for any count and limits', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3_000 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 4_000 }), (n, burst, extra) => {
      const limit = { burst, steady: burst + extra };
      expect(endpointMinimumSeconds(n, limit)).toBe(bruteForceSeconds(n, limit));
    }), { numRuns: 500 });
  });

  it('takes the slowest endpoint, since endpoints have separate limits', () => {
    expect(minimumSeconds({ bulkCreateEvents: 151, bulkImportProfiles: 20, unknown: 10_000 }, DOCUMENTED_LIMITS)).toBe(60);
  });

  it('needs ⌈events/1,000⌉ event requests, ⌈profiles/10,000⌉ import jobs and one status read per job', () => {
    expect(neededRequests({ events: 0, profiles: 0 })).toEqual({ bulkCreateEvents: 0, bulkImportProfiles: 0, jobStatus: 0 });
    expect(neededRequests({ events: 1, profiles: 1 })).toEqual({ bulkCreateEvents: 1, bulkImportProfiles: 1, jobStatus: 1 });
    expect(neededRequests({ events: 150_001, profiles: 100_000 })).toEqual({ bulkCreateEvents: 151, bulkImportProfiles: 10, jobStatus: 10 });
    // 151 event requests bind: the second minute's window.
    expect(minimumSeconds(neededRequests({ events: 150_001, profiles: 100_000 }), DOCUMENTED_LIMITS)).toBe(60);
  });
});
