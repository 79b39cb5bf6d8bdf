import type { ShipmentStatus } from '../model/shipment';
import { toDecimalNumber } from '../model/money';
import type { Fulfillment, Order, TrackingRef } from '../model/order';
import type { TrackingUpdate } from '../sources/tracking-source';
import { pendingKeyOf, type OrderPart, type StoredScan, type TrackingPart } from '../state/shipments';

/** The model's key: carriers recycle codes, so the order is part of it. */
export const shipmentKeyOf = (carrier: string | null, code: string, orderId: string): string =>
  `${(carrier ?? 'unknown').toLowerCase()}:${code}:${orderId}`;

/** What every parcel of an order repeats from the order itself. */
function orderFields(order: Order, email: string) {
  return {
    orderId: order.id,
    orderName: order.name,
    orderPlacedAt: order.createdAt.toISOString(),
    customerEmail: email,
    customerPhone: order.phone,
    firstName: order.firstName,
    lastName: order.lastName,
    promisedDeliveryAt: order.promisedDeliveryAt?.toISOString() ?? null,
    destinationRegion: order.shippingAddress?.region ?? null,
    destinationCity: order.shippingAddress?.city ?? null,
    destinationPostalCode: order.shippingAddress?.zip ?? null,
    items: order.lineItems.map((item) => ({ name: item.name, sku: item.sku, quantity: item.quantity, price: toDecimalNumber(item.unitPrice), productId: item.productId })),
    value: toDecimalNumber(order.currentTotal),
    currency: order.currentTotal.currency,
  };
}

/** The order's side of each parcel it carries, numbered across all its fulfillments (split orders). */
export function orderParts(order: Order): Array<{ part: OrderPart; fulfillment: Fulfillment; ref: TrackingRef }> {
  if (!order.email) return [];
  const fields = orderFields(order, order.email);
  const parcels = order.fulfillments.flatMap((fulfillment) => fulfillment.tracking.map((ref) => ({ fulfillment, ref })));
  return parcels.map(({ fulfillment, ref }, i) => ({
    fulfillment,
    ref,
    part: {
      ...fields,
      key: shipmentKeyOf(ref.carrier, ref.code, order.id),
      fulfillmentId: fulfillment.id,
      fulfilledAt: fulfillment.createdAt.toISOString(),
      trackingCode: ref.code,
      index: i + 1,
      count: parcels.length,
    },
  }));
}

/** Where an order stands for its pending parcel: still waiting for a fulfillment, or past that. */
export type PendingOutcome = 'open' | 'fulfilled' | 'cancelled';

export const pendingOutcome = (order: Order): PendingOutcome =>
  order.cancelledAt !== null ? 'cancelled' : order.fulfillments.length > 0 ? 'fulfilled' : 'open';

type ShippableOrder = Order & { readonly email: string; readonly shippingAddress: NonNullable<Order['shippingAddress']> };

/** An order with a customer to tell and somewhere to ship to: only such an order has a pending parcel. */
export const hasPendingParcel = (order: Order): order is ShippableOrder => order.email !== null && order.shippingAddress !== null;

/**
 * The order's pending parcel: the order itself while nothing is fulfilled. No parcel yet, so no code and index 0;
 * `fulfilledAt` is the order's placement (the instant history is judged by).
 * An order with no shipping address (digital goods, in-store sale) has nothing to ship and none.
 */
export function pendingPart(order: Order): OrderPart | null {
  if (!hasPendingParcel(order)) return null;
  return {
    ...orderFields(order, order.email),
    key: pendingKeyOf(order.id),
    fulfillmentId: '',
    fulfilledAt: order.createdAt.toISOString(),
    trackingCode: '',
    index: 0,
    count: 0,
  };
}

/**
 * The pending parcel's status: `unknown` while waiting, `cancelled` (retired) once the order shipped or was
 * cancelled. Aging out past the horizon is decided where time is known (`advanceShipment`).
 */
export function pendingTracking(order: Order, outcome: PendingOutcome): TrackingPart {
  return {
    kind: 'store',
    provider: order.source,
    trackerId: null,
    trackerUpdatedAt: null,
    carrier: null,
    service: null,
    trackingUrl: null,
    status: outcome === 'open' ? 'unknown' : 'cancelled',
    statusDetail: outcome === 'open' ? null : outcome,
    carrierEstimatedDeliveryAt: null,
    shippedAt: null,
    deliveredAt: null,
    destinationCountry: order.shippingAddress?.country ?? null,
    originCountry: null,
    scans: [],
  };
}

/** The retired pending parcel's detail once its order has waited past `shipments.pendingHorizonDays`. */
export const AGED_OUT = 'aged_out';

