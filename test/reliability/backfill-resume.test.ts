import { startShopifySandbox, type ShopifySandbox } from '../../src/sandbox/shopify/server';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import type { SandboxStore } from '../../src/sandbox/shopify/store';
import { ShopifyGraphqlClient } from '../../src/sources/shopify/client';
import type { OrdersCursor } from '../../src/sources/shopify/cursor';
import { readOrders } from '../../src/sources/shopify/orders-stream';

/**
 * Found by the crash test at 5,000 orders: a first backfill interrupted after its bulk download had begun resumed
 * page by page, which at Shopify's documented cost limits ran for more than ten minutes (hours for a real store).
 * An unfinished backfill now resumes through a bulk operation filtered from the cursor.
 */
describe('resuming an interrupted first backfill', () => {
  let sandbox: ShopifySandbox;
  let store: SandboxStore;

  beforeAll(async () => {
    store = generateStore({ orders: 600, seed: 3 });
    sandbox = await startShopifySandbox({ store });
  });

  afterAll(() => sandbox.close());

  const client = () => new ShopifyGraphqlClient({ storeDomain: sandbox.shopDomain, accessToken: sandbox.accessToken, baseUrl: sandbox.url, timeoutMs: 10_000 });
  const options = { pageSize: 15, overlapMs: 60_000, bulkBackfill: true, bulkPollMs: 20 };

  async function readAll(cursor: OrdersCursor | null, resumeBackfill: boolean): Promise<{ ids: string[]; cursor: OrdersCursor | null; bulk: boolean }> {
    const before = sandbox.requests().length;
    const ids: string[] = [];
    let last = cursor;
    for await (const page of readOrders(client(), cursor, { ...options, resumeBackfill })) {
      ids.push(...page.orders.map((order) => order.id));
      last = page.cursor;
    }
    const bulk = sandbox.requests().slice(before).some((request) => request.path.includes('bulk-operations'));
    return { ids, cursor: last, bulk };
  }

  it('reads the rest of the history through one bulk operation from the cursor, without re-reading or skipping', async () => {
    const full = await readAll(null, false);
    expect(full.ids).toHaveLength(store.size);
    // Stopped a third of the way in: the cursor of the last page processed.
    let interrupted: OrdersCursor | null = null;
    const seen: string[] = [];
    for await (const page of readOrders(client(), null, options)) {
      seen.push(...page.orders.map((order) => order.id));
      interrupted = page.cursor;
      if (seen.length >= store.size / 3) break;
    }
    const resumed = await readAll(interrupted, true);
    expect(resumed.bulk).toBe(true);
    expect(new Set([...seen, ...resumed.ids])).toEqual(new Set(full.ids));
    expect(resumed.ids.filter((id) => seen.includes(id))).toEqual([]);

    const incremental = await readAll(resumed.cursor, false);
    expect(incremental).toMatchObject({ ids: [], bulk: false });
  });
});
