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
  /** Returns and refunds (sandbox/shopify/returns.ts); absent on orders that never had any. */
  readonly returns?: readonly ReturnRecord[];
  readonly refunds?: readonly RefundRecord[];
}

export type ReturnStatusValue = 'REQUESTED' | 'OPEN' | 'DECLINED' | 'CLOSED' | 'CANCELED';

export interface ReturnLineRecord {
  readonly legacyId: number;
  /** The order line item returned (its fulfillment line item shares the id in the sandbox). */
  readonly lineItemLegacyId: number;
  readonly quantity: number;
  /** A ReturnReasonDefinition handle, e.g. `defective`; null for none given. */
  readonly reasonHandle: string | null;
  readonly customerNote: string | null;
}

export interface ReverseDeliveryRecord {
  readonly legacyId: number;
  readonly tracking: { readonly number: string; readonly carrierName: string | null; readonly url: string | null } | null;
}

export interface ReturnRecord {
  readonly legacyId: number;
  readonly name: string;
  readonly status: ReturnStatusValue;
  readonly createdAt: string;
  readonly requestApprovedAt: string | null;
  readonly closedAt: string | null;
  readonly decline: { readonly reason: 'FINAL_SALE' | 'RETURN_PERIOD_ENDED' | 'OTHER'; readonly note: string | null } | null;
  readonly lines: readonly ReturnLineRecord[];
  /** One reverse fulfillment order per approved return in the sandbox: OPEN, then CLOSED once the items are received. */
  readonly reverseFulfillmentOrder: { readonly legacyId: number; readonly status: 'OPEN' | 'CLOSED' | 'CANCELED'; readonly deliveries: readonly ReverseDeliveryRecord[] } | null;
}

export interface RefundRecord {
  readonly legacyId: number;
  readonly createdAt: string;
  readonly note: string | null;
  readonly returnLegacyId: number | null;
  /** Total refunded and the shipping part of it, decimal strings in the order currency. */
  readonly amount: string;
  readonly shipping: string;
  readonly lines: ReadonlyArray<{ readonly lineItemLegacyId: number; readonly quantity: number }>;
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

/** OrderReturnStatus as Shopify derives it from the order's returns. */
export function orderReturnStatus(order: OrderRecord): string {
  const live = (order.returns ?? []).filter((r) => r.status !== 'DECLINED' && r.status !== 'CANCELED');
  if (live.length === 0) return 'NO_RETURN';
  if (live.some((r) => r.status === 'REQUESTED')) return 'RETURN_REQUESTED';
  const open = live.filter((r) => r.status === 'OPEN');
  if (open.length > 0) return open.every((r) => r.reverseFulfillmentOrder?.status === 'CLOSED') ? 'INSPECTION_COMPLETE' : 'IN_PROGRESS';
  return 'RETURNED';
}

