import type { CategoryStats, ProductBook, ProductStats } from '../enrichment/products';
import { categoryEntryName, productEntryName } from '../enrichment/products';
import { categoryStatsKey, productStatsKey } from './keys';
import type { StateStore } from './port';

/**
 * The store's product and category statistics, read a page at a time into a `ProductBook` (one `getMany`) and
 * written back through the step's commit: only the entries the page changed.
 */
export class ProductStatsRepository {
  constructor(private readonly store: StateStore) {}

  async read(productIds: Iterable<string>, categories: Iterable<string>): Promise<ProductBook> {
    const ids = [...new Set(productIds)];
    const cats = [...new Set(categories)];
    const found = await this.store.getMany<ProductStats | CategoryStats>([...ids.map(productStatsKey), ...cats.map(categoryStatsKey)]);
    const book: ProductBook = { products: new Map(), categories: new Map(), changed: new Set() };
    ids.forEach((id, i) => {
      const value = found[i] as ProductStats | undefined;
      if (value !== undefined) book.products.set(id, value);
    });
    cats.forEach((category, i) => {
      const value = found[ids.length + i] as CategoryStats | undefined;
      if (value !== undefined) book.categories.set(category, value);
    });
    return book;
  }

  /** Adds products not yet in the book (recommended products' titles); they are not marked changed. */
  async complete(book: ProductBook, productIds: Iterable<string>): Promise<void> {
    const missing = [...new Set(productIds)].filter((id) => !book.products.has(id));
    if (missing.length === 0) return;
    const found = await this.store.getMany<ProductStats>(missing.map(productStatsKey));
    missing.forEach((id, i) => {
      const value = found[i];
      if (value !== undefined) book.products.set(id, value);
    });
  }

  /** The entries to commit: the products and categories the page changed. */
  entries(book: ProductBook): Array<readonly [string, unknown]> {
    const entries: Array<readonly [string, unknown]> = [];
    for (const [id, stats] of book.products) if (book.changed.has(productEntryName(id))) entries.push([productStatsKey(id), stats]);
    for (const [category, stats] of book.categories) if (book.changed.has(categoryEntryName(category))) entries.push([categoryStatsKey(category), stats]);
    return entries;
  }
}
