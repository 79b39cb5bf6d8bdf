import EasyPostClient from '@easypost/api';
import { normalizeEmail } from '../../src/model/identity';
import { registerDemoParcels } from '../../src/sandbox/demo-parcels';
import { DEFAULT_PRODUCTION_KEY, EasyPostSandbox } from '../../src/sandbox/easypost';
import { GIFT_RETAILER_DATA_END } from '../../src/sandbox/shopify/seeds/gift-parcels';
import { ManualClock } from '../../src/util/clock';
import { generateStore, loadGiftRetailerStore, loadOlistStore, type OrderRecord, type SandboxStore } from '../../src/sandbox/shopify';

function all(store: SandboxStore): OrderRecord[] {
  return Array.from({ length: store.size }, (_, i) => store.recordAt(i));
}

describe('Olist seed', () => {
  const orders = all(loadOlistStore());

  it('has one order per Olist order, BRL, totals from payments', () => {
    expect(orders).toHaveLength(9_999);
    expect(new Set(orders.map((o) => o.currencyCode))).toEqual(new Set(['BRL']));
    const first = orders.find((o) => o.customAttributes.some((a) => a.value === 'e481f51cbdc54678b7cc49136f2d6af7'))!;
    expect(first.createdAt).toBe('2017-10-02T13:56:33Z'); // 10:56:33 in São Paulo (UTC-3)
    expect(first.fulfillments[0]).toMatchObject({ createdAt: '2017-10-04T22:55:00Z', deliveredAt: '2017-10-11T00:25:13Z', displayStatus: 'DELIVERED' });
    expect(first.customAttributes).toContainEqual({ key: 'promised_delivery_date', value: '2017-10-18' });
    expect(first.updatedAt).toBe('2017-10-11T00:25:13Z');
  });

  it('maps statuses: canceled/unavailable are cancelled, carrier hand-offs are fulfillments', () => {
    expect(orders.filter((o) => o.cancelledAt !== null)).toHaveLength(58 + 55);
    const delivered = orders.filter((o) => o.fulfillments[0]?.deliveredAt);
    expect(delivered.length).toBeGreaterThan(9_000);
    for (const o of orders.slice(0, 500)) {
      const events = [o.createdAt, o.cancelledAt, ...o.fulfillments.flatMap((f) => [f.createdAt, f.deliveredAt])].filter((x): x is string => x !== null);
      expect(o.updatedAt >= events.sort()[events.length - 1]).toBe(true);
    }
  });

  it('synthesises stable identities, some typed with odd casing or spaces', () => {
    const typedOddly = orders.filter((o) => o.email !== normalizeEmail(o.email));
    expect(typedOddly.length).toBeGreaterThan(200);
    expect(typedOddly.every((o) => normalizeEmail(o.email) === o.customer!.email)).toBe(true);
    const repeaters = new Map<number, number>();
    for (const o of orders) repeaters.set(o.customer!.legacyId, (repeaters.get(o.customer!.legacyId) ?? 0) + 1);
    expect([...repeaters.values()].some((n) => n > 1)).toBe(true);
    expect(all(loadOlistStore())[1234]).toEqual(orders[1234]);
  });
});

describe('gift retailer seed', () => {
  const store = loadGiftRetailerStore();
  const orders = all(store);

  it('has one order per invoice with a customer, with the README counts', () => {
    expect(orders).toHaveLength(15_594);
    expect(orders.filter((o) => o.cancelledAt !== null)).toHaveLength(2_573);
    expect(new Set(orders.map((o) => o.customer!.legacyId)).size).toBe(3_059);
    expect(new Set(orders.map((o) => o.currencyCode))).toEqual(new Set(['GBP']));
  });

  it('reads invoice dates as London time and says the total is approximate', () => {
    expect(orders.find((o) => o.name === '#536365')!.createdAt).toBe('2010-12-01T08:26:00Z');
    const summer = orders.find((o) => o.name === '#555156')!;
    expect(summer.createdAt).toBe('2011-06-01T06:37:00Z'); // 07:37 BST
    expect(summer.totalPrice).toBe('72.45'); // 7 × 10.35
    expect(summer.note).toMatch(/approximation/);
    const customer = summer.customer!.legacyId;
    expect(store.customerStats(customer).count).toBe(orders.filter((o) => o.customer!.legacyId === customer).length);
  });
});

