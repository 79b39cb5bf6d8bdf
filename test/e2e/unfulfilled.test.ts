import { App } from '../../src/daemon/app';
import type { LocalStack } from '../../src/sandbox/local-stack';
import type { SandboxEvent } from '../../src/sandbox/klaviyo';
import { isoInstant, type FulfillmentRecord, type OrderRecord } from '../../src/sandbox/shopify/record';
import { SandboxStore, recordSource } from '../../src/sandbox/shopify/store';
import { readHoldShare } from '../../src/pipeline/hold-share';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from '../helpers/daemon-harness';

const HOUR = 3_600_000;
/**
 * Placed Thursday 11:00 in New York (America/New_York business days): 72 business hours end the next Tuesday 11:00
 * local (15:00Z), not on Sunday, because the weekend does not count.
 */
const PLACED = new Date('2026-06-04T15:00:00Z');
const THRESHOLD = new Date('2026-06-09T15:00:00Z');
const T0 = new Date('2026-06-04T16:00:00Z');
const CODE = 'SSUNF0000000001';

/** Placed two months before the live window opens: history, never a hold. */
const LONG_AGO = new Date('2026-04-01T15:00:00Z');
/** `shipments.pendingHorizonDays` (30) after PLACED: an order nobody fulfilled by then is no longer followed. */
const HORIZON = new Date(PLACED.getTime() + 30 * 24 * HOUR);

const customers = ['waits', 'cancelled', 'prompt', 'old', 'digital', 'forgotten'] as const;
type Customer = (typeof customers)[number];
const emailOf = (who: Customer): string => `${who}@shipsignal.test`;
const legacyIdOf = (who: Customer): number => 8_000_000 + customers.indexOf(who);

function orderRecord(who: Customer): OrderRecord {
  const i = customers.indexOf(who);
  const placed = isoInstant(who === 'old' ? LONG_AGO : PLACED);
  return {
    legacyId: legacyIdOf(who), name: `#${3001 + i}`, email: emailOf(who), phone: null,
    createdAt: placed, updatedAt: placed, processedAt: placed, cancelledAt: null, cancelReason: null, closedAt: null,
    test: false, tags: [], note: null, currencyCode: 'USD', totalPrice: '42.00', totalRefunded: '0.00',
    displayFinancialStatus: 'PAID', displayFulfillmentStatus: 'UNFULFILLED',
    lineItems: [{ legacyId: 8_100_000 + i, title: 'Wool socks', variantTitle: null, sku: `SOCK-${i}`, vendor: null, quantity: 2, unitPrice: '21.00', productLegacyId: 8_200_000 + i }],
    customer: { legacyId: 8_300_000 + i, firstName: 'Grace', lastName: who, email: emailOf(who), phone: null, createdAt: placed, tags: [] },
    fulfillments: [],
    shippingAddress: who === 'digital' ? null : { firstName: 'Grace', lastName: who, city: 'New York', province: 'New York', provinceCode: 'NY', zip: '10001', country: 'United States', countryCodeV2: 'US', phone: null },
    customAttributes: [],
  };
}

let clock: ManualClock;
let store: SandboxStore;
let stack: LocalStack;
let app: App;
let harness: Harness;

beforeAll(async () => {
  clock = new ManualClock(T0);
  store = new SandboxStore(recordSource(customers.map(orderRecord), 'USD'), { clock });
  harness = await startHarness({
    store, storeClock: clock, clock, shopifyThrottle: 'off', klaviyoRateLimits: 'off', easypost: { listRatePerSecond: false },
    env: { SHIPSIGNAL_LOG_LEVEL: 'error', SHOPIFY_BULK_BACKFILL: 'false' },
  });
  ({ stack, app } = harness);
  const origin = { city: 'AUSTIN', state: 'TX', country: 'US' };
  const destination = { city: 'NEW YORK', state: 'NY', country: 'US' };
  stack.easypost?.registerParcel({
    trackingCode: CODE, carrier: 'USPS', service: 'Priority', weight: 12, estDeliveryDate: new Date('2026-06-12T12:00:00Z'), origin, destination,
    scans: [{ at: new Date('2026-06-10T09:00:00Z'), status: 'pre_transit', statusDetail: 'label_created', message: 'Shipping label created', location: origin }],
  });
}, 30_000);

afterAll(() => harness?.close());

