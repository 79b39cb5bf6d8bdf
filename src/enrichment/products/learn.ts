import type { OrderContribution, PurchasedItem } from '../../model/customer';
import type { ProductsConfig } from './config';
import { bumpInPlace, copyCounts, EMPTY_COUNTS, keepRecent, type WorkingCounts } from './top-counts';
import type { CategoryStats, ProductStats } from './types';

const DAY_MS = 86_400_000;

/** The working copies of the store's product and category statistics a page reads, updates and writes back. */
export interface ProductBook {
  readonly products: Map<string, ProductStats>;
  readonly categories: Map<string, CategoryStats>;
  /** Products and categories changed since the book was read: only those are written. */
  readonly changedProducts: Set<string>;
  readonly changedCategories: Set<string>;
}

/** A book with nothing in it, the one way a book starts. */
export const emptyBook = (): ProductBook => ({ products: new Map(), categories: new Map(), changedProducts: new Set(), changedCategories: new Set() });

export const emptyProduct = (productId: string): ProductStats => ({ productId, title: productId, category: null, orders: 0, repeatCustomers: 0, co: EMPTY_COUNTS, gaps: [] });
export const emptyCategory = (category: string): CategoryStats => ({ category, repeatCustomers: 0, gaps: [], best: EMPTY_COUNTS });

/**
 * The customer's most recent distinct kept products, newest first, at most `limit`: what a new purchase pairs with.
 * Walks back from the newest line and stops at `limit`: asked for every customer of every page and re-assessment,
 * so it builds no list of the whole history.
 */
