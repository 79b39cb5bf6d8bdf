/**
 * The orders high-water mark. Queries start `overlapMs` before the mark, because an order can become visible to
 * search slightly after a later one; `seen` remembers (id → updatedAt) inside that overlap so the re-read orders are
 * skipped rather than processed twice. Pure functions; the cursor is persisted only after its orders are queued.
 */
import { advanceWatermark, type Watermark } from '../watermark';

export type OrdersCursor = Watermark;

export function searchQueryFor(cursor: OrdersCursor | null, overlapMs: number): string | null {
  if (!cursor) return null;
  const from = new Date(Date.parse(cursor.updatedAt) - overlapMs).toISOString();
  return `updated_at:>='${from}'`;
}

export { alreadySeen } from '../watermark';

export function advanceCursor(
  cursor: OrdersCursor | null,
  orders: ReadonlyArray<{ id: string; updatedAt: string }>,
  overlapMs: number,
): OrdersCursor | null {
  return advanceWatermark(cursor, orders, overlapMs);
}
