import type { MetricEvent } from '../model/records';
import type { Shipment } from '../model/shipment';
import { assessDeliveryRisk } from '../enrichment/delivery/risk';
import { addBusinessDays, endOfLocalDay } from '../enrichment/delivery/business-time';
import type { DeliveryConfig } from '../enrichment/delivery/config';
import { isPendingAgedOut, pendingHorizonEnd } from '../enrichment/delivery/holds';
import type { RiskInput } from '../enrichment/delivery/types';
import { predictDelivery, type TransitModel, type TransitObservation } from '../enrichment/delivery/transit-model';
import { destinationCalendar } from '../enrichment/delivery/zones';
import type { MappingConfig } from '../mapping/mapping-config';
import { isAnnouncedStatus, issueEvent, statusEvent, type CustomerTraits, type StatusChange } from '../mapping/shipment-events';
import { isPendingKey, type AnnouncedPart, type OrderPart, type ShipmentState, type TrackingPart } from '../state/shipments';
import { AGED_OUT, agedOutTracking } from './shipment-sources';

export interface AdvanceSettings {
  readonly mapping: MappingConfig;
  readonly delivery: DeliveryConfig;
  /** Scans older than this are history: Klaviyo's backfill flag, or no event at all. */
  readonly liveSince: Date;
  readonly backfill: 'flag' | 'skip';
  /** A pending parcel whose order has waited this many days unfulfilled retires (config `shipments.pendingHorizonDays`). */
  readonly pendingHorizonDays: number;
  /** The tracking page's link for an order, when the page is on: events' TrackingUrl. */
  readonly pageLink?: ((orderName: string) => string) | null;
}

export interface AdvanceInput {
  readonly previous: ShipmentState | null;
  readonly order: OrderPart;
  readonly tracking: TrackingPart;
  readonly model: TransitModel;
  /** The customer's segment and top category now, carried on every event so one flow can branch on them. */
  readonly customer: CustomerTraits;
  readonly now: Date;
}

export interface Advance {
  readonly state: ShipmentState;
  readonly events: readonly MetricEvent[];
  /** A delivery completed by this step, for the transit model; recorded once per parcel. */
  readonly delivered: TransitObservation | null;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const FINISHED: ReadonlySet<string> = new Set(['delivered', 'return_to_sender', 'cancelled']);
const date = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));

export function toShipment(order: OrderPart, tracking: TrackingPart): Shipment {
  return {
    key: order.key,
    orderId: order.orderId,
    orderName: order.orderName,
    fulfillmentId: order.fulfillmentId,
    customerEmail: order.customerEmail,
    trackingCode: order.trackingCode,
    carrier: tracking.carrier,
    service: tracking.service,
    trackingUrl: tracking.trackingUrl,
    status: tracking.status,
    statusDetail: tracking.statusDetail,
    carrierEstimatedDeliveryAt: date(tracking.carrierEstimatedDeliveryAt),
    promisedDeliveryAt: date(order.promisedDeliveryAt),
    shippedAt: date(tracking.shippedAt),
    deliveredAt: date(tracking.deliveredAt),
    destinationCountry: tracking.destinationCountry,
    originCountry: tracking.originCountry,
    scans: tracking.scans.map((scan) => ({ ...scan, at: new Date(scan.at) })),
    index: order.index,
    count: order.count,
  };
}

/**
 * Status changes not yet announced, oldest first: one per move to a different customer-facing status, only from
 * scans later than the last one announced, so a replayed or back-dated scan never makes a second event.
 */
function statusChanges(previous: AnnouncedPart | null, tracking: TrackingPart): Array<Omit<StatusChange, 'backfill'>> {
  let current = previous?.announcedStatus ?? null;
  const after = previous?.announcedAt ? Date.parse(previous.announcedAt) : Number.NEGATIVE_INFINITY;
  const changes: Array<Omit<StatusChange, 'backfill'>> = [];
  for (const scan of tracking.scans) {
    const at = Date.parse(scan.at);
    if (at <= after || !isAnnouncedStatus(scan.status) || scan.status === current) continue;
    changes.push({ status: scan.status, at: new Date(at) });
    current = scan.status;
  }
  // A tracker whose status is ahead of its scan list (a carrier that reports a status without a scan).
  const statusAt = tracking.trackerUpdatedAt ? Date.parse(tracking.trackerUpdatedAt) : null;
  if (isAnnouncedStatus(tracking.status) && tracking.status !== current && statusAt !== null && statusAt > after) {
    changes.push({ status: tracking.status, at: new Date(statusAt) });
  }
  return changes;
}

