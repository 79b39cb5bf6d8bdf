import type { Order } from '../../model/order';
import type { OrderPage, SourceRejection } from '../order-source';
import type { ProductCategories } from './categories';
import type { WooCommerceClient, WooQuery } from './client';
import { advanceCursor, alreadySeen, firstPosition, nextPosition, type ReadPosition, type WooOrdersCursor } from './cursor';
import { GMT_DATE, normalizeWooOrder } from './normalize';

/** WooCommerce refuses `per_page` above 100 (`rest_invalid_param`). */
export const MAX_PER_PAGE = 100;

/**
 * The statuses a read asks for. WooCommerce's default `any` leaves out `trash`, and a trashed order must reach the
 * pipeline as cancelled; orders in a plugin's custom status are read only when that status is added here.
 */
export const READ_STATUSES: readonly string[] = ['pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed', 'trash', 'checkout-draft'];

export interface WooOrdersStreamOptions {
  readonly perPage: number;
  readonly overlapMs: number;
  readonly statuses?: readonly string[];
  readonly signal?: AbortSignal;
  /** Where line items' categories come from (the product resource); without it every category is null. */
  readonly categories?: ProductCategories;
}

export function ordersQuery(position: ReadPosition, options: WooOrdersStreamOptions): WooQuery {
  return {
    ...(position.modifiedAfter !== null ? { modified_after: position.modifiedAfter } : {}),
    dates_are_gmt: 'true',
    orderby: 'modified',
    order: 'asc',
    per_page: Math.min(MAX_PER_PAGE, Math.max(1, options.perPage)),
    page: position.page,
    status: options.statuses ?? READ_STATUSES,
  };
}

/**
 * Every order modified since `cursor`, oldest change first, one REST page at a time (see cursor.ts for why each
 * page re-starts from the newest change read). Bad records are rejected one by one with a reason; the page goes on.
 */
export async function* readWooOrders(
  client: WooCommerceClient,
  cursor: WooOrdersCursor | null,
  options: WooOrdersStreamOptions,
): AsyncGenerator<OrderPage<WooOrdersCursor>> {
  let current = cursor;
  let position: ReadPosition | null = firstPosition(cursor, options.overlapMs);
  // Keyset paging re-reads the boundary second: a record rejected there once is not rejected again in this read.
  const rejected = new Set<string>();
  while (position && !options.signal?.aborted) {
    const page = await client.list('orders', ordersQuery(position, options));
    // Before anything of the page is yielded: a failed product read fails the page, and the cursor stays behind it.
    const categories = options.categories ? await options.categories.lookup(productIds(page.items)) : undefined;
    const orders: Order[] = [];
    const rejections: SourceRejection[] = [];
    const versions: Array<{ id: string; updatedAt: string }> = [];
    for (const item of page.items) {
      const result = normalizeWooOrder(item, categories);
      if (result.ok === false) {
        const key = `${result.recordId}@${String(field(item, 'date_modified_gmt'))}`;
        if (!rejected.has(key)) rejections.push({ recordId: result.recordId, reason: result.reason });
        rejected.add(key);
        continue;
      }
      const version = result.ok === true
        ? { id: result.order.id, updatedAt: result.order.updatedAt.toISOString() }
        : result.updatedAt ? { id: result.recordId, updatedAt: result.updatedAt } : null;
      if (version && alreadySeen(current, version.id, version.updatedAt)) continue;
      if (version) versions.push(version);
      if (result.ok === true) orders.push(result.order);
    }
    current = advanceCursor(current, versions, options.overlapMs);
    yield { orders, rejections, cursor: current };
    position = nextPosition(position, newestModified(page.items), page.totalPages);
  }
}

/** The product ids the page's line items name (a malformed record names none; normalize rejects it). */
function productIds(items: readonly unknown[]): Set<string> {
  const ids = new Set<string>();
  for (const item of items) {
    const lines = field(item, 'line_items');
    if (!Array.isArray(lines)) continue;
    for (const line of lines) {
      const id = field(line, 'product_id');
      if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) ids.add(String(id));
    }
  }
  return ids;
}

function field(item: unknown, name: string): unknown {
  return typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[name] : undefined;
}

/** The newest `date_modified_gmt` WooCommerce wrote on the page (rejected records included), if any parses. */
function newestModified(items: readonly unknown[]): number | null {
  let newest: number | null = null;
  for (const item of items) {
    const value = field(item, 'date_modified_gmt');
    const time = typeof value === 'string' && GMT_DATE.test(value) ? Date.parse(`${value}Z`) : Number.NaN;
    if (!Number.isNaN(time)) newest = Math.max(newest ?? -Infinity, time);
  }
  return newest;
}
