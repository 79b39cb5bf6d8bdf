import type { Refund } from '../../model/returns';
import type { Address, FinancialStatus, Fulfillment, LineItem, Order, TrackingRef } from '../../model/order';
import { moneyFromDecimal, toDecimalNumber, type Money } from '../../model/money';
import { normalizeEmail, normalizePhone } from '../../model/identity';
import { PROMISED_DATE_KEY, parsePromisedDate } from '../promise-date';
import { SHIPMENT_TRACKING_META_KEY } from './types';

/** Totals above this (in major units) are treated as data errors, not sales (the Shopify normalizer's bound). */
const ABSURD_TOTAL = 10_000_000;
const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
/** WooCommerce writes `*_gmt` dates as UTC without a zone designator. */
export const GMT_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

export type WooNormalizeResult =
  | { readonly ok: true; readonly order: Order }
  | { readonly ok: false; readonly recordId: string; readonly reason: string }
  /** Not an order yet (a block-checkout draft is a cart): neither used nor rejected. */
  | { readonly ok: 'skip'; readonly recordId: string; readonly updatedAt: string | null };

type Json = Record<string, unknown>;

class BadRecord extends Error {}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function text(object: Json, field: string): string {
  const value = object[field];
  return typeof value === 'string' ? value : '';
}

function orNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** A `*_gmt` date as an instant; the field must be present and well formed. */
function gmtDate(object: Json, field: string): Date {
  const value = object[field];
  if (typeof value !== 'string' || !GMT_DATE.test(value)) throw new BadRecord(`malformed ${field} ${JSON.stringify(value)}`);
  const time = Date.parse(`${value}Z`);
  // Date.parse rolls "02-30" over into March; a date that does not round-trip does not exist.
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 19) !== value) throw new BadRecord(`malformed ${field} ${JSON.stringify(value)}`);
  return new Date(time);
}

function amount(value: unknown, currency: string, what: string): Money {
  if (typeof value !== 'string') throw new BadRecord(`${what} is not a decimal string: ${JSON.stringify(value)}`);
  try {
    return moneyFromDecimal(value, currency);
  } catch {
    throw new BadRecord(`${what} is not a number: ${JSON.stringify(value)}`);
  }
}

/**
 * A pure mapping from a WooCommerce REST v3 order to our Order, or a reason the record cannot be used. Statuses:
 * `cancelled`, `failed` (no payment happened) and `trash` (the merchant removed it) count as cancelled, dated by the
 * last modification since WooCommerce keeps no cancellation time; `refunded` and the `refunds` array (negative
 * amounts) make `currentTotal`; `checkout-draft` is a cart, skipped.
 */
const NO_CATEGORIES: ReadonlyMap<string, string | null> = new Map();

/**
 * `categories`: product id → category, read from the product resource (REST v3 line items carry only the id; see
 * categories.ts); a product not in it has a null category.
 */
export function normalizeWooOrder(raw: unknown, categories: ReadonlyMap<string, string | null> = NO_CATEGORIES): WooNormalizeResult {
  const record: Json = isObject(raw) ? raw : {};
  const id = record.id;
  const recordId = typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? String(id) : `(invalid id ${JSON.stringify(id)})`;
  const reject = (reason: string): WooNormalizeResult => ({ ok: false, recordId, reason });
  if (!isObject(raw)) return reject('order is not a JSON object');
  if (recordId.startsWith('(')) return reject(`order id is not a positive integer: ${JSON.stringify(id)}`);
  const status = text(record, 'status');
  try {
    if (status === 'checkout-draft') {
      return { ok: 'skip', recordId, updatedAt: GMT_DATE.test(text(record, 'date_modified_gmt')) ? gmtDate(record, 'date_modified_gmt').toISOString() : null };
    }
    return { ok: true, order: buildOrder(record, recordId, status, categories) };
  } catch (error) {
    if (error instanceof BadRecord) return reject(error.message);
    throw error;
  }
}

