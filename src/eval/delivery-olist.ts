import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';

/**
 * Olist order timelines for the delivery evaluation. The dataset's timestamps are Brazilian local time (Brasília);
 * it has no carrier, service or tracking scans, so the lane (seller state → customer state) stands in for the
 * group and every parcel goes by the same unnamed carrier.
 */
export const OLIST_ZONE = 'America/Sao_Paulo';

export interface OlistTimeline {
  readonly orderId: string;
  readonly purchasedAt: Date;
  readonly handedOffAt: Date;
  readonly deliveredAt: Date;
  /** Olist's "estimated delivery date": the date promised to the customer. */
  readonly promisedAt: Date;
  readonly customerState: string | null;
  readonly sellerState: string | null;
}

export interface OlistLoad {
  readonly timelines: OlistTimeline[];
  readonly ordersRead: number;
  /** Delivered orders lacking a hand-off or delivery timestamp, or delivered before their hand-off. */
  readonly skipped: number;
  /** Optional side tables not found in the folder. */
  readonly missingFiles: string[];
}

type Row = Record<string, string>;

const readCsv = (dir: string, file: string): Row[] =>
  parse(readFileSync(join(dir, file)), { columns: true, bom: true, skip_empty_lines: true }) as Row[];

/** The side tables only refine the lane; without one, the replay backs off to coarser groups. */
const readOptionalCsv = (dir: string, file: string): Row[] => (existsSync(join(dir, file)) ? readCsv(dir, file) : []);

function localTime(value: string | undefined): Date | null {
  if (!value) return null;
  const parsed = DateTime.fromSQL(value, { zone: OLIST_ZONE });
  return parsed.isValid ? parsed.toJSDate() : null;
}

/** Reads the orders file of an Olist folder, and the customers, items and sellers files when present. */
export function loadOlist(dir: string): OlistLoad {
  const missingFiles = ['olist_customers_dataset.csv', 'olist_order_items_dataset.csv', 'olist_sellers_dataset.csv']
    .filter((file) => !existsSync(join(dir, file)));
  const orders = readCsv(dir, 'olist_orders_dataset.csv');
  const customerState = new Map(readOptionalCsv(dir, 'olist_customers_dataset.csv').map((r) => [r.customer_id, r.customer_state]));
  const sellerState = new Map(readOptionalCsv(dir, 'olist_sellers_dataset.csv').map((r) => [r.seller_id, r.seller_state]));
  const orderSeller = new Map<string, string>();
  for (const item of readOptionalCsv(dir, 'olist_order_items_dataset.csv')) {
    const state = sellerState.get(item.seller_id ?? '');
    if (item.order_id && state && !orderSeller.has(item.order_id)) orderSeller.set(item.order_id, state);
  }
  const timelines: OlistTimeline[] = [];
  let skipped = 0;
  for (const row of orders) {
    if (row.order_status !== 'delivered') continue;
    const purchasedAt = localTime(row.order_purchase_timestamp);
    const handedOffAt = localTime(row.order_delivered_carrier_date);
    const deliveredAt = localTime(row.order_delivered_customer_date);
    const promisedAt = localTime(row.order_estimated_delivery_date);
    if (!purchasedAt || !handedOffAt || !deliveredAt || !promisedAt || deliveredAt < handedOffAt) {
      skipped++;
      continue;
    }
    timelines.push({
      orderId: row.order_id ?? '',
      purchasedAt, handedOffAt, deliveredAt, promisedAt,
      customerState: customerState.get(row.customer_id ?? '') ?? null,
      sellerState: orderSeller.get(row.order_id ?? '') ?? null,
    });
  }
  timelines.sort((a, b) => a.purchasedAt.getTime() - b.purchasedAt.getTime());
  return { timelines, ordersRead: orders.length, skipped, missingFiles };
}
