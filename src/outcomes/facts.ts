import type { Segment } from '../model/customer';

/**
 * The few facts about one customer that every outcome on /status and in `shipsignal report` is a sum of: their
 * current segment, their orders, and each parcel's delivery and issues. Kept per customer in state beside the
 * aggregate (see state/outcomes.ts) so the pipeline can move the store-wide counters by the difference a change
 * makes, instead of anyone scanning every customer. Instants are ISO strings (JSON state round-trips them).
 */
export interface IssueFact {
  readonly code: string;
  readonly openedAt: string;
  readonly resolvedAt: string | null;
}

export interface ParcelFact {
  readonly orderId: string;
  /** Pending parcels (an order not yet fulfilled) carry issues (stalled fulfilment) but no delivery. */
  readonly pending: boolean;
  readonly carrier: string;
  /** `BR-SP`, or the country alone when the region is unknown. */
  readonly region: string;
  readonly shippedAt: string | null;
  readonly deliveredAt: string | null;
  readonly promisedAt: string | null;
  /** The first prediction made before delivery, for calibration (null: none was made in time). */
  readonly predictedAt: string | null;
  readonly latestLikelyAt: string | null;
  readonly issues: readonly IssueFact[];
}

export interface OrderFact {
  readonly orderId: string;
  readonly placedAt: string;
  readonly cancelled: boolean;
}

/** A return that brings items back (declined and canceled ones do not count), with the reasons among its lines. */
export interface ReturnFact {
  readonly returnId: string;
  readonly requestedAt: string;
  readonly reasons: readonly string[];
}

export interface CustomerFacts {
  readonly segment: Segment | null;
  readonly orders: readonly OrderFact[];
  readonly parcels: Readonly<Record<string, ParcelFact>>;
  /** Absent when the customer has none (and in facts stored before returns were counted). */
  readonly returns?: readonly ReturnFact[];
}

export const emptyFacts = (): CustomerFacts => ({ segment: null, orders: [], parcels: {} });

/** What the pipeline stores about a customer, structurally (the state's `CustomerAggregate`). */
export interface CustomerInput {
  readonly segment: Segment | null;
  readonly orders: ReadonlyArray<{ readonly orderId: string; readonly placedAt: string; readonly cancelled: boolean }>;
  readonly returns?: ReadonlyArray<{
    readonly returns: ReadonlyArray<{ readonly id: string; readonly status: string; readonly requestedAt: string; readonly lines: ReadonlyArray<{ readonly reason: string }> }>;
  }>;
}

/** What the pipeline stores about a parcel, structurally (the state's `ShipmentState`). */
export interface ParcelInput {
  readonly key: string;
  readonly orderId: string;
  readonly carrier: string | null;
  readonly destinationCountry: string | null;
  readonly destinationRegion: string | null;
  readonly shippedAt: string | null;
  readonly deliveredAt: string | null;
  readonly promisedDeliveryAt: string | null;
  readonly status: string;
  readonly prediction: { readonly mostLikelyAt: string; readonly latestLikelyAt: string } | null;
  readonly risk: { readonly openIssue: { readonly code: string; readonly openedAt: string } | null; readonly assessedAt: string } | null;
}

export function withCustomer(facts: CustomerFacts, customer: CustomerInput): CustomerFacts {
  const { returns: _previous, ...rest } = facts;
  const returns: ReturnFact[] = (customer.returns ?? []).flatMap((record) => record.returns)
    .filter((ret) => ret.status !== 'declined' && ret.status !== 'canceled')
    .map((ret) => ({ returnId: ret.id, requestedAt: ret.requestedAt, reasons: [...new Set(ret.lines.map((l) => l.reason))].sort() }));
  return {
    ...rest,
    segment: customer.segment,
    orders: customer.orders.map((o) => ({ orderId: o.orderId, placedAt: o.placedAt, cancelled: o.cancelled })),
    ...(returns.length > 0 ? { returns } : {}),
  };
}

/**
 * Folds a parcel's new state into the facts. Issues are a history: an open issue not yet recorded is appended; a
 * recorded open issue the parcel no longer has is resolved at the assessment that dropped it. Folding the same
 * state twice changes nothing (a replayed commit is not counted twice).
 */
export function withParcel(facts: CustomerFacts, parcel: ParcelInput, pending: boolean): CustomerFacts {
  const before = facts.parcels[parcel.key] ?? null;
  let issues = [...(before?.issues ?? [])];
  const open = parcel.risk?.openIssue ?? null;
  const resolvedAt = parcel.risk?.assessedAt ?? parcel.deliveredAt ?? null;
  issues = issues.map((issue) => {
    if (issue.resolvedAt !== null) return issue;
    if (open && open.openedAt === issue.openedAt && open.code === issue.code) return issue;
    return { ...issue, resolvedAt: resolvedAt ?? issue.openedAt };
  });
  if (open && !issues.some((issue) => issue.openedAt === open.openedAt && issue.code === open.code)) {
    issues.push({ code: open.code, openedAt: open.openedAt, resolvedAt: null });
  }
  const delivered = parcel.status === 'delivered' ? parcel.deliveredAt : null;
  const fact: ParcelFact = {
    orderId: parcel.orderId,
    pending,
    carrier: parcel.carrier ?? 'unknown',
    region: parcel.destinationRegion ? `${parcel.destinationCountry ?? '??'}-${parcel.destinationRegion}` : parcel.destinationCountry ?? 'unknown',
    shippedAt: parcel.shippedAt,
    deliveredAt: delivered,
    promisedAt: parcel.promisedDeliveryAt,
    // The first prediction made while the parcel was still on its way: one made on first sight of a delivered
    // parcel (history) predicts nothing, and later ones know more than the customer was told at hand-over.
    predictedAt: before?.predictedAt ?? (delivered === null ? parcel.prediction?.mostLikelyAt ?? null : null),
    latestLikelyAt: before?.predictedAt ? before.latestLikelyAt : delivered === null ? parcel.prediction?.latestLikelyAt ?? null : null,
    issues,
  };
  return { ...facts, parcels: { ...facts.parcels, [parcel.key]: fact } };
}
