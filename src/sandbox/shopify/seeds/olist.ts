import { moneyFromDecimal, toDecimalString } from '../../../model/money';
import type { Clock } from '../../../util/clock';
import { fromPackageRoot } from '../../../util/package-root';
import { hash32 } from '../../../util/prng';
import { isoInstant, type AddressRecord, type CustomerRecord, type FulfillmentRecord, type LineItemRecord, type OrderRecord, type TrackingRecord } from '../record';
import { SandboxStore, recordSource } from '../store';
import { readCsv, type CsvRow } from './csv';
import { olistReturns } from './demo-returns';
import { s10Code } from './s10';
import { emailAsTyped, syntheticIdentity } from './identity';
import { parseIsoLocal } from './local-time';

const ZONE = 'America/Sao_Paulo';
const CURRENCY = 'BRL';
const ORDER_ID_BASE = 5_100_000_000;
const CUSTOMER_ID_BASE = 5_400_000_000;

const STATES: Readonly<Record<string, string>> = {
  AC: 'Acre', AL: 'Alagoas', AP: 'Amapá', AM: 'Amazonas', BA: 'Bahia', CE: 'Ceará', DF: 'Distrito Federal',
  ES: 'Espírito Santo', GO: 'Goiás', MA: 'Maranhão', MT: 'Mato Grosso', MS: 'Mato Grosso do Sul', MG: 'Minas Gerais',
  PA: 'Pará', PB: 'Paraíba', PR: 'Paraná', PE: 'Pernambuco', PI: 'Piauí', RJ: 'Rio de Janeiro',
  RN: 'Rio Grande do Norte', RS: 'Rio Grande do Sul', RO: 'Rondônia', RR: 'Roraima', SC: 'Santa Catarina',
  SP: 'São Paulo', SE: 'Sergipe', TO: 'Tocantins',
};

/** Olist timestamps are Brazilian local time. */
function instant(local: string | undefined): number | null {
  return local ? parseIsoLocal(local, ZONE) : null;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : isoInstant(ms);
}

