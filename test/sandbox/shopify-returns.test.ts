import { startShopifySandbox, type ShopifySandbox } from '../../src/sandbox/shopify';
import { isoInstant, type OrderRecord } from '../../src/sandbox/shopify/record';
import { SandboxStore, recordSource } from '../../src/sandbox/shopify/store';
import { ORDER_RETURNS_QUERY } from '../../src/sources/shopify/queries';
import { shopifyOrderSource } from '../../src/sources/shopify/order-source';
import type { Order } from '../../src/model/order';
import { ManualClock } from '../../src/util/clock';
import { sandboxClient } from './shopify-client';

const T0 = new Date('2026-06-10T12:00:00Z');
const NO_RETURNS = 'shpat_orders_only';

function order(): OrderRecord {
  const placed = isoInstant(T0.getTime() - 5 * 86_400_000);
  return {
    legacyId: 42, name: '#1042', email: 'r@shipsignal.test', phone: null, createdAt: placed, updatedAt: placed, processedAt: placed,
    cancelledAt: null, cancelReason: null, closedAt: null, test: false, tags: [], note: null, currencyCode: 'USD', totalPrice: '30.00',
    totalRefunded: '0.00', displayFinancialStatus: 'PAID', displayFulfillmentStatus: 'FULFILLED',
    lineItems: [{ legacyId: 420, title: 'Vase', variantTitle: null, sku: 'VASE', vendor: null, quantity: 2, unitPrice: '15.00', productLegacyId: null }],
    customer: null, fulfillments: [], shippingAddress: null, customAttributes: [],
  };
}

let sandbox: ShopifySandbox;
const clock = new ManualClock(T0);

beforeAll(async () => {
  sandbox = await startShopifySandbox({ store: new SandboxStore(recordSource([order()], 'USD'), { clock }), clock, throttle: 'off', tokens: { [NO_RETURNS]: ['read_orders', 'read_all_orders'] } });
  const ret = await sandbox.returns.request(42, [{ lineItemLegacyId: 420, quantity: 1, reasonHandle: 'arrived-late', customerNote: 'too late for the party' }]);
  await sandbox.returns.approve(ret.legacyId);
  await sandbox.returns.attachTracking(ret.legacyId, { number: 'RET123', carrierName: 'UPS', url: 'https://ups.test/RET123' });
  await sandbox.returns.refund(ret.legacyId, 42, { shipping: '0.00' });
});
afterAll(() => sandbox.close());

function source(accessToken: string) {
  const abort = new AbortController();
  return shopifyOrderSource({
    connection: { storeDomain: sandbox.shopDomain, accessToken, baseUrl: sandbox.url, timeoutMs: 5000 },
    webhookSecret: null, pageSize: 15, bulkBackfill: false, bulkFromChanges: 0, recoverBulk: false, signal: abort.signal,
  });
}

async function readAll(accessToken: string): Promise<Order[]> {
  const orders: Order[] = [];
  for await (const page of source(accessToken).read(null, { signal: new AbortController().signal, resumeBackfill: false, liveSince: new Date(T0.getTime() - 72 * 3_600_000) })) orders.push(...page.orders);
  return orders;
}

describe('Shopify sandbox returns, with read_returns enforced', () => {
  test('the returns follow-up answers through the official client; without read_returns the field is ACCESS_DENIED', async () => {
    const full = await sandboxClient(sandbox).request(ORDER_RETURNS_QUERY, { variables: { id: 'gid://shopify/Order/42', after: null, withReturns: true } });
    expect(full.errors).toBeUndefined();
    const denied = await sandboxClient(sandbox, NO_RETURNS).request(ORDER_RETURNS_QUERY, { variables: { id: 'gid://shopify/Order/42', after: null, withReturns: true } });
    expect(JSON.stringify(denied.errors)).toContain('ACCESS_DENIED');
    const refundsOnly = await sandboxClient(sandbox, NO_RETURNS).request(ORDER_RETURNS_QUERY, { variables: { id: 'gid://shopify/Order/42', after: null, withReturns: false } });
    expect(refundsOnly.errors).toBeUndefined();
    expect(sandbox.rejectedQueries()).toEqual([]);
  });

  test('the order source reads returns (reason, tracking) and refunds; check names the scope', async () => {
    expect((await source(sandbox.accessToken).check(new AbortController().signal)).detail).toContain('returns read (read_returns)');
    const [read] = await readAll(sandbox.accessToken);
    expect(read.returns).toEqual([expect.objectContaining({
      status: 'open', lines: [expect.objectContaining({ sku: 'VASE', quantity: 1, reason: 'arrived-late', reasonName: 'Arrived late', customerNote: 'too late for the party' })],
      deliveries: [expect.objectContaining({ tracking: { code: 'RET123', carrier: 'UPS', url: 'https://ups.test/RET123' } })],
    })]);
    expect(read.refunds).toEqual([expect.objectContaining({ amount: { minor: 1500, currency: 'USD' }, returnId: read.returns?.[0]?.id, lines: [expect.objectContaining({ sku: 'VASE', quantity: 1 })] })]);
  });

  test('without read_returns: refunds still read, returns not, and check says what is missing', async () => {
    const checked = await source(NO_RETURNS).check(new AbortController().signal);
    expect(checked.detail).toContain('scope read_returns missing');
    // doctor turns each `missing` entry into a failing line; with the scope there is none.
    expect(checked.missing).toEqual([expect.stringContaining('scope read_returns missing')]);
    expect((await source(sandbox.accessToken).check(new AbortController().signal)).missing).toBeUndefined();
    const [read] = await readAll(NO_RETURNS);
    expect(read.returns).toBeUndefined();
    expect(read.refunds).toHaveLength(1);
  });
});
