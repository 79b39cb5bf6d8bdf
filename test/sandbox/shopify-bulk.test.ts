import { ManualClock } from '../../src/util/clock';
import { loadGiftRetailerStore, startShopifySandbox, type ShopifySandbox } from '../../src/sandbox/shopify';
import { BULK_RUN_MUTATION, BULK_STATUS_QUERY, bulkOrdersQuery } from '../../src/sources/shopify/queries';
import { sandboxClient } from './shopify-client';

interface RunData {
  bulkOperationRunQuery: { bulkOperation: { id: string; status: string } | null; userErrors: { field: string[] | null; message: string; code: string }[] };
}
interface StatusData {
  bulkOperation: { id: string; status: string; objectCount: string; url: string | null; errorCode: string | null };
}

describe('Shopify sandbox bulk operations', () => {
  let sandbox: ShopifySandbox;
  let client: ReturnType<typeof sandboxClient>;

  beforeAll(async () => {
    sandbox = await startShopifySandbox({ store: loadGiftRetailerStore(), clock: new ManualClock(new Date('2012-01-01T00:00:00Z')) });
    client = sandboxClient(sandbox);
  });
  afterAll(() => sandbox.close());

  it('exports matching orders as JSONL with line items as child lines carrying __parentId', async () => {
    const run = await client.request<RunData>(BULK_RUN_MUTATION, { variables: { query: bulkOrdersQuery("updated_at:>='2011-06-01T00:00:00Z'") } });
    expect(run.errors).toBeUndefined();
    expect(run.data!.bulkOperationRunQuery.userErrors).toEqual([]);
    const operation = run.data!.bulkOperationRunQuery.bulkOperation!;
    expect(operation.status).toBe('CREATED');
    await sandbox.bulkIdle();
    const status = await client.request<StatusData>(BULK_STATUS_QUERY, { variables: { id: operation.id } });
    const done = status.data!.bulkOperation;
    expect(done.status).toBe('COMPLETED');
    const body = await (await fetch(done.url!)).text();
    const lines = body.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(Number(done.objectCount));

    const orders = lines.filter((l) => typeof l.id === 'string' && (l.id as string).includes('/Order/'));
    const items = lines.filter((l) => '__parentId' in l);
    let expected = 0;
    for (let i = 0; i < sandbox.store.size; i++) if (sandbox.store.recordAt(i).updatedAt >= '2011-06-01T00:00:00Z') expected++;
    expect(orders).toHaveLength(expected);
    expect(items).toHaveLength(expected);
    const orderIds = new Set(orders.map((o) => o.id));
    expect(items.every((item) => orderIds.has(item.__parentId))).toBe(true);
    expect(orders.every((o) => !('lineItems' in o))).toBe(true);
    for (let i = 1; i < orders.length; i++) expect(String(orders[i].updatedAt) >= String(orders[i - 1].updatedAt)).toBe(true);
    expect(orders[0]).toMatchObject({ currencyCode: 'GBP', customer: { defaultEmailAddress: { emailAddress: expect.stringMatching(/@example\.com$/) } } });
    expect(sandbox.rejectedQueries()).toEqual([]);
  });

  it('refuses inner queries Shopify would refuse, as userErrors', async () => {
    const invalid = async (query: string) =>
      (await client.request<RunData>(BULK_RUN_MUTATION, { variables: { query } })).data!.bulkOperationRunQuery;
    const noConnection = await invalid('{ shop { name } }');
    expect(noConnection.bulkOperation).toBeNull();
    expect(noConnection.userErrors[0]).toMatchObject({ code: 'INVALID', message: expect.stringMatching(/at least one connection/) });
    const badField = await invalid('{ orders { edges { node { id nope } } } }');
    expect(badField.userErrors[0].message).toMatch(/nope/);
    const missingParentId = await invalid('{ orders { edges { node { name lineItems { edges { node { id } } } } } } }');
    expect(missingParentId.userErrors[0].message).toMatch(/parent 'id'/);
  });
});