describe('gift retailer seed: synthesized parcels', () => {
  const orders = all(loadGiftRetailerStore());
  const DAY = 86_400_000;

  it('ships every non-cancelled invoice: one Royal Mail parcel 1-3 days after it, unless that day is past the data end', () => {
    const live = orders.filter((o) => o.cancelledAt === null);
    const unshipped = live.filter((o) => o.fulfillments.length === 0);
    // Only invoices from the data's last three days can still be waiting for collection.
    expect(unshipped.every((o) => Date.parse(o.createdAt) > GIFT_RETAILER_DATA_END - 3 * DAY)).toBe(true);
    expect(unshipped.length).toBeLessThan(live.length / 100);
    const code = /^(RR|RN|RM|LX)\d{9}GB$/;
    const wrong = live.filter((o) => o.fulfillments.length > 0).filter((order) => {
      const [parcel, ...more] = order.fulfillments;
      const lag = Date.parse(parcel.createdAt) - Date.parse(order.createdAt);
      return more.length > 0 || lag < 0.4 * DAY || lag > 3.8 * DAY
        || parcel.tracking.length !== 1 || !code.test(parcel.tracking[0].number) || parcel.tracking[0].company !== 'RoyalMail'
        || order.displayFulfillmentStatus !== 'FULFILLED'
        || (parcel.deliveredAt !== null && Date.parse(parcel.deliveredAt) <= Date.parse(parcel.createdAt))
        || Date.parse(order.updatedAt) < Date.parse(parcel.updatedAt);
    });
    expect(wrong.map((o) => o.name)).toEqual([]);
    expect(unshipped.length).toBeGreaterThan(0);
    expect(new Set(live.flatMap((o) => o.fulfillments.map((f) => f.tracking[0].number))).size).toBe(live.length - unshipped.length);
  });

  it('leaves cancellation invoices unfulfilled and is deterministic', () => {
    expect(orders.filter((o) => o.cancelledAt !== null).every((o) => o.fulfillments.length === 0 && o.displayFulfillmentStatus === 'UNFULFILLED')).toBe(true);
    const parcels = (list: OrderRecord[]) => JSON.stringify(list.map((o) => o.fulfillments));
    expect(parcels(all(loadGiftRetailerStore()))).toBe(parcels(orders));
  });

  it('gives the parcels still moving at the demo clock an EasyPost history the official client reads', async () => {
    const now = new Date(GIFT_RETAILER_DATA_END);
    const easypost = new EasyPostSandbox({ clock: new ManualClock(now), listRatePerSecond: false });
    const url = await easypost.start();
    try {
      const registered = registerDemoParcels(loadGiftRetailerStore(), easypost, new Date(now.getTime() - 3 * DAY));
      const moving = orders.filter((o) => o.fulfillments[0] && o.fulfillments[0].deliveredAt === null);
      expect(moving.length).toBeGreaterThan(0);
      expect(registered).toBeGreaterThanOrEqual(moving.length);
      const parcel = moving[0].fulfillments[0];
      const tracker = await new EasyPostClient(DEFAULT_PRODUCTION_KEY, { baseUrl: `${url}/v2/` }).Tracker.create({ tracking_code: parcel.tracking[0].number, carrier: 'RoyalMail' });
      expect(tracker.status).toBe('in_transit');
      expect(tracker.tracking_details.length).toBeGreaterThan(0);
    } finally {
      await easypost.stop();
    }
  });
});

describe('synthetic store', () => {
  it('is deterministic per seed and pages quickly', () => {
    const store = generateStore({ orders: 60_000, seed: 42 });
    expect(generateStore({ orders: 60_000, seed: 42 }).recordAt(12_345)).toEqual(store.recordAt(12_345));
    expect(generateStore({ orders: 1_000, seed: 43 }).recordAt(500)).not.toEqual(generateStore({ orders: 1_000, seed: 42 }).recordAt(500));
    const customers = new Set<number>();
    let items = 0;
    let fulfilled = 0;
    for (let i = 0; i < 20_000; i++) {
      const o = store.recordAt(i * 3);
      customers.add(o.customer!.legacyId);
      items += o.lineItems.length;
      fulfilled += o.fulfillments.length;
    }
    expect(customers.size).toBeLessThan(20_000);
    expect(items / 20_000).toBeGreaterThan(1);
    expect(items / 20_000).toBeLessThan(1.3);
    expect(fulfilled / 20_000).toBeGreaterThan(0.9);
    store.page({ first: 1, sortKey: 'UPDATED_AT' });
    const started = Date.now();
    let after: string | null = null;
    for (let p = 0; p < 20; p++) {
      const page = store.page({ first: 250, after, sortKey: 'UPDATED_AT', query: "updated_at:>'2025-07-01T00:00:00Z'" });
      after = page.entries[page.entries.length - 1].cursor;
    }
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
