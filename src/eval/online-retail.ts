import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { DateTime } from 'luxon';
import type { Order } from '../model/order';

/**
 * Online Retail invoices (UCI, CC BY 4.0; one row per invoice) as normalized Orders. Totals are Quantity ×
 * UnitPrice, and UnitPrice is the unweighted mean of the line prices, so order values are approximations.
 */
export interface InvoiceFile {
  readonly orders: Order[];
  readonly skippedWithoutCustomer: number;
}

interface InvoiceRow {
  readonly InvoiceNo: string;
  readonly InvoiceDate: string;
  readonly CustomerID: string;
  readonly Quantity: string;
  readonly UnitPrice: string;
}

/** The data has no emails: a deterministic synthetic one per CustomerID keeps customers apart. */
export const emailFor = (customerId: string): string => `customer-${customerId}@online-retail.example`;

export function invoiceToOrder(row: InvoiceRow): Order | null {
  const customerId = row.CustomerID.trim();
  if (customerId === '' || customerId === '(blank)') return null;
  const placed = DateTime.fromFormat(row.InvoiceDate.trim(), 'M/d/yyyy H:mm', { zone: 'Europe/London' });
  if (!placed.isValid) throw new RangeError(`bad InvoiceDate ${JSON.stringify(row.InvoiceDate)} on ${row.InvoiceNo}`);
  const createdAt = placed.toJSDate();
  const cancelled = row.InvoiceNo.startsWith('C');
  const minor = Math.round(Math.abs(Number(row.Quantity) * Number(row.UnitPrice)) * 100);
  const money = { minor, currency: 'GBP' };
  return {
    source: 'shopify',
    id: row.InvoiceNo,
    name: row.InvoiceNo,
    email: emailFor(customerId),
    phone: null,
    firstName: null,
    lastName: null,
    createdAt,
    updatedAt: createdAt,
    cancelledAt: cancelled ? createdAt : null,
    financialStatus: cancelled ? 'voided' : 'paid',
    total: money,
    currentTotal: cancelled ? { minor: 0, currency: 'GBP' } : money,
    lineItems: [],
    fulfillments: [],
    shippingAddress: null,
    promisedDeliveryAt: null,
    tags: [],
    test: false,
  };
}

/** Reads an invoices CSV (same columns as the UCI extract) into orders sorted by time. */
export async function readInvoices(path: string): Promise<InvoiceFile> {
  const orders: Order[] = [];
  let skippedWithoutCustomer = 0;
  const parser = createReadStream(path).pipe(parse({ columns: true, skip_empty_lines: true, trim: true }));
  for await (const record of parser as AsyncIterable<InvoiceRow>) {
    const order = invoiceToOrder(record);
    if (order === null) skippedWithoutCustomer += 1;
    else orders.push(order);
  }
  orders.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { orders, skippedWithoutCustomer };
}
