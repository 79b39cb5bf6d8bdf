import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHttpServer } from '../../src/daemon/http-server';
import type { ScriptedScan } from '../../src/sandbox/easypost';
import type { SandboxEvent } from '../../src/sandbox/klaviyo';
import { isoInstant, type OrderRecord } from '../../src/sandbox/shopify/record';
import { SandboxStore, recordSource } from '../../src/sandbox/shopify/store';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from '../helpers/daemon-harness';

/**
 * A delivered order goes through a whole return, driven through the Shopify sandbox's returns and its signed
 * webhooks, the return parcel tracked by the EasyPost sandbox, and everything read back from the Klaviyo sandbox.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = new Date('2026-06-10T12:00:00Z');
const ORDER_ID = 8_000_001;
const EMAIL = 'returner@shipsignal.test';
const SECRET = 'shopify-e2e-webhook-secret';
const OUT_CODE = 'SSRETOUT000001';
const RETURN_CODE = 'SSRETBACK00001';
const ORIGIN = { city: 'AUSTIN', state: 'TX', country: 'US' };
const DEST = { city: 'NEW YORK', state: 'NY', country: 'US' };
const scan = (at: number, status: ScriptedScan['status'], statusDetail: string, message: string, location = ORIGIN): ScriptedScan =>
  ({ at: new Date(at), status, statusDetail, message, location });

function orderRecord(): OrderRecord {
  const placed = isoInstant(T0.getTime() - 6 * DAY);
  const fulfilled = isoInstant(T0.getTime() - 5 * DAY);
  return {
    legacyId: ORDER_ID, name: '#3001', email: EMAIL, phone: null,
    createdAt: placed, updatedAt: fulfilled, processedAt: placed, cancelledAt: null, cancelReason: null, closedAt: null,
    test: false, tags: [], note: null, currencyCode: 'USD', totalPrice: '84.90', totalRefunded: '0.00',
    displayFinancialStatus: 'PAID', displayFulfillmentStatus: 'FULFILLED',
    lineItems: [
      { legacyId: 8_100_001, title: 'Ceramic mug', variantTitle: null, sku: 'MUG-1', vendor: null, quantity: 1, unitPrice: '24.90', productLegacyId: 8_200_001 },
      { legacyId: 8_100_002, title: 'Teapot', variantTitle: null, sku: 'POT-1', vendor: null, quantity: 1, unitPrice: '54.00', productLegacyId: 8_200_002 },
    ],
    customer: { legacyId: 8_300_001, firstName: 'Rea', lastName: 'Turner', email: EMAIL, phone: null, createdAt: placed, tags: [] },
    fulfillments: [{
      legacyId: 8_400_001, status: 'SUCCESS', displayStatus: 'IN_TRANSIT', createdAt: fulfilled, updatedAt: fulfilled,
      inTransitAt: null, deliveredAt: null, estimatedDeliveryAt: null, tracking: [{ number: OUT_CODE, company: 'USPS', url: null }],
    }],
    shippingAddress: { firstName: 'Rea', lastName: 'Turner', city: 'New York', province: 'New York', provinceCode: 'NY', zip: '10001', country: 'United States', countryCodeV2: 'US', phone: null },
    customAttributes: [],
  };
}

let harness: Harness;
let clock: ManualClock;
let server: Server;
let hookUrl: string;

beforeAll(async () => {
  clock = new ManualClock(T0);
  const store = new SandboxStore(recordSource([orderRecord()], 'USD'), { clock });
  harness = await startHarness({
    store, storeClock: clock, clock, shopifyThrottle: 'off', klaviyoRateLimits: 'off', easypost: { listRatePerSecond: false },
    env: { SHIPSIGNAL_LOG_LEVEL: 'error', SHOPIFY_BULK_BACKFILL: 'false', SHOPIFY_WEBHOOK_SECRET: SECRET },
  });
  const easypost = harness.stack.easypost;
  if (!easypost) throw new Error('no EasyPost sandbox');
  const t = T0.getTime();
  easypost.registerParcel({
    trackingCode: OUT_CODE, carrier: 'USPS', service: 'Priority', weight: 12, estDeliveryDate: new Date(t - 2 * DAY), origin: ORIGIN, destination: DEST,
    scans: [
      scan(t - 5 * DAY, 'pre_transit', 'label_created', 'Shipping label created'),
      scan(t - 4 * DAY, 'in_transit', 'received_at_origin_facility', 'Picked up by carrier'),
      scan(t - 2 * DAY, 'delivered', 'arrived_at_destination', 'Delivered', DEST),
    ],
  });
  // The customer's return parcel goes the other way: shipsignal files it as a return, EasyPost cannot tell.
  easypost.registerParcel({
    trackingCode: RETURN_CODE, carrier: 'USPS', service: 'Ground Advantage', weight: 30, estDeliveryDate: new Date(t + 4 * DAY), origin: DEST, destination: ORIGIN,
    scans: [
      scan(t + 5 * HOUR, 'pre_transit', 'label_created', 'Return label created', DEST),
      scan(t + 1.5 * DAY, 'in_transit', 'received_at_origin_facility', 'Picked up by carrier', DEST),
      scan(t + 3 * DAY, 'delivered', 'arrived_at_destination', 'Delivered', ORIGIN),
    ],
  });
  server = await startHttpServer({ port: 0, host: '127.0.0.1', token: null, health: harness.app.health, registry: harness.app.context.metrics.registry, webhooks: harness.app.webhooks() });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hookUrl = `${base}/webhooks/shopify`;
  easypost.addWebhook({ url: `${base}/webhooks/easypost`, secret: harness.stack.env.EASYPOST_WEBHOOK_SECRET });
  harness.stack.shopify.webhooks.subscribe(hookUrl, SECRET);
}, 30_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await harness.close();
});

const RETURN_METRICS = new Set(['Return Requested', 'Return Approved', 'Return Declined', 'Return Shipment In Transit', 'Return Received', 'Return Closed', 'Refund Issued']);
const returnEvents = (): SandboxEvent[] => harness.stack.klaviyo.events()
  .filter((e) => e.profile.email === EMAIL && RETURN_METRICS.has(e.metric))
  .sort((a, b) => a.time.localeCompare(b.time));
function props(): Record<string, unknown> {
  return harness.stack.klaviyo.profiles().find((p) => p.email === EMAIL)?.properties ?? {};
}

/** Lets the daemon handle what the sandboxes sent (webhooks run in the background), then delivers to Klaviyo. */
async function settle(): Promise<void> {
  const { app } = harness;
  await harness.stack.easypost?.tick();
  await app.whenIdle();
  await app.exclusive(async () => {
    await app.recheckShipments();
    await app.drain();
  });
}

