import { changeOrders } from '../../src/bench/changes';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from '../helpers/daemon-harness';

const STORE_END = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;

/** Operation names of the Shopify requests made since `from` (an index into the request log). */
const operationsSince = (harness: Harness, from: number): string[] =>
  harness.stack.shopify.requests().slice(from).map((request) => request.operationName ?? '?');

describe('incremental order sync: paged for a few changes, a bulk operation for many', () => {
  let harness: Harness;
  let storeClock: ManualClock;
  let clock: ManualClock;

  beforeAll(async () => {
    storeClock = new ManualClock(new Date(STORE_END));
    clock = new ManualClock(new Date(STORE_END + HOUR));
    const store = generateStore({ orders: 3_000, seed: 11, repeatRate: 0.034, clock: storeClock });
    harness = await startHarness({
      store, storeClock, clock, shopifyThrottle: 'off', klaviyoRateLimits: 'off',
      env: { SHIPSIGNAL_LOG_LEVEL: 'error', SHOPIFY_BULK_MIN_CHANGES: '100' },
    });
    await harness.app.syncOnce();
  });
  afterAll(() => harness.close());

  it.each([
    { share: 0.01, expected: 'paged' },
    { share: 0.05, expected: 'bulk' },
  ])('$share of the orders changed: read $expected, every change once', async ({ share, expected }) => {
    const { app, stack } = harness;
    storeClock.set(new Date(clock.now().getTime() + HOUR));
    const changed = changeOrders(stack.shopify.store, share, 5);
    clock.set(new Date(storeClock.now().getTime() + HOUR));
    const from = stack.shopify.requests().length;

    const report = await app.syncOnce();

    const operations = operationsSince(harness, from);
    expect(operations[0]).toBe('ShipsignalOrdersCount');
    expect(operations.includes('ShipsignalBulkOrders')).toBe(expected === 'bulk');
    expect(operations.includes('ShipsignalOrders')).toBe(expected === 'paged');
    // The cursor overlaps the last sync by a minute; orders seen there at the same version are not read again.
    expect(report.orders).toBe(changed.updated + changed.refunded + changed.added);
    expect(stack.shopify.rejectedQueries()).toEqual([]);
    expect(stack.klaviyo.stats().duplicatesDropped).toBe(0);
  });
});
