import type { Money } from './money';
import type { OrderReturn, Refund } from './returns';

/** Where a record came from; part of every id so two stores never collide. */
export type SourceName = 'shopify' | 'woocommerce' | 'easypost';

export type FinancialStatus =
  | 'pending' | 'authorized' | 'paid' | 'partially_paid' | 'partially_refunded' | 'refunded' | 'voided' | 'expired';

export interface LineItem {
  readonly id: string;
  readonly productId: string | null;
  readonly sku: string | null;
  readonly name: string;
  readonly quantity: number;
  /** Units still kept: the quantity less units refunded or removed (Shopify's `currentQuantity`). */
  readonly currentQuantity: number;
  readonly unitPrice: Money;
  /**
   * The product's category as the store names it: Shopify's product type (else its taxonomy category), the first
   * WooCommerce category. Null when the store gives none.
   */
  readonly category: string | null;
}

export interface Address {
  readonly city: string | null;
  readonly region: string | null;
  readonly zip: string | null;
  /** ISO 3166-1 alpha-2. */
  readonly country: string | null;
}

export interface TrackingRef {
  readonly code: string;
  readonly carrier: string | null;
  readonly url: string | null;
}

export interface Fulfillment {
  readonly id: string;
  readonly createdAt: Date;
  /** The store's own view of the parcel, used when no carrier tracking is configured. */
  readonly displayStatus: string | null;
  readonly estimatedDeliveryAt: Date | null;
  readonly deliveredAt: Date | null;
  readonly tracking: readonly TrackingRef[];
}

/** The one order shape every store source produces. */
export interface Order {
  readonly source: SourceName;
  /** Stable id at the source (Shopify GID, WooCommerce numeric id). */
  readonly id: string;
  /** Human-facing order number, e.g. "#1001". */
  readonly name: string;
  /** Normalized (trimmed, lower-case) email; the customer key. Null when the order has none. */
  readonly email: string | null;
  readonly phone: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly cancelledAt: Date | null;
  readonly financialStatus: FinancialStatus | null;
  /** Total as placed, including shipping and tax. */
  readonly total: Money;
  /** Total after refunds and removals; zero for a fully refunded order. */
  readonly currentTotal: Money;
  readonly lineItems: readonly LineItem[];
  readonly fulfillments: readonly Fulfillment[];
  readonly shippingAddress: Address | null;
  /** A promised delivery date, when the store states one. */
  readonly promisedDeliveryAt: Date | null;
  readonly tags: readonly string[];
  readonly test: boolean;
  /** The order's returns, oldest first; absent when the source does not read returns (see model/returns.ts). */
  readonly returns?: readonly OrderReturn[];
  /** The order's refunds, oldest first; absent when the source does not read them. */
  readonly refunds?: readonly Refund[];
}
