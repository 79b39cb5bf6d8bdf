import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { doctor } from '../../src/cli/doctor';
import { startHttpServer } from '../../src/daemon/http-server';
import type { App } from '../../src/daemon/app';
import type { LocalStack } from '../../src/sandbox/local-stack';
import { isoInstant, type OrderRecord } from '../../src/sandbox/shopify/record';
import { SandboxStore, recordSource } from '../../src/sandbox/shopify/store';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from '../helpers/daemon-harness';

/**
 * A store like the gift retailer's: a year of history nobody ever recorded a fulfillment for (and a few parcels
 * handed over long ago that never reported a delivery), then a day of live orders nobody fulfills. History opens no
 * hold and sends no issue; the live orders open one each after 72 business hours, which holds more than 20% of the
 * store's customers (a warning in the logs, /readyz and doctor), and they age out 30 days after placement.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PLACED = new Date('2026-06-04T15:00:00Z'); // Thursday, 11:00 in New York
const T0 = new Date('2026-06-04T16:00:00Z');
const HORIZON = new Date(PLACED.getTime() + 30 * DAY);

const HISTORIC_UNFULFILLED = 60;
const HISTORIC_SHIPPED = 10;
const LIVE = 20;

const email = (i: number): string => `customer-${i}@shipsignal.test`;

function record(i: number, customer: number, placedAt: Date, shipped: boolean): OrderRecord {
  const placed = isoInstant(placedAt);
  const handedOver = isoInstant(new Date(placedAt.getTime() + DAY));
  return {
    legacyId: 7_000_000 + i, name: `#${5001 + i}`, email: email(customer), phone: null,
    createdAt: placed, updatedAt: placed, processedAt: placed, cancelledAt: null, cancelReason: null, closedAt: null,
    test: false, tags: [], note: null, currencyCode: 'GBP', totalPrice: '30.00', totalRefunded: '0.00',
    displayFinancialStatus: 'PAID', displayFulfillmentStatus: shipped ? 'FULFILLED' : 'UNFULFILLED',
    lineItems: [{ legacyId: 7_100_000 + i, title: 'Gift assortment', variantTitle: null, sku: null, vendor: null, quantity: 3, unitPrice: '10.00', productLegacyId: 7_200_000 }],
    customer: null,
    // Handed over a day after the order, expected two days later, never reported delivered: late when first seen.
    fulfillments: shipped
      ? [{ legacyId: 7_300_000 + i, status: 'SUCCESS', displayStatus: 'FULFILLED', createdAt: handedOver, updatedAt: handedOver, inTransitAt: null, deliveredAt: null,
        estimatedDeliveryAt: isoInstant(new Date(placedAt.getTime() + 3 * DAY)), tracking: [{ number: `SSHIST${String(i).padStart(6, '0')}`, company: 'Royal Mail', url: null }] }]
      : [],
    shippingAddress: { firstName: 'Ada', lastName: `Customer ${customer}`, city: 'New York', province: 'New York', provinceCode: 'NY', zip: '10001', country: 'United States', countryCodeV2: 'US', phone: null },
    customAttributes: [],
  };
}

function records(): OrderRecord[] {
  const all: OrderRecord[] = [];
  const historic = HISTORIC_UNFULFILLED + HISTORIC_SHIPPED;
  // Two historic orders per historic customer, spread over the year before: every one of them was never fulfilled
  // (or, for the last ten customers, shipped and never reported delivered).
  for (let i = 0; i < 2 * historic; i++) {
    const placedAt = new Date(Date.parse('2025-06-01T10:00:00Z') + i * 2 * DAY);
    const customer = i % historic;
    all.push(record(i, customer, placedAt, customer >= HISTORIC_UNFULFILLED));
  }
  for (let i = 0; i < LIVE; i++) all.push(record(2 * historic + i, historic + i, PLACED, false));
  return all;
}

let clock: ManualClock;
let stack: LocalStack;
let app: App;
let harness: Harness;
let server: Server;

beforeAll(async () => {
  clock = new ManualClock(T0);
  const store = new SandboxStore(recordSource(records(), 'GBP'), { clock });
  harness = await startHarness({
    store, storeClock: clock, clock, shopifyThrottle: 'off', klaviyoRateLimits: 'off',
    env: { SHIPSIGNAL_LOG_LEVEL: 'info', SHOPIFY_BULK_BACKFILL: 'false' },
  });
  ({ stack, app } = harness);
  server = await startHttpServer({ port: 0, host: '127.0.0.1', token: 'ops-token', health: app.health, registry: app.context.metrics.registry, webhooks: {} });
}, 30_000);

afterAll(async () => {
  server?.close();
  await harness?.close();
});

const issueEvents = (metric: string) => stack.klaviyo.events().filter((e) => e.metric === metric);
const held = () => stack.klaviyo.profiles().filter((p) => p.properties.ss_hold_promotions === true);

/** Details (the warnings) are shown only to a caller presenting the token. */
async function readyz(): Promise<{ ready: boolean; details: Record<string, string> }> {
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}/readyz`, { headers: { authorization: 'Bearer ops-token' } });
  return (await response.json()) as { ready: boolean; details: Record<string, string> };
}

async function doctorHolds(): Promise<{ ok: boolean; detail: string } | undefined> {
  return (await doctor(app.env)).find((check) => check.name === 'delivery holds');
}

async function advanceTo(until: Date, stepMs: number): Promise<void> {
  while (clock.now() < until) {
    clock.advance(Math.min(stepMs, until.getTime() - clock.now().getTime()));
    await app.exclusive(async () => {
      await app.recheckShipments();
      await app.drain();
    });
  }
}

describe('history never opens a hold; an implausible share of held customers is reported', () => {
  test('a year of orders never fulfilled: zero issue events, zero holds, no warning', async () => {
    const report = await app.syncOnce();
    expect(report.orders).toBe(2 * (HISTORIC_UNFULFILLED + HISTORIC_SHIPPED) + LIVE);
    expect(stack.klaviyo.profiles()).toHaveLength(HISTORIC_UNFULFILLED + HISTORIC_SHIPPED + LIVE);
    expect(issueEvents('Delivery Issue Detected')).toEqual([]);
    expect(issueEvents('Delivery Issue Resolved')).toEqual([]);
    expect(held()).toEqual([]);
    // The shipped-long-ago parcels are followed (their status is history), and late: still no hold.
    const shipped = stack.klaviyo.profiles().filter((p) => p.properties.ss_shipment_status === 'in_transit');
    expect(shipped).toHaveLength(HISTORIC_SHIPPED);
    expect(shipped.every((p) => p.properties.ss_hold_promotions === false && p.properties.ss_delivery_risk === 'high')).toBe(true);
    expect(shipped[0]?.properties.ss_delivery_risk_reasons).toEqual(['late_vs_carrier']);
    expect((await readyz()).details).toEqual({});
    expect(await doctorHolds()).toMatchObject({ ok: true, detail: `0 of ${HISTORIC_UNFULFILLED + HISTORIC_SHIPPED + LIVE} customers held; warns above 20%` });
    expect(harness.logs()).not.toContain('implausible share');
  }, 60_000);

  test('live orders nobody fulfills: one issue and a hold each after 72 business hours, and a warning naming the rule', async () => {
    // Thursday 11:00 + 72 business hours = Tuesday 11:00 in New York.
    await advanceTo(new Date('2026-06-09T16:00:00Z'), 3 * HOUR);
    await app.syncOnce();
    const detected = issueEvents('Delivery Issue Detected');
    expect(detected).toHaveLength(LIVE);
    expect(detected.every((e) => e.properties.IssueCode === 'stalled_fulfillment' && !e.backfill)).toBe(true);
    expect(held()).toHaveLength(LIVE);

    const share = `${LIVE} of ${HISTORIC_UNFULFILLED + HISTORIC_SHIPPED + LIVE} customers (22.2%) are held from promotions, more than the plausible 20%: stalled_fulfillment ${LIVE}`;
    const body = await readyz();
    expect(body.ready).toBe(true);
    expect(body.details.holds).toContain(share);
    expect(harness.logs()).toContain('implausible share of customers held from promotions');
    expect(harness.logs()).toContain(share);
    const check = await doctorHolds();
    expect(check?.ok).toBe(false);
    expect(check?.detail).toContain(share);
    expect(check?.detail).toContain('fulfillments recorded in Shopify');
  }, 60_000);

  test('at the horizon the live orders age out: issues resolved (aged_out), holds cleared, warning gone', async () => {
    await advanceTo(new Date(HORIZON.getTime() - HOUR), 12 * HOUR);
    expect(held()).toHaveLength(LIVE);
    await advanceTo(new Date(HORIZON.getTime() + HOUR), HOUR);
    await app.syncOnce();
    const resolved = issueEvents('Delivery Issue Resolved');
    expect(resolved).toHaveLength(LIVE);
    expect(resolved.every((e) => e.properties.StatusDetail === 'aged_out' && Date.parse(e.time) >= HORIZON.getTime())).toBe(true);
    expect(issueEvents('Delivery Issue Detected')).toHaveLength(LIVE);
    expect(held()).toEqual([]);
    expect((await readyz()).details).toEqual({});
    expect(await doctorHolds()).toMatchObject({ ok: true });
    expect(harness.logs()).toContain('share of customers held from promotions back under the warning threshold');
  }, 60_000);
});