export function recentProducts(orders: readonly OrderContribution[], limit: number): string[] {
  const seen: string[] = [];
  // A linear search of what was found, not a Set: `limit` is small and most customers have a handful of lines.
  for (let o = orders.length - 1; o >= 0 && seen.length < limit; o--) {
    const items = orders[o].items;
    if (items === undefined) continue;
    for (let i = items.length - 1; i >= 0 && seen.length < limit; i--) {
      const item = items[i];
      if (!item.returned && !seen.includes(item.productId)) seen.push(item.productId);
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
 * What one order teaches the store's statistics, computed from the order and the customer's history alone: its kept
 * products (with their category and title as the order names them, where they differ from the statistics'), the
 * customer's recent products it pairs with, and the per-unit gap since the customer's previous purchase of each
 * product (the gap divided by the units bought then: two bottles last twice as long). Small and plain, so a page's
 * lessons are journalled as they are and a crash replays them exactly (state/products.ts) without the history they
 * came from.
 */
export interface Lesson {
  /**
   * [productId, the line's category (null: the product's last known one), the line's title (null: keep)]; null also
   * where the statistics already say it.
   */
  readonly items: ReadonlyArray<readonly [string, string | null, string | null]>;
  /** The customer's recent kept products before this order, newest first. */
  readonly recent: readonly string[];
  /** [productId, per-unit gap in days to a thousandth, 1 when it is the customer's first re-purchase of it]. */
  readonly gaps: ReadonlyArray<readonly [string, number, 0 | 1]>;
}

/**
 * The lesson of an order the customer has not been seen with; null when it keeps no product. `history` is the
 * customer's orders before this one. Call it once per (customer, order): the caller guards replays (an order
 * already in the customer's history is never learnt again). A later refund or cancellation does not subtract what
 * was learnt (bounded counts cannot be decremented exactly); it does stop the customer's own returned products from
 * being recommended or followed.
 */
export function lessonOf(
  history: readonly OrderContribution[],
  order: OrderContribution,
  titles: ReadonlyMap<string, string>,
  config: ProductsConfig,
  known: (productId: string) => ProductStats | undefined = () => undefined,
): Lesson | null {
  const all = order.items ?? [];
  // Copied only when something was returned, and a first purchase (most orders) builds no index of its history.
  const kept = all.some((item) => item.returned) ? all.filter((item) => !item.returned) : all;
  if (kept.length === 0) return null;
  // Usually the whole history is earlier (and a first purchase has none): no copy of it then.
  const isEarlier = (o: OrderContribution): boolean => o.orderId !== order.orderId && o.placedAt <= order.placedAt;
  const earlier = history.every(isEarlier) ? history : history.filter(isEarlier);
  return {
    items: kept.map((item) => {
      const stats = known(item.productId);
      const title = titles.get(item.productId) ?? null;
      // What the statistics already say is left out (null: keep), the same when the journal is replayed over them:
      // a popular product's title and category were most of a backfill journal's bytes.
      return [item.productId, item.category === stats?.category ? null : item.category, title === stats?.title ? null : title] as const;
    }),
    recent: earlier.length === 0 ? [] : recentProducts(earlier, config.coPurchase.historyProducts),
    gaps: earlier.length === 0 ? [] : gapsOf(earlier, kept, order.placedAt, config),
  };
}

/** The per-unit gaps since the customer's previous kept purchase of each product of the order (`Lesson.gaps`). */
function gapsOf(earlier: readonly OrderContribution[], kept: readonly PurchasedItem[], placedAt: string, config: ProductsConfig): Array<readonly [string, number, 0 | 1]> {
  const inOrderSet = new Set(kept.map((item) => item.productId));
  // This order's products' last kept purchase before it, and how many there were: one pass over the history.
  const lastBought = new Map<string, { readonly placedAt: string; readonly quantity: number; readonly count: number }>();
  for (const o of earlier) {
    for (const item of o.items ?? []) {
      if (item.returned || !inOrderSet.has(item.productId)) continue;
      lastBought.set(item.productId, { placedAt: o.placedAt, quantity: item.quantity, count: (lastBought.get(item.productId)?.count ?? 0) + 1 });
    }
  }
  const gaps: Array<readonly [string, number, 0 | 1]> = [];
  for (const item of kept) {
    const last = lastBought.get(item.productId);
    const gap = last ? storedGap(perUnitGap(last, placedAt, config.replenishment)) : null;
    if (gap !== null && last) gaps.push([item.productId, gap, last.count === 1 ? 1 : 0]);
  }
  return gaps;
}

/**
 * Folds a lesson into the store's product statistics, incrementally: its products' order counts, their category's
 * best sellers, the gaps, and co-purchase counts with the other products of the order and the customer's recent
 * products. Lessons must be applied in the order they were learnt (bounded tables are order-sensitive).
 */
export function applyLesson(book: ProductBook, lesson: Lesson, config: ProductsConfig): void {
  const { perProduct, bestSellersPerCategory, historyProducts } = config.coPurchase;
  // Ids as the book's values spell them: a lesson's ids are fresh strings (an order's parse, a journal's decode),
  // and every count table that takes one in keeps it alive; the statistics' own id is one string per product.
  const canonical = (id: string): string => book.products.get(id)?.productId ?? id;
  const inOrder = lesson.items.map((item) => canonical(item[0]));
  const recent = lesson.recent.length === 0 ? lesson.recent : lesson.recent.map(canonical);
  // The products this order is paired with, in pairing order: the rest of the order first, then the recent ones.
  // `inOrder` is distinct already (an order's lines of one product are one item), and most customers have no recent.
  const partners = recent.length === 0 ? inOrder : [...new Set([...inOrder, ...recent])];
  for (let i = 0; i < inOrder.length; i++) {
    const productId = inOrder[i];
    const [, lineCategory, title] = lesson.items[i];
    const product = workingProduct(book, productId);
    const category = lineCategory ?? product.category;
    const categoryStats = category === null ? null : workingCategory(book, category);
    if (categoryStats) bumpInPlace(categoryStats.best, productId, 1, bestSellersPerCategory);
    // Paired with at most `historyProducts` others (this order's first, then the customer's recent ones): a
    // wholesale order of 500 lines would otherwise cost 250,000 count updates.
    let paired = 0;
    for (const other of partners) {
      if (other === productId) continue;
      if (paired++ >= historyProducts) break;
      bumpInPlace(product.co, other, 1, perProduct);
    }
    product.title = title ?? product.title;
    product.category = category;
    product.orders += 1;

    const learnt = lesson.gaps.length === 0 ? undefined : lesson.gaps.find((g) => g[0] === productId);
    if (learnt !== undefined) {
      const [, gap, firstRepeat] = learnt;
      const keep = config.replenishment.keepIntervals;
      // New values, not changes in place: intervals are cached per value (intervals.ts).
      book.products.set(productId, { ...product, repeatCustomers: product.repeatCustomers + firstRepeat, gaps: keepRecent(product.gaps, gap, keep) });
      if (categoryStats && category !== null) {
        book.categories.set(category, { ...categoryStats, repeatCustomers: categoryStats.repeatCustomers + firstRepeat, gaps: keepRecent(categoryStats.gaps, gap, keep) });
      }
    }
  }
  // The customer's earlier products learn that this order's products were bought after them (most customers have
  // none: a first purchase builds nothing here).
  if (recent.length === 0) return;
  const inOrderSet = new Set(inOrder);
  const boughtNow = inOrder.slice(0, historyProducts);
  for (const earlierProduct of recent) {
    if (inOrderSet.has(earlierProduct)) continue;
    if (!book.products.has(earlierProduct)) continue; // not read: the caller reads every recent product of the page's customers
    const co = workingProduct(book, earlierProduct).co;
    for (const productId of boughtNow) bumpInPlace(co, productId, 1, perProduct);
  }
}

/** `lessonOf` then `applyLesson`: the lesson is returned for the journal (null: nothing learnt). */
export function learnOrder(
  book: ProductBook,
  history: readonly OrderContribution[],
  order: OrderContribution,
  titles: ReadonlyMap<string, string>,
  config: ProductsConfig,
): Lesson | null {
  const lesson = lessonOf(history, order, titles, config, (id) => book.products.get(id));
  if (lesson !== null) applyLesson(book, lesson, config);
  return lesson;
}

type Working<T> = { -readonly [K in keyof T]: T[K] };
type WorkingProduct = Working<ProductStats> & { co: WorkingCounts };
type WorkingCategory = Working<CategoryStats> & { best: WorkingCounts };

/**
 * The book's own value of a product, which the page's orders update in place: made the first time the book changes
 * the product (its count table copied), found again by its id in `changedProducts`. A value the book did not make (read
 * from state and shared with the repository's checked copies) is never changed; the book's own values are written
 * once, after the page's learning. A page's popular products and every category were copied once per order before.
 */
function workingProduct(book: ProductBook, productId: string): WorkingProduct {
  const current = book.products.get(productId);
  if (current !== undefined && book.changedProducts.has(productId)) return current as WorkingProduct;
  const from = current ?? emptyProduct(productId);
  // Its keys in the stored order (the text of an unchanged field stays the same).
  const made: WorkingProduct = { productId, title: from.title, category: from.category, orders: from.orders, repeatCustomers: from.repeatCustomers, co: copyCounts(from.co), gaps: from.gaps };
  book.products.set(productId, made);
  book.changedProducts.add(productId);
  return made;
}

function workingCategory(book: ProductBook, category: string): WorkingCategory {
  const current = book.categories.get(category);
  if (current !== undefined && book.changedCategories.has(category)) return current as WorkingCategory;
  const from = current ?? emptyCategory(category);
  const made: WorkingCategory = { category, repeatCustomers: from.repeatCustomers, gaps: from.gaps, best: copyCounts(from.best) };
  book.categories.set(category, made);
  book.changedCategories.add(category);
  return made;
}

/**
 * A learnt gap as statistics keep it: to a thousandth of a day (86 s), far finer than any interval is timed by. A
 * gap at full precision is 18 digits of text, and a popular product's and its category's rows each hold up to
 * `keepIntervals` of them, rewritten on every page that sells the product.
 */
const storedGap = (gap: number | null): number | null => (gap === null ? null : Math.round(gap * 1000) / 1000);
