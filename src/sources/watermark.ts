/**
 * The high-water mark every polled store shares: the newest change time read so far, plus the versions (id →
 * change time) inside the overlap window, so an order re-read because the query starts `overlapMs` before the mark
 * is skipped rather than processed twice. Pure; each source wraps it in its own cursor and query syntax.
 */
export interface Watermark {
  /** ISO 8601 UTC instant of the newest change read. */
  readonly updatedAt: string;
  readonly seen: Readonly<Record<string, string>>;
}

/** True when this version of the order was already handled under `mark`. */
export function alreadySeen(mark: Watermark | null, id: string, updatedAt: string): boolean {
  if (!mark) return false;
  return mark.seen[id] === updatedAt;
}

export function advanceWatermark(
  mark: Watermark | null,
  orders: ReadonlyArray<{ id: string; updatedAt: string }>,
  overlapMs: number,
): Watermark | null {
  if (orders.length === 0) return mark;
  let newest = mark ? Date.parse(mark.updatedAt) : -Infinity;
  for (const order of orders) newest = Math.max(newest, Date.parse(order.updatedAt));
  const keepFrom = newest - overlapMs;
  const seen: Record<string, string> = {};
  for (const [id, at] of Object.entries(mark?.seen ?? {})) if (Date.parse(at) >= keepFrom) seen[id] = at;
  for (const order of orders) if (Date.parse(order.updatedAt) >= keepFrom) seen[order.id] = order.updatedAt;
  return { updatedAt: new Date(newest).toISOString(), seen };
}