async function advance(ms: number): Promise<void> {
  const until = clock.now().getTime() + ms;
  while (clock.now().getTime() < until) {
    clock.advance(Math.min(3 * HOUR, until - clock.now().getTime()));
    await settle();
  }
}

const returnId = (): number => {
  const ret = harness.stack.shopify.store.order(ORDER_ID)?.returns?.[0];
  if (!ret) throw new Error('no return in the sandbox');
  return ret.legacyId;
};

describe('returns end to end: Shopify returns and webhooks → return parcel on EasyPost → Klaviyo', () => {
  test('the delivered order is synced with a review request timed', async () => {
    await harness.app.syncOnce();
    await settle();
    expect(props()).toMatchObject({ ss_shipment_status: 'delivered', ss_hold_promotions: false, ss_returns_count: 0, ss_return_open: false, ss_trust_at_risk: false });
    expect(props().ss_review_request_ready_at).toBe(new Date(T0.getTime() - 2 * DAY + 7 * DAY).toISOString());
    expect(returnEvents()).toEqual([]);
  });

  test('a return request holds promotions, clears the review timing and marks trust fragile', async () => {
    clock.advance(2 * HOUR);
    await harness.stack.shopify.returns.request(ORDER_ID, [{ lineItemLegacyId: 8_100_002, quantity: 1, reasonHandle: 'defective', customerNote: 'lid cracked' }]);
    await settle();
    expect(returnEvents().map((e) => e.metric)).toEqual(['Return Requested']);
    const requested = returnEvents()[0];
    expect(requested.properties).toMatchObject({
      OrderId: `gid://shopify/Order/${ORDER_ID}`, OrderNumber: '#3001', ReturnStatus: 'requested', ReturnReasons: ['defective'],
      ItemNames: ['Teapot'], Quantity: 1, LifecycleSegment: 'first_time',
    });
    expect(props()).toMatchObject({ ss_hold_promotions: true, ss_hold_reason: 'return_open', ss_return_open: true, ss_returns_count: 1, ss_return_rate: 0.5, ss_last_return_reason: 'defective', ss_trust_at_risk: true });
    expect(props().ss_review_request_ready_at).toBeUndefined();
    expect(props().ss_trust_reasons).toEqual(['returned Teapot from order #3001 as "damaged or defective" on 2026-06-10']);
  });

  test('approval, then the return label tracked in transit and received, then a refund releases the hold', async () => {
    const { returns } = harness.stack.shopify;
    clock.advance(2 * HOUR);
    await returns.approve(returnId());
    await settle();
    clock.advance(HOUR);
    await returns.attachTracking(returnId(), { number: RETURN_CODE, carrierName: 'USPS' });
    await settle();
    expect(harness.stack.easypost?.trackerCount).toBe(2);
    await advance(2 * DAY);
    expect(returnEvents().map((e) => e.metric)).toEqual(['Return Requested', 'Return Approved', 'Return Shipment In Transit']);
    expect(props()).toMatchObject({ ss_hold_promotions: true, ss_shipment_status: 'delivered' });
    await advance(1.5 * DAY);
    expect(returnEvents().map((e) => e.metric)).toEqual(['Return Requested', 'Return Approved', 'Return Shipment In Transit', 'Return Received']);
    expect(returnEvents()[3].properties).toMatchObject({ TrackingCode: RETURN_CODE, Carrier: 'USPS' });

    await returns.receive(returnId());
    clock.advance(HOUR);
    await returns.refund(returnId(), ORDER_ID, { shipping: '6.00', note: 'sorry about the lid' });
    await settle();
    const refund = returnEvents().find((e) => e.metric === 'Refund Issued');
    expect(refund?.properties).toMatchObject({ Amount: 60, ShippingRefunded: 6, CoveredShipping: true, Reason: 'sorry about the lid', ItemNames: ['Teapot'] });
    expect(refund?.value).toBe(60);
    expect(props()).toMatchObject({ ss_hold_promotions: false, ss_return_open: false, ss_returns_count: 1, ss_total_spent: 24.9 });
    expect(props().ss_hold_reason).toBeUndefined();
    // The returned order never gets a review request; the trust stays fragile inside its window.
    expect(props().ss_review_request_ready_at).toBeUndefined();
    expect(props().ss_trust_at_risk).toBe(true);

    clock.advance(HOUR);
    await returns.close(returnId());
    await settle();
    const events = returnEvents();
    expect(events.map((e) => e.metric)).toEqual(['Return Requested', 'Return Approved', 'Return Shipment In Transit', 'Return Received', 'Refund Issued', 'Return Closed']);
    // Causal order in time, each once, none as history.
    expect(events.map((e) => e.time)).toEqual([...events.map((e) => e.time)].sort());
    expect(new Set(events.map((e) => e.uniqueId)).size).toBe(events.length);
    expect(events.every((e) => !e.backfill)).toBe(true);
  }, 60_000);

  test('replaying every Shopify webhook twice and polling again adds nothing', async () => {
    const before = harness.stack.klaviyo.events().length;
    const sender = harness.stack.shopify.webhooks;
    expect(sender.deliveries.map((d) => d.topic)).toEqual([
      'returns/request', 'returns/approve', 'reverse_deliveries/attach_deliverable', 'refunds/create', 'returns/close',
    ]);
    expect(sender.deliveries.every((d) => d.status === 200)).toBe(true);
    for (const delivery of [...sender.deliveries]) {
      await sender.redeliver(delivery);
      await sender.redeliver(delivery);
    }
    await settle();
    await harness.app.syncOnce();
    await settle();
    expect(harness.stack.klaviyo.events().length).toBe(before);
    expect(harness.stack.klaviyo.stats().duplicatesDropped).toBe(0);
  });

  test('the fragile-trust window lapses with nothing else happening: the time-driven review clears it', async () => {
    const { app } = harness;
    clock.advance(80 * DAY);
    await app.exclusive(async () => {
      await app.reviewDue();
      await app.drain();
    });
    expect(props().ss_trust_at_risk).toBe(true);
    clock.advance(11 * DAY);
    await app.exclusive(async () => {
      await app.reviewDue();
      await app.drain();
    });
    expect(props().ss_trust_at_risk).toBe(false);
    expect(props().ss_trust_reasons).toEqual([]);
  });

  test('a return for an order shipsignal never saw is rejected with a reason, not a crash', async () => {
    const body = JSON.stringify({ id: 1, admin_graphql_api_id: 'gid://shopify/Return/1', status: 'requested', order: { id: 99_999, admin_graphql_api_id: 'gid://shopify/Order/99999' }, return_line_items: [] });
    const hmac = createHmac('sha256', SECRET).update(body).digest('base64');
    const response = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-shopify-topic': 'returns/request', 'x-shopify-hmac-sha256': hmac }, body });
    expect(response.status).toBe(200);
    await settle();
    const rejects = await harness.app.context.rejects.list(100);
    expect(rejects.filter((r) => r.recordId === 'gid://shopify/Order/99999').map((r) => r.reason)).toEqual([
      'returns/request names order gid://shopify/Order/99999, which shipsignal has not read (not in the store\'s readable history, or without a usable email): nothing changed',
    ]);
    expect(harness.app.health.snapshot().ok ?? true).toBeTruthy();
  });
});
