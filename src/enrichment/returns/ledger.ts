import type { Order } from '../../model/order';
import type {
  OrderReturn, OrderReturnsRecord, Refund, RefundRecord, ReturnEventKind, ReturnRecord,
} from '../../model/returns';
import type { ShipmentStatus } from '../../model/shipment';

/**
 * The order's returns ledger (model/returns.ts) as each read of the order and each carrier report moves it, and the
 * events it implies, each once. Pure.
 */

/** One thing Klaviyo must hear, in causal order within its return. */
export type ReturnChange =
  | { readonly kind: ReturnEventKind; readonly at: Date; readonly order: OrderReturnsRecord; readonly ret: ReturnRecord }
  | { readonly kind: 'refund'; readonly at: Date; readonly order: OrderReturnsRecord; readonly refund: RefundRecord };

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function mergeReturn(previous: ReturnRecord | undefined, ret: OrderReturn, seenAt: Date): ReturnRecord {
  const lines = ret.lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, reason: l.reason, reasonName: l.reasonName }));
  const known = new Map((previous?.parcels ?? []).map((p) => [p.code, p]));
  const parcels = ret.deliveries.flatMap((d) => (d.tracking ? [d.tracking] : [])).map((t) => known.get(t.code) ?? {
    code: t.code, carrier: t.carrier, url: t.url, status: null, movedAt: null, deliveredAt: null,
  });
  const changed = !previous || previous.status !== ret.status;
  return {
    id: ret.id,
    name: ret.name,
    status: ret.status,
    requestedAt: ret.requestedAt.toISOString(),
    approvedAt: iso(ret.approvedAt),
    closedAt: iso(ret.closedAt),
    declineReason: ret.declineReason,
    seenAt: changed ? seenAt.toISOString() : previous.seenAt,
    receivedByStore: ret.received,
    lines,
    parcels,
    announced: previous?.announced ?? [],
  };
}

function mergeRefund(previous: RefundRecord | undefined, refund: Refund): RefundRecord {
  return {
    id: refund.id,
    // First seen wins: a source that dates refunds by the order's modification (WooCommerce) must not move it.
    createdAt: previous?.createdAt ?? refund.createdAt.toISOString(),
    amountMinor: refund.amount.minor,
    shippingMinor: refund.shipping.minor,
    currency: refund.amount.currency,
    returnId: refund.returnId,
    note: refund.note,
    lines: refund.lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity })),
    announced: previous?.announced ?? false,
  };
}

/**
 * The order's record after this read of it, or null when the order has neither returns nor refunds and had none.
 * Returns and refunds the source no longer lists are kept: a read without them (a source that stopped reading
 * returns) must not unannounce anything.
 */
export function mergeOrderReturns(previous: OrderReturnsRecord | null, order: Order): OrderReturnsRecord | null {
  const returns = order.returns ?? [];
  const refunds = order.refunds ?? [];
  if (!previous && returns.length === 0 && refunds.length === 0) return null;
  const oldReturns = new Map((previous?.returns ?? []).map((r) => [r.id, r]));
  const oldRefunds = new Map((previous?.refunds ?? []).map((r) => [r.id, r]));
  const mergedReturns = new Map(oldReturns);
  for (const ret of returns) mergedReturns.set(ret.id, mergeReturn(oldReturns.get(ret.id), ret, order.updatedAt));
  const mergedRefunds = new Map(oldRefunds);
  for (const refund of refunds) mergedRefunds.set(refund.id, mergeRefund(oldRefunds.get(refund.id), refund));
  return {
    orderId: order.id,
    orderName: order.name,
    returns: [...mergedReturns.values()].sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id)),
    refunds: [...mergedRefunds.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)),
  };
}

/** A carrier's latest word on a return parcel: its status, when it first moved, and when it was delivered back. */
export interface ReturnParcelReport {
  readonly status: ShipmentStatus;
  readonly movedAt: Date | null;
  readonly deliveredAt: Date | null;
}

/** A carrier report on one return parcel, folded into the return that carries its code. First times stick. */
export function withParcelStatus(record: OrderReturnsRecord, code: string, report: ReturnParcelReport): OrderReturnsRecord {
  const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
  return {
    ...record,
    returns: record.returns.map((ret) => ({
      ...ret,
      parcels: ret.parcels.map((p) => (p.code !== code ? p : {
        ...p,
        status: report.status,
        movedAt: p.movedAt ?? iso(report.movedAt ?? report.deliveredAt),
        deliveredAt: p.deliveredAt ?? iso(report.deliveredAt),
      })),
    })),
  };
}

