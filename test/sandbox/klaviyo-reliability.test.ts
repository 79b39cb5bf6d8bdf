import type { EventCreateQueryV2, EventsBulkCreateJob } from 'klaviyo-api';
import { type KlaviyoSandbox, startKlaviyoSandbox } from '../../src/sandbox/klaviyo';
import { ManualClock } from '../../src/util/clock';
import { failure, placedOrderJob, sdkFor } from './klaviyo-client';

const event = (email: string, uniqueId: string): EventCreateQueryV2 => ({
  data: {
    type: 'event',
    attributes: {
      metric: { data: { type: 'metric', attributes: { name: 'Fulfilled Order' } } },
      profile: { data: { type: 'profile', attributes: { email } } },
      properties: { OrderId: uniqueId },
      uniqueId,
    },
  },
});

const bulkOf = (email: string): EventsBulkCreateJob => placedOrderJob(email, [{}]);

describe('Klaviyo sandbox: documented rate limits', () => {
  it('answers 429 with Retry-After past the burst, and records a retry that ignores it', async () => {
    const clock = new ManualClock(new Date('2026-08-01T12:00:00.100Z'));
    const sandbox = await startKlaviyoSandbox({ clock });
    try {
      const { accounts } = sdkFor(sandbox);
      const ok = await accounts.getAccounts(); // get_accounts: burst 1/s, steady 15/m
      expect(ok.response.headers).toMatchObject({ 'ratelimit-limit': '15', 'ratelimit-remaining': '14' });

      const throttled = await failure(accounts.getAccounts());
      expect(throttled.status).toBe(429);
      expect(throttled.headers['retry-after']).toBe('1');
      expect(throttled.errors[0]).toMatchObject({ status: 429, code: 'throttled', source: { pointer: '/data' } });
      expect(sandbox.earlyRetries()).toHaveLength(0);

      clock.advance(400);
      expect((await failure(accounts.getAccounts())).status).toBe(429);
      expect(sandbox.earlyRetries()).toEqual([expect.objectContaining({ operation: 'get_accounts', earlyByMs: 600 })]);

      clock.advance(1_600);
      expect((await accounts.getAccounts()).response.status).toBe(200);
      expect(sandbox.stats().earlyRetries).toBe(1);
      expect(sandbox.stats().requests.get_accounts).toEqual({ 200: 2, 429: 2 });
    } finally {
      await sandbox.close();
    }
  });

  it('lets a client that honours Retry-After through with no early retries', async () => {
    // The sandbox's first reading of the clock is 50 ms into a 1-second window, so the 15 concurrent requests
    // share one burst window.
    let skew: number | null = null;
    const now = () => {
      skew ??= 1_050 - (Date.now() % 1_000);
      return new Date(Date.now() + skew);
    };
    const sandbox = await startKlaviyoSandbox({ clock: { now } });
    try {
      const { events } = sdkFor(sandbox, { numRetries: 6 });
      const emails = Array.from({ length: 15 }, (_, i) => `c${i}@example.com`);
      await Promise.all(emails.map((email) => events.bulkCreateEvents(bulkOf(email)))); // burst 10/s
      expect(sandbox.stats().requests.bulk_create_events['429']).toBeGreaterThanOrEqual(5);
      await sandbox.idle();
      expect(sandbox.events()).toHaveLength(15);
      expect(sandbox.earlyRetries()).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });
});

describe('Klaviyo sandbox: fault injection', () => {
  let sandbox: KlaviyoSandbox;
  beforeAll(async () => {
    sandbox = await startKlaviyoSandbox({ rateLimits: 'off' });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it.each([500, 502, 503, 504] as const)('a scheduled %i is returned and leaves state unchanged', async (status) => {
    sandbox.faults.schedule({ kind: 'status', status }, 1, { operation: 'create_event' });
    const { events } = sdkFor(sandbox);
    expect((await failure(events.createEvent(event('f@example.com', 'o-1')))).status).toBe(status);
    expect(sandbox.events()).toHaveLength(0);
    expect(sandbox.profiles()).toHaveLength(0);
    expect((await events.createEvent(event('f@example.com', 'o-1'))).response.status).toBe(202);
    expect(sandbox.events()).toHaveLength(1);
    expect(sandbox.requests().map((r) => [r.status, r.fault])).toEqual([[status, 'status'], [202, null]]);
  });

  it('a 429 storm carries Retry-After; the SDK waits it out and the event lands once', async () => {
    sandbox.faults.schedule({ kind: 'throttle', retryAfterSeconds: 1 }, 1);
    const started = Date.now();
    await sdkFor(sandbox, { numRetries: 3 }).events.createEvent(event('s@example.com', 'o-2'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(sandbox.requests().map((r) => r.status)).toEqual([429, 202]);
    expect(sandbox.events()).toHaveLength(1);
    expect(sandbox.earlyRetries()).toEqual([]);
  });

  it('a connection reset yields a network error and no effect', async () => {
    sandbox.faults.schedule({ kind: 'reset' });
    await expect(sdkFor(sandbox).events.createEvent(event('r@example.com', 'o-3'))).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(sandbox.events()).toHaveLength(0);
    expect(sandbox.requests()[0]).toMatchObject({ status: 0, fault: 'reset' });
  });

  it('a truncated body fails the call and applies nothing', async () => {
    sandbox.faults.schedule({ kind: 'truncated' });
    await expect(sdkFor(sandbox).profiles.createOrUpdateProfile({ data: { type: 'profile', attributes: { email: 't@example.com' } } }))
      .rejects.toThrow();
    expect(sandbox.profiles()).toHaveLength(0);
  });

  it('an invalid JSON error body is surfaced with its status', async () => {
    sandbox.faults.schedule({ kind: 'invalid-json', status: 502 });
    const result = await failure(sdkFor(sandbox).events.createEvent(event('j@example.com', 'o-4')));
    expect(result.status).toBe(502);
    expect(result.errors).toEqual([]);
    expect(sandbox.events()).toHaveLength(0);
  });

  it('an outage answers 503 to everything until switched off', async () => {
    const { accounts, events } = sdkFor(sandbox);
    sandbox.faults.outage(true);
    expect((await failure(accounts.getAccounts())).status).toBe(503);
    expect((await failure(events.createEvent(event('o@example.com', 'o-5')))).status).toBe(503);
    sandbox.faults.outage(false);
    expect((await accounts.getAccounts()).response.status).toBe(200);
    expect(sandbox.events()).toHaveLength(0);
  });

  it('a slow response still applies (the client may have given up on work that succeeded)', async () => {
    sandbox.faults.schedule({ kind: 'delay', ms: 300 });
    const started = Date.now();
    await sdkFor(sandbox).events.createEvent(event('d@example.com', 'o-6'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(sandbox.events()).toHaveLength(1);
  });

  it('rated faults replay exactly from the seed', async () => {
    const run = async (seed: number): Promise<number[]> => {
      const seeded = await startKlaviyoSandbox({ rateLimits: 'off', seed });
      try {
        seeded.faults.setRate({ kind: 'status', status: 500 }, 0.3, { operation: 'create_event' });
        const { events } = sdkFor(seeded);
        for (let i = 0; i < 30; i += 1) await events.createEvent(event('seed@example.com', `o-${i}`)).catch(() => undefined);
        const statuses = seeded.requests().map((r) => r.status);
        expect(seeded.events()).toHaveLength(statuses.filter((s) => s === 202).length);
        return statuses;
      } finally {
        await seeded.close();
      }
    };
    const first = await run(7);
    expect(first.filter((s) => s === 500).length).toBeGreaterThan(0);
    expect(first.filter((s) => s === 202).length).toBeGreaterThan(0);
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
  });
});