function titleCase(text: string): string {
  return text.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

/** A Correios-style object code (two letters, eight digits, mod-11 check digit, "BR"), derived from the order id. */
export function correiosCode(orderId: string): string {
  return s10Code(orderId, ['OB', 'PM', 'QB', 'LB'], 'BR');
}

function tracking(orderId: string): TrackingRecord {
  if (hash32(`carrier:${orderId}`) % 100 < 15) {
    return { number: String(10_000_000_000_000 + (hash32(`jadlog:${orderId}`) % 90_000_000) * 100_000), company: 'Jadlog', url: null };
  }
  return { number: correiosCode(orderId), company: 'Correios', url: null };
}

function groupBy(rows: CsvRow[], key: string): Map<string, CsvRow[]> {
  const out = new Map<string, CsvRow[]>();
  for (const row of rows) {
    const group = out.get(row[key]);
    if (group) group.push(row);
    else out.set(row[key], [row]);
  }
  return out;
}

/**
 * The Olist sample as a Shopify store: one order per Olist order (9,999), in BRL, with real purchase, payment,
 * hand-off, delivery and promised dates. Names, emails, phones and tracking numbers are synthesised.
 */
export function loadOlistStore(options: { clock?: Clock; returns?: boolean } = {}): SandboxStore {
  const dir = (file: string): string => fromPackageRoot('data', 'olist', file);
  const orders = readCsv(dir('olist_orders_dataset.csv'))
    .map((row) => ({ row, placed: instant(row.order_purchase_timestamp) ?? 0 }))
    .sort((a, b) => a.placed - b.placed || a.row.order_id.localeCompare(b.row.order_id));
  const payments = groupBy(readCsv(dir('olist_order_payments_dataset.csv')), 'order_id');
  const items = groupBy(readCsv(dir('olist_order_items_dataset.csv')), 'order_id');
  const customers = new Map(readCsv(dir('olist_customers_dataset.csv')).map((row) => [row.customer_id, row]));
  const categories = new Map(readCsv(dir('product_category_name_translation.csv')).map((r) => [r.product_category_name, r.product_category_name_english]));
  const productCategory = new Map(readCsv(dir('olist_products_dataset.csv')).map((r) => [r.product_id, r.product_category_name]));

  const customerIds = new Map<string, { legacyId: number; firstAt: number }>();
  const productIds = new Map<string, number>();
  let lineItemId = 5_200_000_000;
  const records = orders.map(({ row, placed }, index): OrderRecord => {
    const legacyId = ORDER_ID_BASE + index + 1;
    const customerRow = customers.get(row.customer_id);
    const customerKey = customerRow?.customer_unique_id ?? row.customer_id;
    let known = customerIds.get(customerKey);
    if (!known) customerIds.set(customerKey, (known = { legacyId: CUSTOMER_ID_BASE + customerIds.size + 1, firstAt: placed }));
    const person = syntheticIdentity(customerKey, 'br');
    const customer: CustomerRecord = {
      legacyId: known.legacyId, firstName: person.firstName, lastName: person.lastName, email: person.email,
      phone: person.phone, createdAt: isoInstant(known.firstAt), tags: [],
    };

    const total = (payments.get(row.order_id) ?? []).reduce((sum, p) => sum + moneyFromDecimal(p.payment_value, CURRENCY).minor, 0);
    const totalPrice = toDecimalString({ minor: total, currency: CURRENCY });
    const lineItems: LineItemRecord[] = [];
    for (const [productId, rows] of groupBy(items.get(row.order_id) ?? [], 'product_id')) {
      if (!productIds.has(productId)) productIds.set(productId, 5_500_000_000 + productIds.size + 1);
      const category = productCategory.get(productId);
      lineItems.push({
        legacyId: ++lineItemId,
        title: `${titleCase(categories.get(category ?? '') ?? category ?? 'product')} ${productId.slice(0, 8)}`,
        variantTitle: null,
        sku: productId.slice(0, 12).toUpperCase(),
        vendor: `Olist seller ${rows[0].seller_id.slice(0, 6)}`,
        quantity: rows.length,
        unitPrice: toDecimalString(moneyFromDecimal(rows[0].price, CURRENCY)),
        productLegacyId: productIds.get(productId) ?? null,
        // Olist's category, in its English translation (product_category_name_translation.csv), as the product type.
        productType: categories.get(category ?? '') ?? category ?? null,
      });
    }
    if (lineItems.length === 0) {
      lineItems.push({
        legacyId: ++lineItemId, title: `Olist order ${row.order_id.slice(0, 8)}`, variantTitle: null, sku: null,
        vendor: null, quantity: 1, unitPrice: totalPrice, productLegacyId: null,
      });
    }

    const approved = instant(row.order_approved_at);
    const handedOff = instant(row.order_delivered_carrier_date);
    const delivered = instant(row.order_delivered_customer_date);
    const promised = row.order_estimated_delivery_date ? row.order_estimated_delivery_date.slice(0, 10) : null;
    const promisedAt = instant(row.order_estimated_delivery_date);
    const cancelled = row.order_status === 'canceled' || row.order_status === 'unavailable';
    // The data has no cancellation time: the latest recorded event is the closest honest stand-in.
    const lastEvent = Math.max(placed, approved ?? 0, handedOff ?? 0, delivered ?? 0);
    const cancelledAt = cancelled ? lastEvent : null;

    const fulfillments: FulfillmentRecord[] = handedOff === null ? [] : [{
      legacyId: 5_300_000_000 + index + 1,
      status: cancelled ? 'CANCELLED' : 'SUCCESS',
      displayStatus: cancelled ? 'CANCELED' : delivered !== null ? 'DELIVERED' : 'IN_TRANSIT',
      createdAt: isoInstant(handedOff),
      updatedAt: isoInstant(Math.max(handedOff, delivered ?? 0)),
      inTransitAt: isoInstant(handedOff),
      deliveredAt: iso(delivered),
      estimatedDeliveryAt: iso(promisedAt),
      tracking: [tracking(row.order_id)],
    }];
    const address: AddressRecord = {
      firstName: person.firstName, lastName: person.lastName,
      city: customerRow ? titleCase(customerRow.customer_city) : null,
      province: customerRow ? STATES[customerRow.customer_state] ?? null : null,
      provinceCode: customerRow?.customer_state ?? null,
      zip: customerRow?.customer_zip_code_prefix ?? null,
      country: 'Brazil', countryCodeV2: 'BR', phone: person.phone,
    };
    return {
      legacyId,
      name: `#${1001 + index}`,
      email: emailAsTyped(person.email, row.order_id),
      phone: person.phone,
      createdAt: isoInstant(placed),
      updatedAt: isoInstant(lastEvent),
      processedAt: isoInstant(placed),
      cancelledAt: iso(cancelledAt),
      cancelReason: row.order_status === 'unavailable' ? 'INVENTORY' : cancelled ? 'CUSTOMER' : null,
      closedAt: cancelled ? iso(cancelledAt) : iso(delivered),
      test: false,
      tags: ['olist'],
      note: `Olist order ${row.order_id} (status ${row.order_status})`,
      currencyCode: CURRENCY,
      totalPrice,
      totalRefunded: cancelled && approved !== null ? totalPrice : toDecimalString({ minor: 0, currency: CURRENCY }),
      displayFinancialStatus: cancelled ? (approved !== null ? 'REFUNDED' : 'VOIDED') : approved !== null ? 'PAID' : 'PENDING',
      displayFulfillmentStatus: handedOff !== null ? 'FULFILLED' : 'UNFULFILLED',
      lineItems,
      customer,
      fulfillments,
      shippingAddress: address,
      customAttributes: [
        { key: 'olist_order_id', value: row.order_id },
        ...(promised ? [{ key: 'promised_delivery_date', value: promised }] : []),
      ],
    };
  });
  if (!options.returns) return new SandboxStore(recordSource(records, CURRENCY), options);
  // SYNTHESIZED returns from real 1-2 star reviews that name a problem (demo-returns.ts, data/olist/README.md).
  const reviews = readCsv(dir('olist_order_reviews_dataset.csv')).map((r) => ({
    orderId: r.order_id, score: Number(r.review_score), text: `${r.review_comment_title ?? ''} ${r.review_comment_message ?? ''}`, createdAt: instant(r.review_creation_date) ?? 0,
  }));
  const olistId = (record: OrderRecord): string | null => record.customAttributes.find((a) => a.key === 'olist_order_id')?.value ?? null;
  return new SandboxStore(recordSource(olistReturns(records, reviews, olistId), CURRENCY), options);
}
