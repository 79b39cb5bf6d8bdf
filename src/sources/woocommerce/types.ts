/**
 * The WooCommerce REST v3 order as `GET /wp-json/wc/v3/orders` returns it (the fields shipsignal reads; the example
 * in specs/woocommerce/ has the rest). Amounts are decimal strings, `*_gmt` dates are UTC written without a zone
 * (`2017-03-22T19:28:08`), `meta_data` values are any JSON. The sandbox renders this shape; the normalizer checks
 * every field it uses, since a plugin or a hand-edited database can put anything there.
 */
export const WOO_STATUSES = ['pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed', 'trash', 'checkout-draft'] as const;
export type WooStatus = (typeof WOO_STATUSES)[number];

export interface WooAddressJson {
  readonly first_name: string;
  readonly last_name: string;
  readonly company: string;
  readonly address_1: string;
  readonly address_2: string;
  readonly city: string;
  readonly state: string;
  readonly postcode: string;
  readonly country: string;
  readonly email?: string;
  readonly phone?: string;
}

export interface WooMetaJson {
  readonly id: number;
  readonly key: string;
  readonly value: unknown;
}

export interface WooLineItemJson {
  readonly id: number;
  readonly name: string;
  readonly product_id: number;
  readonly variation_id: number;
  readonly quantity: number;
  readonly tax_class: string;
  /** Line total before discounts, a decimal string. */
  readonly subtotal: string;
  readonly subtotal_tax: string;
  readonly total: string;
  readonly total_tax: string;
  readonly taxes: readonly unknown[];
  readonly meta_data: readonly WooMetaJson[];
  readonly sku: string;
  /** A float in the REST response (not a string): the unit price after discounts. */
  readonly price: number;
}

/**
 * The summary of each refund inside the order; `total` is negative ("-10.00"). WooCommerce's code writes `reason`;
 * the docs' example shows `refund`, a slip in the docs.
 */
export interface WooRefundSummaryJson {
  readonly id: number;
  readonly reason: string;
  readonly total: string;
}

export interface WooOrderJson {
  readonly id: number;
  readonly parent_id: number;
  readonly number: string;
  readonly order_key: string;
  readonly created_via: string;
  readonly version: string;
  readonly status: string;
  readonly currency: string;
  readonly date_created: string;
  readonly date_created_gmt: string;
  readonly date_modified: string;
  readonly date_modified_gmt: string;
  readonly discount_total: string;
  readonly discount_tax: string;
  readonly shipping_total: string;
  readonly shipping_tax: string;
  readonly cart_tax: string;
  readonly total: string;
  readonly total_tax: string;
  readonly prices_include_tax: boolean;
  readonly customer_id: number;
  readonly customer_ip_address: string;
  readonly customer_user_agent: string;
  readonly customer_note: string;
  readonly billing: WooAddressJson;
  readonly shipping: WooAddressJson;
  readonly payment_method: string;
  readonly payment_method_title: string;
  readonly transaction_id: string;
  readonly date_paid: string | null;
  readonly date_paid_gmt: string | null;
  readonly date_completed: string | null;
  readonly date_completed_gmt: string | null;
  readonly cart_hash: string;
  readonly meta_data: readonly WooMetaJson[];
  readonly line_items: readonly WooLineItemJson[];
  readonly tax_lines: readonly unknown[];
  readonly shipping_lines: readonly unknown[];
  readonly fee_lines: readonly unknown[];
  readonly coupon_lines: readonly unknown[];
  readonly refunds: readonly WooRefundSummaryJson[];
  readonly _links: Readonly<Record<string, ReadonlyArray<{ readonly href: string }>>>;
}

/** One entry of the Shipment Tracking extension's `_wc_shipment_tracking_items` order meta. */
export interface ShipmentTrackingItemJson {
  readonly tracking_provider: string;
  readonly custom_tracking_provider: string;
  readonly custom_tracking_link: string;
  readonly tracking_number: string;
  /** Unix seconds, often as a string. */
  readonly date_shipped: string | number;
  readonly tracking_id: string;
}

export const SHIPMENT_TRACKING_META_KEY = '_wc_shipment_tracking_items';

/** WooCommerce's REST error body. */
export interface WooErrorJson {
  readonly code: string;
  readonly message: string;
  readonly data: { readonly status: number } & Record<string, unknown>;
}

/** A product category reference on a product (`GET /products`: `categories`). */
export interface WooProductCategoryRefJson {
  readonly id: number;
  readonly name: string;
  readonly slug: string;
}

/** The fields of a REST v3 product (`GET /products`) shipsignal reads or the sandbox serves. */
export interface WooProductJson {
  readonly id: number;
  readonly name: string;
  readonly slug: string;
  readonly permalink: string;
  readonly date_created: string;
  readonly date_created_gmt: string;
  readonly date_modified: string;
  readonly date_modified_gmt: string;
  readonly type: 'simple' | 'grouped' | 'external' | 'variable';
  readonly status: 'draft' | 'pending' | 'private' | 'publish';
  readonly sku: string;
  readonly price: string;
  readonly categories: readonly WooProductCategoryRefJson[];
  readonly _links: Record<string, ReadonlyArray<{ readonly href: string }>>;
}
