/**
 * The orders high-water mark. Queries start `overlapMs` before the mark, because an order can become visible to
 * search slightly after a later one; `seen` remembers (id → updatedAt) inside that overlap so the re-read orders are
 * skipped rather than processed twice. Pure functions; the cursor is persisted only after its orders are queued.
 */
export interface OrdersCursor {
  readonly updatedAt: string;
  readonly seen: Readonly<Record<string, string>>;
}

export function searchQueryFor(cursor: OrdersCursor | null, overlapMs: number): string | null {
  if (!cursor) return null;
  const from = new Date(Date.parse(cursor.updatedAt) - overlapMs).toISOString();
  return `updated_at:>='${from}'`;
}

/** True when this version of the order was already handled under `cursor`. */
export function alreadySeen(cursor: OrdersCursor | null, id: string, updatedAt: string): boolean {
  if (!cursor) return false;
  return cursor.seen[id] === updatedAt;
}

export function advanceCursor(
  cursor: OrdersCursor | null,
  orders: ReadonlyArray<{ id: string; updatedAt: string }>,
  overlapMs: number,
): OrdersCursor | null {
  if (orders.length === 0) return cursor;
  let mark = cursor ? Date.parse(cursor.updatedAt) : -Infinity;
  for (const order of orders) mark = Math.max(mark, Date.parse(order.updatedAt));
  const keepFrom = mark - overlapMs;
  const seen: Record<string, string> = {};
  for (const [id, at] of Object.entries(cursor?.seen ?? {})) if (Date.parse(at) >= keepFrom) seen[id] = at;
  for (const order of orders) if (Date.parse(order.updatedAt) >= keepFrom) seen[order.id] = order.updatedAt;
  return { updatedAt: new Date(mark).toISOString(), seen };
}
