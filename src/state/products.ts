import type { CategoryStats, ProductBook, ProductStats } from '../enrichment/products';
import { categoryEntryName, productEntryName } from '../enrichment/products';
import { categoryStatsKey, productStatsKey } from './keys';
import type { StateStore } from './port';

/**
 * The store's product and category statistics, read a page at a time into a `ProductBook` (one `getMany`) and
 * written back through the step's commit: only the entries the page changed.
 */
export class ProductStatsRepository {
  /**
   * Titles of products read or written by this process, so the titles of recommended products (a handful of popular
   * products, asked for by every customer) are not read and decoded again for every page. Bounded; a title renamed by
   * another process shows its old text here until the cache is cleared (titles are display text, not state).
   */
  private readonly titles = new Map<string, string>();

  constructor(private readonly store: StateStore, private readonly maxTitles = 50_000) {}

  /** A product's title when known: in the book, else cached. */
  titleOf(book: ProductBook, productId: string): string | undefined {
    return book.products.get(productId)?.title ?? this.titles.get(productId);
  }

  private remember(stats: ProductStats): void {
    if (this.titles.size >= this.maxTitles && !this.titles.has(stats.productId)) this.titles.clear();
    this.titles.set(stats.productId, stats.title);
  }

  async read(productIds: Iterable<string>, categories: Iterable<string>): Promise<ProductBook> {
    const ids = [...new Set(productIds)];
    const cats = [...new Set(categories)];
    const found = await this.store.getMany<ProductStats | CategoryStats>([...ids.map(productStatsKey), ...cats.map(categoryStatsKey)]);
    const book: ProductBook = { products: new Map(), categories: new Map(), changed: new Set() };
    ids.forEach((id, i) => {
      const value = found[i] as ProductStats | undefined;
      if (value !== undefined) {
        book.products.set(id, value);
        this.remember(value);
      }
    });
    cats.forEach((category, i) => {
      const value = found[ids.length + i] as CategoryStats | undefined;
      if (value !== undefined) book.categories.set(category, value);
    });
    return book;
  }

  /** Reads the titles of products neither in the book nor cached (recommended products); nothing is marked changed. */
  async complete(book: ProductBook, productIds: Iterable<string>): Promise<void> {
    const missing = [...new Set(productIds)].filter((id) => this.titleOf(book, id) === undefined);
    if (missing.length === 0) return;
    const found = await this.store.getMany<ProductStats>(missing.map(productStatsKey));
    for (const value of found) if (value !== undefined) this.remember(value);
  }

  /** The entries to commit: the products and categories the page changed. */
  entries(book: ProductBook): Array<readonly [string, unknown]> {
    const entries: Array<readonly [string, unknown]> = [];
    for (const [id, stats] of book.products) {
      if (!book.changed.has(productEntryName(id))) continue;
      entries.push([productStatsKey(id), stats]);
      this.remember(stats);
    }
    for (const [category, stats] of book.categories) if (book.changed.has(categoryEntryName(category))) entries.push([categoryStatsKey(category), stats]);
    return entries;
  }
}
