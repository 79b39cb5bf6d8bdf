import { SandboxStore, recordSource, startShopifySandbox, type ShopifySandbox } from '../../src/sandbox/shopify';
import { ManualClock } from '../../src/util/clock';
import { RetryableError } from '../../src/util/errors';
import { BULK_CANCEL_MUTATION, BULK_OPERATIONS_QUERY, BULK_RUN_MUTATION, BULK_STATUS_QUERY, bulkOrdersQuery } from '../../src/sources/shopify/queries';
import { jsonlOrders } from '../../src/sources/shopify/bulk-read';
import { sandboxClient } from './shopify-client';
import { orderRecord, readAll, readerClient } from './shopify-sandbox-orders';

/** Issue 11 item 13: bulk operations end in every documented way, and the reader tells each ending apart. */
interface Status {
  id: string; status: string; errorCode: string | null; objectCount: string; url: string | null; partialDataUrl: string | null;
}

const ORDERS = 300;
const store = () => new SandboxStore(recordSource(Array.from({ length: ORDERS }, (_, i) => orderRecord(i, { items: 1, fulfillments: [], refundedCents: 0, cancelled: false })), 'USD'));

describe('Shopify sandbox: bulk operation lifecycle', () => {
  let sandbox: ShopifySandbox;
  let clock: ManualClock;
  let client: ReturnType<typeof sandboxClient>;
  const run = async (query = bulkOrdersQuery(null)) => {
    const { data } = await client.request<{ bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: Array<{ code: string; message: string }> } }>(BULK_RUN_MUTATION, { variables: { query } });
    return data!.bulkOperationRunQuery;
  };
  const status = async (id: string) => (await client.request<{ bulkOperation: Status }>(BULK_STATUS_QUERY, { variables: { id } })).data!.bulkOperation;

  beforeEach(async () => {
    clock = new ManualClock(new Date('2026-02-01T00:00:00Z'));
    sandbox = await startShopifySandbox({ store: store(), clock, throttle: 'off', bulk: { chunk: 20, chunkDelayMs: 15 } });
    client = sandboxClient(sandbox);
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('reports a growing objectCount while RUNNING, then COMPLETED with every object', async () => {
    const { bulkOperation } = await run();
    const counts: number[] = [];
    for (;;) {
      const s = await status(bulkOperation!.id);
      if (s.status === 'RUNNING') counts.push(Number(s.objectCount));
      if (s.status === 'COMPLETED') {
        expect(Number(s.objectCount)).toBe(ORDERS * 2); // each order and its one line item
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(new Set(counts).size).toBeGreaterThan(2);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    expect(counts[0]).toBeLessThan(ORDERS * 2);
  });

  it('cancels: CANCELING at once, then CANCELED without a result; a finished operation cannot be cancelled', async () => {
    const { bulkOperation } = await run();
    const cancel = async (id: string) => (await client.request<{ bulkOperationCancel: { bulkOperation: { status: string } | null; userErrors: Array<{ message: string }> } }>(BULK_CANCEL_MUTATION, { variables: { id } })).data!.bulkOperationCancel;
    const first = await cancel(bulkOperation!.id);
    expect(first.bulkOperation?.status).toBe('CANCELING');
    await sandbox.bulkIdle();
    const ended = await status(bulkOperation!.id);
    expect(ended).toMatchObject({ status: 'CANCELED', url: null });
    expect(Number(ended.objectCount)).toBeLessThan(ORDERS * 2);
    const again = await cancel(bulkOperation!.id);
    expect(again.userErrors[0].message).toMatch(/cannot be canceled/);
  });

  it('fails with partial data: FAILED, errorCode, partialDataUrl with some rows, no url; the reader retries, never uses the part', async () => {
    sandbox.failNextBulk({ errorCode: 'TIMEOUT', afterRootObjects: 100 });
    const { bulkOperation } = await run();
    await sandbox.bulkIdle();
    const failed = await status(bulkOperation!.id);
    expect(failed).toMatchObject({ status: 'FAILED', errorCode: 'TIMEOUT', url: null });
    const partial = (await (await fetch(failed.partialDataUrl!)).text()).trim().split('\n');
    expect(partial.length).toBe(200);

    sandbox.failNextBulk({ errorCode: 'INTERNAL_SERVER_ERROR', afterRootObjects: 50 });
    const read = readAll(readerClient(sandbox), null);
    await expect(read).rejects.toBeInstanceOf(RetryableError);
    await expect(read).rejects.toMatchObject({ code: 'bulk_failed', message: expect.stringMatching(/INTERNAL_SERVER_ERROR.*partial data.*not used/) });
  });

  it('expires result links after seven days: status EXPIRED, no url, and the old link answers 403 like signed storage', async () => {
    const { bulkOperation } = await run();
    await sandbox.bulkIdle();
    const done = await status(bulkOperation!.id);
    expect((await fetch(done.url!)).status).toBe(200);
    clock.advance(7 * 86_400_000 + 1000);
    expect(await status(bulkOperation!.id)).toMatchObject({ status: 'EXPIRED', url: null });
    const late = await fetch(done.url!);
    expect(late.status).toBe(403);
    expect(await late.text()).toMatch(/Request has expired/);
    await expect(async () => {
      for await (const page of jsonlOrders(done.url!, Number(done.objectCount), 100)) void page;
    }).rejects.toMatchObject({ code: 'bulk_url_expired' });
  });

  it('treats a download shorter than objectCount as an error, not as the end of the data', async () => {
    const { bulkOperation } = await run();
    await sandbox.bulkIdle();
    const done = await status(bulkOperation!.id);
    const pages: number[] = [];
    await expect(async () => {
      for await (const page of jsonlOrders(done.url!, Number(done.objectCount) + 1, 100)) pages.push(page.length);
    }).rejects.toMatchObject({ code: 'bulk_truncated' });
    expect(pages.reduce((a, b) => a + b, 0)).toBeLessThan(ORDERS); // the last page is held back
  });

  it('runs at most five bulk query operations at once (2026-10); the reader reports the sixth as retryable, without waiting', async () => {
    for (let i = 0; i < 5; i++) expect((await run()).bulkOperation).not.toBeNull();
    const sixth = await run();
    expect(sixth.userErrors[0].code).toBe('LIMIT_REACHED');
    await expect(readAll(readerClient(sandbox), null)).rejects.toMatchObject({ code: 'bulk_busy' });
    const listed = await client.request<{ bulkOperations: { nodes: Status[] } }>(BULK_OPERATIONS_QUERY, { variables: { query: 'status:running OR status:created' } });
    expect(listed.data!.bulkOperations.nodes).toHaveLength(5);
  });
});

describe('Shopify sandbox: read_all_orders', () => {
  it('shows a token without read_all_orders only the orders created in the last 60 days, in pages, counts, reads and bulk', async () => {
    // Orders are an hour apart from 2026-01-05; on 2026-03-07 the 60-day window starts 2026-01-06T00:00Z.
    const clock = new ManualClock(new Date('2026-03-07T00:00:00Z'));
    const sandbox = await startShopifySandbox({ store: store(), clock, throttle: 'off', tokens: { shpat_recent_only: ['read_orders'] } });
    try {
      const windowStart = Date.parse('2026-01-06T00:00:00Z');
      const recent = Array.from({ length: ORDERS }, (_, i) => orderRecord(i, { items: 1, fulfillments: [], refundedCents: 0, cancelled: false }))
        .filter((r) => Date.parse(r.createdAt) >= windowStart);
      expect(recent.length).toBeGreaterThan(0);
      expect(recent.length).toBeLessThan(ORDERS);
      const limited = readerClient(sandbox, 'shpat_recent_only');
      expect((await readAll(limited, null, { bulkBackfill: false })).orders).toHaveLength(recent.length);
      expect((await readAll(limited, null, { bulkBackfill: true })).orders).toHaveLength(recent.length);
      expect((await readAll(readerClient(sandbox), null, { bulkBackfill: false })).orders).toHaveLength(ORDERS);
      const scoped = sandboxClient(sandbox, 'shpat_recent_only');
      const count = await scoped.request<{ ordersCount: { count: number } }>('{ ordersCount(limit: null) { count } }');
      expect(count.data!.ordersCount.count).toBe(recent.length);
      const old = await scoped.request<{ order: unknown }>('query($id: ID!) { order(id: $id) { id } }', { variables: { id: 'gid://shopify/Order/7000000001' } });
      expect(old.data!.order).toBeNull();
    } finally {
      await sandbox.close();
    }
  });
});
