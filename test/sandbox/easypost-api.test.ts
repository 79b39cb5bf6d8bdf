import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import EasyPostClient from '@easypost/api';
import { DEFAULT_PRODUCTION_KEY, DEFAULT_TEST_KEY, EasyPostSandbox, TEST_CODE_STATUS } from '../../src/sandbox/easypost';
import { EasyPostTrackingClient } from '../../src/sources/easypost/client';
import { toTypedError } from '../../src/sources/easypost/errors';
import { ManualClock } from '../../src/util/clock';
import { PermanentError, RetryableError } from '../../src/util/errors';

const DAY = 86_400_000;
type Client = InstanceType<typeof EasyPostClient>;

interface ApiFailure { statusCode: number; code: string; message: string }

async function failure(run: () => Promise<unknown>): Promise<ApiFailure> {
  try {
    await run();
  } catch (err) {
    const e = err as Partial<ApiFailure>;
    if (typeof e.statusCode !== 'number') throw err;
    return { statusCode: e.statusCode, code: String(e.code), message: String(e.message) };
  }
  throw new Error('expected the call to fail');
}

const started: EasyPostSandbox[] = [];
async function sandbox(options: ConstructorParameters<typeof EasyPostSandbox>[0] = {}): Promise<{ sb: EasyPostSandbox; url: string }> {
  const sb = new EasyPostSandbox(options);
  started.push(sb);
  return { sb, url: await sb.start() };
}
const client = (url: string, key = DEFAULT_TEST_KEY): Client => new EasyPostClient(key, { baseUrl: `${url}/v2/` });

afterEach(async () => {
  await Promise.all(started.splice(0).map((sb) => sb.stop()));
});

