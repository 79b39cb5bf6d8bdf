import type { MetricEvent } from '../model/records';
import type { Segment } from '../model/customer';

/** What shipment events say about their customer, so one flow can branch on it. */
export interface CustomerTraits {
  readonly segment: Segment | null;
  /** The customer's top category by net spend (src/enrichment/products/affinity.ts). */
  readonly topCategory: string | null;
}
import type { ShipmentStatus } from '../model/shipment';
import type { ShipmentState } from '../state/shipments';
import type { MappingConfig } from './mapping-config';
import { uniqueId } from './unique-id';

type ShipmentEventName = keyof MappingConfig['events']['shipments'];
/** The tracking page's link for an order number, or null when the page is off. */
type PageLink = ((orderName: string) => string) | null;

/** The statuses that are news to a customer; `unknown`, `cancelled` and `error` are not. */
const STATUS_EVENTS: Partial<Record<ShipmentStatus, ShipmentEventName>> = {
  pre_transit: 'created',
  in_transit: 'inTransit',
  out_for_delivery: 'outForDelivery',
  available_for_pickup: 'availableForPickup',
  delivered: 'delivered',
  failure: 'deliveryFailed',
  return_to_sender: 'returnedToSender',
};

export const isAnnouncedStatus = (status: ShipmentStatus): boolean => STATUS_EVENTS[status] !== undefined;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const round = (n: number, digits: number): number => Number(n.toFixed(digits));

/** Everything a flow may need, the same on every shipment event. Pure. */
export function shipmentPayload(shipment: ShipmentState, customer: CustomerTraits, now: Date, pageLink: PageLink = null): Record<string, unknown> {
  const scans = shipment.scans;
  const lastScan = scans.length > 0 ? scans[scans.length - 1] : null;
  const original = shipment.promisedDeliveryAt ?? shipment.risk?.firstCarrierEstimateAt ?? shipment.carrierEstimatedDeliveryAt;
  const expected = shipment.carrierEstimatedDeliveryAt ?? shipment.promisedDeliveryAt;
  // Late against the promise when there is one, else the carrier's first date; counted to delivery or to now.
  const until = shipment.deliveredAt ? Date.parse(shipment.deliveredAt) : now.getTime();
  const daysLate = original ? Math.max(0, round((until - Date.parse(original) - DAY_MS) / DAY_MS, 1)) : null;
  return {
    OrderId: shipment.orderId,
    OrderNumber: shipment.orderName,
    // A pending parcel (an order not yet fulfilled) has no code yet.
    TrackingCode: shipment.trackingCode || null,
    Carrier: shipment.carrier,
    Service: shipment.service,
    // The branded page when it is on (a pending parcel has an order page too); the carrier's own page either way.
    TrackingUrl: pageLink ? pageLink(shipment.orderName) : shipment.trackingUrl,
    CarrierTrackingUrl: shipment.trackingUrl,
    Status: shipment.status,
    StatusDetail: shipment.statusDetail,
    CarrierMessage: lastScan?.message ?? null,
    OriginalExpectedDeliveryAt: original,
    ExpectedDeliveryAt: expected,
    PromisedDeliveryAt: shipment.promisedDeliveryAt,
    DeliveredAt: shipment.deliveredAt,
    DaysLate: daysLate,
    HoursSinceLastScan: lastScan ? round((now.getTime() - Date.parse(lastScan.at)) / HOUR_MS, 1) : null,
    ShipmentIndex: shipment.index,
    ShipmentCount: shipment.count,
    ItemNames: shipment.items.map((item) => item.name),
    Items: shipment.items.map((item) => ({ ProductName: item.name, SKU: item.sku, Quantity: item.quantity, ItemPrice: item.price })),
    PredictedDeliveryAt: shipment.prediction?.mostLikelyAt ?? null,
    LatestLikelyDeliveryAt: shipment.prediction?.latestLikelyAt ?? null,
    PredictionConfidence: shipment.prediction?.confidence ?? null,
    LateRiskScore: shipment.prediction?.lateRiskScore == null ? null : round(shipment.prediction.lateRiskScore, 3),
    RiskLevel: shipment.risk?.level ?? 'none',
    RiskReasons: (shipment.risk?.reasons ?? []).map((r) => r.code),
    LifecycleSegment: customer.segment,
    TopCategory: customer.topCategory,
    DataSource: shipment.provider,
  };
}

function baseEvent(shipment: ShipmentState, metric: string, id: string, time: Date, backfill: boolean, properties: Record<string, unknown>): MetricEvent {
  return {
    kind: 'event',
    metric,
    identity: { email: shipment.customerEmail, phoneNumber: shipment.customerPhone, externalId: null },
    time,
    uniqueId: id,
    value: shipment.value,
    valueCurrency: shipment.currency,
    properties,
    backfill,
  };
}

export interface StatusChange {
  readonly status: ShipmentStatus;
  /** The scan that showed the new status. */
  readonly at: Date;
  readonly backfill: boolean;
}

/** `Shipment <Status>`: the id is the shipment, the status and the scan time, so a replayed scan is the same event. */
export function statusEvent(shipment: ShipmentState, change: StatusChange, customer: CustomerTraits, now: Date, mapping: MappingConfig, pageLink: PageLink = null): MetricEvent | null {
  const name = STATUS_EVENTS[change.status];
  const config = name ? mapping.events.shipments[name] : null;
  if (!config?.enabled) return null;
  const properties = { ...shipmentPayload(shipment, customer, now, pageLink), Status: change.status };
  return baseEvent(shipment, config.metric, uniqueId('ship', shipment.key, change.status, change.at.toISOString()), change.at, change.backfill, properties);
}

/** `Delivery Issue Detected` / `Delivery Issue Resolved` for the shipment's `ordinal`-th issue. */
export function issueEvent(
  shipment: ShipmentState,
  kind: 'detected' | 'resolved',
  issue: { ordinal: number; code: string; text: string | null; openedAt: string },
  at: Date,
  customer: CustomerTraits,
  mapping: MappingConfig,
  pageLink: PageLink = null,
): MetricEvent | null {
  const config = kind === 'detected' ? mapping.events.shipments.issueDetected : mapping.events.shipments.issueResolved;
  if (!config.enabled) return null;
  const properties = {
    ...shipmentPayload(shipment, customer, at, pageLink),
    IssueCode: issue.code,
    IssueText: issue.text,
    IssueOpenedAt: issue.openedAt,
    ...(kind === 'resolved' ? { IssueResolvedAt: at.toISOString(), IssueHours: round((at.getTime() - Date.parse(issue.openedAt)) / HOUR_MS, 1) } : {}),
  };
  return baseEvent(shipment, config.metric, uniqueId(`issue-${kind}`, shipment.key, issue.ordinal), at, false, properties);
}
