import type { Order } from '../model/order';
import type { TrackingSource, TrackingUpdate } from '../sources/tracking-source';
import { isRetired, pendingKeyOf, type ShipmentState, type TrackingPart } from '../state/shipments';
import { PermanentError } from '../util/errors';
import { liveSince, type PipelineContext } from './context';
import { isPendingAgedOut } from '../enrichment/delivery/holds';
import { AGED_OUT, hasPendingParcel, isHistoricParcel, orderParts, type PendingOutcome, pendingOutcome, pendingPart, pendingTracking, trackingFromFulfillment, trackingFromUpdate } from './shipment-sources';
import { commitUnit, type CursorMove } from './commit';
import { planShipments, type ShipmentInput } from './shipment-sync';
import { planReturnParcelUpdates } from './returns';

/** What shipment planning needs of a tracking source. */
export type TrackerPort = Pick<TrackingSource, 'follow' | 'current'>;

/** Tracker creations in flight at once: the providers document no create limit, this keeps us polite. */
const CREATE_CONCURRENCY = 8;

/**
 * The parcels on a page of orders. With a tracking source, a parcel not yet tracked gets a tracker (or, when the code
 * already has one, its current state) unless it is history (`isHistoricParcel`): history needs no tracker, and
 * trackers are billed. Parcels a carrier tracker already follows keep their carrier state;
 * later changes arrive by webhook or poll. Without a tracking source the fulfillment's own status is used.
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
      const history = isHistoricParcel(fulfillment, since, context.settings.shipments.trackingHorizonDays);
      if (previous?.kind === 'carrier') tracking = null;
      else if (tracker && !history) {
        const trackerId = codes.get(part.trackingCode)?.trackerId ?? null;
        try {
          const update = trackerId ? await tracker.current(trackerId) : await tracker.follow(part.trackingCode, ref.carrier);
          // Null: the source may not start following a code (a dry run); the store's own status stands in.
          if (update) tracking = trackingFromUpdate(update);
        } catch (error) {
          // A code the tracking source refuses (unknown carrier, malformed) is still followed through the store's own status.
          if (!(error instanceof PermanentError)) throw error;
          context.logger.warn('the tracking source refused a tracking code; using the store status', { code: part.trackingCode, reason: error.message });
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
 * than what is already stored (a late duplicate). One commit unit with `cursor`, under the writer lease.
 */
export function applyTrackingUpdates(
  context: PipelineContext,
  snapshots: readonly TrackingUpdate[],
  cursor: CursorMove | null,
): Promise<{ shipments: number; records: number }> {
  return context.writer(() => applyUpdates(context, snapshots, cursor));
}

async function applyUpdates(context: PipelineContext, snapshots: readonly TrackingUpdate[], cursor: CursorMove | null): Promise<{ shipments: number; records: number }> {
  const codes = await context.shipments.trackingCodes(snapshots.map((s) => s.trackingCode));
  const keys = snapshots.flatMap((s) => codes.get(s.trackingCode)?.shipmentKeys ?? []);
  const stored = await context.shipments.shipments(keys);
  const latest = new Map<string, TrackingUpdate>();
  for (const snapshot of snapshots) {
    const seen = latest.get(snapshot.trackingCode);
    if (!seen || seen.updatedAt < snapshot.updatedAt) latest.set(snapshot.trackingCode, snapshot);
  }
  const inputs: ShipmentInput[] = [];
  for (const snapshot of latest.values()) {
    for (const key of codes.get(snapshot.trackingCode)?.shipmentKeys ?? []) {
      const previous = stored.get(key);
      if (!previous || isOlder(snapshot, previous)) continue;
      inputs.push({ key, order: null, tracking: trackingFromUpdate(snapshot) });
    }
  }
  const plan = await planShipments(context, inputs);
  // Return parcels (filed by direction, state/return-parcels.ts) move their returns in the same commit.
  const returns = await planReturnParcelUpdates(context, [...latest.values()]);
  const records = [...plan.records, ...returns.records];
  await commitUnit(context, { records, entries: [...plan.entries, ...returns.entries], shipmentChecks: plan.checks, reviews: plan.reviews, cursor });
  context.metrics.recordsRead.inc({ source: snapshots[0]?.provider ?? 'tracking' }, snapshots.length);
  return { shipments: plan.shipments, records: records.length };
}

function isOlder(snapshot: TrackingUpdate, previous: ShipmentState): boolean {
  return previous.kind === 'carrier' && previous.trackerUpdatedAt !== null && snapshot.updatedAt.getTime() < Date.parse(previous.trackerUpdatedAt);
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
    const chunk = keys.slice(start, start + 500);
    const counted = await context.writer(async () => {
      const stored = await context.shipments.shipments(chunk);
      // An entry whose shipment has since moved its check time (or finished) costs this read and nothing else.
      const due = [...stored.values()].filter((s) => s.nextCheckAt !== null && Date.parse(s.nextCheckAt) <= now.getTime());
      const plan = await planShipments(context, due.map((s) => ({ key: s.key, order: null, tracking: null })));
      await commitUnit(context, { records: plan.records, entries: plan.entries, shipmentChecks: plan.checks, reviews: plan.reviews });
      return { checked: due.length, records: plan.records.length };
    });
    checked += counted.checked;
    records += counted.records;
  }
  await context.shipmentChecks.done(now);
  return { checked, records };
}
