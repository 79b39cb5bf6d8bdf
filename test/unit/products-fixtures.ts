import type { CustomerAggregate, OrderContribution, PurchasedItem } from '../../src/model/customer';
import type { LineItem } from '../../src/model/order';
import { DAY, T0 } from './lifecycle-fixtures';
import { countsFromRow } from '../../src/enrichment/products/top-counts';
import type { TopCounts } from '../../src/enrichment/products/types';

/** A count table from [key, count] pairs, and back: assertions read as the pairs they mean. */
export const counts = (pairs: ReadonlyArray<readonly [string, number]>): TopCounts => countsFromRow(pairs);
export const pairsOf = (table: TopCounts | undefined): Array<[string, number]> | undefined => table?.keys.map((key, i) => [key, table.counts[i]]);

/** A product line as a source would normalise it. */
export function line(productId: string, quantity: number, unitMinor: number, category: string | null, extra: Partial<LineItem> = {}): LineItem {
  return { id: `line-${productId}`, productId, sku: null, name: `Title ${productId}`, quantity, currentQuantity: quantity, unitPrice: { minor: unitMinor, currency: 'GBP' }, category, ...extra };
}

/** A kept purchase of `quantity` units. */
export const item = (productId: string, quantity = 1, category: string | null = 'tea', netMinor = 1000, returned = false): PurchasedItem =>
  ({ productId, category, quantity, netMinor, returned });

export function placed(orderId: string, day: number, items: PurchasedItem[]): OrderContribution {
  return { orderId, placedAt: new Date(T0 + day * DAY).toISOString(), netMinor: items.reduce((s, i) => s + i.netMinor, 0), cancelled: false, items };
}

export function customerWith(orders: OrderContribution[], key = 'ann@example.com'): CustomerAggregate {
  return {
    key, email: key, phone: null, firstName: null, lastName: null, currency: 'GBP', orders,
    segment: null, segmentSince: null, pushedHash: null, nextReviewAt: null,
  };
}
