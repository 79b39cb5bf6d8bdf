import { ManualClock } from '../../src/util/clock';
import {
  generateStore, loadOlistStore, startShopifySandbox, type SandboxStore, type ShopifySandbox,
} from '../../src/sandbox/shopify';
import { ORDERS_PAGE_QUERY } from '../../src/sources/shopify/queries';
import { sandboxClient } from './shopify-client';

const PAGE = `query Page($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id updatedAt } }
  }
}`;

interface PageData {
  orders: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { cursor: string; node: { id: string; updatedAt: string } }[] };
}

type Client = ReturnType<typeof sandboxClient>;

async function pageAll(client: Client, query: string, first = 250): Promise<{ id: string; updatedAt: string }[]> {
  const seen: { id: string; updatedAt: string }[] = [];
  let after: string | null = null;
  for (;;) {
    const variables: Record<string, unknown> = { first, after, query };
    const response = await client.request<PageData>(PAGE, { variables });
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    const orders = response.data!.orders;
    seen.push(...orders.edges.map((e) => e.node));
    if (!orders.pageInfo.hasNextPage) return seen;
    after = orders.pageInfo.endCursor;
  }
}

function expectedIds(store: SandboxStore, after: string): string[] {
  const rows: { id: string; at: number; legacyId: number }[] = [];
  for (let i = 0; i < store.size; i++) {
    const record = store.recordAt(i);
    if (Date.parse(record.updatedAt) > Date.parse(after)) rows.push({ id: `gid://shopify/Order/${record.legacyId}`, at: Date.parse(record.updatedAt), legacyId: record.legacyId });
  }
  return rows.sort((a, b) => a.at - b.at || a.legacyId - b.legacyId).map((r) => r.id);
}