/**
 * When time alone could next change the parcel's risk: the exact instants its stall, pick-up and lateness rules
 * cross their thresholds, and at most a day later (the predicted-late score drifts with every hour in transit).
 * Null once the parcel is finished.
 */
export function nextCheckAt(order: OrderPart, tracking: TrackingPart, config: DeliveryConfig, now: Date): Date | null {
  if (FINISHED.has(tracking.status)) return null;
  const calendar = destinationCalendar(config, tracking.destinationCountry, order.destinationRegion);
  const rules = config.rules;
  const scanTimes = tracking.scans.map((s) => Date.parse(s.at));
  const last = scanTimes.length > 0 ? new Date(Math.max(...scanTimes)) : date(tracking.shippedAt);
  const first = scanTimes.length > 0 ? new Date(Math.min(...scanTimes)) : date(tracking.shippedAt);
  const grace = rules.late.graceHours * 3_600_000;
  const candidates: number[] = [now.getTime() + DAY_MS];
  if (last) {
    candidates.push(addBusinessDays(last, rules.stalledInTransit.domesticBusinessDays, calendar).getTime());
    candidates.push(addBusinessDays(last, rules.stalledInTransit.internationalBusinessDays, calendar).getTime());
  }
  if (first) candidates.push(addBusinessDays(first, rules.labelNotPickedUp.businessDays, calendar).getTime());
  for (const deadline of [order.promisedDeliveryAt, tracking.carrierEstimatedDeliveryAt]) {
    if (deadline) candidates.push(endOfLocalDay(new Date(deadline), calendar.zone).getTime() + grace);
  }
  if (order.promisedDeliveryAt && rules.promiseDue.enabled) {
    candidates.push(endOfLocalDay(new Date(order.promisedDeliveryAt), calendar.zone).getTime() - rules.promiseDue.hoursBefore * 3_600_000);
  }
  // A minute past each threshold, so the rule (which compares with > or >=) has fired when we look.
  const future = candidates.map((t) => t + MINUTE_MS).filter((t) => t > now.getTime());
  return new Date(Math.min(...future));
}

/**
 * When time alone could next change a pending parcel's risk: the instant its order has waited the stalled-fulfillment
 * threshold, the end of its promised day plus grace, and the horizon where it ages out. Null once retired.
 */
export function pendingCheckAt(order: OrderPart, tracking: TrackingPart, config: DeliveryConfig, now: Date, horizonDays: number): Date | null {
  if (FINISHED.has(tracking.status)) return null;
  const calendar = destinationCalendar(config, tracking.destinationCountry, order.destinationRegion);
  const { stalledFulfillment, late, promiseDue } = config.rules;
  const candidates: number[] = [pendingHorizonEnd(new Date(order.orderPlacedAt), horizonDays).getTime()];
  if (stalledFulfillment.enabled) {
    candidates.push(addBusinessDays(new Date(order.orderPlacedAt), stalledFulfillment.businessHours / 24, calendar).getTime());
  }
  if (order.promisedDeliveryAt) candidates.push(endOfLocalDay(new Date(order.promisedDeliveryAt), calendar.zone).getTime() + late.graceHours * 3_600_000);
  if (order.promisedDeliveryAt && promiseDue.enabled) {
    candidates.push(endOfLocalDay(new Date(order.promisedDeliveryAt), calendar.zone).getTime() - promiseDue.hoursBefore * 3_600_000);
  }
  const future = candidates.map((t) => t + MINUTE_MS).filter((t) => t > now.getTime());
  return future.length > 0 ? new Date(Math.min(...future)) : null;
}

/**
 * A pending parcel is judged as its order: retired means the order shipped or was cancelled. One that aged out is
 * judged as an order that will not ship any more, like a cancelled one: no rule fires, so an open issue resolves.
 */
function riskSubject(order: OrderPart, tracking: TrackingPart, shipment: Shipment): RiskInput['subject'] {
  if (!isPendingKey(order.key)) return { kind: 'shipment', shipment, destinationRegion: order.destinationRegion };
  return {
    kind: 'order',
    orderId: order.orderId,
    placedAt: new Date(order.orderPlacedAt),
    fulfillmentStatus: tracking.statusDetail === 'fulfilled' ? 'fulfilled' : 'unfulfilled',
    cancelled: tracking.statusDetail === 'cancelled' || tracking.statusDetail === AGED_OUT,
    promisedDeliveryAt: date(order.promisedDeliveryAt),
    destinationCountry: tracking.destinationCountry,
    destinationRegion: order.destinationRegion,
  };
}

