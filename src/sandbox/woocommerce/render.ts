import { moneyFromDecimal, toDecimalNumber, toDecimalString } from '../../model/money';
import type { ShipmentTrackingItemJson, WooAddressJson, WooMetaJson, WooOrderJson, WooStatus } from '../../sources/woocommerce/types';
import { SHIPMENT_TRACKING_META_KEY } from '../../sources/woocommerce/types';
import { hash32 } from '../../util/prng';
import type { AddressRecord, OrderRecord } from '../shopify/record';

/**
 * One order of the shared seed (the Shopify sandbox's record) as WooCommerce REST v3 renders it, so both sandboxes
 * serve the same customers, orders and amounts. What WooCommerce has and Shopify's record has not (a status, refund
 * rows, Shipment Tracking meta) comes from the seed by the rules below or from the sandbox's own overlay.
 */
export interface WooOverlay {
  readonly status?: WooStatus;
  readonly refunds?: readonly WooRefundRow[];
  readonly trackingItems?: readonly ShipmentTrackingItemJson[];
  /** Test-only: rewrites the rendered JSON (a bad record as a broken plugin would write it). */
  readonly corrupt?: (order: WooOrderJson) => Record<string, unknown>;
}

export interface WooRefundRow {
  readonly id: number;
  readonly createdAt: string;
  /** Positive decimal string. */
  readonly amount: string;
  readonly reason: string;
}

/** The site's offset from UTC; `date_created` etc. are written in it, `*_gmt` in UTC. */
export interface SiteTime {
  readonly utcOffsetMinutes: number;
  /** For `_links`; the sandbox sets its own URL. */
  readonly url?: string;
}

/** WooCommerce's date format: `YYYY-MM-DDTHH:MM:SS`, no zone. */
export function wooDate(iso: string, offsetMinutes: number): string {
  return new Date(Date.parse(iso) + offsetMinutes * 60_000).toISOString().slice(0, 19);
}

/** The status a seeded order has in WooCommerce, when nothing set one. */
export function seedStatus(record: OrderRecord): WooStatus {
  if (record.cancelledAt !== null) return 'cancelled';
  const total = moneyFromDecimal(record.totalPrice, record.currencyCode).minor;
  const refunded = moneyFromDecimal(record.totalRefunded, record.currencyCode).minor;
  if (total > 0 && refunded >= total) return 'refunded';
  if (record.displayFinancialStatus === 'PENDING') return 'pending';
  return record.displayFulfillmentStatus === 'FULFILLED' ? 'completed' : 'processing';
}

/** Refund rows: the overlay's, or one for whatever the seed says was refunded (dated at the last change). */
export function refundRows(record: OrderRecord, overlay: WooOverlay | undefined): readonly WooRefundRow[] {
  if (overlay?.refunds) return overlay.refunds;
  const refunded = moneyFromDecimal(record.totalRefunded, record.currencyCode);
  if (refunded.minor <= 0) return [];
  return [{ id: record.legacyId * 10 + 1, createdAt: record.updatedAt, amount: toDecimalString(refunded), reason: '' }];
}

/** Shipment Tracking items: the overlay's, or one per tracking number of the seed's fulfillments. */
export function trackingItems(record: OrderRecord, overlay: WooOverlay | undefined): readonly ShipmentTrackingItemJson[] {
  if (overlay?.trackingItems) return overlay.trackingItems;
  return record.fulfillments.flatMap((fulfillment) => fulfillment.tracking.map((tracking) => ({
    tracking_provider: tracking.company ?? '',
    custom_tracking_provider: '',
    custom_tracking_link: tracking.url ?? '',
    tracking_number: tracking.number,
    date_shipped: String(Math.floor(Date.parse(fulfillment.createdAt) / 1000)),
    tracking_id: hash32(`${record.legacyId}:${tracking.number}`).toString(16).padStart(8, '0'),
  })));
}

function addressJson(address: AddressRecord | null, email: string | null, phone: string | null, withEmail: boolean): WooAddressJson {
  return {
    first_name: address?.firstName ?? '', last_name: address?.lastName ?? '', company: '',
    address_1: '', address_2: '', city: address?.city ?? '', state: address?.provinceCode ?? '',
    postcode: address?.zip ?? '', country: address?.countryCodeV2 ?? '',
    ...(withEmail ? { email: email ?? '' } : {}),
    phone: phone ?? '',
  };
}

