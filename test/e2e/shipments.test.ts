import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App } from '../../src/daemon/app';
import { startHttpServer } from '../../src/daemon/http-server';
import type { LocalStack } from '../../src/sandbox/local-stack';
import type { SandboxEvent } from '../../src/sandbox/klaviyo';
import type { ScriptedScan } from '../../src/sandbox/easypost';
import type { OrderRecord } from '../../src/sandbox/shopify/record';
import { SandboxStore, recordSource } from '../../src/sandbox/shopify/store';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from '../helpers/daemon-harness';
import { DEST, EXCEPTION_SCANS, LABEL_SCAN, ORIGIN, at, scan, scriptedOrder } from '../helpers/scripted-parcels';

const HOUR = 3_600_000;
/** Monday noon UTC; every parcel goes from Austin TX to New York NY (America/New_York business days). */
const T0 = new Date('2026-06-01T12:00:00Z');
const label = LABEL_SCAN;

interface Parcel { readonly name: string; readonly code: string; readonly promised: string | null; readonly est: string; readonly scans: ScriptedScan[] }

const PARCELS: readonly Parcel[] = [
  { // stalls in transit for days, then moves again and is delivered
    name: 'stall', code: 'SSE2E0000000001', promised: null, est: '10T12:00', scans: [
      label,
      scan('02T14:00', 'in_transit', 'received_at_origin_facility', 'Picked up by carrier'),
      scan('02T22:00', 'in_transit', 'arrived_at_facility', 'Arrived at facility'),
      scan('08T15:00', 'in_transit', 'departed_facility', 'Departed facility', DEST),
      scan('09T12:00', 'out_for_delivery', 'out_for_delivery', 'Out for delivery', DEST),
      scan('09T18:00', 'delivered', 'arrived_at_destination', 'Delivered', DEST),
    ],
  },
  { // a failed delivery attempt (carrier exception), delivered the next day
    name: 'exception', code: 'SSE2E0000000002', promised: null, est: '05T12:00', scans: [...EXCEPTION_SCANS],
  },
  { // promised for the 4th, delivered on the 6th
    name: 'late', code: 'SSE2E0000000003', promised: '2026-06-04', est: '04T12:00', scans: [
      label,
      scan('02T09:00', 'in_transit', 'received_at_origin_facility', 'Picked up by carrier'),
      scan('03T09:00', 'in_transit', 'arrived_at_facility', 'Arrived at facility'),
      scan('04T09:00', 'in_transit', 'arrived_at_facility', 'Arrived at facility', DEST),
      scan('05T09:00', 'in_transit', 'arrived_at_facility', 'Arrived at facility', DEST),
      scan('06T10:00', 'out_for_delivery', 'out_for_delivery', 'Out for delivery', DEST),
      scan('06T16:00', 'delivered', 'arrived_at_destination', 'Delivered', DEST),
    ],
  },
  { // refused at the door and returned
    name: 'return', code: 'SSE2E0000000004', promised: null, est: '04T12:00', scans: [
      label,
      scan('02T11:00', 'in_transit', 'received_at_origin_facility', 'Picked up by carrier'),
      scan('04T09:00', 'out_for_delivery', 'out_for_delivery', 'Out for delivery', DEST),
      scan('04T18:00', 'return_to_sender', 'return', 'Refused by recipient; returning to sender', DEST),
    ],
  },
];

const emailOf = (parcel: Parcel): string => `${parcel.name}@shipsignal.test`;

function orderRecord(parcel: Parcel, i: number): OrderRecord {
  return scriptedOrder({
    index: i, base: 7_000_000, email: emailOf(parcel), lastName: parcel.name, trackingCode: parcel.code,
    placedAt: new Date(T0.getTime() - 26 * HOUR), labelAt: label.at, promised: parcel.promised,
  });
}

interface World {
  readonly clock: ManualClock;
  readonly stack: LocalStack;
  readonly app: App;
  readonly server: Server;
  readonly hookUrl: string;
  readonly secret: string;
}

let world: World;
let harness: Harness;

