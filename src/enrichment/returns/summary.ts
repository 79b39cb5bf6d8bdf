import type { CustomerAggregate } from '../../model/customer';
import type { OrderReturnsRecord, ReturnRecord } from '../../model/returns';
import { isReturnOpen, isReturning } from './ledger';

/** A customer's returns as the profile shows them. Pure. */
export interface ReturnsSummary {
  readonly open: boolean;
  /** Returns requested and not declined or canceled. */
  readonly count: number;
  /** Returned units / units bought, both net of cancellations; null before any unit was bought. */
  readonly rate: number | null;
  readonly lastReason: string | null;
  readonly lastAt: string | null;
  /** Orders with an open return: held from promotions (`return_open`). */
  readonly openOrderIds: readonly string[];
  /** Orders whose items are being (or were) returned: no review request is timed for them. */
  readonly returningOrderIds: readonly string[];
}

const returnedUnits = (ret: ReturnRecord): number => ret.lines.reduce((sum, line) => sum + line.quantity, 0);

/**
 * Returned units over bought units. Only returns that bring items back count (declined and canceled ones do not),
 * and only units of orders that were not cancelled: a cancelled order was never bought. Capped at 1 (a store that
 * lets a customer return more than the order held has a data problem, not a 120% rate).
 */
export function returnRate(customer: Pick<CustomerAggregate, 'orders' | 'returns'>): number | null {
  const cancelled = new Set(customer.orders.filter((o) => o.cancelled).map((o) => o.orderId));
  const bought = customer.orders.reduce((sum, o) => sum + (o.cancelled ? 0 : o.units ?? 0), 0);
  if (bought <= 0) return null;
  const returned = (customer.returns ?? [])
    .filter((record) => !cancelled.has(record.orderId))
    .flatMap((record) => record.returns.filter(isReturning))
    .reduce((sum, ret) => sum + returnedUnits(ret), 0);
  return Math.min(1, returned / bought);
}

function lastReturn(records: readonly OrderReturnsRecord[]): ReturnRecord | null {
  const all = records.flatMap((r) => r.returns.filter(isReturning));
  return all.sort((a, b) => b.requestedAt.localeCompare(a.requestedAt) || b.id.localeCompare(a.id))[0] ?? null;
}

/** The most common reason among the return's lines (by units), ties to the first listed. */
function mainReason(ret: ReturnRecord): string | null {
  const units = new Map<string, number>();
  for (const line of ret.lines) units.set(line.reason, (units.get(line.reason) ?? 0) + line.quantity);
  let best: string | null = null;
  for (const [reason, n] of units) if (best === null || n > (units.get(best) ?? 0)) best = reason;
  return best;
}

export function summarizeReturns(customer: Pick<CustomerAggregate, 'orders' | 'returns'>): ReturnsSummary {
  const records = customer.returns ?? [];
  const openOrderIds = records.filter((r) => r.returns.some((ret) => isReturnOpen(r, ret))).map((r) => r.orderId);
  const returningOrderIds = records.filter((r) => r.returns.some(isReturning)).map((r) => r.orderId);
  const last = lastReturn(records);
  const rate = returnRate(customer);
  return {
    open: openOrderIds.length > 0,
    count: records.reduce((sum, r) => sum + r.returns.filter(isReturning).length, 0),
    rate: rate === null ? null : Number(rate.toFixed(3)),
    lastReason: last ? mainReason(last) : null,
    lastAt: last?.requestedAt ?? null,
    openOrderIds,
    returningOrderIds,
  };
}

/**
 * Returns by reason and by the customer's current segment, over customer aggregates as state holds them: the shape
 * a status page or report plots ("returns by reason"). A return counts once per reason among its lines; declined and
 * canceled returns are left out. Pure.
 */
export function returnsByReasonAndSegment(customers: Iterable<Pick<CustomerAggregate, 'segment' | 'returns'>>): {
  readonly byReason: ReadonlyMap<string, number>;
  readonly bySegment: ReadonlyMap<string, number>;
} {
  const byReason = new Map<string, number>();
  const bySegment = new Map<string, number>();
  for (const customer of customers) {
    for (const ret of (customer.returns ?? []).flatMap((r) => r.returns.filter(isReturning))) {
      for (const reason of new Set(ret.lines.map((l) => l.reason))) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
      const segment = customer.segment ?? 'none';
      bySegment.set(segment, (bySegment.get(segment) ?? 0) + 1);
    }
  }
  return { byReason, bySegment };
}