export function renderOrder(record: OrderRecord, overlay: WooOverlay | undefined, site: SiteTime): WooOrderJson {
  const currency = record.currencyCode;
  const local = (iso: string | null): string | null => (iso === null ? null : wooDate(iso, site.utcOffsetMinutes));
  const gmt = (iso: string | null): string | null => (iso === null ? null : wooDate(iso, 0));
  const status = overlay?.status ?? seedStatus(record);
  const paid = record.displayFinancialStatus !== 'PENDING' && record.displayFinancialStatus !== 'VOIDED'
    && record.displayFinancialStatus !== 'EXPIRED' && record.displayFinancialStatus !== 'AUTHORIZED';
  const completedAt = status === 'completed' ? record.closedAt ?? record.updatedAt : null;
  const customer = record.customer;
  const billingAddress: AddressRecord | null = record.shippingAddress
    ? { ...record.shippingAddress, firstName: customer?.firstName ?? record.shippingAddress.firstName, lastName: customer?.lastName ?? record.shippingAddress.lastName }
    : null;
  const meta: WooMetaJson[] = record.customAttributes.map((attribute, i) => ({ id: record.legacyId * 100 + i, key: attribute.key, value: attribute.value }));
  const items = trackingItems(record, overlay);
  if (items.length > 0) meta.push({ id: record.legacyId * 100 + 99, key: SHIPMENT_TRACKING_META_KEY, value: items });
  const number = record.name.replace(/^#/, '');
  const json: WooOrderJson = {
    id: record.legacyId,
    parent_id: 0,
    number,
    order_key: `wc_order_${hash32(`key:${record.legacyId}`).toString(16)}`,
    created_via: 'checkout',
    version: '9.4.0',
    status,
    currency,
    date_created: local(record.createdAt) ?? '',
    date_created_gmt: gmt(record.createdAt) ?? '',
    date_modified: local(record.updatedAt) ?? '',
    date_modified_gmt: gmt(record.updatedAt) ?? '',
    discount_total: '0.00', discount_tax: '0.00', shipping_total: '0.00', shipping_tax: '0.00', cart_tax: '0.00',
    total: record.totalPrice,
    total_tax: '0.00',
    prices_include_tax: false,
    customer_id: customer?.legacyId ?? 0,
    customer_ip_address: '',
    customer_user_agent: '',
    customer_note: '',
    // The billing email is the order's email as typed at checkout (case, spaces), as the Shopify record keeps it.
    billing: addressJson(billingAddress, record.email ?? customer?.email ?? null, customer?.phone ?? record.phone, true),
    shipping: addressJson(record.shippingAddress, null, record.shippingAddress?.phone ?? null, false),
    payment_method: 'bacs',
    payment_method_title: 'Direct bank transfer',
    transaction_id: '',
    date_paid: paid ? local(record.processedAt) : null,
    date_paid_gmt: paid ? gmt(record.processedAt) : null,
    date_completed: local(completedAt),
    date_completed_gmt: gmt(completedAt),
    cart_hash: '',
    meta_data: meta,
    line_items: record.lineItems.map((item) => {
      const unit = moneyFromDecimal(item.unitPrice, currency);
      const subtotal = toDecimalString({ minor: unit.minor * item.quantity, currency });
      return {
        id: item.legacyId,
        name: item.variantTitle ? `${item.title} - ${item.variantTitle}` : item.title,
        product_id: item.productLegacyId ?? 0,
        variation_id: 0,
        quantity: item.quantity,
        tax_class: '',
        subtotal, subtotal_tax: '0.00', total: subtotal, total_tax: '0.00', taxes: [], meta_data: [],
        sku: item.sku ?? '',
        price: toDecimalNumber(unit),
      };
    }),
    tax_lines: [],
    shipping_lines: [],
    fee_lines: [],
    coupon_lines: [],
    refunds: refundRows(record, overlay).map((row) => ({ id: row.id, reason: row.reason, total: `-${row.amount}` })),
    _links: {
      self: [{ href: `${site.url ?? 'http://127.0.0.1'}/wp-json/wc/v3/orders/${record.legacyId}` }],
      collection: [{ href: `${site.url ?? 'http://127.0.0.1'}/wp-json/wc/v3/orders` }],
      ...(customer ? { customer: [{ href: `${site.url ?? 'http://127.0.0.1'}/wp-json/wc/v3/customers/${customer.legacyId}` }] } : {}),
    },
  };
  return json;
}