beforeAll(async () => {
  const clock = new ManualClock(T0);
  const store = new SandboxStore(recordSource(PARCELS.map(orderRecord), 'USD'), { clock });
  harness = await startHarness({
    store, storeClock: clock, clock, shopifyThrottle: 'off', klaviyoRateLimits: 'off', easypost: { listRatePerSecond: false },
    env: { SHIPSIGNAL_LOG_LEVEL: 'error', SHOPIFY_BULK_BACKFILL: 'false' },
  });
  const { stack, app } = harness;
  const easypost = stack.easypost;
  if (!easypost) throw new Error('no EasyPost sandbox');
  for (const parcel of PARCELS) {
    easypost.registerParcel({
      trackingCode: parcel.code, carrier: 'USPS', service: 'Priority', scans: parcel.scans, weight: 12,
      estDeliveryDate: at(parcel.est), origin: ORIGIN, destination: DEST,
    });
  }
  const server = await startHttpServer({ port: 0, host: '127.0.0.1', token: null, health: app.health, registry: app.context.metrics.registry, webhooks: app.webhooks() });
  const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/easypost`;
  easypost.addWebhook({ url: hookUrl, secret: stack.env.EASYPOST_WEBHOOK_SECRET });
  world = { clock, stack, app, server, hookUrl, secret: stack.env.EASYPOST_WEBHOOK_SECRET };
}, 30_000);

afterAll(async () => {
  await new Promise<void>((resolve) => world.server.close(() => resolve()));
  await harness.close();
});

const eventsOf = (parcel: Parcel): SandboxEvent[] =>
  world.stack.klaviyo.events().filter((e) => e.profile.email === emailOf(parcel)).sort((a, b) => a.time.localeCompare(b.time));
const metricsOf = (parcel: Parcel): string[] => eventsOf(parcel).map((e) => e.metric);
/** Klaviyo stores no null property: a null we send reads back as absent, here as null. */
function propsOf(parcel: Parcel): Record<string, unknown> {
  const properties = world.stack.klaviyo.profiles().find((p) => p.email === emailOf(parcel))?.properties ?? {};
  const names = ['ss_hold_reason', 'ss_review_request_ready_at', 'ss_last_delivered_at', 'ss_predicted_delivery_at'];
  return { ...Object.fromEntries(names.map((name) => [name, null])), ...properties };
}
const byName = (name: string): Parcel => PARCELS.find((p) => p.name === name) as Parcel;

/** Moves simulated time in steps: EasyPost sends its webhooks, the daemon applies them and its due re-checks. */
async function advanceTo(until: Date, onStep: (now: Date) => void = () => undefined): Promise<void> {
  const { clock, stack, app } = world;
  while (clock.now() < until) {
    clock.advance(3 * HOUR);
    await stack.easypost?.tick();
    await app.whenIdle();
    await app.exclusive(async () => {
      await app.recheckShipments();
      await app.drain();
    });
    onStep(clock.now());
  }
}

describe('carrier tracking end to end: Shopify fulfillments → EasyPost parcels → Klaviyo', () => {
  test('the first sync creates one tracker per parcel and announces the labels', async () => {
    const report = await world.app.syncOnce();
    expect(world.stack.easypost?.trackerCount).toBe(PARCELS.length);
    expect(report.drained.events).toBeGreaterThanOrEqual(PARCELS.length);
    for (const parcel of PARCELS) {
      expect(metricsOf(parcel)).toEqual(['Shipment Created']);
      expect(propsOf(parcel)).toMatchObject({ ss_shipment_status: 'pre_transit', ss_hold_promotions: false, ss_delivery_issue_open: false });
    }
    await world.stack.easypost?.idle();
    await world.app.whenIdle();
  });

  test('webhooks alone carry each parcel through its statuses, with holds set while an issue is open', async () => {
    const holds = new Map<string, Array<{ at: string; hold: unknown; reason: unknown }>>();
    await advanceTo(new Date('2026-06-11T00:00:00Z'), (now) => {
      for (const parcel of PARCELS) {
        const props = propsOf(parcel);
        const seen = holds.get(parcel.name) ?? [];
        const last = seen[seen.length - 1];
        if (!last || last.hold !== props.ss_hold_promotions || last.reason !== props.ss_hold_reason) {
          seen.push({ at: now.toISOString(), hold: props.ss_hold_promotions, reason: props.ss_hold_reason });
        }
        holds.set(parcel.name, seen);
      }
    });

    expect(metricsOf(byName('stall'))).toEqual([
      'Shipment Created', 'Shipment In Transit', 'Delivery Issue Detected', 'Delivery Issue Resolved',
      'Shipment Out for Delivery', 'Shipment Delivered',
    ]);
    expect(metricsOf(byName('exception'))).toEqual([
      'Shipment Created', 'Shipment In Transit', 'Shipment Out for Delivery', 'Shipment Delivery Failed', 'Delivery Issue Detected',
      'Shipment Out for Delivery', 'Delivery Issue Resolved', 'Shipment Delivered',
    ]);
    expect(metricsOf(byName('return'))).toEqual([
      'Shipment Created', 'Shipment In Transit', 'Shipment Out for Delivery', 'Shipment Returned to Sender', 'Delivery Issue Detected',
    ]);
    const late = metricsOf(byName('late'));
    expect(late.filter((m) => m.startsWith('Shipment'))).toEqual(['Shipment Created', 'Shipment In Transit', 'Shipment Out for Delivery', 'Shipment Delivered']);
    expect(late.filter((m) => m.startsWith('Delivery Issue'))).toEqual(['Delivery Issue Detected', 'Delivery Issue Resolved']);

    // Every event once: unique ids are unique, and none was sent twice.
    const all = world.stack.klaviyo.events();
    expect(all).toHaveLength(25);
    expect(new Set(all.map((e) => e.uniqueId)).size).toBe(all.length);
    expect(all.every((e) => !e.backfill)).toBe(true);

    const issue = (parcel: string) => eventsOf(byName(parcel)).find((e) => e.metric === 'Delivery Issue Detected')?.properties;
    expect(issue('stall')).toMatchObject({ IssueCode: 'stalled_in_transit', TrackingCode: 'SSE2E0000000001', Carrier: 'USPS', ShipmentIndex: 1, ShipmentCount: 1 });
    expect(issue('exception')).toMatchObject({ IssueCode: 'exception_delivery_failed', CarrierMessage: 'Delivery attempt failed: no one available' });
    expect(issue('return')).toMatchObject({ IssueCode: 'exception_returned' });
    // Still in transit when its promised day begins: the issue opens a day ahead (promise_due), then escalates in place.
    expect(issue('late')).toMatchObject({ IssueCode: 'promise_due', PromisedDeliveryAt: '2026-06-04T12:00:00.000Z' });
    const delivered = eventsOf(byName('late')).find((e) => e.metric === 'Shipment Delivered')?.properties;
    expect(delivered).toMatchObject({ OrderNumber: '#2003', PromisedDeliveryAt: '2026-06-04T12:00:00.000Z', ItemNames: ['Linen shirt'], LifecycleSegment: 'first_time' });
    expect(Number(delivered?.DaysLate)).toBeGreaterThan(1);

    // The hold follows the issue: set when it opened, cleared when it resolved (the return stays held).
    expect(holds.get('stall')?.map((h) => [h.hold, h.reason])).toEqual([[false, null], [true, 'stalled_in_transit'], [false, null]]);
    expect(holds.get('exception')?.map((h) => [h.hold, h.reason])).toEqual([[false, null], [true, 'exception_delivery_failed'], [false, null]]);
    expect(holds.get('return')?.map((h) => [h.hold, h.reason])).toEqual([[false, null], [true, 'exception_returned']]);
    const stallHold = holds.get('stall')?.[1];
    expect(stallHold && stallHold.at >= '2026-06-05T22:00:00Z' && stallHold.at < '2026-06-06T04:00:00Z').toBe(true);

    expect(propsOf(byName('stall'))).toMatchObject({
      ss_shipment_status: 'delivered', ss_last_delivered_at: '2026-06-09T18:00:00.000Z',
      ss_review_request_ready_at: '2026-06-16T18:00:00.000Z', ss_delivery_issue_open: false, ss_delivery_risk: 'none',
    });
    expect(propsOf(byName('return'))).toMatchObject({ ss_shipment_status: 'return_to_sender', ss_review_request_ready_at: null, ss_delivery_issue_open: true });
  }, 60_000);

  test('polling after the webhooks, and replaying every webhook twice, sends nothing new', async () => {
    const { app, stack } = world;
    const before = stack.klaviyo.events().length;
    const report = await app.syncOnce();
    expect(report.trackers).toBeGreaterThan(0);
    expect(report.drained.events).toBe(0);
    expect(report.drained.profiles).toBe(0);
    const easypost = stack.easypost;
    if (!easypost) throw new Error('no EasyPost sandbox');
    const eventIds = [...new Set(easypost.deliveries.map((d) => d.eventId))];
    for (const id of eventIds) {
      await easypost.redeliver(id);
      await easypost.redeliver(id);
    }
    await app.whenIdle();
    expect(stack.klaviyo.events().length).toBe(before);
    expect(stack.klaviyo.stats().duplicatesDropped).toBe(0);
  });

  test('a webhook with a bad or missing signature gets 401 and changes nothing; a valid one is acknowledged at once', async () => {
    const { app, stack, hookUrl } = world;
    const delivery = stack.easypost?.deliveries.find((d) => d.status === 200);
    if (!delivery?.signature) throw new Error('no signed delivery recorded');
    const stateBefore = await app.context.store.get('shipment:usps:SSE2E0000000001:gid://shopify/Order/7000000');
    const post = (headers: Record<string, string>, body = delivery.body) => fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

    expect((await post({})).status).toBe(401);
    expect((await post({ 'x-hmac-signature': delivery.signature.replace(/.$/, (c) => (c === '0' ? '1' : '0')) })).status).toBe(401);
    expect((await post({ 'x-hmac-signature': delivery.signature }, delivery.body.replace('"tracker.', '"tracker .'))).status).toBe(401);
    await app.whenIdle();
    expect(await app.context.store.get('shipment:usps:SSE2E0000000001:gid://shopify/Order/7000000')).toEqual(stateBefore);

    const started = process.hrtime.bigint();
    const response = await post({ 'x-hmac-signature': delivery.signature });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, queued: true });
    expect(ms).toBeLessThan(250);
    await app.whenIdle();
    expect(stack.klaviyo.events().length).toBe(new Set(stack.klaviyo.events().map((e) => e.uniqueId)).size);
  });
});
