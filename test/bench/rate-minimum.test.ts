import fc from 'fast-check';
import { bulkMaxima, endpointMinimumSeconds, minimumSeconds, neededRequests } from '../../src/bench/rate-minimum';
import { scaledAccountVariables } from '../../src/bench/scaled-account';
import { DOCUMENTED_LIMITS, formatRateLimits, parseRateLimits, scaleLimit, scaleLimits, type RateLimit } from '../../src/sinks/klaviyo/limits';

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

  it('scaled accounts: limits and bulk maxima divided, each at least 1, and the minimum taken with both', () => {
    expect(scaleLimit({ burst: 10, steady: 150 }, 5)).toEqual({ burst: 2, steady: 30 });
    expect(scaleLimit({ burst: 10, steady: 150 }, 20)).toEqual({ burst: 1, steady: 7 });
    expect(scaleLimit({ burst: 10, steady: 150 }, 1_000)).toEqual({ burst: 1, steady: 1 });
    expect(() => scaleLimit({ burst: 10, steady: 150 }, 0)).toThrow(RangeError);
    expect(scaleLimits(DOCUMENTED_LIMITS, 1)).toEqual(DOCUMENTED_LIMITS);
    expect(bulkMaxima(1)).toEqual({ events: 1_000, profiles: 10_000 });
    expect(bulkMaxima(100)).toEqual({ events: 10, profiles: 100 });
    expect(bulkMaxima(20_000)).toEqual({ events: 1, profiles: 1 });
    // 400 events at 10 a request: 40 requests at 2/s and 30/min (documented ÷ 5): 30 in the first minute (14 s), 10 more from 60 s.
    const needed = neededRequests({ events: 400, profiles: 100 }, bulkMaxima(100));
    expect(needed).toEqual({ bulkCreateEvents: 40, bulkImportProfiles: 1, jobStatus: 1 });
    expect(minimumSeconds(needed, scaleLimits(DOCUMENTED_LIMITS, 5))).toBe(64);
    expect(minimumSeconds(neededRequests({ events: 400, profiles: 100 }), DOCUMENTED_LIMITS)).toBe(0);
  });

  it('a scaled account reaches the workers as the same limits, through the store variables they validate', () => {
    const variables = scaledAccountVariables(5, 100);
    expect(variables).toEqual({
      KLAVIYO_RATE_LIMITS: 'createEvent=70/700,bulkCreateEvents=2/30,profileImport=15/150,bulkImportProfiles=2/30,jobStatus=2/30',
      KLAVIYO_MAX_EVENTS_PER_BULK: '10', KLAVIYO_MAX_PROFILES_PER_BULK: '100',
    });
    expect(parseRateLimits(variables.KLAVIYO_RATE_LIMITS)).toEqual({ limits: scaleLimits(DOCUMENTED_LIMITS, 5), problems: [] });
    expect(scaledAccountVariables(1, 1)).toEqual({});
  });

  it('parses what it formats, and names every problem of a bad limits text', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 400 }), (k) => {
      expect(parseRateLimits(formatRateLimits(scaleLimits(DOCUMENTED_LIMITS, k))).limits).toEqual(scaleLimits(DOCUMENTED_LIMITS, k));
    }));
    expect(parseRateLimits('').limits).toEqual({});
    expect(parseRateLimits(' jobStatus=1/15 , bulkCreateEvents=2/30').limits).toEqual({ jobStatus: { burst: 1, steady: 15 }, bulkCreateEvents: { burst: 2, steady: 30 } });
    expect(parseRateLimits('jobStatus=1/15,jobStatus=2/15,nope=1/1,bulkCreateEvents=1,createEvent=0/5').problems).toEqual([
      '"jobStatus=2/15": jobStatus given twice',
      '"nope=1/1": unknown endpoint nope (allowed: createEvent, bulkCreateEvents, profileImport, bulkImportProfiles, jobStatus)',
      '"bulkCreateEvents=1": expected endpoint=burst/steady, e.g. bulkCreateEvents=10/150',
      '"createEvent=0/5": burst and steady must be at least 1',
    ]);
  });
});
