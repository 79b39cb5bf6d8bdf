/**
 * The sink against the Klaviyo sandbox with documented rate limits, through the official SDK: request counts,
 * per-record rejection, and the bulk import follow-up.
 */
import type { MetricEvent, ProfilePatch, SinkRecord } from '../../src/model/records';
import { type KlaviyoSandbox, startKlaviyoSandbox } from '../../src/sandbox/klaviyo';
import { KlaviyoRequestError, KlaviyoSink, type KlaviyoSinkOptions } from '../../src/sinks/klaviyo';

let sandbox: KlaviyoSandbox;
const sinks: KlaviyoSink[] = [];
beforeAll(async () => {
  sandbox = await startKlaviyoSandbox({ rateLimits: 'documented', jobProcessingDelayMs: 20 });
});
afterAll(async () => {
  await Promise.all(sinks.map((s) => s.close()));
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

function sinkFor(options: Partial<KlaviyoSinkOptions> = {}): KlaviyoSink {
  const sink = new KlaviyoSink({ apiKey: sandbox.apiKey, baseUrl: sandbox.url, timeoutMs: 10_000, jobPollMs: 20, ...options });
  sinks.push(sink);
  return sink;
}

const event = (i: number, who: number, extra: Partial<MetricEvent> = {}): MetricEvent => ({
  kind: 'event', metric: 'Placed Order', identity: { email: `c${who}@example.com`, phoneNumber: null, externalId: `cust-${who}` },
  time: new Date(Date.UTC(2025, 0, 1) + i * 1000), uniqueId: `order-${i}`, value: 10 + i, valueCurrency: 'USD',
  properties: { OrderId: String(i), ItemNames: ['Tea'] }, backfill: true, ...extra,
});
const patch = (who: number, extra: Partial<ProfilePatch> = {}): ProfilePatch => ({
  kind: 'profile', identity: { email: `c${who}@example.com`, phoneNumber: null, externalId: `cust-${who}` },
  firstName: 'Ann', lastName: null, properties: { Segment: 'repeat', Orders: who }, ...extra,
});

const statusCount = (operation: string): Record<string, number> => sandbox.stats().requests[operation] ?? {};

test('2,500 events and 12,000 profiles: 3 + 2 bulk requests, every record landed, no throttling', async () => {
  const records: SinkRecord[] = [
    ...Array.from({ length: 2500 }, (_, i) => event(i, i % 800)),
    ...Array.from({ length: 12000 }, (_, i) => patch(i)),
  ];
  const sink = sinkFor();
  const report = await sink.deliver(records);
  expect(report).toMatchObject({ delivered: 14_500, rejected: [], requests: 3 + 2 });
  expect(report.jobs).toHaveLength(2);
  expect(statusCount('bulk_create_events')).toEqual({ 202: 3 });
  expect(statusCount('bulk_import_profiles')).toEqual({ 202: 2 });
  await sandbox.idle();
  expect(sandbox.events()).toHaveLength(2500);
  expect(await sink.settleJobs()).toEqual({ rejected: [], unmatched: [] });
  expect(sandbox.profiles()).toHaveLength(12000);
  expect(sink.pendingJobs()).toEqual([]);
  expect(sandbox.stats()).toMatchObject({ throttled: 0, earlyRetries: 0, validationFailures: 0 });
  const sample = sandbox.events().find((e) => e.uniqueId === 'order-7');
  expect(sample).toMatchObject({ metric: 'Placed Order', value: 17, valueCurrency: 'USD', backfill: true, via: 'bulk_create_events' });
}, 60_000);

test('a bad event in a bulk batch is rejected alone and its neighbours are delivered', async () => {
  const records = Array.from({ length: 30 }, (_, i) => (i === 17 ? event(i, i % 4, { time: new Date('1985-06-01T00:00:00Z') }) : event(i, i % 4)));
  const report = await sinkFor().deliver(records);
  expect(report.delivered).toBe(29);
  expect(report.rejected).toEqual([{ index: 17, reason: expect.stringMatching(/^400 invalid: 'time' must be after 2000.*\/events\/data\/\d+\/attributes\/time/) }]);
  expect(report.requests).toBe(2);
  await sandbox.idle();
  expect(sandbox.events().map((e) => e.uniqueId).sort()).toEqual(records.filter((_, i) => i !== 17).map((r) => (r as MetricEvent).uniqueId).sort());
});

test('single endpoints for a handful; a phone clash is retried without the phone; a bad email is rejected alone', async () => {
  const sink = sinkFor();
  await sink.deliver([
    patch(1, { identity: { email: 'c1@example.com', phoneNumber: '+15005550006', externalId: null } }),
    patch(2, { identity: { email: 'c2@example.com', phoneNumber: null, externalId: null }, properties: { Segment: 'first_time' } }),
  ]);
  const clash = patch(2, { identity: { email: 'c2@example.com', phoneNumber: '+15005550006', externalId: null } });
  const bad = patch(3, { identity: { email: 'not-an-email', phoneNumber: null, externalId: null } });
  const report = await sink.deliver([clash, bad, event(1, 2), event(2, 2)]);
  expect(report.delivered).toBe(3);
  expect(report.rejected).toEqual([{ index: 1, reason: expect.stringMatching(/^400 invalid: Invalid email/) }]);
  // c1 and c2 created, c2 clashes over c1's phone (409), then is updated without it (200); the bad email 400s.
  expect(statusCount('create_or_update_profile')).toEqual({ 201: 2, 409: 1, 200: 1, 400: 1 });
  expect(statusCount('create_event')).toEqual({ 202: 2 });
  const c2 = sandbox.profiles().find((p) => p.email === 'c2@example.com');
  expect(c2).toMatchObject({ phoneNumber: null, firstName: 'Ann', properties: { Segment: 'repeat', Orders: 2 } });
});

test('bulk import: profiles Klaviyo fails inside the job come back from settleJobs by index', async () => {
  const records = Array.from({ length: 15 }, (_, i) => (i === 4 || i === 11
    ? patch(i, { identity: { email: `broken-${i}@`, phoneNumber: null, externalId: `cust-${i}` } })
    : patch(i)));
  const sink = sinkFor();
  const report = await sink.deliver(records);
  expect(report).toMatchObject({ delivered: 15, rejected: [], requests: 1 });
  const settled = await sink.settleJobs();
  expect(settled.unmatched).toEqual([]);
  expect(settled.rejected.map((r) => [r.delivery, r.index])).toEqual([[report.delivery, 4], [report.delivery, 11]]);
  expect(settled.rejected[0].reason).toMatch(/import error invalid: Invalid email/);
  expect(sandbox.profiles()).toHaveLength(13);
});

test('a wrong key fails the delivery as a permanent error without rejecting any record', async () => {
  const sink = sinkFor({ apiKey: 'pk_wrong' });
  await expect(sink.deliver([event(1, 1)])).rejects.toBeInstanceOf(KlaviyoRequestError);
  expect(statusCount('create_event')).toEqual({ 401: 1 });
});