describe('EasyPost sandbox through the official client', () => {
  test('authentication: HTTP Basic with the key, EasyPost error bodies otherwise', async () => {
    const { url } = await sandbox({ listRatePerSecond: false });
    const wrong = await failure(() => client(url, 'EZTK_wrong').Tracker.all());
    expect(wrong).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    const raw = await fetch(`${url}/v2/trackers`);
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ error: { code: 'APIKEY.REQUIRED', message: expect.any(String), errors: [] } });
    expect(toTypedError(await failure(() => client(url, 'nope').Tracker.retrieve('trk_x')), 'retrieve')).toBeInstanceOf(PermanentError);
  });

  test('the seven test codes report their fixed statuses; anything else is refused in test mode', async () => {
    const { url } = await sandbox({ listRatePerSecond: false });
    const ep = client(url);
    for (const [code, status] of Object.entries(TEST_CODE_STATUS)) {
      const tracker = await ep.Tracker.create({ tracking_code: code, carrier: 'USPS' });
      expect([code, tracker.status]).toEqual([code, status]);
      expect(tracker.id).toMatch(/^trk_[0-9a-f]{32}$/);
      expect(tracker.tracking_details.length).toBeGreaterThan(0);
      expect(tracker.signed_by).toBe(status === 'delivered' ? 'John Tester' : null);
    }
    const refused = await failure(() => ep.Tracker.create({ tracking_code: '9400100000000000000000', carrier: 'USPS' }));
    expect(refused.statusCode).toBe(422);
    expect(refused.code).toBe('TRACKER.CREATE.ERROR');
    expect(refused.message).toMatch(/^In test mode, only test tracking numbers are valid/);
    // Production keys track any code; with nothing from the carrier yet it is `unknown`.
    const prod = await client(url, DEFAULT_PRODUCTION_KEY).Tracker.create({ tracking_code: '9400100000000000000000', carrier: 'USPS' });
    expect(prod).toMatchObject({ status: 'unknown', mode: 'production', tracking_details: [] });
  });

  test('tracker JSON has exactly the fields of EasyPost\'s fixture', async () => {
    const { url } = await sandbox({ listRatePerSecond: false });
    const created = await client(url).Tracker.create({ tracking_code: 'EZ1000000001', carrier: 'USPS' });
    const auth = `Basic ${Buffer.from(`${DEFAULT_TEST_KEY}:`).toString('base64')}`;
    const raw = (await (await fetch(`${url}/v2/trackers/${created.id}`, { headers: { authorization: auth } })).json()) as Record<string, unknown>;
    const fixture = JSON.parse(readFileSync(join(__dirname, '../../specs/easypost/trackers-retrieve.json'), 'utf8')) as Record<string, unknown>;
    // `finalized`/`is_return` come from the typings and the webhook fixture; the retrieve fixture predates them.
    expect(Object.keys(raw).sort()).toEqual([...Object.keys(fixture), 'finalized', 'is_return'].sort());
    const detailKeys = (o: Record<string, unknown>) => Object.keys((o.tracking_details as Record<string, unknown>[])[0]).sort();
    expect(detailKeys(raw)).toEqual(detailKeys(fixture));
    expect(Object.keys(raw.carrier_detail as object).sort()).toEqual(Object.keys(fixture.carrier_detail as object).sort());
    expect(raw).toMatchObject({ object: 'Tracker', mode: 'test', status: 'pre_transit', status_detail: 'status_update', fees: [] });
    expect(raw.public_url).toBe(`https://track.easypost.com/${Buffer.from(`v1:${created.id}`).toString('base64')}`);
  });

  test('create is idempotent per code and carrier', async () => {
    const { sb, url } = await sandbox({ listRatePerSecond: false });
    const ep = client(url);
    const first = await ep.Tracker.create({ tracking_code: 'EZ2000000002', carrier: 'USPS' });
    const again = await ep.Tracker.create({ tracking_code: 'EZ2000000002', carrier: 'usps' });
    const tracking = new EasyPostTrackingClient({ apiKey: DEFAULT_TEST_KEY, baseUrl: `${url}/v2/` });
    const ours = await tracking.ensureTracker('EZ2000000002', 'USPS');
    expect(again.id).toBe(first.id);
    expect(ours.trackerId).toBe(first.id);
    const otherCarrier = await ep.Tracker.create({ tracking_code: 'EZ2000000002', carrier: 'UPS' });
    expect(otherCarrier.id).not.toBe(first.id);
    expect(sb.trackerCount).toBe(2);
    expect((await ep.Tracker.retrieve(first.id)).id).toBe(first.id);
    expect(await failure(() => ep.Tracker.retrieve('trk_missing'))).toMatchObject({ statusCode: 404 });
  });

  test('lists newest first across pages with getNextPage, inside the creation-time window, with filters', async () => {
    const clock = new ManualClock(new Date('2026-03-01T00:00:00Z'));
    const { sb, url } = await sandbox({ clock, listRatePerSecond: false });
    const ep = client(url, DEFAULT_PRODUCTION_KEY);
    // 6 trackers created ~45 days ago, then 25 within the last month.
    const codes: string[] = [];
    clock.set(new Date(Date.parse('2026-03-01T00:00:00Z') - 45 * DAY));
    for (let i = 0; i < 31; i++) {
      const code = `1Z${String(i).padStart(8, '0')}`;
      sb.registerParcel({ trackingCode: code, carrier: i % 2 ? 'UPS' : 'FedEx', scans: [] });
      if (i === 6) clock.set(new Date(Date.parse('2026-03-01T00:00:00Z') - 20 * DAY));
      clock.advance(60_000);
      codes.push((await ep.Tracker.create({ tracking_code: code })).tracking_code);
    }
    clock.set(new Date('2026-03-01T00:00:00Z'));

    const ids: string[] = [];
    let page = await ep.Tracker.all({ page_size: 10 });
    ids.push(...page.trackers.map((t) => t.tracking_code));
    expect(page.has_more).toBe(true);
    // Without a page size the client sends `?page_size&before_id=…`; the sandbox reads it as the default.
    for (;;) {
      try {
        page = await ep.Tracker.getNextPage(page);
      } catch (err) {
        expect((err as Error).message).toBe('There are no more pages to retrieve.');
        break;
      }
      ids.push(...page.trackers.map((t) => t.tracking_code));
    }
    expect(ids).toEqual(codes.slice(6).reverse());

    const older = await ep.Tracker.all({ start_datetime: '2026-01-01T00:00:00Z', end_datetime: '2026-01-31T00:00:00Z', page_size: 100 });
    expect(older.trackers.map((t) => t.tracking_code)).toEqual(codes.slice(0, 6).reverse());
    expect(older.has_more).toBe(false);

    const ups = await ep.Tracker.all({ carrier: 'ups', start_datetime: '2026-01-01T00:00:00Z', end_datetime: '2026-03-02T00:00:00Z', page_size: 100 });
    expect(ups.trackers.every((t) => t.carrier === 'UPS')).toBe(true);
    expect(ups.trackers).toHaveLength(15);
    const one = await ep.Tracker.all({ tracking_code: codes[20], page_size: 5 });
    expect(one.trackers.map((t) => t.tracking_code)).toEqual([codes[20]]);
    // A test-mode key sees none of the production trackers.
    expect((await client(url).Tracker.all({ page_size: 100 })).trackers).toEqual([]);
  });

  test('page_size over 100 is refused with EasyPost\'s error body naming the parameter, not cut to 100', async () => {
    const { url } = await sandbox({ listRatePerSecond: false });
    const ep = client(url);
    await ep.Tracker.create({ tracking_code: 'EZ1000000001', carrier: 'USPS' });
    expect((await ep.Tracker.all({ page_size: 100 })).trackers).toHaveLength(1);
    const refused = await failure(() => ep.Tracker.all({ page_size: 101 }));
    expect(refused).toMatchObject({ statusCode: 422, code: 'BAD_REQUEST', message: 'page_size must be 100 or less, got 101' });
    expect(toTypedError(refused, 'list')).toBeInstanceOf(PermanentError);
    const auth = `Basic ${Buffer.from(`${DEFAULT_TEST_KEY}:`).toString('base64')}`;
    const raw = await fetch(`${url}/v2/events?page_size=500`, { headers: { authorization: auth } });
    expect(raw.status).toBe(422);
    expect(await raw.json()).toEqual({
      error: { code: 'BAD_REQUEST', message: 'page_size must be 100 or less, got 500', errors: [{ field: 'page_size', message: 'page_size must be 100 or less, got 500', suggestion: null }] },
    });
  });

  test('a test-mode key tracks only the seven test codes, even a code registered as a scripted parcel', async () => {
    const { sb, url } = await sandbox({ listRatePerSecond: false });
    sb.registerParcel({ trackingCode: '1Z999AA10123456784', carrier: 'UPS', scans: [] });
    const refused = await failure(() => client(url).Tracker.create({ tracking_code: '1Z999AA10123456784', carrier: 'UPS' }));
    expect(refused).toMatchObject({ statusCode: 422, code: 'TRACKER.CREATE.ERROR' });
    expect(refused.message).toBe('In test mode, only test tracking numbers are valid. Test tracking numbers are EZ1000000001, EZ2000000002, ... , EZ7000000007');
    expect(sb.trackerCount).toBe(0);
    const tracking = new EasyPostTrackingClient({ apiKey: DEFAULT_TEST_KEY, baseUrl: `${url}/v2/`, backoff: { baseMs: 1, maxMs: 1, maxAttempts: 3 } });
    await expect(tracking.ensureTracker('1Z999AA10123456784', 'UPS')).rejects.toBeInstanceOf(PermanentError);
    // The same parcel through a production-mode key follows its script.
    const prod = await client(url, DEFAULT_PRODUCTION_KEY).Tracker.create({ tracking_code: '1Z999AA10123456784', carrier: 'UPS' });
    expect(prod).toMatchObject({ mode: 'production', carrier: 'UPS' });
  });

  test('a read-only tracking client looks trackers up by code and never creates one', async () => {
    const { sb, url } = await sandbox({ listRatePerSecond: false });
    sb.registerParcel({ trackingCode: '1Z999AA10123456784', carrier: 'UPS', scans: [] });
    const existing = await client(url, DEFAULT_PRODUCTION_KEY).Tracker.create({ tracking_code: '1Z999AA10123456784', carrier: 'UPS' });
    const requestsBefore = sb.stats.requests;
    const readOnly = new EasyPostTrackingClient({ apiKey: DEFAULT_PRODUCTION_KEY, baseUrl: `${url}/v2/`, readOnly: true });
    expect((await readOnly.trackerFor('1Z999AA10123456784', 'UPS'))?.trackerId).toBe(existing.id);
    expect(await readOnly.trackerFor('1Z999AA10999999999', null)).toBeNull();
    await expect(readOnly.ensureTracker('1Z999AA10999999999', 'UPS')).rejects.toMatchObject({ code: 'easypost_read_only' });
    expect(sb.stats.requests - requestsBefore).toBe(2);
    expect(sb.trackerCount).toBe(1);
  });

  test('events: tracker.created listed and retrieved without result, same paging', async () => {
    const { url } = await sandbox({ listRatePerSecond: false });
    const ep = client(url);
    for (const code of ['EZ1000000001', 'EZ2000000002', 'EZ3000000003']) await ep.Tracker.create({ tracking_code: code, carrier: 'USPS' });
    const first = await ep.Event.all({ page_size: 2 });
    expect(first.events).toHaveLength(2);
    expect(first.has_more).toBe(true);
    const second = await ep.Event.getNextPage(first, 2);
    expect(second.events).toHaveLength(1);
    const listed = first.events[0] as unknown as Record<string, unknown>;
    expect(Object.keys(listed).filter((k) => k !== '_params').sort()).toEqual(['created_at', 'description', 'id', 'mode', 'object', 'status', 'user_id']);
    const event = await ep.Event.retrieve(first.events[0].id);
    expect(event).toMatchObject({ description: 'tracker.created', object: 'Event', previous_attributes: {} });
    expect(event.result).toBeUndefined();
  });

  test('list endpoints allow 5 requests per second, then 429 with EasyPost\'s error body (retryable)', async () => {
    const { sb, url } = await sandbox();
    const ep = client(url);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => ep.Tracker.all({ page_size: 1 })));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(refused).toHaveLength(3);
    const reason = refused[0].reason as ApiFailure;
    expect(reason).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect(toTypedError(reason, 'list')).toBeInstanceOf(RetryableError);
    // Creates and retrieves are not index endpoints.
    await ep.Tracker.create({ tracking_code: 'EZ1000000001', carrier: 'USPS' });
    expect(sb.stats.rateLimited).toBe(3);
  });

  test('the tracking client paces its list calls under the limit', async () => {
    const clock = new ManualClock(new Date('2026-05-01T00:00:00Z'));
    const { sb, url } = await sandbox({ clock });
    for (let i = 0; i < 12; i++) {
      sb.registerParcel({ trackingCode: `PACE${i}`, carrier: 'UPS', scans: [] });
    }
    const tracking = new EasyPostTrackingClient({ apiKey: DEFAULT_PRODUCTION_KEY, baseUrl: `${url}/v2/`, clock, pageSize: 2 });
    for (let i = 0; i < 12; i++) await tracking.ensureTracker(`PACE${i}`, 'UPS');
    const started = performance.now();
    const seen: string[] = [];
    for await (const snapshot of tracking.changedTrackers(new Date('2026-04-30T00:00:00Z'))) seen.push(snapshot.trackingCode);
    const elapsed = performance.now() - started;
    expect(new Set(seen).size).toBe(12);
    expect(sb.stats.rateLimited).toBe(0);
    // 6 pages at 4/s: at least 5 gaps of 250 ms.
    expect(elapsed).toBeGreaterThanOrEqual(1_200);
  });

  test('fault injection: faulted requests change nothing; the tracking client retries through them', async () => {
    const refusing = await sandbox({ faults: { rate429: 1, seed: 3 } });
    expect(await failure(() => client(refusing.url).Tracker.create({ tracking_code: 'EZ1000000001', carrier: 'USPS' })))
      .toMatchObject({ statusCode: 429 });
    expect(refusing.sb.trackerCount).toBe(0);

    const clock = new ManualClock(new Date('2026-05-01T00:00:00Z'));
    const flaky = await sandbox({ clock, listRatePerSecond: false, faults: { rate5xx: 0.25, rateReset: 0.15, rateSlow: 0.1, slowMs: 20, seed: 5 } });
    const tracking = new EasyPostTrackingClient({
      apiKey: DEFAULT_TEST_KEY, baseUrl: `${flaky.url}/v2/`, clock, pageSize: 1, listRatePerSecond: 1000,
      backoff: { baseMs: 5, maxMs: 20, maxAttempts: 10 },
    });
    const codes = Object.keys(TEST_CODE_STATUS);
    for (const code of codes) await tracking.ensureTracker(code, 'USPS');
    const seen = new Set<string>();
    for await (const s of tracking.changedTrackers(new Date('2026-03-01T00:00:00Z'))) seen.add(s.trackingCode);
    expect([...seen].sort()).toEqual(codes);
    expect(flaky.sb.trackerCount).toBe(7);
    // 7 creates + 7 one-tracker pages succeed; every request beyond those was a fault retried through.
    expect(flaky.sb.stats.faults).toBeGreaterThan(0);
    expect(flaky.sb.stats.requests).toBeGreaterThan(14);

    const fragile = new EasyPostTrackingClient({
      apiKey: DEFAULT_TEST_KEY, baseUrl: `${(await sandbox({ faults: { rate5xx: 1 } })).url}/v2/`, backoff: { baseMs: 1, maxMs: 1, maxAttempts: 2 },
    });
    await expect(fragile.retrieve('trk_x')).rejects.toMatchObject({ retryable: true, code: 'easypost_unavailable' });
    const resetting = new EasyPostTrackingClient({
      apiKey: DEFAULT_TEST_KEY, baseUrl: `${(await sandbox({ faults: { rateReset: 1 } })).url}/v2/`, backoff: { baseMs: 1, maxMs: 1, maxAttempts: 1 },
    });
    await expect(resetting.retrieve('trk_x')).rejects.toMatchObject({ retryable: true, code: 'easypost_network' });
  });
});
