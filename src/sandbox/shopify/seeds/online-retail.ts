import { moneyFromDecimal, toDecimalString } from '../../../model/money';
import type { Clock } from '../../../util/clock';
import { fromPackageRoot } from '../../../util/package-root';
import { isoInstant, type OrderRecord } from '../record';
import { SandboxStore, recordSource } from '../store';
import { readCsv } from './csv';
import { giftRetailerReturns } from './demo-returns';
import { giftRetailerFulfillment } from './gift-parcels';
import { emailAsTyped, syntheticIdentity } from './identity';
import { parseUsLocal } from './local-time';

const CURRENCY = 'GBP';
const TOTAL_CAVEAT = 'Total = Quantity × mean unit price (UCI Online Retail per-invoice aggregate): an approximation of the invoice total.';

const COUNTRY_CODES: Readonly<Record<string, string>> = {
  'United Kingdom': 'GB', France: 'FR', Germany: 'DE', EIRE: 'IE', Belgium: 'BE', Switzerland: 'CH', Spain: 'ES',
  Portugal: 'PT', Australia: 'AU', Italy: 'IT', Finland: 'FI', 'Channel Islands': 'JE', Sweden: 'SE',
  Netherlands: 'NL', Japan: 'JP', Poland: 'PL', Cyprus: 'CY', Norway: 'NO', 'Hong Kong': 'HK', Denmark: 'DK',
  Austria: 'AT', Singapore: 'SG', Malta: 'MT', Iceland: 'IS', Israel: 'IL', Canada: 'CA', USA: 'US',
  Lithuania: 'LT', Greece: 'GR', Bahrain: 'BH', 'Saudi Arabia': 'SA', 'United Arab Emirates': 'AE', Lebanon: 'LB',
  Brazil: 'BR', RSA: 'ZA', 'Czech Republic': 'CZ',
};

/**
 * The UCI gift retailer as a Shopify store: one order per invoice that has a customer (guest invoices are left out),
 * in GBP; `C` invoices become cancelled, refunded orders (never fulfilled). Dates are Europe/London wall-clock times.
 * Every other invoice ships one SYNTHESIZED Royal Mail parcel (gift-parcels.ts); its delivery stamps updatedAt.
 */
export function loadGiftRetailerStore(options: { clock?: Clock; returns?: boolean } = {}): SandboxStore {
  const rows = readCsv(fromPackageRoot('data', 'online-retail', 'online_retail_invoices.csv'))
    .filter((row) => row.CustomerID && row.CustomerID !== '(blank)')
    .map((row) => ({ row, at: parseUsLocal(row.InvoiceDate, 'Europe/London') ?? Number.NaN }))
    .sort((a, b) => a.at - b.at || a.row.InvoiceNo.localeCompare(b.row.InvoiceNo));
  const firstSeen = new Map<string, number>();
  const records = rows.map(({ row, at }, index): OrderRecord => {
    if (!Number.isFinite(at)) throw new Error(`unparseable InvoiceDate ${row.InvoiceDate} on invoice ${row.InvoiceNo}`);
    const customerKey = String(Number(row.CustomerID));
    if (!firstSeen.has(customerKey)) firstSeen.set(customerKey, at);
    const person = syntheticIdentity(customerKey, 'uk');
    const cancelled = row.InvoiceNo.startsWith('C');
    const quantity = Math.abs(Number(row.Quantity));
    const unitPrice = toDecimalString(moneyFromDecimal(String(Math.abs(Number(row.UnitPrice)).toFixed(2)), CURRENCY));
    const totalPrice = toDecimalString({ minor: Math.round(Math.abs(Number(row.Quantity) * Number(row.UnitPrice)) * 100), currency: CURRENCY });
    const when = isoInstant(at);
    const countryCode = COUNTRY_CODES[row.Country] ?? null;
    const fulfillment = cancelled ? null : giftRetailerFulfillment(row.InvoiceNo, at, countryCode, 6_300_000_001 + index);
    const updated = fulfillment ? isoInstant(Math.max(at, Date.parse(fulfillment.updatedAt))) : when;
    return {
      legacyId: 6_000_000_001 + index,
      name: `#${row.InvoiceNo}`,
      email: emailAsTyped(person.email, row.InvoiceNo),
      phone: person.phone,
      createdAt: when,
      updatedAt: updated,
      processedAt: when,
      cancelledAt: cancelled ? when : null,
      cancelReason: cancelled ? 'CUSTOMER' : null,
      closedAt: cancelled ? when : null,
      test: false,
      tags: ['online-retail', ...(cancelled ? ['cancellation-invoice'] : [])],
      note: TOTAL_CAVEAT,
      currencyCode: CURRENCY,
      totalPrice,
      totalRefunded: cancelled ? totalPrice : '0.00',
      displayFinancialStatus: cancelled ? 'REFUNDED' : 'PAID',
      displayFulfillmentStatus: fulfillment ? 'FULFILLED' : 'UNFULFILLED',
      lineItems: [{
        legacyId: 6_200_000_001 + index, title: `Gift assortment (invoice ${row.InvoiceNo})`, variantTitle: null, sku: null,
        vendor: null, quantity, unitPrice, productLegacyId: null,
      }],
      customer: {
        legacyId: 6_100_000_000 + Number(customerKey), firstName: person.firstName, lastName: person.lastName,
        email: person.email, phone: person.phone, createdAt: isoInstant(firstSeen.get(customerKey) ?? at), tags: [],
      },
      fulfillments: fulfillment ? [fulfillment] : [],
      shippingAddress: {
        firstName: person.firstName, lastName: person.lastName, city: null, province: null, provinceCode: null, zip: null,
        country: row.Country, countryCodeV2: countryCode, phone: person.phone,
      },
      customAttributes: [{ key: 'total_is_approximate', value: 'true' }],
    };
  });
  // With `returns`, credits are returns on earlier invoices (demo-returns.ts); without, cancelled orders as before.
  return new SandboxStore(recordSource(options.returns ? giftRetailerReturns(records) : records, CURRENCY), options);
}
