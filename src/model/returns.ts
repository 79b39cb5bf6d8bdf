import type { Money } from './money';
import type { ShipmentStatus } from './shipment';

/**
 * Returns and refunds as every order source produces them (Shopify `Order.returns`/`Order.refunds`, WooCommerce
 * `refunds[]`), carried on the order they belong to. Statuses are Shopify's ReturnStatus in lower case; a source
 * without returns (WooCommerce) produces refunds only.
 */
export const RETURN_STATUSES = ['requested', 'open', 'declined', 'closed', 'canceled'] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

export interface ReturnLine {
  /** The order line item returned (null when the source does not say). */
  readonly lineItemId: string | null;
  readonly sku: string | null;
  readonly name: string | null;
  readonly quantity: number;
  /** A stable reason handle, e.g. `defective`, `arrived-late`, `size-too-small`; `unknown` when none was given. */
  readonly reason: string;
  /** The reason as the customer saw it, e.g. "Arrived late". */
  readonly reasonName: string | null;
  readonly customerNote: string | null;
}

/** A return parcel: the customer sends items back; its tracking is followed like an outbound parcel's. */
export interface ReverseDelivery {
  readonly id: string;
  /** The return label's tracking (the same shape as an outbound parcel's `TrackingRef`). */
  readonly tracking: { readonly code: string; readonly carrier: string | null; readonly url: string | null } | null;
}

export interface OrderReturn {
  readonly id: string;
  readonly name: string | null;
  readonly status: ReturnStatus;
  readonly requestedAt: Date;
  readonly approvedAt: Date | null;
  readonly closedAt: Date | null;
  /** FINAL_SALE, RETURN_PERIOD_ENDED or OTHER, in lower case, when declined. */
  readonly declineReason: string | null;
  readonly lines: readonly ReturnLine[];
  readonly deliveries: readonly ReverseDelivery[];
  /** Every reverse fulfillment order of the return is closed: the store has received (and disposed of) the items. */
  readonly received: boolean;
}

export interface RefundLine {
  readonly lineItemId: string | null;
  readonly sku: string | null;
  readonly name: string | null;
  readonly quantity: number;
}

export interface Refund {
  readonly id: string;
  readonly createdAt: Date;
  /** What was refunded in total (items, shipping, duties), in the order currency. */
  readonly amount: Money;
  /** The part of `amount` that refunded shipping; zero when shipping was not covered. */
  readonly shipping: Money;
  /** The return this refund settles, when the source links them (Shopify `Refund.return`). */
  readonly returnId: string | null;
  readonly note: string | null;
  readonly lines: readonly RefundLine[];
}

/**
 * What shipsignal keeps of one order's returns and refunds on its customer (`CustomerAggregate.returns`): the facts
 * the sources reported, and which events were announced, so each goes out once however often the order is read.
 */
export const RETURN_EVENT_KINDS = ['requested', 'approved', 'declined', 'in_transit', 'received', 'closed'] as const;
export type ReturnEventKind = (typeof RETURN_EVENT_KINDS)[number];

export interface ReturnParcelRecord {
  readonly code: string;
  readonly carrier: string | null;
  readonly url: string | null;
  /** The carrier's status as last reported (null until a tracker reports). */
  readonly status: ShipmentStatus | null;
  /** When the parcel first moved (in transit) and when it was delivered back, as the carrier dated them. */
  readonly movedAt: string | null;
  readonly deliveredAt: string | null;
}

export interface ReturnLineRecord {
  readonly sku: string | null;
  readonly name: string | null;
  readonly quantity: number;
  readonly reason: string;
  readonly reasonName: string | null;
}

export interface ReturnRecord {
  readonly id: string;
  readonly name: string | null;
  readonly status: ReturnStatus;
  readonly requestedAt: string;
  readonly approvedAt: string | null;
  readonly closedAt: string | null;
  readonly declineReason: string | null;
  /** When the store last reported a change we date by it (a decline carries no time of its own). */
  readonly seenAt: string;
  /** The store says every reverse fulfillment order is closed: the items are back. */
  readonly receivedByStore: boolean;
  readonly lines: readonly ReturnLineRecord[];
  readonly parcels: readonly ReturnParcelRecord[];
  readonly announced: readonly ReturnEventKind[];
}

export interface RefundRecord {
  readonly id: string;
  readonly createdAt: string;
  readonly amountMinor: number;
  readonly shippingMinor: number;
  readonly currency: string;
  readonly returnId: string | null;
  readonly note: string | null;
  readonly lines: ReadonlyArray<{ readonly sku: string | null; readonly name: string | null; readonly quantity: number }>;
  readonly announced: boolean;
}

export interface OrderReturnsRecord {
  readonly orderId: string;
  readonly orderName: string;
  readonly returns: readonly ReturnRecord[];
  readonly refunds: readonly RefundRecord[];
}

