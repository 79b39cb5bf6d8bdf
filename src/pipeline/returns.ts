import type { CustomerAggregate, Segment } from '../model/customer';
import type { Order } from '../model/order';
import type { SinkRecord } from '../model/records';
import { applyParcelReport, returnParcelsToFollow, type ReturnParcelReport } from '../enrichment/returns/apply';
import type { ReturnChange } from '../enrichment/returns/ledger';
import { returnEvent } from '../mapping/return-events';
import type { TrackingSource, TrackingUpdate } from '../sources/tracking-source';
import { customerEntry } from '../state/customers';
import { knownReturnOrders, returnParcelEntry, returnParcels, type ReturnParcelEntry } from '../state/return-parcels';
import { PermanentError } from '../util/errors';
import { liveSince, type PipelineContext } from './context';

/** What following return parcels needs of a tracking source (the same as outbound parcels). */
type TrackerPort = Pick<TrackingSource, 'follow' | 'current'>;

/** What a page of orders learned of its return parcels before the writer lease: carrier reports and the index entries. */
export interface ReturnParcelsRead {
  readonly reports: ReadonlyMap<string, ReturnParcelReport>;
  readonly entries: ReadonlyArray<readonly [string, ReturnParcelEntry]>;
}

export const NO_RETURN_PARCELS: ReturnParcelsRead = { reports: new Map(), entries: [] };

const MOVING: ReadonlySet<string> = new Set(['in_transit', 'out_for_delivery', 'available_for_pickup', 'delivered']);

/** Dated by the carrier's scans: the first that shows the parcel moving, and the delivery. */
function reportOf(update: TrackingUpdate): ReturnParcelReport {
  const moved = update.scans.find((scan) => MOVING.has(scan.status))?.at ?? (MOVING.has(update.status) ? update.updatedAt : null);
  const deliveredAt = update.status === 'delivered' ? update.deliveredAt ?? update.updatedAt : null;
  return { status: update.status, movedAt: moved, deliveredAt };
}

/**
 * Return parcels are followed through the tracking source like outbound ones, but filed as returns: the index entry
 * (state/return-parcels.ts) records the direction, the customer and the order, so later tracker updates for the code
 * move the return and never the outbound parcel list. Only returns requested inside the live window get a tracker
 * (trackers are billed; history needs none). Runs outside the writer lease: it talks to the tracking source.
 */
export async function followReturnParcels(context: PipelineContext, orders: readonly Order[], tracker: TrackerPort | null): Promise<ReturnParcelsRead> {
  const since = liveSince(context);
  const wanted = orders.flatMap((order) => (order.email ? returnParcelsToFollow(order)
    .filter((p) => (order.returns ?? []).some((r) => r.id === p.returnId && r.requestedAt >= since))
    .map((p) => ({ ...p, order, email: order.email as string })) : []));
  if (wanted.length === 0 || !tracker) return NO_RETURN_PARCELS;
  const known = await returnParcels(context.store, wanted.map((p) => p.code));
  const reports = new Map<string, ReturnParcelReport>();
  const entries: Array<readonly [string, ReturnParcelEntry]> = [];
  for (const parcel of wanted) {
    const stored = known.get(parcel.code);
    try {
      const update = stored?.trackerId ? await tracker.current(stored.trackerId) : await tracker.follow(parcel.code, parcel.carrier);
      if (update) reports.set(parcel.code, reportOf(update));
      const trackerId = update?.trackerId ?? stored?.trackerId ?? null;
      if (!stored || stored.trackerId !== trackerId) {
        entries.push(returnParcelEntry(parcel.code, { direction: 'return', email: parcel.email, orderId: parcel.order.id, returnId: parcel.returnId, trackerId }));
      }
    } catch (error) {
      if (!(error instanceof PermanentError)) throw error;
      context.logger.warn('the tracking source refused a return tracking code; the store status stands in', { code: parcel.code, reason: error.message });
    }
  }
  return { reports, entries };
}

/** The events for one customer's return changes, dated at each change; history is flagged (or skipped) like the rest. */
export function returnRecords(
  context: PipelineContext,
  customer: CustomerAggregate,
  changes: readonly ReturnChange[],
  segment: Segment | null,
): SinkRecord[] {
  const since = liveSince(context);
  const records: SinkRecord[] = [];
  for (const change of changes) {
    const history = change.at < since;
    if (history && context.settings.backfill === 'skip') continue;
    const event = returnEvent(change, customer, segment, history, context.settings.mapping);
    if (event) records.push(event);
  }
  return records;
}

/**
 * Tracker updates for return parcels (a poll or a webhook): each moves its return (`Return Shipment In Transit`,
 * `Return Received`) and nothing else. What to commit, in the caller's commit unit.
 */
export async function planReturnParcelUpdates(
  context: PipelineContext,
  snapshots: readonly TrackingUpdate[],
): Promise<{ readonly records: readonly SinkRecord[]; readonly entries: ReadonlyArray<readonly [string, unknown]> }> {
  const parcels = await returnParcels(context.store, snapshots.map((s) => s.trackingCode));
  if (parcels.size === 0) return { records: [], entries: [] };
  const customers = await context.customers.getMany([...new Set([...parcels.values()].map((p) => p.email))]);
  const working = new Map(customers);
  const records: SinkRecord[] = [];
  const ordered = [...snapshots].sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime());
  for (const snapshot of ordered) {
    const parcel = parcels.get(snapshot.trackingCode);
    const customer = parcel ? working.get(parcel.email) : undefined;
    if (!parcel || !customer) continue;
    const applied = applyParcelReport(customer, parcel.orderId, snapshot.trackingCode, reportOf(snapshot));
    if (applied.customer === customer) continue;
    working.set(customer.key, applied.customer);
    records.push(...returnRecords(context, applied.customer, applied.changes, applied.customer.segment));
  }
  const changed = [...working.values()].filter((c) => c !== customers.get(c.key));
  return { records, entries: changed.map(customerEntry) };
}

/**
 * Return and refund webhooks name their order. Once the order poll they caused has run, an order shipsignal still
 * holds no returns or refunds for was never read (outside the readable history, no usable email, another shop's
 * delivery): each is a rejection with its reason, never a crash and never a guess from the payload.
 */
export async function rejectUnknownReturnOrders(context: PipelineContext, named: ReadonlyMap<string, string>): Promise<number> {
  if (named.size === 0) return 0;
  const known = await knownReturnOrders(context.store, [...named.keys()]);
  const at = context.clock.now().toISOString();
  const rejects = [...named].filter(([orderId]) => !known.has(orderId)).map(([orderId, topic]) => ({
    at, source: 'webhook:returns', recordId: orderId,
    reason: `${topic} names order ${orderId}, which shipsignal has not read (not in the store's readable history, or without a usable email): nothing changed`,
  }));
  if (rejects.length > 0) await context.rejects.add(rejects);
  return rejects.length;
}
