import type { Order } from '../model/order';
import type { TrackerSnapshot } from '../sources/easypost/snapshot';
import { isRetired, pendingKeyOf, type ShipmentState, type TrackingPart } from '../state/shipments';
import { PermanentError } from '../util/errors';
import { liveSince, type PipelineContext } from './context';
import { isPendingAgedOut } from '../enrichment/delivery/holds';
import { AGED_OUT, hasPendingParcel, orderParts, type PendingOutcome, pendingOutcome, pendingPart, pendingTracking, trackingFromFulfillment, trackingFromSnapshot } from './shipment-sources';
import { commitPlan, planShipments, type ShipmentInput } from './shipment-sync';

/** What the pipeline needs from EasyPost; `EasyPostTrackingClient` provides it. */
export interface TrackerPort {
  /** The code's tracker, created if need be; null when there is none and the port may not create one (dry-run). */
  trackerFor(trackingCode: string, carrier: string | null): Promise<TrackerSnapshot | null>;
  retrieve(trackerId: string): Promise<TrackerSnapshot>;
}

/** Tracker creations in flight at once: EasyPost has no documented create limit, this keeps us polite. */
const CREATE_CONCURRENCY = 8;

/**
 * The parcels on a page of orders. With EasyPost, a parcel not yet tracked gets a tracker (or, when the code
 * already has one, its current state) unless the store says it was delivered before the live window: history
 * needs no tracker, and EasyPost bills per tracker. Parcels EasyPost already follows keep their carrier state;
 * later changes arrive by webhook or poll. Without EasyPost the fulfillment's own status is used.
 */
export async function shipmentsForOrders(context: PipelineContext, orders: readonly Order[], tracker: TrackerPort | null): Promise<ShipmentInput[]> {
  const parcels = orders.flatMap((order) => orderParts(order).map((parcel) => ({ ...parcel, order })));
  // Most orders are long fulfilled: their pending parcel is only looked up (to retire one left open), not built.
  const pending = orders.flatMap((order) => (hasPendingParcel(order) ? [{ key: pendingKeyOf(order.id), order, outcome: pendingOutcome(order) }] : []));
  if (parcels.length === 0 && pending.length === 0) return [];
  const [stored, codes] = await Promise.all([
    context.shipments.shipments([...parcels.map((p) => p.part.key), ...pending.map((p) => p.key)]),
    context.shipments.trackingCodes(parcels.map((p) => p.part.trackingCode)),
  ]);
  const since = liveSince(context);
  const inputs: ShipmentInput[] = [];
  const queue = [...parcels];
  const worker = async (): Promise<void> => {
    for (let parcel = queue.shift(); parcel; parcel = queue.shift()) {
      const { part, fulfillment, ref, order } = parcel;
      const previous = stored.get(part.key);
      let tracking: TrackingPart | null = trackingFromFulfillment(fulfillment, ref, order);
      const history = fulfillment.deliveredAt !== null && fulfillment.deliveredAt < since;
      if (previous?.source === 'easypost') tracking = null;
      else if (tracker && !history) {
        const trackerId = codes.get(part.trackingCode)?.trackerId ?? null;
        try {
          const snapshot = trackerId ? await tracker.retrieve(trackerId) : await tracker.trackerFor(part.trackingCode, ref.carrier);
          if (snapshot) tracking = trackingFromSnapshot(snapshot);
        } catch (error) {
          // A code EasyPost refuses (unknown carrier, malformed) is still followed through the store's own status.
          if (!(error instanceof PermanentError)) throw error;
          context.logger.warn('easypost refused a tracking code; using the store status', { code: part.trackingCode, reason: error.message });
        }
      }
      inputs.push({ key: part.key, order: part, tracking });
    }
  };
  await Promise.all(Array.from({ length: CREATE_CONCURRENCY }, worker));
  // Workers finish out of order; the page's order keeps split parcels and replays deterministic.
  const rank = new Map(parcels.map((p, i) => [p.part.key, i]));
  inputs.sort((a, b) => (rank.get(a.key) ?? 0) - (rank.get(b.key) ?? 0));
  // An unfulfilled order is followed as a pending parcel; once it ships or is cancelled, that parcel is retired once.
  const now = context.clock.now();
  const horizonDays = context.settings.shipments.pendingHorizonDays;
  for (const { key, order, outcome } of pending) {
    const part = followsPending(stored.get(key) ?? null, order, outcome, since, now, horizonDays) ? pendingPart(order) : null;
    if (part) inputs.push({ key, order: part, tracking: pendingTracking(order, outcome) });
  }
  return inputs;
}