/** A return counts as settled once refunded (a refund linked to it, or any refund after it when the source links none). */
export function refundOf(record: OrderReturnsRecord, ret: ReturnRecord): RefundRecord | null {
  const linked = record.refunds.find((r) => r.returnId === ret.id);
  if (linked) return linked;
  return record.refunds.find((r) => r.returnId === null && r.createdAt >= ret.requestedAt) ?? null;
}

/** Open: requested or approved, and neither refunded, closed, declined nor canceled. */
export const isReturnOpen = (record: OrderReturnsRecord, ret: ReturnRecord): boolean =>
  (ret.status === 'requested' || ret.status === 'open') && refundOf(record, ret) === null;

/** Declined and canceled returns bring nothing back. */
export const isReturning = (ret: ReturnRecord): boolean => ret.status !== 'declined' && ret.status !== 'canceled';

function dueKinds(ret: ReturnRecord, refundedAt: string | null): Array<{ kind: ReturnEventKind; at: string }> {
  const due: Array<{ kind: ReturnEventKind; at: string }> = [{ kind: 'requested', at: ret.requestedAt }];
  if (ret.status === 'declined') due.push({ kind: 'declined', at: ret.seenAt });
  if (ret.status === 'open' || ret.status === 'closed') due.push({ kind: 'approved', at: ret.approvedAt ?? ret.requestedAt });
  const moved = ret.parcels.map((p) => p.movedAt).filter((t): t is string => t !== null).sort()[0];
  if (moved && isReturning(ret)) due.push({ kind: 'in_transit', at: moved });
  const delivered = ret.parcels.map((p) => p.deliveredAt).filter((t): t is string => t !== null).sort()[0];
  // Without a carrier delivery the store's receipt has no time of its own: it was no later than the refund.
  const byStore = ret.receivedByStore ? ret.closedAt ?? ret.seenAt : null;
  const received = delivered ?? (byStore && refundedAt && refundedAt < byStore ? refundedAt : byStore);
  if (received && isReturning(ret)) due.push({ kind: 'received', at: received });
  if (ret.status === 'closed') due.push({ kind: 'closed', at: ret.closedAt ?? ret.seenAt });
  return due;
}

const RANK: Readonly<Record<ReturnChange['kind'], number>> = {
  requested: 0, approved: 1, declined: 1, in_transit: 2, received: 3, refund: 4, closed: 5,
};

/**
 * What the record implies that was not announced yet, in causal order (a return's own steps by rank, then time),
 * and the record with them marked announced. A later read that implies nothing new yields nothing.
 */
export function pendingChanges(record: OrderReturnsRecord): { readonly record: OrderReturnsRecord; readonly changes: readonly ReturnChange[] } {
  const changes: ReturnChange[] = [];
  const returns = record.returns.map((ret) => {
    const fresh = dueKinds(ret, refundOf(record, ret)?.createdAt ?? null).filter((d) => !ret.announced.includes(d.kind));
    if (fresh.length === 0) return ret;
    const next = { ...ret, announced: [...ret.announced, ...fresh.map((d) => d.kind)] };
    for (const d of fresh) changes.push({ kind: d.kind, at: new Date(d.at), order: record, ret: next });
    return next;
  });
  const refunds = record.refunds.map((refund) => {
    if (refund.announced) return refund;
    const next = { ...refund, announced: true };
    changes.push({ kind: 'refund', at: new Date(refund.createdAt), order: record, refund: next });
    return next;
  });
  const updated = { ...record, returns, refunds };
  const returnOf = (c: ReturnChange): string => (c.kind === 'refund' ? c.refund.returnId ?? '' : c.ret.id);
  changes.sort((a, b) => a.at.getTime() - b.at.getTime() || (returnOf(a) === returnOf(b) ? RANK[a.kind] - RANK[b.kind] : 0));
  // Within one return the causal rank wins over clock skew between sources (a store's decline time is when we saw it).
  const ordered = stableCausal(changes);
  return { record: updated, changes: ordered.map((c) => ({ ...c, order: updated })) };
}

const returnOfChange = (c: ReturnChange): string | null => (c.kind === 'refund' ? c.refund.returnId : c.ret.id);

function stableCausal(changes: readonly ReturnChange[]): ReturnChange[] {
  const out = [...changes];
  for (let i = 1; i < out.length; i++) {
    for (let j = i; j > 0; j--) {
      const a = out[j - 1];
      const b = out[j];
      const sameReturn = returnOfChange(a) !== null && returnOfChange(a) === returnOfChange(b);
      if (!sameReturn || RANK[a.kind] <= RANK[b.kind]) break;
      out[j - 1] = b;
      out[j] = a;
    }
  }
  return out;
}
