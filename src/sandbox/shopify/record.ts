/**
 * The sandbox's own storage shape: one plain record per order, close to Shopify's fields but without the GraphQL
 * wrappers (MoneyBag, connections, GIDs), which views.ts adds when a query reads the order.
 * Amounts are decimal strings in the order's currency; instants are ISO strings.
 */
export type FulfillmentStatus = 'SUCCESS' | 'CANCELLED' | 'ERROR' | 'FAILURE';
export type FinancialStatus =
  | 'AUTHORIZED' | 'EXPIRED' | 'PAID' | 'PARTIALLY_PAID' | 'PARTIALLY_REFUNDED' | 'PENDING' | 'REFUNDED' | 'VOIDED';
export type FulfillmentDisplay = 'FULFILLED' | 'PARTIALLY_FULFILLED' | 'UNFULFILLED' | 'IN_PROGRESS' | 'ON_HOLD';
export type CancelReason = 'CUSTOMER' | 'DECLINED' | 'FRAUD' | 'INVENTORY' | 'OTHER' | 'STAFF';

export interface TrackingRecord {
  readonly number: string;
  readonly company: string | null;
  readonly url: string | null;
}

export interface FulfillmentRecord {
  readonly legacyId: number;
  readonly status: FulfillmentStatus;
  /** Shopify's FulfillmentDisplayStatus, e.g. IN_TRANSIT, DELIVERED. */
  readonly displayStatus: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly inTransitAt: string | null;
  readonly deliveredAt: string | null;
  readonly estimatedDeliveryAt: string | null;
  readonly tracking: readonly TrackingRecord[];
}

export interface LineItemRecord {
  readonly legacyId: number;
  readonly title: string;
  readonly variantTitle: string | null;
  readonly sku: string | null;
  readonly vendor: string | null;
  readonly quantity: number;
  readonly unitPrice: string;
  readonly productLegacyId: number | null;
  /** The product's merchant-defined type (Shopify's `Product.productType`, "" when unset). */
  readonly productType?: string | null;
}

export interface CustomerRecord {
  readonly legacyId: number;
  readonly firstName: string | null;
  readonly lastName: string | null;
  /** Canonical (lower-case) address; orders may carry differently-cased copies. */
  readonly email: string | null;
  readonly phone: string | null;
  readonly createdAt: string;
  readonly tags: readonly string[];
}

export interface AddressRecord {
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly city: string | null;
  readonly province: string | null;
  readonly provinceCode: string | null;
  readonly zip: string | null;
  readonly country: string | null;
  readonly countryCodeV2: string | null;
  readonly phone: string | null;
}

export interface OrderRecord {
  readonly legacyId: number;
  readonly name: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly processedAt: string;
  readonly cancelledAt: string | null;
  readonly cancelReason: CancelReason | null;
  readonly closedAt: string | null;
  readonly test: boolean;
  readonly tags: readonly string[];
  readonly note: string | null;
  readonly currencyCode: string;
  /** As placed, shipping and tax included. */
  readonly totalPrice: string;
  readonly totalRefunded: string;
  readonly displayFinancialStatus: FinancialStatus | null;
  readonly displayFulfillmentStatus: FulfillmentDisplay;
  readonly lineItems: readonly LineItemRecord[];
  readonly customer: CustomerRecord | null;
  readonly fulfillments: readonly FulfillmentRecord[];
  readonly shippingAddress: AddressRecord | null;
  readonly customAttributes: readonly { readonly key: string; readonly value: string | null }[];
}

export function gid(type: string, legacyId: number): string {
  return `gid://shopify/${type}/${legacyId}`;
}

export function parseGid(id: string): { type: string; legacyId: number } | null {
  const match = /^gid:\/\/shopify\/(\w+)\/(\d+)$/.exec(id);
  return match ? { type: match[1], legacyId: Number(match[2]) } : null;
}

/** Shopify's DateTime serialization: UTC, whole seconds, `Z`. */
export function isoInstant(at: Date | number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
