import type { OrderReturnsRecord } from './returns';
/** One product of an order as its customer's history keeps it (category affinity, replenishment, co-purchase). */
export interface PurchasedItem {
  readonly productId: string;
  readonly category: string | null;
  /** Units kept (refunded and removed units excluded). */
  readonly quantity: number;
  /** This line's share of the order's net total, in minor units. */
  readonly netMinor: number;
  /** Every unit refunded, removed or the order cancelled: never recommended again, never a replenishment cycle. */
  readonly returned: boolean;
}

/** The replenishment cycle last computed for a customer (src/enrichment/products/replenishment.ts). */
export interface ReplenishmentState {
  readonly productId: string;
  readonly dueAt: string;
  /** The order whose purchase of the product started this cycle: part of the event id, once per cycle. */
  readonly cycleOrderId: string;
  /** The cycle whose `Replenishment Due` was queued, so a review never queues it twice. */
  readonly announcedCycle: string | null;
}

/** What one order contributes to its customer; enough to recompute every lifecycle figure. */
export interface OrderContribution {
  readonly orderId: string;
  /** ISO instant the order was placed. */
  readonly placedAt: string;
  /** Net of refunds, in minor units of the store currency; 0 for cancelled orders. */
  readonly netMinor: number;
  readonly cancelled: boolean;
  /** Units bought (0 for a cancelled order): the return rate's denominator. Absent in aggregates stored before returns. */
  readonly units?: number;
  /** The order's products (absent in customers stored before products were read: they have no product history). */
  readonly items?: readonly PurchasedItem[];
}

export const SEGMENTS = ['no_purchase', 'first_time', 'repeat', 'vip', 'at_risk', 'lapsed'] as const;
export type Segment = (typeof SEGMENTS)[number];

/** The customer aggregate held in state, keyed by normalized email. */
export interface CustomerAggregate {
  readonly key: string;
  readonly email: string;
  readonly phone: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly currency: string;
  /** Sorted by placedAt, one entry per order id. */
  readonly orders: readonly OrderContribution[];
  /** The segment last announced to Klaviyo, and since when. */
  readonly segment: Segment | null;
  readonly segmentSince: string | null;
  /**
   * How many segment changes have been announced. Part of each change's event id, so a change replayed after a
   * crash carries the id it was first queued with, even if the replay sees slightly newer data.
   */
  readonly segmentChanges?: number;
  /** Hash of the profile properties last queued for Klaviyo; unchanged profiles are not re-sent. */
  readonly pushedHash: string | null;
  /** When time alone will next change this customer's segment (see state/review-index). */
  readonly nextReviewAt: string | null;
  /** Returns and refunds of this customer's orders, by order id order; absent until the first one. */
  readonly returns?: readonly OrderReturnsRecord[];
  /** The current replenishment cycle, when the customer has a replenishable product. */
  readonly replenishment?: ReplenishmentState | null;
}