function buildOrder(record: Json, id: string, status: string, categories: ReadonlyMap<string, string | null>): Order {
  if (status === '') throw new BadRecord('order has no status');
  const currency = text(record, 'currency');
  if (!KNOWN_CURRENCIES.has(currency)) throw new BadRecord(`unknown currency ${JSON.stringify(record.currency)}`);
  const billing = isObject(record.billing) ? record.billing : {};
  const shipping = isObject(record.shipping) ? record.shipping : {};
  const email = normalizeEmail(text(billing, 'email'));
  if (!email) throw new BadRecord('order has no valid billing email address: customers are keyed by email');
  const createdAt = gmtDate(record, 'date_created_gmt');
  const updatedAt = gmtDate(record, 'date_modified_gmt');

  const total = amount(record.total, currency, 'total');
  if (total.minor < 0) throw new BadRecord(`negative total ${String(record.total)}`);
  if (toDecimalNumber(total) > ABSURD_TOTAL) throw new BadRecord(`implausible total ${String(record.total)} ${currency}`);
  const refunds = Array.isArray(record.refunds) ? record.refunds : [];
  // Refund summaries carry negative amounts ("-10.00"); the sign is the store's convention, the size is the refund.
  const refunded = refunds.reduce<number>((sum, refund, i) => sum + Math.abs(amount(isObject(refund) ? refund.total : null, currency, `refunds[${i}].total`).minor), 0);
  const lineItems = (Array.isArray(record.line_items) ? record.line_items : []).map((item, i) => lineItem(item, i, currency, categories));
  const meta = metaMap(record.meta_data);

  const cancelled = status === 'cancelled' || status === 'failed' || status === 'trash';
  const currentMinor = cancelled || status === 'refunded' ? 0 : Math.max(0, total.minor - refunded);
  const promised = meta.get(PROMISED_DATE_KEY);
  return {
    source: 'woocommerce',
    id,
    name: `#${text(record, 'number') || id}`,
    email,
    // The billing phone, not the shipping one: a shipping phone is often someone else's (a gift, an office).
    phone: normalizePhone(text(billing, 'phone')),
    firstName: orNull(text(billing, 'first_name')) ?? orNull(text(shipping, 'first_name')),
    lastName: orNull(text(billing, 'last_name')) ?? orNull(text(shipping, 'last_name')),
    createdAt,
    updatedAt,
    cancelledAt: cancelled ? updatedAt : null,
    financialStatus: financialStatus(status, total.minor, refunded, record.date_paid_gmt),
    total,
    currentTotal: { minor: currentMinor, currency },
    lineItems,
    fulfillments: trackingFulfillments(id, meta.get(SHIPMENT_TRACKING_META_KEY), createdAt),
    shippingAddress: address(shipping),
    promisedDeliveryAt: typeof promised === 'string' ? parsePromisedDate(promised) : null,
    tags: [],
    test: false,
    refunds: wooRefunds(id, refunds, status, total, refunded, updatedAt),
  };
}

/**
 * WooCommerce has no returns, only refunds. The order's refund summaries (`refunds[]`: id, reason, negative total)
 * carry no date and no items: each becomes a Refund dated at the order's last modification (the first read after
 * it, within a poll), with its reason. An order set to `refunded` with no refund recorded is one full refund.
 * Whether shipping was covered is not in the summary: `shipping` is 0 (not known to be covered).
 */
function wooRefunds(orderId: string, raw: readonly unknown[], status: string, total: Money, refundedMinor: number, updatedAt: Date): Refund[] {
  const currency = total.currency;
  const zero = { minor: 0, currency };
  const listed = raw.flatMap((refund, i): Refund[] => {
    if (!isObject(refund)) return [];
    const size = Math.abs(amount(refund.total, currency, `refunds[${i}].total`).minor);
    return [{ id: `${orderId}/refunds/${String(refund.id)}`, createdAt: updatedAt, amount: { minor: size, currency }, shipping: zero, returnId: null, note: orNull(text(refund, 'reason')), lines: [] }];
  });
  if (listed.length > 0 || status !== 'refunded' || refundedMinor > 0 || total.minor === 0) return listed;
  return [{ id: `${orderId}/refunded`, createdAt: updatedAt, amount: total, shipping: zero, returnId: null, note: null, lines: [] }];
}