const eventsOf = (who: Customer): SandboxEvent[] =>
  stack.klaviyo.events().filter((e) => e.profile.email === emailOf(who)).sort((a, b) => a.time.localeCompare(b.time));
const issuesOf = (who: Customer): SandboxEvent[] => eventsOf(who).filter((e) => e.metric.startsWith('Delivery Issue'));
/** Klaviyo stores no null property: a null we send reads back as absent, here as null. */
function holdOf(who: Customer): { hold: unknown; reason: unknown; open: unknown } {
  const p = stack.klaviyo.profiles().find((profile) => profile.email === emailOf(who))?.properties ?? {};
  return { hold: p.ss_hold_promotions, reason: p.ss_hold_reason ?? null, open: p.ss_delivery_issue_open };
}

const heldByRule = async (): Promise<Record<string, number>> => ({ ...(await readHoldShare(app.context.store, 20)).counts.byRule });

async function advanceTo(until: Date, onStep: (now: Date) => void = () => undefined, stepMs = HOUR): Promise<void> {
  while (clock.now() < until) {
    clock.advance(Math.min(stepMs, until.getTime() - clock.now().getTime()));
    await app.exclusive(async () => {
      await app.recheckShipments();
      await app.drain();
    });
    onStep(clock.now());
  }
}

describe('an order nobody fulfills raises stalled_fulfillment, held until it ships, is cancelled or ages out', () => {
  test('a freshly placed order raises nothing, and a prompt fulfillment never raises anything', async () => {
    await app.syncOnce();
    for (const who of ['waits', 'cancelled', 'prompt', 'digital', 'forgotten'] as const) expect(issuesOf(who)).toEqual([]);
    // An order left unfulfilled since before the live window is history: no issue, not even as backfill, and no hold.
    expect(issuesOf('old')).toEqual([]);
    // Not followed at all, so Klaviyo holds no delivery property for it.
    expect(holdOf('old')).toEqual({ hold: undefined, reason: null, open: undefined });
    expect(holdOf('waits')).toEqual({ hold: false, reason: null, open: false });
    expect(await heldByRule()).toEqual({});
    expect(eventsOf('waits').filter((e) => e.metric.startsWith('Shipment'))).toEqual([]);

    clock.advance(20 * HOUR);
    const fulfillment: FulfillmentRecord = {
      legacyId: 8_400_002, status: 'SUCCESS', displayStatus: 'FULFILLED', createdAt: isoInstant(clock.now()), updatedAt: isoInstant(clock.now()),
      inTransitAt: null, deliveredAt: null, estimatedDeliveryAt: null, tracking: [{ number: 'SSUNF0000000009', company: 'USPS', url: null }],
    };
    store.updateOrder(legacyIdOf('prompt'), { fulfillments: [fulfillment], displayFulfillmentStatus: 'FULFILLED' });
    await app.syncOnce();
    await app.whenIdle();
  }, 30_000);

  test('past 72 business hours (the weekend does not count): one Delivery Issue Detected and a hold', async () => {
    let detectedAt: Date | null = null;
    await advanceTo(new Date('2026-06-09T20:00:00Z'), (now) => {
      if (!detectedAt && issuesOf('waits').length > 0) detectedAt = now;
    });
    expect(detectedAt).not.toBeNull();
    expect((detectedAt as unknown as Date).getTime()).toBeGreaterThan(THRESHOLD.getTime());
    expect((detectedAt as unknown as Date).getTime()).toBeLessThanOrEqual(THRESHOLD.getTime() + HOUR);

    for (const who of ['waits', 'cancelled', 'forgotten'] as const) {
      const issues = issuesOf(who);
      expect(issues.map((e) => e.metric)).toEqual(['Delivery Issue Detected']);
      expect(issues[0].properties).toMatchObject({ IssueCode: 'stalled_fulfillment', OrderNumber: `#${3001 + customers.indexOf(who)}`, RiskLevel: 'low' });
      expect(issues[0].properties.TrackingCode ?? null).toBeNull();
      expect(issues[0].backfill ?? false).toBe(false);
      expect(holdOf(who)).toEqual({ hold: true, reason: 'stalled_fulfillment', open: true });
    }
    expect(issuesOf('prompt')).toEqual([]);
    expect(issuesOf('digital')).toEqual([]);
    expect(issuesOf('old')).toEqual([]);
    expect(holdOf('old').hold).toBeUndefined();
    expect(holdOf('prompt')).toMatchObject({ hold: false, open: false });
    expect(await heldByRule()).toEqual({ stalled_fulfillment: 3 });
    // No shipment status event for a parcel that does not exist yet.
    expect(eventsOf('waits').filter((e) => e.metric.startsWith('Shipment'))).toEqual([]);
  }, 60_000);

  test('fulfilling with a tracking number, or cancelling, resolves the issue once and clears the hold', async () => {
    clock.advance(HOUR);
    const fulfillment: FulfillmentRecord = {
      legacyId: 8_400_000, status: 'SUCCESS', displayStatus: 'FULFILLED', createdAt: isoInstant(clock.now()), updatedAt: isoInstant(clock.now()),
      inTransitAt: null, deliveredAt: null, estimatedDeliveryAt: null, tracking: [{ number: CODE, company: 'USPS', url: null }],
    };
    store.updateOrder(legacyIdOf('waits'), { fulfillments: [fulfillment], displayFulfillmentStatus: 'FULFILLED' });
    store.cancelOrder(legacyIdOf('cancelled'), {});
    await app.syncOnce();
    await app.whenIdle();

    for (const who of ['waits', 'cancelled'] as const) {
      expect(issuesOf(who).map((e) => e.metric)).toEqual(['Delivery Issue Detected', 'Delivery Issue Resolved']);
      expect(issuesOf(who)[1].properties).toMatchObject({ IssueCode: 'stalled_fulfillment' });
      expect(holdOf(who)).toEqual({ hold: false, reason: null, open: false });
    }
    expect(await heldByRule()).toEqual({ stalled_fulfillment: 1 });
    // The tracked parcel took over from the pending one.
    expect(await app.context.store.get(`shipment:usps:${CODE}:gid://shopify/Order/${legacyIdOf('waits')}`)).toMatchObject({ trackingCode: CODE });
  }, 30_000);

  test('re-syncing and letting time pass sends nothing new', async () => {
    const before = stack.klaviyo.events().length;
    const profileBefore = stack.klaviyo.profiles().map((p) => ({ email: p.email, properties: p.properties }));
    const report = await app.syncOnce();
    expect(report.drained.events).toBe(0);
    expect(report.drained.profiles).toBe(0);
    await advanceTo(new Date('2026-06-10T06:00:00Z'));
    for (const who of customers) expect(issuesOf(who).length).toBeLessThanOrEqual(2);
    expect(stack.klaviyo.events().length).toBe(before);
    expect(stack.klaviyo.profiles().map((p) => ({ email: p.email, properties: p.properties }))).toEqual(profileBefore);
    expect(new Set(stack.klaviyo.events().map((e) => e.uniqueId)).size).toBe(stack.klaviyo.events().length);
  }, 30_000);
});

