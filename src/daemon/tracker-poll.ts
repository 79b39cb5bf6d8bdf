import { liveSince, type PipelineContext } from '../pipeline/context';
import { applyTrackingUpdates } from '../pipeline/shipment-jobs';
import type { TrackingSource, TrackingUpdate } from '../sources/tracking-source';
import { trackingCursorKey } from '../state/keys';
import { CursorRepository } from '../state/repositories';

/** Tracker updates applied per commit. */
const TRACKER_CHUNK = 500;

/**
 * Applies every tracker changed since the persisted cursor. Updates are read first (outside the writer lease);
 * they may come in any order, so the cursor is saved only with the last chunk: a crash before it replays the poll,
 * and replays change nothing.
 */
export async function pollTrackers(context: PipelineContext, tracking: TrackingSource | null, signal: AbortSignal): Promise<{ trackers: number; shipments: number; queued: number }> {
  const totals = { trackers: 0, shipments: 0, queued: 0 };
  if (!tracking) return totals;
  const cursorKey = trackingCursorKey(tracking.name);
  const stored = await new CursorRepository<string>(context.store, tracking.name, 'trackers').get();
  let cursor = stored;
  const updates: TrackingUpdate[] = [];
  for await (const update of tracking.changed(stored, liveSince(context), signal)) {
    updates.push(update);
    cursor = tracking.cursorAfter(cursor, update);
  }
  for (let start = 0; start < updates.length; start += TRACKER_CHUNK) {
    const last = start + TRACKER_CHUNK >= updates.length;
    const move = last && cursor !== null ? { key: cursorKey, value: cursor, notBehind: (a: unknown, b: unknown) => tracking.notBehind(String(a), String(b)) } : null;
    const outcome = await applyTrackingUpdates(context, updates.slice(start, start + TRACKER_CHUNK), move);
    totals.shipments += outcome.shipments;
    totals.queued += outcome.records;
  }
  totals.trackers = updates.length;
  return totals;
}
