import type { PropertyValue } from '../model/records';
import type { ShipmentState } from '../state/shipments';
import { RISK_LEVELS } from '../enrichment/delivery/config';
import type { TrustAssessment } from '../enrichment/returns/trust';

/**
 * Every shipment and delivery-risk value shipsignal can write onto a profile, by field name; `mappings/klaviyo.yaml`
 * (`profile.deliveryProperties`) says which are sent and under which names. Computed from all of the customer's
 * parcels, so a split order or a second order in flight never hides an open problem.
 */
export interface DeliveryProfileContext {
  readonly shipments: readonly ShipmentState[];
  /** Days after delivery before asking for a review. */
  readonly reviewRequestDelayDays: number;
  /** The tracking page's link for an order number, when the page is on. */
  readonly pageLink?: ((orderName: string) => string) | null;
  /** The customer's returns (enrichment/returns/summary.ts); absent where returns are not known. */
  readonly returns?: { readonly openOrderIds: readonly string[]; readonly returningOrderIds: readonly string[] };
  /** Fragile trust (enrichment/returns/trust.ts); absent where it was not assessed. */
  readonly trust?: TrustAssessment;
}

/** The hold reason while a return is open and no delivery issue is. */
export const RETURN_OPEN_HOLD = 'return_open';

const DAY_MS = 86_400_000;
const FINISHED: ReadonlySet<string> = new Set(['delivered', 'return_to_sender', 'cancelled']);

const latestFirst = (a: ShipmentState, b: ShipmentState): number =>
  (b.shippedAt ?? b.orderPlacedAt).localeCompare(a.shippedAt ?? a.orderPlacedAt) || b.key.localeCompare(a.key);

/** The parcel flows should talk about: the newest one still on its way, else the newest one. */
function active(context: DeliveryProfileContext): ShipmentState | null {
  const sorted = [...context.shipments].sort(latestFirst);
  return sorted.find((s) => !FINISHED.has(s.status)) ?? sorted[0] ?? null;
}

/**
 * The parcel with the most severe open live issue, if any. An issue first seen as history (`issueLive` false) is
 * neither announced nor held: what went wrong before the live window is not a delivery problem to act on now.
 */
function troubled(context: DeliveryProfileContext): ShipmentState | null {
  const open = context.shipments.filter((s) => s.risk?.openIssue && s.issueLive);
  const rank = (s: ShipmentState): number => RISK_LEVELS.indexOf(s.risk?.level ?? 'none');
  return open.sort((a, b) => rank(b) - rank(a) || latestFirst(a, b))[0] ?? null;
}

function lastDelivered(context: DeliveryProfileContext): ShipmentState | null {
  return context.shipments
    .filter((s) => s.deliveredAt !== null && s.status === 'delivered')
    .sort((a, b) => (b.deliveredAt ?? '').localeCompare(a.deliveredAt ?? ''))[0] ?? null;
}

/** The last delivery worth a review request: not of an order whose items are being (or were) returned. */
function lastKept(context: DeliveryProfileContext): ShipmentState | null {
  const returning = new Set(context.returns?.returningOrderIds ?? []);
  return context.shipments
    .filter((s) => s.deliveredAt !== null && s.status === 'delivered' && !returning.has(s.orderId))
    .sort((a, b) => (b.deliveredAt ?? '').localeCompare(a.deliveredAt ?? ''))[0] ?? null;
}

/** The parcel whose risk describes the customer: the troubled one, else the active one. */
const focus = (context: DeliveryProfileContext): ShipmentState | null => troubled(context) ?? active(context);

/**
 * The rule holding the customer from promotions, or null: the one owner of the hold, for the profile and the store's
 * counts. A delivery issue names itself; otherwise an open return holds (`return_open`).
 */
export const holdReason = (context: DeliveryProfileContext): string | null =>
  troubled(context)?.risk?.openIssue?.code ?? ((context.returns?.openOrderIds.length ?? 0) > 0 ? RETURN_OPEN_HOLD : null);

type FieldFn = (context: DeliveryProfileContext) => PropertyValue;

export const DELIVERY_FIELDS = {
  'delivery.shipment_status': (c) => active(c)?.status ?? null,
  'delivery.tracking_url': (c) => active(c)?.trackingUrl ?? null,
  /** The branded page of the latest order (its newest parcel's order), when the page is on. */
  'delivery.tracking_page_url': (c) => {
    const latest = [...c.shipments].sort(latestFirst)[0];
    return latest && c.pageLink ? c.pageLink(latest.orderName) : null;
  },
  'delivery.risk_level': (c) => focus(c)?.risk?.level ?? 'none',
  'delivery.risk_reasons': (c) => (focus(c)?.risk?.reasons ?? []).map((r) => r.code),
  'delivery.predicted_delivery_at': (c) => {
    const shipment = active(c);
    return shipment && !FINISHED.has(shipment.status) ? shipment.prediction?.mostLikelyAt ?? null : null;
  },
  'delivery.latest_likely_delivery_at': (c) => {
    const shipment = active(c);
    return shipment && !FINISHED.has(shipment.status) ? shipment.prediction?.latestLikelyAt ?? null : null;
  },
  'delivery.open_issue': (c) => troubled(c) !== null,
  'delivery.last_delivered_at': (c) => lastDelivered(c)?.deliveredAt ?? null,
  // Timing only: a delivered parcel, a few days to try it, nothing wrong with any parcel right now, no open
  // return, and never for an order whose items are being returned.
  'delivery.review_request_ready_at': (c) => {
    const delivered = lastKept(c)?.deliveredAt;
    if (!delivered || troubled(c) || (c.returns?.openOrderIds.length ?? 0) > 0) return null;
    return new Date(Date.parse(delivered) + c.reviewRequestDelayDays * DAY_MS).toISOString();
  },
  'delivery.hold_promotions': (c) => holdReason(c) !== null,
  'delivery.hold_reason': (c) => holdReason(c),
  // Fragile trust (config/trust.yaml): shared names with the "Fragile trust" segment and flow branch.
  'trust.at_risk': (c) => c.trust?.atRisk ?? false,
  'trust.reasons': (c) => [...(c.trust?.reasons ?? [])],
} satisfies Record<string, FieldFn>;

export type DeliveryFieldName = keyof typeof DELIVERY_FIELDS;
export const DELIVERY_FIELD_NAMES = Object.keys(DELIVERY_FIELDS) as [DeliveryFieldName, ...DeliveryFieldName[]];
