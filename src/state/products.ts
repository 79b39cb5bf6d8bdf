import { randomUUID } from 'node:crypto';
import type { CategoryStats, ProductBook, ProductStats } from '../enrichment/products';
import { categoryEntryName, productEntryName } from '../enrichment/products';
import { categoryStatsKey, PRODUCT_STATS_GENERATION_KEY, productStatsKey } from './keys';
import type { StateStore } from './port';

/**
 * The store's product and category statistics, read a page at a time into a `ProductBook` and written back through
 * the step's commit: only the entries the page changed.
 *
 * Decoded rows are kept between pages. Every page reads the same few thousand popular products and the same
 * categories again (a backfill read each row seven times over, 40 % of product signals' state bytes), so the copies
 * save those reads and their decoding. They are checked against state, not trusted: each commit that writes
 * statistics also writes a new generation token, and each read first reads the token. The same token as this
 * process last saw means no one has written statistics since, so the copies are what state holds; a token this
 * process wrote itself means its pending write was committed, so it joins the copies; any other token (another
 * process wrote, or our commit failed and someone else's landed) drops them all. Statistics are written only under
 * the writer lease (order-sync.ts), so no other write can fall between a page's read and its own commit.
 */
export class ProductStatsRepository {
  /** Checked copies by product id and by category: a hit builds no state key (most reads are hits). */
  private readonly products = new Map<string, ProductStats>();
  private readonly categories = new Map<string, CategoryStats>();
  /** The generation the copies are of; undefined: no token written yet (rows of an older version are still valid). */
  private generation: string | undefined;
  /** The values and token of the last write handed to a commit, copied once its token is read back. */
  private pending: { readonly token: string; readonly products: readonly ProductStats[]; readonly categories: readonly CategoryStats[] } | null = null;

  constructor(private readonly store: StateStore, private readonly maxCopies = 50_000) {}

  /** A product's title when known: in the book, else in the checked copies (read by `complete`). */
  titleOf(book: ProductBook, productId: string): string | undefined {
    return (book.products.get(productId) ?? this.products.get(productId))?.title;
  }

  async read(productIds: Iterable<string>, categories: Iterable<string>): Promise<ProductBook> {
    const book: ProductBook = { products: new Map(), categories: new Map(), changed: new Set() };
    await this.fetch(productIds, categories, book);
    // Learning counts a line that names no category in its product's last known one (learn.ts): that category is
    // read too, or the page would start it from empty and its commit would overwrite the stored one.
    const known = new Set<string>();
    for (const stats of book.products.values()) if (stats.category !== null && !book.categories.has(stats.category)) known.add(stats.category);
    if (known.size > 0) await this.fetch([], known, book, false);
    return book;
  }

  /** Reads the products neither in the book nor copied (recommended products, for their titles); nothing is marked changed. */
  async complete(book: ProductBook, productIds: Iterable<string>): Promise<void> {
    const missing = [...productIds].filter((id) => this.titleOf(book, id) === undefined);
    if (missing.length > 0) await this.fetch(missing, [], null);
  }

  /** The entries to commit: the products and categories the page changed, and a new generation token. */
  entries(book: ProductBook): Array<readonly [string, unknown]> {
    const products: ProductStats[] = [];
    const categories: CategoryStats[] = [];
    for (const [id, stats] of book.products) if (book.changed.has(productEntryName(id))) products.push(stats);
    for (const [category, stats] of book.categories) if (book.changed.has(categoryEntryName(category))) categories.push(stats);
    if (products.length === 0 && categories.length === 0) return [];
    const token = randomUUID();
    this.pending = { token, products, categories };
    return [
      ...products.map((stats) => [productStatsKey(stats.productId), stats] as const),
      ...categories.map((stats) => [categoryStatsKey(stats.category), stats] as const),
      [PRODUCT_STATS_GENERATION_KEY, token],
    ];
  }

  /** Puts the values of these products and categories in `book` (when given): copies where checked, the rest read and copied. */
  private async fetch(productIds: Iterable<string>, categories: Iterable<string>, book: ProductBook | null, check = true): Promise<void> {
    // `check` false: the same read checked the token a moment ago (the writer lease keeps statistics writes out).
    if (check) this.check(await this.store.get<string>(PRODUCT_STATS_GENERATION_KEY));
    const missingProducts: string[] = [];
    const missingCategories: string[] = [];
    for (const id of productIds) {
      const copy = this.products.get(id);
      if (copy === undefined) missingProducts.push(id);
      else book?.products.set(id, copy);
    }
    for (const category of categories) {
      const copy = this.categories.get(category);
      if (copy === undefined) missingCategories.push(category);
      else book?.categories.set(category, copy);
    }
    if (missingProducts.length === 0 && missingCategories.length === 0) return;
    const read = await this.store.getMany<ProductStats | CategoryStats>([...missingProducts.map(productStatsKey), ...missingCategories.map(categoryStatsKey)]);
    // Bounded: a catalogue larger than the bound starts its copies over rather than growing without end.
    if (this.products.size + this.categories.size + read.length > this.maxCopies) this.forget();
    missingProducts.forEach((id, i) => {
      const value = read[i] as ProductStats | undefined;
      if (value === undefined) return;
      this.products.set(id, value);
      book?.products.set(id, value);
    });
    missingCategories.forEach((category, i) => {
      const value = read[missingProducts.length + i] as CategoryStats | undefined;
      if (value === undefined) return;
      this.categories.set(category, value);
      book?.categories.set(category, value);
    });
  }

  private check(stored: string | undefined): void {
    const pending = this.pending;
    this.pending = null;
    if (pending !== null && stored === pending.token) {
      for (const stats of pending.products) this.products.set(stats.productId, stats);
      for (const stats of pending.categories) this.categories.set(stats.category, stats);
    } else if (stored !== this.generation) {
      this.forget();
    }
    this.generation = stored;
  }

  private forget(): void {
    this.products.clear();
    this.categories.clear();
  }
}
