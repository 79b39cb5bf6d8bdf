import type { OrderContribution } from '../../model/customer';
import type { ProductsConfig } from './config';
import { bump, bumpInPlace, keepRecent } from './top-counts';
import type { CategoryStats, ProductStats } from './types';

const DAY_MS = 86_400_000;

/** The working copies of the store's product and category statistics a page reads, updates and writes back. */
export interface ProductBook {
  readonly products: Map<string, ProductStats>;
  readonly categories: Map<string, CategoryStats>;
  /** Keys changed since the book was read: only those are written. */
  readonly changed: Set<string>;
}

export const emptyProduct = (productId: string): ProductStats => ({ productId, title: productId, category: null, orders: 0, repeatCustomers: 0, co: [], gaps: [] });
export const emptyCategory = (category: string): CategoryStats => ({ category, repeatCustomers: 0, gaps: [], best: [] });

/**
 * The customer's most recent distinct kept products, newest first, at most `limit`: what a new purchase pairs with.
 * Walks back from the newest line and stops at `limit`: asked for every customer of every page and re-assessment,
 * so it builds no list of the whole history.
 */
export function recentProducts(orders: readonly OrderContribution[], limit: number): string[] {
  const seen: string[] = [];
  const found = new Set<string>();
  for (let o = orders.length - 1; o >= 0 && seen.length < limit; o--) {
    const items = orders[o].items;
    if (items === undefined) continue;
    for (let i = items.length - 1; i >= 0 && seen.length < limit; i--) {
      const item = items[i];
      if (item.returned || found.has(item.productId)) continue;
      found.add(item.productId);
      seen.push(item.productId);
    }
  }
  return seen;
}

/** The per-unit gap in days from a purchase to the next one of the same product, or null outside the counted range. */
export function perUnitGap(from: { placedAt: string; quantity: number }, toPlacedAt: string, config: ProductsConfig['replenishment']): number | null {
  const days = (Date.parse(toPlacedAt) - Date.parse(from.placedAt)) / DAY_MS;
  if (days < config.minGapDays || days > config.maxGapDays) return null;
  return days / Math.max(1, from.quantity);
}

/**
 * Folds an order the customer has not been seen with into the store's product statistics, incrementally: its kept
 * products' order counts, their category's best sellers, the per-unit gap since the customer's previous purchase of
 * each product (the gap divided by the units bought then: two bottles last twice as long), and co-purchase counts
 * with the other products of the order and the customer's recent products. `history` is the customer's orders
 * before this one. Call it once per (customer, order): the caller guards replays (an order already in the customer's
 * history is never learnt again), and a crash replays the whole page, book included. A later refund or
 * cancellation does not subtract what was learnt (bounded counts cannot be decremented exactly); it does stop the
 * customer's own returned products from being recommended or followed.
 */
export function learnOrder(
  book: ProductBook,
  history: readonly OrderContribution[],
  order: OrderContribution,
  titles: ReadonlyMap<string, string>,
  config: ProductsConfig,
): void {
  const kept = (order.items ?? []).filter((item) => !item.returned);
  if (kept.length === 0) return;
  // Usually the whole history is earlier (and a first purchase has none): no copy of it then.
  const isEarlier = (o: OrderContribution): boolean => o.orderId !== order.orderId && o.placedAt <= order.placedAt;
  const earlier = history.every(isEarlier) ? history : history.filter(isEarlier);
  const recent = recentProducts(earlier, config.coPurchase.historyProducts);
  const inOrder = kept.map((item) => item.productId);
  const inOrderSet = new Set(inOrder);
  // This order's products' last kept purchase before it, and how many there were: one pass over the history.
  const lastBought = new Map<string, { readonly placedAt: string; readonly quantity: number; readonly count: number }>();
  for (const o of earlier) {
    for (const item of o.items ?? []) {
      if (item.returned || !inOrderSet.has(item.productId)) continue;
      lastBought.set(item.productId, { placedAt: o.placedAt, quantity: item.quantity, count: (lastBought.get(item.productId)?.count ?? 0) + 1 });
    }
  }
  const { perProduct, bestSellersPerCategory, historyProducts } = config.coPurchase;
  // The products this order is paired with, in pairing order: the rest of the order first, then the recent ones.
  // `inOrder` is distinct already (an order's lines of one product are one item), and most customers have no recent.
  const partners = recent.length === 0 ? inOrder : [...new Set([...inOrder, ...recent])];
  for (const item of kept) {
    const before = book.products.get(item.productId) ?? emptyProduct(item.productId);
    const category = item.category ?? before.category;
    let categoryStats = category === null ? null : book.categories.get(category) ?? emptyCategory(category);
    if (categoryStats) categoryStats = { ...categoryStats, best: bump(categoryStats.best, item.productId, 1, bestSellersPerCategory) };

    let { gaps, repeatCustomers } = before;
    const last = lastBought.get(item.productId);
    const gap = last ? storedGap(perUnitGap(last, order.placedAt, config.replenishment)) : null;
    if (gap !== null && last) {
      const firstRepeat = last.count === 1 ? 1 : 0;
      gaps = keepRecent(gaps, gap, config.replenishment.keepIntervals);
      repeatCustomers += firstRepeat;
      if (categoryStats) categoryStats = { ...categoryStats, gaps: keepRecent(categoryStats.gaps, gap, config.replenishment.keepIntervals), repeatCustomers: categoryStats.repeatCustomers + firstRepeat };
    }

    // Paired with at most `historyProducts` others (this order's first, then the customer's recent ones): a
    // wholesale order of 500 lines would otherwise cost 250,000 count updates. One working copy of the table for
    // all of them, made only when there is a partner (a one-product first order has none).
    let co: Array<readonly [string, number]> | null = null;
    let paired = 0;
    for (const other of partners) {
      if (other === item.productId) continue;
      if (paired++ >= historyProducts) break;
      co ??= before.co.slice();
      bumpInPlace(co, other, 1, perProduct);
    }
    // One new value, its keys in the stored order (the text of an unchanged field stays the same).
    book.products.set(item.productId, {
      productId: item.productId,
      title: titles.get(item.productId) ?? before.title,
      category,
      orders: before.orders + 1,
      repeatCustomers,
      co: co ?? before.co,
      gaps,
    });
    book.changed.add(productEntryName(item.productId));
    if (categoryStats && category !== null) {
      book.categories.set(category, categoryStats);
      book.changed.add(categoryEntryName(category));
    }
  }
  // The customer's earlier products learn that this order's products were bought after them.
  const boughtNow = inOrder.slice(0, historyProducts);
  for (const earlierProduct of recent) {
    if (inOrderSet.has(earlierProduct)) continue;
    const stats = book.products.get(earlierProduct);
    if (!stats) continue; // not read: the caller reads every recent product of the page's customers
    const co = stats.co.slice();
    for (const productId of boughtNow) bumpInPlace(co, productId, 1, perProduct);
    book.products.set(earlierProduct, { ...stats, co });
    book.changed.add(productEntryName(earlierProduct));
  }
}

/**
 * A learnt gap as statistics keep it: to a thousandth of a day (86 s), far finer than any interval is timed by. A
 * gap at full precision is 18 digits of text, and a popular product's and its category's rows each hold up to
 * `keepIntervals` of them, rewritten on every page that sells the product.
 */
const storedGap = (gap: number | null): number | null => (gap === null ? null : Math.round(gap * 1000) / 1000);

/** Names in `ProductBook.changed`: which map an entry belongs to (the state keys themselves are in state/keys.ts). */
export const productEntryName = (productId: string): string => `p:${productId}`;
export const categoryEntryName = (category: string): string => `c:${category}`;