/** A pending parcel no longer followed: retired like a shipped or cancelled one, saying why. */
export const agedOutTracking = (tracking: TrackingPart): TrackingPart => ({ ...tracking, status: 'cancelled', statusDetail: AGED_OUT });

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function trackingFromUpdate(snapshot: TrackingUpdate): TrackingPart {
  return {
    kind: 'carrier',
    provider: snapshot.provider,
    trackerId: snapshot.trackerId,
    trackerUpdatedAt: snapshot.updatedAt.toISOString(),
    carrier: snapshot.carrier,
    service: snapshot.service,
    trackingUrl: snapshot.publicUrl,
    status: snapshot.status,
    statusDetail: snapshot.statusDetail,
    carrierEstimatedDeliveryAt: iso(snapshot.carrierEstimatedDeliveryAt),
    shippedAt: iso(snapshot.shippedAt),
    deliveredAt: iso(snapshot.deliveredAt),
    destinationCountry: snapshot.destinationCountry,
    originCountry: snapshot.originCountry,
    scans: snapshot.scans.map((scan) => ({ ...scan, at: scan.at.toISOString() })),
  };
}

/** The store's fulfillment display status (Shopify's FulfillmentDisplayStatus vocabulary) in our status vocabulary. */
const DISPLAY_STATUS: Readonly<Record<string, ShipmentStatus>> = {
  LABEL_PRINTED: 'pre_transit', LABEL_PURCHASED: 'pre_transit', SUBMITTED: 'pre_transit', CONFIRMED: 'pre_transit',
  FULFILLED: 'in_transit', MARKED_AS_FULFILLED: 'in_transit', CARRIER_PICKED_UP: 'in_transit', IN_TRANSIT: 'in_transit', DELAYED: 'in_transit',
  OUT_FOR_DELIVERY: 'out_for_delivery', READY_FOR_PICKUP: 'available_for_pickup',
  ATTEMPTED_DELIVERY: 'failure', FAILURE: 'failure', NOT_DELIVERED: 'failure',
  DELIVERED: 'delivered', PICKED_UP: 'delivered', CANCELED: 'cancelled', LABEL_VOIDED: 'cancelled',
};

/**
 * Without a tracking source, the store's own view of the parcel: its display status, creation and delivery times become a
 * short scan list (hand-off, current status, delivery) so the same transition code applies. Shopify reports no
 * scans in between, so the pipeline does not apply the stall rules to these parcels.
 */
/**
 * A parcel that needs no following: the store says it was delivered before the live window, or it was handed over
 * more than `horizonDays` before the window (a store that records no deliveries would otherwise have its whole
 * history tracked, and billed, as if in transit).
 */
export function isHistoricParcel(fulfillment: Fulfillment, since: Date, horizonDays: number): boolean {
  if (fulfillment.deliveredAt !== null) return fulfillment.deliveredAt < since;
  return fulfillment.createdAt.getTime() < since.getTime() - horizonDays * 86_400_000;
}

export function trackingFromFulfillment(fulfillment: Fulfillment, ref: TrackingRef, order: Order): TrackingPart {
  const shown = DISPLAY_STATUS[fulfillment.displayStatus ?? ''] ?? 'in_transit';
  const status: ShipmentStatus = fulfillment.deliveredAt ? 'delivered' : shown;
  const scan = (at: Date, s: ShipmentStatus): StoredScan => ({
    at: at.toISOString(), status: s, statusDetail: null, message: null, city: null, region: null, country: null,
  });
  const handOffStatus: ShipmentStatus = shown === 'pre_transit' || shown === 'cancelled' ? shown : 'in_transit';
  const scans = [scan(fulfillment.createdAt, handOffStatus)];
  if (status !== handOffStatus && status !== 'delivered') scans.push(scan(new Date(Math.max(order.updatedAt.getTime(), fulfillment.createdAt.getTime())), status));
  if (fulfillment.deliveredAt) scans.push(scan(fulfillment.deliveredAt, 'delivered'));
  return {
    kind: 'store',
    provider: order.source,
    trackerId: null,
    trackerUpdatedAt: null,
    carrier: ref.carrier,
    service: null,
    trackingUrl: ref.url,
    status,
    statusDetail: null,
    carrierEstimatedDeliveryAt: iso(fulfillment.estimatedDeliveryAt),
    shippedAt: handOffStatus === 'in_transit' ? fulfillment.createdAt.toISOString() : null,
    deliveredAt: iso(fulfillment.deliveredAt),
    destinationCountry: order.shippingAddress?.country ?? null,
    originCountry: null,
    scans: scans.sort((a, b) => a.at.localeCompare(b.at)),
  };
}
