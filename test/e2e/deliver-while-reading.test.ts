import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import { Outbox } from '../../src/state/outbox';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from '../helpers/daemon-harness';

const STORE_END = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;

const requestsTo = (harness: Harness, operation: string): number =>
  Object.values(harness.stack.klaviyo.stats().requests[operation] ?? {}).reduce((a, b) => a + b, 0);

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (condition()) return true;
  }
  return condition();
}

describe('delivering while a backfill is read', () => {
  let harness: Harness;

  beforeAll(async () => {
    const clock = new ManualClock(new Date(STORE_END + HOUR));
    const store = generateStore({ orders: 6_000, seed: 7, repeatRate: 0.034, clock: new ManualClock(new Date(STORE_END)) });
    harness = await startHarness({ store, clock, shopifyThrottle: 'off', klaviyoRateLimits: 'off', env: { SHIPSIGNAL_LOG_LEVEL: 'error' } });
  });
  afterAll(() => harness.close());

  it('sends full bulk requests before the read ends, then everything exactly once with nothing left queued', async () => {
    const { app } = harness;
    const { result: sentWhileReading, drained } = await app.deliverWhile(async () => {
      await app.pollOrders();
      // The work does not end until Klaviyo has had an event request: only a drain running alongside can send one.
      return waitFor(() => requestsTo(harness, 'bulk_create_events') > 0, 20_000);
    });
    expect(sentWhileReading).toBe(true);

    const klaviyo = harness.stack.klaviyo.stats();
    expect(drained.events).toBeGreaterThan(10_000);
    expect(harness.stack.klaviyo.events()).toHaveLength(drained.events);
    expect(klaviyo.duplicatesDropped).toBe(0);
    expect(klaviyo.validationFailures).toBe(0);
    // Chunks stayed full while the read went on (10,000 records of a lane each), rather than one request per page of
    // 500 orders; a full chunk of profiles may be split once more by the 5 MB body limit.
    expect(requestsTo(harness, 'bulk_import_profiles')).toBeLessThanOrEqual(2 * Math.ceil(drained.profiles / 10_000));
    expect(requestsTo(harness, 'bulk_create_events')).toBeLessThanOrEqual(Math.ceil(drained.events / 1_000) + Math.ceil(drained.events / 10_000));
    expect(requestsTo(harness, 'create_event') + requestsTo(harness, 'create_or_update_profile')).toBe(0);
    expect((await new Outbox(app.context.store).depth()).batches).toBe(0);
  });
});
