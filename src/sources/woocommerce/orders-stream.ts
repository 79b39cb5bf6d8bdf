import type { Order } from '../../model/order';
import type { OrderPage, SourceRejection } from '../order-source';
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
    const orders: Order[] = [];
    const rejections: SourceRejection[] = [];
    const versions: Array<{ id: string; updatedAt: string }> = [];
    for (const item of page.items) {
      const result = normalizeWooOrder(item);
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
