import { defaultDeliveryConfig } from '../../src/enrichment/delivery';
import { createTransitModel } from '../../src/enrichment/delivery/transit-model';
import { DELIVERY_FIELDS } from '../../src/mapping/delivery-fields';
import { mappingConfigSchema } from '../../src/mapping/mapping-config';
import type { MetricEvent } from '../../src/model/records';
import type { Fulfillment, Order } from '../../src/model/order';
import { followsPending } from '../../src/pipeline/shipment-jobs';
import { isHistoricParcel } from '../../src/pipeline/shipment-sources';
import { advanceShipment, pendingCheckAt, type AdvanceSettings } from '../../src/pipeline/shipment-advance';
import { pendingKeyOf, type OrderPart, type ShipmentState, type TrackingPart } from '../../src/state/shipments';

/**
 * History never opens a hold, and a pending parcel ages out: the pure step (`advanceShipment`) and the page's choice
 * of which pending parcels to follow (`followsPending`), at their boundaries.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2026-06-10T12:00:00Z');
const delivery = defaultDeliveryConfig();
const settings: AdvanceSettings = {
  mapping: mappingConfigSchema.parse({}), delivery, liveSince: new Date(NOW.getTime() - 72 * HOUR), backfill: 'flag', pendingHorizonDays: 30,
};
const model = createTransitModel(delivery);

function orderPart(over: Partial<OrderPart> = {}): OrderPart {
  return {
    key: 'usps:EZ1:o1', orderId: 'o1', orderName: '#1001', orderPlacedAt: '2026-04-01T12:00:00.000Z', fulfillmentId: 'f1',
    fulfilledAt: '2026-04-02T12:00:00.000Z', customerEmail: 'a@b.co', customerPhone: null, firstName: null, lastName: null,
    trackingCode: 'EZ1', promisedDeliveryAt: null, destinationRegion: null, index: 1, count: 1, items: [], value: 10, currency: 'USD', ...over,
  };
}

function tracking(over: Partial<TrackingPart> = {}): TrackingPart {
  return {
    kind: 'store', provider: 'shopify', trackerId: null, trackerUpdatedAt: null, carrier: 'USPS', service: null, trackingUrl: null, status: 'in_transit',
    statusDetail: null, carrierEstimatedDeliveryAt: '2026-04-06T12:00:00.000Z', shippedAt: '2026-04-02T12:00:00.000Z', deliveredAt: null,
    destinationCountry: 'US', originCountry: null, scans: [{ at: '2026-04-02T12:00:00.000Z', status: 'in_transit', statusDetail: null, message: null, city: null, region: null, country: null }],
    ...over,
  };
}

const pendingOrder = (placedAt: Date): OrderPart =>
  orderPart({ key: pendingKeyOf('o1'), fulfillmentId: '', trackingCode: '', index: 0, count: 0, orderPlacedAt: placedAt.toISOString(), fulfilledAt: placedAt.toISOString() });
const pendingTracking = (): TrackingPart =>
  tracking({ carrier: null, status: 'unknown', carrierEstimatedDeliveryAt: null, shippedAt: null, scans: [] });

const step = (previous: ShipmentState | null, order: OrderPart, track: TrackingPart | null, now: Date) =>
  advanceShipment({ previous, order, tracking: track ?? (previous as ShipmentState), model, customer: { segment: null, topCategory: null }, now }, settings);
const issueEvents = (events: readonly MetricEvent[]) => events.filter((e) => e.metric.startsWith('Delivery Issue')).map((e) => e.metric);
const hold = (...shipments: ShipmentState[]) => ({
  hold: DELIVERY_FIELDS['delivery.hold_promotions']({ shipments, reviewRequestDelayDays: 7 }),
  open: DELIVERY_FIELDS['delivery.open_issue']({ shipments, reviewRequestDelayDays: 7 }),
});

describe('history never opens a hold', () => {
  it('a parcel handed over before the live window, already late when first seen: no issue event, no hold, then or later', () => {
    const first = step(null, orderPart(), tracking(), NOW);
    expect(first.state.risk?.openIssue?.code).toBe('late_vs_carrier');
    expect(issueEvents(first.events)).toEqual([]);
    expect(hold(first.state)).toEqual({ hold: false, open: false });
    // Time passes and the rule keeps firing: still history.
    const later = step(first.state, orderPart(), null, new Date(NOW.getTime() + 5 * DAY));
    expect(issueEvents(later.events)).toEqual([]);
    expect(hold(later.state)).toEqual({ hold: false, open: false });
    // Delivered: its (history) issue ends without a word either.
    const delivered = step(later.state, orderPart(), tracking({ status: 'delivered', deliveredAt: new Date(NOW.getTime() + 6 * DAY).toISOString() }), new Date(NOW.getTime() + 6 * DAY));
    expect(delivered.state.risk?.transition).toBe('resolved');
    expect(issueEvents(delivered.events)).toEqual([]);
  });

  it('the same parcel handed over inside the live window is live: one Detected and a hold', () => {
    const handedOver = new Date(NOW.getTime() - 72 * HOUR).toISOString();
    const first = step(null, orderPart({ fulfilledAt: handedOver }), tracking(), NOW);
    expect(issueEvents(first.events)).toEqual(['Delivery Issue Detected']);
    expect(first.events.find((e) => e.metric === 'Delivery Issue Detected')?.backfill).toBe(false);
    expect(hold(first.state)).toEqual({ hold: true, open: true });
  });

  it('an issue that opens later, while the parcel is followed, is live even for an old hand-off', () => {
    const moving = tracking({
      carrierEstimatedDeliveryAt: '2026-06-12T12:00:00.000Z',
      scans: [...tracking().scans, { at: '2026-06-10T09:00:00.000Z', status: 'in_transit', statusDetail: null, message: null, city: null, region: null, country: null }],
    });
    const fine = step(null, orderPart(), moving, NOW);
    expect(fine.state.risk?.openIssue).toBeNull();
    const late = step(fine.state, orderPart(), null, new Date('2026-06-14T12:00:00Z'));
    expect(issueEvents(late.events)).toEqual(['Delivery Issue Detected']);
    expect(hold(late.state)).toEqual({ hold: true, open: true });
  });
});

describe('a pending parcel ages out at the horizon', () => {
  const placed = new Date(NOW.getTime() - 2 * HOUR);
  const horizon = new Date(placed.getTime() + 30 * DAY);

  it('opens its stalled_fulfillment issue live, is re-checked at the horizon, and retires there resolving it', () => {
    const seen = step(null, pendingOrder(placed), pendingTracking(), NOW);
    expect(issueEvents(seen.events)).toEqual([]);
    const stalled = step(seen.state, pendingOrder(placed), null, new Date(NOW.getTime() + 6 * DAY));
    expect(issueEvents(stalled.events)).toEqual(['Delivery Issue Detected']);
    expect(hold(stalled.state)).toEqual({ hold: true, open: true });
    // Past the stall threshold the only instant left that time alone changes anything is the horizon.
    expect(stalled.state.nextCheckAt).toBe(new Date(horizon.getTime() + 60_000).toISOString());

    const justBefore = step(stalled.state, pendingOrder(placed), null, new Date(horizon.getTime() - 1));
    expect(justBefore.state.status).toBe('unknown');
    expect(issueEvents(justBefore.events)).toEqual([]);

    const aged = step(justBefore.state, pendingOrder(placed), null, horizon);
    expect(aged.state).toMatchObject({ status: 'cancelled', statusDetail: 'aged_out', nextCheckAt: null });
    expect(aged.events.map((e) => [e.metric, e.properties.StatusDetail, e.backfill])).toEqual([['Delivery Issue Resolved', 'aged_out', false]]);
    expect(hold(aged.state)).toEqual({ hold: false, open: false });

    // The order page keeps calling it open: retired for good, nothing more.
    const again = step(aged.state, pendingOrder(placed), pendingTracking(), new Date(horizon.getTime() + DAY));
    expect(again.state.status).toBe('cancelled');
    expect(again.events).toEqual([]);
  });

  it('a pending parcel with nothing open retires silently', () => {
    const early = new Date(NOW.getTime() - 31 * DAY);
    const quiet = { ...delivery, rules: { ...delivery.rules, stalledFulfillment: { ...delivery.rules.stalledFulfillment, enabled: false } } };
    const seen = advanceShipment({ previous: null, order: pendingOrder(early), tracking: pendingTracking(), model, customer: { segment: null, topCategory: null }, now: new Date(early.getTime() + HOUR) }, { ...settings, delivery: quiet });
    expect(pendingCheckAt(pendingOrder(early), pendingTracking(), quiet, new Date(early.getTime() + HOUR), 30)?.toISOString())
      .toBe(new Date(early.getTime() + 30 * DAY + 60_000).toISOString());
    const aged = advanceShipment({ previous: seen.state, order: pendingOrder(early), tracking: seen.state, model, customer: { segment: null, topCategory: null }, now: NOW }, { ...settings, delivery: quiet });
    expect(aged.state.statusDetail).toBe('aged_out');
    expect(aged.events).toEqual([]);
  });
});

describe('which unfulfilled orders a page follows', () => {
  const since = settings.liveSince;
  const order = (createdAt: Date): Order => ({ createdAt } as Order);
  const retired = (detail: string): ShipmentState => ({ key: pendingKeyOf('o1'), status: 'cancelled', statusDetail: detail } as ShipmentState);
  const open = { key: pendingKeyOf('o1'), status: 'unknown', statusDetail: null } as ShipmentState;

  it('starts one only for an order placed inside the live window (the boundary instant is live)', () => {
    expect(followsPending(null, order(since), 'open', since, NOW, 30)).toBe(true);
    expect(followsPending(null, order(new Date(since.getTime() - 1)), 'open', since, NOW, 30)).toBe(false);
    expect(followsPending(null, order(new Date('2010-12-01T00:00:00Z')), 'open', since, NOW, 30)).toBe(false);
    expect(followsPending(null, order(NOW), 'fulfilled', since, NOW, 30)).toBe(false);
  });

  it('never starts one already past the horizon (a live window longer than the horizon)', () => {
    const wide = new Date(NOW.getTime() - 60 * DAY);
    expect(followsPending(null, order(new Date(NOW.getTime() - 30 * DAY)), 'open', wide, NOW, 30)).toBe(false);
    expect(followsPending(null, order(new Date(NOW.getTime() - 30 * DAY + 1)), 'open', wide, NOW, 30)).toBe(true);
  });

  it('keeps updating one still open (to retire it), re-follows a shipped one re-opened, never an aged-out one', () => {
    expect(followsPending(open, order(new Date('2010-12-01T00:00:00Z')), 'fulfilled', since, NOW, 30)).toBe(true);
    expect(followsPending(retired('fulfilled'), order(NOW), 'open', since, NOW, 30)).toBe(true);
    expect(followsPending(retired('aged_out'), order(NOW), 'open', since, NOW, 30)).toBe(false);
    expect(followsPending(retired('cancelled'), order(NOW), 'cancelled', since, NOW, 30)).toBe(false);
  });
});

describe('isHistoricParcel: which parcels are never followed by a carrier tracker', () => {
  const since = new Date('2026-04-01T00:00:00.000Z');
  const fulfillment = (createdAt: string, deliveredAt: string | null): Fulfillment => ({
    id: 'f1', createdAt: new Date(createdAt), displayStatus: null, estimatedDeliveryAt: null,
    deliveredAt: deliveredAt === null ? null : new Date(deliveredAt), tracking: [],
  });
  it('a parcel the store marks delivered before the live window is history, whatever its age', () => {
    expect(isHistoricParcel(fulfillment('2026-03-30T00:00:00.000Z', '2026-03-31T23:59:59.999Z'), since, 60)).toBe(true);
    expect(isHistoricParcel(fulfillment('2026-03-30T00:00:00.000Z', '2026-04-01T00:00:00.000Z'), since, 60)).toBe(false);
  });
  it('with no delivery recorded (WooCommerce), a hand-off more than the horizon before the window is history', () => {
    // 60 days before 1 April is 31 January, 00:00 UTC.
    expect(isHistoricParcel(fulfillment('2026-01-30T23:59:59.999Z', null), since, 60)).toBe(true);
    expect(isHistoricParcel(fulfillment('2026-01-31T00:00:00.000Z', null), since, 60)).toBe(false);
    expect(isHistoricParcel(fulfillment('2026-03-20T00:00:00.000Z', null), since, 60)).toBe(false);
  });
});