describe('an order still unfulfilled at the horizon ages out', () => {
  test('held until shipments.pendingHorizonDays after placement, then resolved (StatusDetail aged_out) and released, once', async () => {
    await advanceTo(new Date(HORIZON.getTime() - HOUR), () => undefined, 12 * HOUR);
    expect(issuesOf('forgotten').map((e) => e.metric)).toEqual(['Delivery Issue Detected']);
    expect(holdOf('forgotten')).toEqual({ hold: true, reason: 'stalled_fulfillment', open: true });

    await advanceTo(new Date(HORIZON.getTime() + HOUR));
    const issues = issuesOf('forgotten');
    expect(issues.map((e) => e.metric)).toEqual(['Delivery Issue Detected', 'Delivery Issue Resolved']);
    expect(issues[1].properties).toMatchObject({ IssueCode: 'stalled_fulfillment', Status: 'cancelled', StatusDetail: 'aged_out' });
    expect(issues[1].backfill ?? false).toBe(false);
    expect(Date.parse(issues[1].time)).toBeGreaterThanOrEqual(HORIZON.getTime());
    expect(holdOf('forgotten')).toEqual({ hold: false, reason: null, open: false });
    // Nobody is held for stalled_fulfillment any more ('waits' parcel, a month past its carrier date, is held for that).
    expect(await heldByRule()).toEqual({ late_vs_carrier: 1 });

    // A sync after the horizon does not start following the order again.
    await app.syncOnce();
    await advanceTo(new Date(HORIZON.getTime() + 3 * 24 * HOUR), () => undefined, 12 * HOUR);
    expect(issuesOf('forgotten')).toHaveLength(2);
    expect(holdOf('forgotten').hold).toBe(false);
  }, 60_000);
});
