import { moneyFromDecimal, toDecimalString } from '../../../model/money';
import { isoInstant, type OrderRecord, type RefundRecord, type ReturnRecord } from '../record';

/**
 * Returns for the demo stores. The gift retailer's cancellation invoices (`C…`) are real credits: each becomes a
 * return and refund on the same customer's latest earlier invoice. Olist has no returns: they are SYNTHESIZED from
 * its real 1-2 star reviews whose text names a problem (data/olist/README.md). Deterministic, no randomness.
 */
const DAY = 86_400_000;
const REVIEW_REASONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/defeit|quebrad|danific|avariad|amassad|nao funciona|parou de funcionar|rachad/, 'defective'],
  [/errad|trocad|diferente|outro produto|nao e o (mesmo|que)/, 'wrong-item'],
  [/faltando|faltou|incomplet|veio so|apenas (um|uma)/, 'not-as-described'],
  [/atras|demor|prazo/, 'arrived-late'],
];

/** The return reason a review's text names, or null (accents folded, lower case). */
export function reviewReason(text: string): string | null {
  const folded = text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
  return REVIEW_REASONS.find(([pattern]) => pattern.test(folded))?.[1] ?? null;
}

/** Ids for one load: the same store loaded twice gets the same ids. */
function counter(base: number): () => number {
  let next = base;
  return () => ++next;
}

function closedReturn(id: () => number, order: OrderRecord, lineItemLegacyId: number, quantity: number, reason: string | null, requestedAt: number, closedAt: number): ReturnRecord {
  return {
    legacyId: id(), name: `${order.name}-R${(order.returns?.length ?? 0) + 1}`, status: 'CLOSED', createdAt: isoInstant(requestedAt),
    requestApprovedAt: isoInstant(requestedAt), closedAt: isoInstant(closedAt), decline: null,
    lines: [{ legacyId: id(), lineItemLegacyId, quantity, reasonHandle: reason, customerNote: null }],
    reverseFulfillmentOrder: { legacyId: id(), status: 'CLOSED', deliveries: [] },
  };
}

function refunded(id: () => number, order: OrderRecord, ret: ReturnRecord, wantedMinor: number, at: number): OrderRecord {
  const currency = order.currencyCode;
  const total = moneyFromDecimal(order.totalPrice, currency).minor;
  const already = moneyFromDecimal(order.totalRefunded, currency).minor;
  const minor = Math.min(wantedMinor, total - already);
  const refunds: RefundRecord[] = minor <= 0 ? [] : [{
    legacyId: id(), createdAt: isoInstant(at), note: null, returnLegacyId: ret.legacyId,
    amount: toDecimalString({ minor, currency }), shipping: toDecimalString({ minor: 0, currency }),
    lines: ret.lines.map((l) => ({ lineItemLegacyId: l.lineItemLegacyId, quantity: l.quantity })),
  }];
  const refundedMinor = already + Math.max(0, minor);
  return {
    ...order,
    updatedAt: isoInstant(Math.max(Date.parse(order.updatedAt), at)),
    returns: [...(order.returns ?? []), ret],
    refunds: [...(order.refunds ?? []), ...refunds],
    totalRefunded: toDecimalString({ minor: refundedMinor, currency }),
    displayFinancialStatus: refundedMinor >= total ? 'REFUNDED' : refundedMinor > 0 ? 'PARTIALLY_REFUNDED' : order.displayFinancialStatus,
  };
}

/**
 * Each `C…` invoice (tagged `cancellation-invoice`) as a closed return with its refund on the customer's latest
 * earlier invoice that was not itself a credit and has something left to refund, dated at the credit; the credit's units (capped at what that invoice
 * held) are returned with reason `unknown` (the data gives none). A credit with no earlier invoice stays a
 * cancelled order, as before. Records stay in their order; credits that became returns are dropped.
 */
export function giftRetailerReturns(records: readonly OrderRecord[]): OrderRecord[] {
  const id = counter(9_500_000_000);
  const out: Array<OrderRecord | null> = [...records];
  const earlier = new Map<number, number[]>();
  const refundable = (order: OrderRecord): number =>
    moneyFromDecimal(order.totalPrice, order.currencyCode).minor - moneyFromDecimal(order.totalRefunded, order.currencyCode).minor;
  records.forEach((record, i) => {
    const customer = record.customer?.legacyId;
    if (customer === undefined) return;
    const invoices = earlier.get(customer) ?? [];
    if (!record.tags.includes('cancellation-invoice')) {
      earlier.set(customer, [...invoices, i]);
      return;
    }
    // The latest earlier invoice with something left to refund (several credits can follow one invoice).
    const target = [...invoices].reverse().find((j) => {
      const candidate = out[j];
      return candidate !== null && candidate !== undefined && refundable(candidate) > 0 && candidate.lineItems.length > 0;
    });
    const order = target === undefined ? null : out[target];
    const line = order?.lineItems[0];
    if (target === undefined || !order || !line) return;
    const at = Date.parse(record.createdAt);
    const quantity = Math.min(line.quantity, record.lineItems[0]?.quantity ?? 1);
    const ret = closedReturn(id, order, line.legacyId, quantity, null, at, at);
    out[target] = refunded(id, order, ret, moneyFromDecimal(record.totalPrice, record.currencyCode).minor, at);
    out[i] = null;
  });
  return out.filter((r): r is OrderRecord => r !== null);
}

export interface ReviewRow {
  readonly orderId: string;
  readonly score: number;
  readonly text: string;
  readonly createdAt: number;
}

/**
 * SYNTHESIZED Olist returns: a delivered order whose real review scores 1 or 2 and whose text names a problem
 * (`reviewReason`) gets one closed return of its first item, requested the day of the review, approved at once,
 * received and refunded (the item's price) 7 days later.
 */
export function olistReturns(records: readonly OrderRecord[], reviews: readonly ReviewRow[], olistIdOf: (record: OrderRecord) => string | null): OrderRecord[] {
  const id = counter(9_600_000_000);
  const byOrder = new Map<string, ReviewRow>();
  for (const review of reviews) if (review.score <= 2 && reviewReason(review.text)) byOrder.set(review.orderId, review);
  return records.map((record) => {
    const olistId = olistIdOf(record);
    const review = olistId ? byOrder.get(olistId) : undefined;
    const line = record.lineItems[0];
    const delivered = record.fulfillments[0]?.deliveredAt;
    if (!review || !line || !delivered || record.cancelledAt !== null) return record;
    const requested = Math.max(review.createdAt, Date.parse(delivered));
    const ret = closedReturn(id, record, line.legacyId, 1, reviewReason(review.text), requested, requested + 7 * DAY);
    return refunded(id, record, ret, moneyFromDecimal(line.unitPrice, record.currencyCode).minor, requested + 7 * DAY);
  });
}
