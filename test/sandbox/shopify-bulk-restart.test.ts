import { SandboxStore, recordSource, startShopifySandbox, type ShopifySandbox } from '../../src/sandbox/shopify';
import { ManualClock } from '../../src/util/clock';
import { findBulkOperations } from '../../src/sources/shopify/bulk-read';
import { BULK_RUN_MUTATION, BULK_STATUS_QUERY, bulkOrdersQuery } from '../../src/sources/shopify/queries';
import { sandboxClient } from './shopify-client';
import { orderRecord, readAll, readerClient } from './shopify-sandbox-orders';

/**
 * Issue 11 item 6: a backfill killed while Shopify prepares its bulk export. The next start finds the operation
 * (findBulkOperations, the order source's `prepare`), adopts it when it is exactly the export it needs, cancels
 * our stale ones, leaves another tool's alone and never waits on it.
 */
const ORDERS = 240;
const records = Array.from({ length: ORDERS }, (_, i) => orderRecord(i, { items: 2, fulfillments: [], refundedCents: 0, cancelled: false }));

describe('Shopify bulk backfill after a restart', () => {
  let sandbox: ShopifySandbox;
  beforeEach(async () => {
    sandbox = await startShopifySandbox({
      store: new SandboxStore(recordSource(records, 'USD')), clock: new ManualClock(new Date('2026-02-01T00:00:00Z')),
      throttle: 'off', bulk: { chunk: 10, chunkDelayMs: 20 },
    });
  });
  afterEach(async () => {
    await sandbox.close();
  });
  const runs = () => sandbox.requests().filter((r) => r.operationName === 'ShipsignalBulkOrders').length;

  it('adopts the operation a killed backfill left running and reads it: one export, every order once', async () => {
    const killed = new AbortController();
    let started: string | null = null;
    const first = await readAll(readerClient(sandbox), null, {
      signal: killed.signal,
      onBulkStarted: (id) => {
        started = id;
        setTimeout(() => killed.abort(), 30); // killed while the export runs
      },
    });
    expect(first.orders).toHaveLength(0);
    const status = await sandboxClient(sandbox).request<{ bulkOperation: { status: string } }>(BULK_STATUS_QUERY, { variables: { id: started } });
    expect(status.data!.bulkOperation.status).toBe('RUNNING');

    const recovery = await findBulkOperations(readerClient(sandbox));
    expect(recovery.ours.map((op) => op.id)).toEqual([started]);
    let followed: string | null = null;
    const second = await readAll(readerClient(sandbox), null, { bulkRecovery: recovery, onBulkStarted: (id) => (followed = id) });
    expect(followed).toBe(started);
    expect(runs()).toBe(1);
    const ids = second.orders.map((o) => o.id);
    expect(ids).toHaveLength(ORDERS);
    expect(new Set(ids).size).toBe(ORDERS);
  });

  it('cancels our stale export (another cursor), leaves a foreign one running, and starts its own without waiting', async () => {
    const client = sandboxClient(sandbox);
    const start = async (query: string) =>
      (await client.request<{ bulkOperationRunQuery: { bulkOperation: { id: string } } }>(BULK_RUN_MUTATION, { variables: { query } })).data!.bulkOperationRunQuery.bulkOperation.id;
    const stale = await start(bulkOrdersQuery("updated_at:>='2026-01-06T00:00:00Z'"));
    const foreign = await start('{ orders { edges { node { id } } } }');
    const stored = await start('{ orders(query: "status:any") { edges { node { id name } } } }');

    const recovery = await findBulkOperations(readerClient(sandbox), stored);
    expect(recovery.ours.map((op) => op.id).sort()).toEqual([stale, stored].sort());
    expect(recovery.foreign.map((op) => op.id)).toEqual([foreign]);
    const read = await readAll(readerClient(sandbox), null, { bulkRecovery: recovery });
    const ids = read.orders.map((o) => o.id);
    expect(ids).toHaveLength(ORDERS);
    expect(new Set(ids).size).toBe(ORDERS);
    const statusOf = async (id: string) => (await client.request<{ bulkOperation: { status: string } }>(BULK_STATUS_QUERY, { variables: { id } })).data!.bulkOperation.status;
    expect(await statusOf(stale)).toBe('CANCELED');
    expect(await statusOf(stored)).toBe('CANCELED');
    expect(await statusOf(foreign)).not.toMatch(/CANCEL/);
  });

  it('cancels our leftover export when the next read is paged, and replaces an adopted export that ended meanwhile', async () => {
    const client = sandboxClient(sandbox);
    const statusOf = async (id: string) => (await client.request<{ bulkOperation: { status: string } }>(BULK_STATUS_QUERY, { variables: { id } })).data!.bulkOperation.status;
    const left = (await client.request<{ bulkOperationRunQuery: { bulkOperation: { id: string } } }>(BULK_RUN_MUTATION, { variables: { query: bulkOrdersQuery(null) } })).data!.bulkOperationRunQuery.bulkOperation.id;
    const recovery = await findBulkOperations(readerClient(sandbox));
    const paged = await readAll(readerClient(sandbox), null, { bulkBackfill: false, bulkRecovery: recovery });
    expect(paged.orders).toHaveLength(ORDERS);
    await sandbox.bulkIdle();
    expect(await statusOf(left)).toBe('CANCELED');

    // A recovery that names an operation which has since ended badly (here: cancelled) is not retried forever.
    const followed: string[] = [];
    const again = await readAll(readerClient(sandbox), null, { bulkRecovery: recovery, onBulkStarted: (id) => followed.push(id) });
    expect(followed[0]).toBe(left);
    expect(followed).toHaveLength(2);
    expect(again.orders).toHaveLength(ORDERS);
  });
});

