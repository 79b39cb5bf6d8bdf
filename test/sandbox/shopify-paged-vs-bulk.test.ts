import fc from 'fast-check';
import { SandboxStore, recordSource, startShopifySandbox } from '../../src/sandbox/shopify';
import { ManualClock } from '../../src/util/clock';
import { orderRecord, readAll, readerClient, type OrderShape } from './shopify-sandbox-orders';

/**
 * Issue 11 item 1: a paged (incremental) read must yield the same orders as the bulk backfill, however many line
 * items, fulfillments and tracking numbers an order has. Orders are random; the reads go through shipsignal's
 * reader against the sandbox, which prices every query against the real schema and refuses any over 1,000 points.
 */
const shape: fc.Arbitrary<OrderShape> = fc.record({
  items: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 190, max: 250 })),
  fulfillments: fc.array(fc.record({ minutes: fc.integer({ min: 0, max: 30 }), tracking: fc.integer({ min: 0, max: 4 }) }), { maxLength: 10 }),
  refundedCents: fc.oneof(fc.constant(0), fc.nat({ max: 50_000 })),
  cancelled: fc.boolean(),
});

describe('Shopify paged read = bulk read', () => {
  it('normalizes every order identically from a paged and a bulk read (up to 250 items, 10 fulfillments, refunds)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(shape, { minLength: 1, maxLength: 6 }), async (shapes) => {
        const store = new SandboxStore(recordSource(shapes.map((s, i) => orderRecord(i, s)), 'USD'));
        const sandbox = await startShopifySandbox({ store, clock: new ManualClock(new Date('2026-02-01T00:00:00Z')), throttle: 'off' });
        try {
          const client = readerClient(sandbox);
          const paged = await readAll(client, null, { bulkBackfill: false });
          const bulk = await readAll(client, null, { bulkBackfill: true });
          expect(sandbox.rejectedQueries()).toEqual([]);
          expect(paged.rejections).toEqual([]);
          expect(bulk.orders).toHaveLength(shapes.length);
          expect(paged.orders).toEqual(bulk.orders);
          const largest = Math.max(...shapes.map((s) => s.items));
          expect(Math.max(...paged.orders.map((o) => o.lineItems.length))).toBe(largest);
        } finally {
          await sandbox.close();
        }
      }),
      { numRuns: 25, seed: 1101 },
    );
  });

  it('pages past the fulfillments list (120, several per second) and a long tracking list within the cost cap', async () => {
    const fulfillments = Array.from({ length: 120 }, (_, i) => ({ minutes: Math.floor(i / 3), tracking: i === 7 ? 14 : 1 + (i % 3) }));
    const store = new SandboxStore(recordSource([orderRecord(0, { items: 3, fulfillments, refundedCents: 0, cancelled: false })], 'USD'));
    const sandbox = await startShopifySandbox({ store, clock: new ManualClock(new Date('2026-02-01T00:00:00Z')) });
    try {
      const client = readerClient(sandbox);
      const paged = await readAll(client, null, { bulkBackfill: false });
      const bulk = await readAll(client, null, { bulkBackfill: true });
      expect(sandbox.rejectedQueries()).toEqual([]);
      expect(paged.orders[0].fulfillments).toHaveLength(120);
      expect(paged.orders[0].fulfillments[7].tracking).toHaveLength(14);
      expect(paged.orders).toEqual(bulk.orders);
      const costs = sandbox.requests().map((r) => r.requestedQueryCost ?? 0);
      expect(Math.max(...costs)).toBeLessThanOrEqual(1000);
    } finally {
      await sandbox.close();
    }
  });
});
