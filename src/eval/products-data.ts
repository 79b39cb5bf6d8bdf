import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { DateTime } from 'luxon';
import type { PurchasedItem } from '../model/customer';

/** One invoice of the Online Retail line-level file, as the products layer sees an order. */
export interface Purchase {
  readonly customer: string;
  readonly orderId: string;
  readonly at: number;
  /** Kept products (a purchase invoice); empty for a cancellation invoice. */
  readonly items: readonly PurchasedItem[];
  /** Products a cancellation invoice took back (the customer's returns). */
  readonly returned: readonly string[];
}

interface LineRow {
  readonly CustomerID: string;
  readonly InvoiceNo: string;
  readonly InvoiceDate: string;
  readonly StockCode: string;
  readonly Quantity: string;
  readonly UnitPrice: string;
}

/**
 * Reads data/online-retail-lines/lines.csv.gz (UCI Online Retail, CC BY 4.0) into invoices in time order. Lines of
 * one StockCode on one invoice are merged; non-product codes (postage, manual adjustments, bank charges) are left out.
 */
export async function readOnlineRetailLines(file: string): Promise<Purchase[]> {
  const invoices = new Map<string, { customer: string; at: number; items: Map<string, { quantity: number; netMinor: number }>; cancelled: boolean }>();
  const parser = createReadStream(file).pipe(createGunzip()).pipe(parse({ columns: true, bom: true }));
  for await (const row of parser as AsyncIterable<LineRow>) {
    if (!/^\d{5}/.test(row.StockCode)) continue; // POST, M, D, DOT, BANK CHARGES, AMAZONFEE...: not products
    const at = DateTime.fromFormat(row.InvoiceDate, 'yyyy-MM-dd HH:mm', { zone: 'Europe/London' }).toMillis();
    if (!Number.isFinite(at)) throw new RangeError(`bad InvoiceDate ${JSON.stringify(row.InvoiceDate)} on ${row.InvoiceNo}`);
    const invoice = invoices.get(row.InvoiceNo) ?? { customer: row.CustomerID, at, items: new Map(), cancelled: row.InvoiceNo.startsWith('C') };
    const quantity = Math.abs(Number(row.Quantity));
    const seen = invoice.items.get(row.StockCode) ?? { quantity: 0, netMinor: 0 };
    invoice.items.set(row.StockCode, { quantity: seen.quantity + quantity, netMinor: seen.netMinor + Math.round(quantity * Number(row.UnitPrice) * 100) });
    invoices.set(row.InvoiceNo, invoice);
  }
  return [...invoices].map(([orderId, invoice]) => ({
    customer: invoice.customer,
    orderId,
    at: invoice.at,
    items: invoice.cancelled ? [] : [...invoice.items].map(([productId, line]) => ({ productId, category: null, quantity: line.quantity, netMinor: line.netMinor, returned: false })),
    returned: invoice.cancelled ? [...invoice.items.keys()] : [],
  })).sort((a, b) => a.at - b.at || (a.orderId < b.orderId ? -1 : 1));
}

/** A stable half of the customers for tuning, by a hash of the id: the other half is scored. */
export function isCalibration(customer: string): boolean {
  let h = 2166136261;
  for (let i = 0; i < customer.length; i++) h = Math.imul(h ^ customer.charCodeAt(i), 16777619);
  return ((h >>> 0) & 1) === 0;
}
