/**
 * The sink under Klaviyo's bad days, in the sandbox with documented rate limits: 429s with Retry-After, 5xx
 * storms, resets, an outage, and a paced run at the documented limit.
 */
import type { MetricEvent } from '../../src/model/records';
import { type KlaviyoSandbox, startKlaviyoSandbox } from '../../src/sandbox/klaviyo';
import { KlaviyoSink, KlaviyoUnavailableError, type KlaviyoSinkOptions, type SinkObserver } from '../../src/sinks/klaviyo';

let sandbox: KlaviyoSandbox;
const sinks: KlaviyoSink[] = [];
beforeAll(async () => {
  sandbox = await startKlaviyoSandbox({ rateLimits: 'documented' });
});
afterAll(async () => {
  await Promise.all(sinks.map((s) => s.close()));
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

interface Recorded { incidents: string[]; requests: Array<[string, number | 'error']> }

function sinkFor(options: Partial<KlaviyoSinkOptions> = {}): { sink: KlaviyoSink; seen: Recorded } {
  const seen: Recorded = { incidents: [], requests: [] };
  const observer: SinkObserver = {
    request: (endpoint, status) => { seen.requests.push([endpoint, status]); },
    incident: (kind, endpoint) => { seen.incidents.push(`${kind}:${endpoint}`); },
  };
  const sink = new KlaviyoSink({
    apiKey: sandbox.apiKey, baseUrl: sandbox.url, timeoutMs: 5_000, observer,
    backoff: { baseMs: 20, maxMs: 200, maxAttempts: 8 }, ...options,
  });
  sinks.push(sink);
  return { sink, seen };
}

const event = (i: number, extra: Partial<MetricEvent> = {}): MetricEvent => ({
  kind: 'event', metric: 'Fulfilled Order', identity: { email: `c${i % 50}@example.com`, phoneNumber: null, externalId: null },
  time: new Date(Date.UTC(2025, 0, 1) + i * 1000), uniqueId: `f-${i}`, value: null, valueCurrency: null,
  properties: { OrderId: String(i) }, backfill: false, ...extra,
});

test('429 with Retry-After: no request before the advised time, then delivered; one incident and one recovery', async () => {
  sandbox.faults.schedule({ kind: 'throttle', retryAfterSeconds: 1 }, 2, { operation: 'bulk_create_events' });
  const { sink, seen } = sinkFor();
  const started = Date.now();
  const report = await sink.deliver(Array.from({ length: 40 }, (_, i) => event(i)));
  expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
  expect(report).toMatchObject({ delivered: 40, rejected: [], requests: 3 });
  await sandbox.idle();
  expect(sandbox.stats()).toMatchObject({ earlyRetries: 0, throttled: 2, events: 40 });
  expect(seen.incidents).toEqual(['throttled:bulkCreateEvents', 'recovered:bulkCreateEvents']);
});

test('a 503/502/reset storm is ridden out with backoff; incidents are reported once, not per retry', async () => {
  sandbox.faults.schedule({ kind: 'status', status: 503 }, 3, { operation: 'create_event' });
  sandbox.faults.schedule({ kind: 'status', status: 502 }, 2, { operation: 'create_event' });
  sandbox.faults.schedule({ kind: 'reset' }, 1, { operation: 'create_event' });
  const { sink, seen } = sinkFor({ concurrency: 1 });
  const report = await sink.deliver([event(1), event(2), event(3)]);
  expect(report).toMatchObject({ delivered: 3, rejected: [], requests: 3 + 6 });
  expect(sandbox.events()).toHaveLength(3);
  expect(seen.incidents).toEqual(['server_error:createEvent', 'network:createEvent', 'recovered:createEvent']);
  expect(seen.requests.filter(([, status]) => status === 503)).toHaveLength(3);
  expect(seen.requests.filter(([, status]) => status === 'error')).toHaveLength(1);
});

test('an outage past the retry policy throws a retryable error naming every undelivered record', async () => {
  sandbox.faults.outage(true);
  const { sink, seen } = sinkFor({ backoff: { baseMs: 5, maxMs: 20, maxAttempts: 3 } });
  const records = Array.from({ length: 12 }, (_, i) => event(i));
  const failure = await sink.deliver(records).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(KlaviyoUnavailableError);
  const outage = failure as KlaviyoUnavailableError;
  expect(outage.retryable).toBe(true);
  expect(outage.pending).toEqual(records.map((_, i) => i));
  expect(outage.report.delivered).toBe(0);
  expect(seen.incidents).toEqual(['server_error:bulkCreateEvents']);
  sandbox.faults.outage(false);
  const report = await sink.deliver(records);
  expect(report.delivered).toBe(12);
  expect(seen.incidents).toEqual(['server_error:bulkCreateEvents', 'recovered:bulkCreateEvents']);
});

test('a backfill paced at the documented bulk limit (10/s): no 429, never early, at most a round trip per window late', async () => {
  const requests = 31;
  const latencies: number[] = [];
  // One event per request keeps the sandbox's own work per request (and so the round trip) small.
  const { sink } = sinkFor({
    payload: { maxEventsPerBulk: 1 },
    observer: { request: (_endpoint, _status, ms) => { latencies.push(ms); }, incident: () => undefined },
  });
  const started = Date.now();
  const report = await sink.deliver(Array.from({ length: requests }, (_, i) => event(i)));
  const elapsed = Date.now() - started;
  expect(report).toMatchObject({ delivered: requests, requests });
  await sandbox.idle();
  expect(sandbox.stats()).toMatchObject({ throttled: 0, earlyRetries: 0, events: requests });
  // 10 per second: the 11th request cannot start before 1 s, the 21st before 2 s, the 31st before 3 s. Each new
  // window also waits for one answer (Klaviyo may count a request as late as its answer), which on a loaded
  // 2-core test machine can exceed the 10% margin alone; a real backfill is steady-bound (see the pacer unit test).
  const windows = Math.floor((requests - 1) / 10);
  const minimum = windows * 1000;
  expect(elapsed).toBeGreaterThanOrEqual(minimum);
  expect(elapsed).toBeLessThanOrEqual(minimum * 1.1 + windows * Math.max(...latencies));
}, 30_000);

test('steady window: at an account limit of 5/s and 12/min, the 13th bulk request waits for the next minute', async () => {
  const abort = new AbortController();
  const { sink, seen } = sinkFor({
    limits: { bulkCreateEvents: { burst: 5, steady: 12 } }, payload: { maxEventsPerBulk: 10 }, signal: abort.signal,
  });
  const delivery = sink.deliver(Array.from({ length: 200 }, (_, i) => event(i)));
  await new Promise((resolve) => setTimeout(resolve, 3_500));
  abort.abort();
  const failure = await delivery.catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(KlaviyoUnavailableError);
  expect((failure as KlaviyoUnavailableError).pending).toHaveLength(200 - 12 * 10);
  // 5 at 0 s, 5 at 1 s, 2 at 2 s: the burst window opens three times, the steady one only once.
  expect(seen.requests).toEqual(Array.from({ length: 12 }, () => ['bulkCreateEvents', 202]));
  await sandbox.idle();
  expect(sandbox.stats()).toMatchObject({ throttled: 0, events: 120 });
}, 30_000);

test('a slow answer times out and is retried; the unique_id makes the replay harmless', async () => {
  sandbox.faults.schedule({ kind: 'delay', ms: 400 }, 1, { operation: 'create_event' });
  sandbox.faults.schedule({ kind: 'truncated' }, 1, { operation: 'create_event' });
  sandbox.faults.schedule({ kind: 'invalid-json', status: 502 }, 1, { operation: 'create_event' });
  const { sink, seen } = sinkFor({ timeoutMs: 150, concurrency: 1 });
  const report = await sink.deliver([event(1)]);
  expect(report).toMatchObject({ delivered: 1, requests: 4 });
  // The timed-out request was still applied by the server, and its replay was dropped as a duplicate.
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(sandbox.stats()).toMatchObject({ events: 1, duplicatesDropped: 1 });
  expect(seen.incidents[0]).toBe('network:createEvent');
  expect(seen.incidents[seen.incidents.length - 1]).toBe('recovered:createEvent');
});

test('a 429 storm from the documented burst: no request to the endpoint before Retry-After, those already sent counted apart', async () => {
  // The sink believes the account allows 40 bulk requests a second; Klaviyo's documented burst is 10: 20 of the
  // first 30 requests, all sent together, are answered 429 while the others are still on their way.
  const { sink } = sinkFor({ limits: { bulkCreateEvents: { burst: 40, steady: 150 } }, payload: { maxEventsPerBulk: 2 } });
  const records = Array.from({ length: 2 * 30 }, (_, i) => event(i));
  const report = await sink.deliver(records);
  expect(report).toMatchObject({ delivered: records.length, rejected: [] });
  await sandbox.idle();
  const stats = sandbox.stats();
  expect(stats.throttled).toBeGreaterThanOrEqual(10);
  expect(stats.onWireWhenThrottled).toBeGreaterThan(0);
  expect(stats.earlyRequests).toBe(0);
  expect(sandbox.earlyRetries()).toEqual([]);
  expect(stats.events).toBe(records.length);
}, 60_000);