describe('Shopify sandbox over the Olist store, through @shopify/admin-api-client', () => {
  const clock = new ManualClock(new Date('2018-12-01T00:00:00Z'));
  let sandbox: ShopifySandbox;
  let client: Client;

  beforeAll(async () => {
    sandbox = await startShopifySandbox({ store: loadOlistStore(), clock, throttle: 'off' });
    client = sandboxClient(sandbox);
  });
  afterAll(() => sandbox.close());

  it('pages through every order updated after a watermark exactly once, in updatedAt order', async () => {
    const watermark = '2018-03-01T00:00:00Z';
    const seen = await pageAll(client, `updated_at:>'${watermark}'`);
    const ids = seen.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expectedIds(sandbox.store, watermark));
    expect(ids.length).toBeGreaterThan(2000);
    for (let i = 1; i < seen.length; i++) expect(Date.parse(seen[i].updatedAt)).toBeGreaterThanOrEqual(Date.parse(seen[i - 1].updatedAt));
    expect(sandbox.rejectedQueries()).toEqual([]);
  });

  it('moves an order updated mid-sync to the end of the UPDATED_AT order, with the clock as updatedAt', async () => {
    const first = await client.request<PageData>(PAGE, { variables: { first: 5, query: "updated_at:>='2018-08-01T00:00:00Z'" } });
    const target = first.data!.orders.edges[0].node;
    clock.set(new Date('2018-12-02T10:00:00Z'));
    sandbox.store.updateOrder(target.id, { tags: ['vip'] });
    const rest = await pageAll(client, "updated_at:>='2018-08-01T00:00:00Z'", 100);
    expect(rest[rest.length - 1]).toEqual({ id: target.id, updatedAt: '2018-12-02T10:00:00Z' });
    expect(rest.filter((o) => o.id === target.id)).toHaveLength(1);
  });

  it('serves the fields a sync reads, with Shopify types (GIDs, UnsignedInt64 strings, MoneyBag)', async () => {
    const { data, errors } = await client.request(ORDERS_PAGE_QUERY, { variables: { first: 5, query: "status:closed updated_at:<'2017-01-15T00:00:00Z'" } });
    expect(errors).toBeUndefined();
    const nodes = (data as { orders: { nodes: Record<string, unknown>[] } }).orders.nodes;
    expect(nodes.length).toBe(5);
    const order = nodes.find((n) => Array.isArray(n.fulfillments) && n.fulfillments.length > 0) as {
      id: string; currencyCode: string; totalPriceSet: { shopMoney: { amount: string; currencyCode: string } };
      fulfillments: { trackingInfo: { number: string; company: string }[]; deliveredAt: string | null }[];
      customAttributes: { key: string; value: string }[]; lineItems: { nodes: { quantity: number }[] };
    };
    expect(order.id).toMatch(/^gid:\/\/shopify\/Order\/\d+$/);
    expect(order.currencyCode).toBe('BRL');
    expect(order.totalPriceSet.shopMoney.amount).toMatch(/^\d+\.\d{2}$/);
    expect(order.fulfillments[0].trackingInfo[0].number).toMatch(/^([A-Z]{2}\d{9}BR|\d{14})$/);
    expect(order.customAttributes.map((a) => a.key)).toContain('promised_delivery_date');
    expect(order.lineItems.nodes.length).toBeGreaterThan(0);
    expect(sandbox.rejectedQueries()).toEqual([]);
  });

  it('walks backwards with last/before and reverse, consistent with forward paging', async () => {
    const query = `query($last: Int, $before: String, $reverse: Boolean) {
      orders(last: $last, before: $before, sortKey: CREATED_AT, reverse: $reverse) { edges { cursor node { legacyResourceId } } pageInfo { hasPreviousPage } } }`;
    type Data = { orders: { edges: { cursor: string; node: { legacyResourceId: string } }[]; pageInfo: { hasPreviousPage: boolean } } };
    const tail = await client.request<Data>(query, { variables: { last: 3 } });
    const ids = tail.data!.orders.edges.map((e) => e.node.legacyResourceId);
    expect(tail.data!.orders.pageInfo.hasPreviousPage).toBe(true);
    const before = await client.request<Data>(query, { variables: { last: 2, before: tail.data!.orders.edges[0].cursor } });
    const earlier = before.data!.orders.edges.map((e) => Number(e.node.legacyResourceId));
    expect(earlier[1]).toBeLessThan(Number(ids[0]));
    const reversed = await client.request<{ orders: { edges: { node: { legacyResourceId: string } }[] } }>(
      '{ orders(first: 3, sortKey: CREATED_AT, reverse: true) { edges { node { legacyResourceId } } } }');
    expect(reversed.data!.orders.edges.map((e) => e.node.legacyResourceId)).toEqual([...ids].reverse());
  });

  it('rejects an invalid query like Shopify (200 with errors, no data) and counts it', async () => {
    const before = sandbox.rejectedQueries().length;
    const response = await client.request('{ orders(first: 1) { nodes { id notAField } } }');
    expect(response.data).toBeUndefined();
    expect(response.errors?.networkStatusCode).toBe(200);
    expect(response.errors?.graphQLErrors?.[0].message).toMatch(/notAField/);
    const rejected = sandbox.rejectedQueries().slice(before);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toBe('validation');
  });

  it('refuses connections without first/last or with more than 250, and queries costing over 1000', async () => {
    const before = sandbox.rejectedQueries().length;
    const noSize = await client.request('{ orders { nodes { id } } }');
    expect(noSize.errors?.graphQLErrors?.[0].message).toBe('you must provide one of first or last');
    const tooMany = await client.request('{ orders(first: 251) { nodes { id } } }');
    expect(tooMany.errors?.graphQLErrors?.[0].message).toMatch(/at most 250/);
    const expensive = await client.request('{ orders(first: 250) { nodes { id lineItems(first: 50) { nodes { id } } } } }');
    const error = expensive.errors?.graphQLErrors?.[0] as { extensions?: { code?: string; cost?: number } };
    expect(error.extensions?.code).toBe('MAX_COST_EXCEEDED');
    expect(error.extensions?.cost).toBe(2 + 250 * (1 + 2 + 50));
    expect(sandbox.rejectedQueries().slice(before).map((r) => r.reason)).toEqual(['arguments', 'arguments', 'max_cost']);
  });

  it('answers a wrong access token with Shopify\'s 401 body', async () => {
    const response = await sandboxClient(sandbox, 'shpat_wrong').fetch('{ shop { name } }');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
  });

  it('reflects cancel and refund mutations, stamping updatedAt with the sandbox clock', async () => {
    const target = sandbox.store.recordAt(100);
    clock.set(new Date('2018-12-03T08:00:00Z'));
    sandbox.store.refundOrder(target.legacyId, '10.00');
    clock.set(new Date('2018-12-03T09:00:00Z'));
    sandbox.store.cancelOrder(target.legacyId, { reason: 'FRAUD' });
    const { data } = await client.request<{ order: Record<string, unknown> }>(
      `query($id: ID!) { order(id: $id) { updatedAt cancelledAt cancelReason displayFinancialStatus
        currentTotalPriceSet { shopMoney { amount } } totalRefundedSet { shopMoney { amount } } totalPriceSet { shopMoney { amount } } } }`,
      { variables: { id: `gid://shopify/Order/${target.legacyId}` } });
    expect(data!.order).toMatchObject({
      updatedAt: '2018-12-03T09:00:00Z', cancelledAt: '2018-12-03T09:00:00Z', cancelReason: 'FRAUD', displayFinancialStatus: 'REFUNDED',
      currentTotalPriceSet: { shopMoney: { amount: '0.00' } }, totalRefundedSet: { shopMoney: { amount: target.totalPrice } },
    });
    const changed = await pageAll(client, "updated_at:>'2018-12-03T00:00:00Z'");
    expect(changed.map((o) => o.id)).toEqual([`gid://shopify/Order/${target.legacyId}`]);
  });

  it('refuses to invent values: an unserved non-null field is a clear error, an unserved nullable one is null', async () => {
    const response = await client.request('{ orders(first: 1) { nodes { id canMarkAsPaid poNumber } } }');
    expect(response.errors?.graphQLErrors?.[0].message).toBe('Order.canMarkAsPaid is not served by the shipsignal Shopify sandbox.');
    const nullable = await client.request<{ orders: { nodes: { poNumber: string | null }[] } }>('{ orders(first: 1) { nodes { poNumber } } }');
    expect(nullable.data!.orders.nodes[0].poNumber).toBeNull();
  });
});