function lineItem(raw: unknown, index: number, currency: string, categories: ReadonlyMap<string, string | null>): LineItem {
  if (!isObject(raw)) throw new BadRecord(`line_items[${index}] is not an object`);
  const quantity = raw.quantity;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity <= 0) {
    throw new BadRecord(`line_items[${index}].quantity is not a positive integer: ${JSON.stringify(quantity)}`);
  }
  // `price` is a float after discounts; the line `subtotal` (a decimal string, before discounts) is exact.
  const subtotal = amount(raw.subtotal, currency, `line_items[${index}].subtotal`);
  const productId = typeof raw.product_id === 'number' && raw.product_id > 0 ? String(raw.product_id) : null;
  return {
    id: String(raw.id),
    productId,
    sku: orNull(text(raw, 'sku')),
    name: text(raw, 'name'),
    quantity,
    // REST v3 line items carry no per-line refunded quantity (refunds are order-level amounts): a fully refunded
    // order's lines count as returned through its zero net total.
    currentQuantity: quantity,
    unitPrice: { minor: Math.round(subtotal.minor / quantity), currency },
    category: productId === null ? null : (categories.get(productId) ?? null),
  };
}

function financialStatus(status: string, totalMinor: number, refundedMinor: number, datePaid: unknown): FinancialStatus | null {
  if (refundedMinor > 0) return refundedMinor >= totalMinor ? 'refunded' : 'partially_refunded';
  const paid = typeof datePaid === 'string' && datePaid !== '';
  switch (status) {
    case 'refunded': return 'refunded';
    case 'pending':
    case 'on-hold': return 'pending';
    case 'failed': return 'voided';
    case 'cancelled':
    case 'trash': return paid ? 'paid' : 'voided';
    case 'processing':
    case 'completed': return 'paid';
    default: return paid ? 'paid' : null;
  }
}

function metaMap(raw: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const entry of Array.isArray(raw) ? raw : []) {
    if (isObject(entry) && typeof entry.key === 'string' && !out.has(entry.key)) out.set(entry.key, entry.value);
  }
  return out;
}

/**
 * The Shipment Tracking extension's items, one fulfillment each. A plugin that stored the array as a JSON string is
 * read too; items without a tracking number are not parcels and are left out.
 */
function trackingFulfillments(orderId: string, raw: unknown, fallbackAt: Date): Fulfillment[] {
  let items: unknown = raw;
  if (typeof raw === 'string') {
    try {
      items = JSON.parse(raw);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(items)) return [];
  const out: Fulfillment[] = [];
  items.forEach((item, index) => {
    if (!isObject(item)) return;
    const code = text(item, 'tracking_number').trim();
    if (code === '') return;
    const shipped = Number(item.date_shipped);
    const tracking: TrackingRef = {
      code,
      carrier: orNull(text(item, 'tracking_provider')) ?? orNull(text(item, 'custom_tracking_provider')),
      url: orNull(text(item, 'custom_tracking_link')),
    };
    out.push({
      id: `${orderId}:${orNull(text(item, 'tracking_id')) ?? String(index)}`,
      createdAt: Number.isFinite(shipped) && shipped > 0 ? new Date(shipped * 1000) : fallbackAt,
      displayStatus: null,
      estimatedDeliveryAt: null,
      deliveredAt: null,
      tracking: [tracking],
    });
  });
  return out;
}

function address(shipping: Json): Address | null {
  const fields = ['first_name', 'last_name', 'address_1', 'city', 'state', 'postcode', 'country'];
  if (fields.every((field) => text(shipping, field).trim() === '')) return null;
  return {
    city: orNull(text(shipping, 'city')),
    region: orNull(text(shipping, 'state')),
    zip: orNull(text(shipping, 'postcode')),
    country: orNull(text(shipping, 'country'))?.toUpperCase() ?? null,
  };
}
