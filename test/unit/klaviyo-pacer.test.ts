import fc from 'fast-check';
import { FixedWindowRateLimiter } from '../../src/sandbox/klaviyo/rate-limiter';
import { Pacer, SlidingWindows } from '../../src/sinks/klaviyo/pacer';

interface Sent { start: number; arrival: number; end: number }

/**
 * A caller that always wants the next request at once, against a server whose answers take `latency(i)` and
 * where request i arrives at `start + arrivalShare(i) * latency`: the pacer only ever sees starts and ends.
 */
function simulate(
  n: number, limit: { burst: number; steady: number }, marginMs: number,
  latency: (i: number) => number = () => 0, arrivalShare: (i: number) => number = () => 0, from = 0,
): Sent[] {
  const windows = new SlidingWindows(limit, marginMs);
  const sent: Sent[] = [];
  const open = new Set<number>();
  let now = from;
  const settle = () => {
    for (const id of [...open]) {
      if (sent[id].end <= now) {
        windows.finish(id, sent[id].end);
        open.delete(id);
      }
    }
  };
  while (sent.length < n) {
    settle();
    const earliest = windows.earliest(now);
    if ('waitForAnswer' in earliest) {
      now = Math.min(...[...open].map((id) => sent[id].end));
      continue;
    }
    if (earliest.at > now) {
      now = earliest.at;
      continue;
    }
    const id = windows.start();
    const d = latency(id);
    sent.push({ start: now, arrival: now + arrivalShare(id) * d, end: now + d });
    open.add(id);
  }
  return sent;
}

function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi += 1) {
    while (sorted[hi] - sorted[lo] >= windowMs) lo += 1;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}

describe('pacer', () => {
  test('a 1,000-request bulk backfill at 10/s and 150/min: with instant answers the k-th start is the earliest possible', () => {
    const starts = simulate(1000, { burst: 10, steady: 150 }, 0).map((s) => s.start);
    expect(starts).toEqual(starts.map((_, k) => Math.floor(k / 150) * 60_000 + Math.floor((k % 150) / 10) * 1_000));
  });

  test('with 80 ms round trips a backfill costs one round trip per burst window, well within 10% at scale', () => {
    const sent = simulate(1500, { burst: 10, steady: 150 }, 0, () => 80, () => 0.5);
    const last = sent[sent.length - 1].start;
    const ideal = 9 * 60_000 + 14 * 1_000;
    expect(last).toBeGreaterThanOrEqual(ideal);
    expect(last).toBeLessThanOrEqual(ideal * 1.01);
    expect(maxInWindow(sent.map((s) => s.arrival), 1_000)).toBe(10);
    expect(maxInWindow(sent.map((s) => s.arrival), 60_000)).toBe(150);
  });

  test('property: whatever the latency and arrival jitter, Klaviyo-style fixed windows at any alignment never throttle', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 59_999 }),
      fc.array(fc.integer({ min: 0, max: 1_500 }), { minLength: 1, maxLength: 50 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 50 }),
      (burst, steadyExtra, offset, latencies, shares) => {
        const limit = { burst, steady: burst + steadyExtra };
        const sent = simulate(limit.steady * 2 + 5, limit, 0,
          (i) => latencies[i % latencies.length], (i) => shares[i % shares.length], offset);
        const limiter = new FixedWindowRateLimiter(new Map([['create_event' as const, limit]]));
        for (const arrival of sent.map((s) => s.arrival).sort((a, b) => a - b)) {
          expect(limiter.take('k', 'create_event', arrival).allowed).toBe(true);
        }
      },
    ), { numRuns: 60 });
  });

  test('a pause (Retry-After) holds every start until it has passed', async () => {
    const pacer = new Pacer({ burst: 1000, steady: 100_000 }, 0);
    const started = Date.now();
    pacer.pause(40);
    const slot = await pacer.acquire();
    expect(slot).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
  });

  test('the request after a full burst in flight waits for an answer, then for the window', async () => {
    const pacer = new Pacer({ burst: 2, steady: 100 }, 0);
    const first = await pacer.acquire();
    await pacer.acquire();
    let third: number | null | undefined;
    const pending = pacer.acquire().then((id) => { third = id; });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(third).toBeUndefined();
    const answered = Date.now();
    pacer.finish(first ?? -1);
    await pending;
    expect(third).toBe(2);
    expect(Date.now() - answered).toBeGreaterThanOrEqual(990);
  });

  test('an abort releases a waiting acquisition with null', async () => {
    const pacer = new Pacer({ burst: 1, steady: 10 }, 0);
    await pacer.acquire();
    const abort = new AbortController();
    const pending = pacer.acquire(abort.signal);
    abort.abort();
    await expect(pending).resolves.toBeNull();
  });
});