describe('Shopify sandbox cost and throttling', () => {
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  let sandbox: ShopifySandbox;
  let client: Client;

  beforeAll(async () => {
    const store = generateStore({ orders: 2_000, seed: 11, start: new Date('2025-01-01T00:00:00Z'), spanDays: 300 });
    sandbox = await startShopifySandbox({ store, clock, throttle: { maximumAvailable: 100, restoreRate: 10 }, seed: 5 });
    client = sandboxClient(sandbox);
  });
  afterAll(() => sandbox.close());

  it('reports requested and actual cost and charges the bucket the actual cost', async () => {
    const response = await client.request<{ orders: { nodes: unknown[] } }>(
      `{ orders(first: 10, query: "created_at:<'2025-01-01T02:00:00Z'") { nodes { id totalPriceSet { shopMoney { amount } } } } }`);
    const returned = response.data!.orders.nodes.length;
    expect(returned).toBeLessThan(10);
    expect(response.extensions?.cost).toEqual({
      requestedQueryCost: 2 + 10 * 3,
      actualQueryCost: 2 + returned * 3,
      throttleStatus: { maximumAvailable: 100, currentlyAvailable: 100 - (2 + returned * 3), restoreRate: 10 },
    });
  });

  it('answers THROTTLED without data when the bucket cannot pay, and recovers at the restore rate', async () => {
    clock.advance(60_000);
    const query = '{ orders(first: 50) { nodes { id } } }';
    expect((await client.request(query)).extensions?.cost).toMatchObject({ requestedQueryCost: 52, actualQueryCost: 52 });
    const throttled = await client.request(query);
    expect(throttled.data).toBeUndefined();
    expect(throttled.errors?.graphQLErrors?.[0]).toMatchObject({ message: 'Throttled', extensions: { code: 'THROTTLED' } });
    expect(throttled.extensions?.cost).toMatchObject({ requestedQueryCost: 52, actualQueryCost: null, throttleStatus: { currentlyAvailable: 48 } });
    clock.advance(300);
    expect((await client.request(query)).errors?.graphQLErrors?.[0].message).toBe('Throttled');
    clock.advance(100);
    expect((await client.request(query)).data).toBeDefined();
  });

  it('injects seeded faults that leave the store and the bucket untouched', async () => {
    clock.advance(60_000);
    const query = '{ orders(first: 1) { nodes { id } } }';
    sandbox.faults.configure({ rateLimited: 1, retryAfterSeconds: 3 });
    const limited = await sandboxClient(sandbox).fetch(query);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3.0');
    sandbox.faults.configure({ serverError: 1 });
    expect((await client.fetch(query)).status).toBe(503);
    sandbox.faults.configure({ reset: 1 });
    await expect(client.fetch(query)).rejects.toThrow();
    sandbox.faults.configure({ throttled: 1 });
    expect((await client.request(query)).errors?.graphQLErrors?.[0].message).toBe('Throttled');
    sandbox.faults.clear();
    expect(sandbox.throttleStatus().currentlyAvailable).toBe(100);
    expect(sandbox.faults.injected()).toMatchObject({ rate_limited: 1, server_error: 1, reset: 1, throttled: 1 });
    const mixed = Array.from({ length: 200 }, () => 0);
    sandbox.faults.configure({ serverError: 0.25 }, 99);
    for (let i = 0; i < mixed.length; i++) mixed[i] = (await client.fetch(query)).status;
    sandbox.faults.clear();
    const failures = mixed.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(25);
    expect(failures).toBeLessThan(80);
  });
});