/**
 * Whether this page must (re)assess the order's pending parcel. One still open is always updated (or retired). A new
 * one is started only for an order placed inside the live window and not yet past the horizon: an order first seen
 * unfulfilled after that is history, whatever became of it, and never opens a hold or an issue.
 */
export function followsPending(previous: ShipmentState | null, order: Order, outcome: PendingOutcome, since: Date, now: Date, horizonDays: number): boolean {
  if (previous && !isRetired(previous)) return true;
  if (outcome !== 'open') return false;
  // Shipped, then the fulfillment was cancelled: followed again, unless the order has already aged out.
  if (previous) return previous.statusDetail !== AGED_OUT;
  return order.createdAt >= since && !isPendingAgedOut(order.createdAt, now, horizonDays);
}

/**
 * Tracker updates from a poll or a webhook: each is applied to every shipment carrying its code, unless it is older
 * than what is already stored (a late duplicate). Appends and saves together with `cursorEntry`.
 */
export async function applyTrackerSnapshots(
  context: PipelineContext,
  snapshots: readonly TrackerSnapshot[],
  cursorEntry: readonly [string, unknown] | null,
): Promise<{ shipments: number; records: number }> {
  const codes = await context.shipments.trackingCodes(snapshots.map((s) => s.trackingCode));
  const keys = snapshots.flatMap((s) => codes.get(s.trackingCode)?.shipmentKeys ?? []);
  const stored = await context.shipments.shipments(keys);
  const latest = new Map<string, TrackerSnapshot>();
  for (const snapshot of snapshots) {
    const seen = latest.get(snapshot.trackingCode);
    if (!seen || seen.updatedAt < snapshot.updatedAt) latest.set(snapshot.trackingCode, snapshot);
  }
  const inputs: ShipmentInput[] = [];
  for (const snapshot of latest.values()) {
    for (const key of codes.get(snapshot.trackingCode)?.shipmentKeys ?? []) {
      const previous = stored.get(key);
      if (!previous || isOlder(snapshot, previous)) continue;
      inputs.push({ key, order: null, tracking: trackingFromSnapshot(snapshot) });
    }
  }
  const plan = await planShipments(context, inputs);
  await commitPlan(context, plan, cursorEntry ? [cursorEntry] : []);
  context.metrics.recordsRead.inc({ source: 'easypost' }, snapshots.length);
  return { shipments: plan.shipments, records: plan.records.length };
}

function isOlder(snapshot: TrackerSnapshot, previous: ShipmentState): boolean {
  return previous.source === 'easypost' && previous.trackerUpdatedAt !== null && snapshot.updatedAt.getTime() < Date.parse(previous.trackerUpdatedAt);
}

/**
 * Time-driven risk: only shipments whose re-check time has come are read, from the re-check index; a parcel that
 * stalls with no new scan opens its issue here, and a late one is flagged when its promised day has passed.
 */
export async function recheckDueShipments(context: PipelineContext): Promise<{ checked: number; records: number }> {
  const now = context.clock.now();
  const keys = await context.shipmentChecks.due(now);
  let checked = 0;
  let records = 0;
  for (let start = 0; start < keys.length; start += 500) {
    const stored = await context.shipments.shipments(keys.slice(start, start + 500));
    // An entry whose shipment has since moved its check time (or finished) costs this read and nothing else.
    const due = [...stored.values()].filter((s) => s.nextCheckAt !== null && Date.parse(s.nextCheckAt) <= now.getTime());
    const plan = await planShipments(context, due.map((s) => ({ key: s.key, order: null, tracking: null })));
    await commitPlan(context, plan);
    checked += due.length;
    records += plan.records.length;
  }
  await context.shipmentChecks.done(now);
  return { checked, records };
}