/**
 * One step in a parcel's life, pure: merges what the order and the carrier say now with what was announced before,
 * and returns the new state plus the events Klaviyo must hear, in causal order. Status events are dated at their
 * scan; an older status change seen in the same step as a newer one is sent as history (backfill), so flows fire
 * only for where the parcel is now. Issue events follow the risk assessment's open/resolve transitions.
 */
export function advanceShipment(input: AdvanceInput, settings: AdvanceSettings): Advance {
  const { previous, order, now } = input;
  const events: MetricEvent[] = [];
  const pending = isPendingKey(order.key);
  // An order left unfulfilled past the horizon is no longer followed: its pending parcel retires.
  const agedOut = pending && input.tracking.status === 'unknown' && isPendingAgedOut(new Date(order.orderPlacedAt), now, settings.pendingHorizonDays);
  const tracking = agedOut ? agedOutTracking(input.tracking) : input.tracking;
  const shipment = toShipment(order, tracking);
  const lane = { destinationRegion: order.destinationRegion, originRegion: null };
  // A finished parcel's risk is settled when it finishes: time passing must not reopen or move it.
  const settled = previous !== null && previous.status === tracking.status && FINISHED.has(tracking.status) && previous.risk !== null;
  const prediction = settled || pending ? null : predictDelivery(input.model, shipment, now, lane);
  const risk = settled && previous.risk
    ? { ...previous.risk, transition: null }
    : assessDeliveryRisk(
      { subject: riskSubject(order, tracking, shipment), previous: previous?.risk ?? null, prediction },
      settings.delivery,
      now,
    );
  // A pending parcel has no carrier status to announce, only its issue.
  const changes = pending ? [] : statusChanges(previous, tracking);
  const last = changes[changes.length - 1];
  let issues = previous?.issues ?? 0;
  // An issue found on first sight of a parcel handed over before the live window is history, and so is its end:
  // never announced, never held (see delivery-fields.ts). What goes wrong later, while followed, is live.
  const issueLive = risk.transition === 'opened'
    ? previous !== null || Date.parse(order.fulfilledAt) >= settings.liveSince.getTime()
    : previous?.issueLive ?? true;
  if (risk.transition === 'opened') issues += 1;
  const state: ShipmentState = {
    ...order,
    ...tracking,
    announcedStatus: last?.status ?? previous?.announcedStatus ?? null,
    announcedAt: last?.at.toISOString() ?? previous?.announcedAt ?? null,
    risk,
    issues,
    issueLive,
    prediction: settled ? previous.prediction : prediction && {
      mostLikelyAt: prediction.mostLikelyAt.toISOString(),
      latestLikelyAt: prediction.latestLikelyAt.toISOString(),
      confidence: prediction.confidence,
      lateRiskScore: prediction.lateRiskScore,
    },
    deliveryRecorded: previous?.deliveryRecorded ?? false,
    nextCheckAt: (pending ? pendingCheckAt(order, tracking, settings.delivery, now, settings.pendingHorizonDays) : nextCheckAt(order, tracking, settings.delivery, now))?.toISOString() ?? null,
  };

  changes.forEach((change, i) => {
    const stale = change.at < settings.liveSince;
    if (stale && settings.backfill === 'skip') return;
    const event = statusEvent(state, { ...change, backfill: stale || i < changes.length - 1 }, input.customer, now, settings.mapping, settings.pageLink);
    if (event) events.push(event);
  });

  if (risk.transition === 'opened' && risk.openIssue && issueLive) {
    const top = risk.reasons[0];
    const event = issueEvent(state, 'detected', { ordinal: issues, code: risk.openIssue.code, text: top?.text ?? null, openedAt: risk.openIssue.openedAt }, now, input.customer, settings.mapping, settings.pageLink);
    if (event) events.push(event);
  }
  const closed = previous?.risk?.openIssue;
  if (risk.transition === 'resolved' && closed && issueLive) {
    const event = issueEvent(state, 'resolved', { ordinal: issues, code: closed.code, text: null, openedAt: closed.openedAt }, now, input.customer, settings.mapping, settings.pageLink);
    if (event) events.push(event);
  }

  let delivered: TransitObservation | null = null;
  if (!state.deliveryRecorded && tracking.status === 'delivered' && shipment.shippedAt && shipment.deliveredAt) {
    delivered = {
      carrier: tracking.carrier, service: tracking.service, destinationCountry: tracking.destinationCountry,
      destinationRegion: order.destinationRegion, originRegion: null,
      shippedAt: shipment.shippedAt, deliveredAt: shipment.deliveredAt, promisedDeliveryAt: shipment.promisedDeliveryAt,
    };
  }
  return { state: delivered ? { ...state, deliveryRecorded: true } : state, events, delivered };
}
