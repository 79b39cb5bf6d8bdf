import { randomUUID } from 'node:crypto';
import type { CategoryStats, ProductBook, ProductStats } from '../enrichment/products';
import { categoryEntryName, productEntryName } from '../enrichment/products';
import { categoryStatsKey, PRODUCT_STATS_GENERATION_KEY, productStatsKey } from './keys';
import type { StateStore } from './port';

type Stats = ProductStats | CategoryStats;

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
  private readonly copies = new Map<string, Stats>();
  /** The copied products' titles by product id: asked for every recommendation of every customer, with no key to build. */
  private readonly titles = new Map<string, string>();
  /** The generation the copies are of; undefined: no token written yet (rows of an older version are still valid). */
  private generation: string | undefined;
  /** The copies and token of the last write handed to a commit, applied once its token is read back. */
  private pending: { readonly token: string; readonly entries: ReadonlyArray<readonly [string, Stats]> } | null = null;

  constructor(private readonly store: StateStore, private readonly maxCopies = 50_000) {}

  /** A product's title when known: in the book, else in the checked copies (read by `complete`). */
  titleOf(book: ProductBook, productId: string): string | undefined {
    return book.products.get(productId)?.title ?? this.titles.get(productId);
  }

  async read(productIds: Iterable<string>, categories: Iterable<string>): Promise<ProductBook> {
    const ids = [...new Set(productIds)];
    const cats = [...new Set(categories)];
    const found = await this.fetch([...ids.map(productStatsKey), ...cats.map(categoryStatsKey)]);
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

  /** Reads the products neither in the book nor copied (recommended products, for their titles); nothing is marked changed. */
  async complete(book: ProductBook, productIds: Iterable<string>): Promise<void> {
    const missing = [...new Set(productIds)].filter((id) => this.titleOf(book, id) === undefined);
    if (missing.length > 0) await this.fetch(missing.map(productStatsKey));
  }

  /** The entries to commit: the products and categories the page changed, and a new generation token. */
  entries(book: ProductBook): Array<readonly [string, unknown]> {
    const entries: Array<readonly [string, Stats]> = [];
    for (const [id, stats] of book.products) if (book.changed.has(productEntryName(id))) entries.push([productStatsKey(id), stats]);
    for (const [category, stats] of book.categories) if (book.changed.has(categoryEntryName(category))) entries.push([categoryStatsKey(category), stats]);
    if (entries.length === 0) return [];
    const token = randomUUID();
    this.pending = { token, entries };
    return [...entries, [PRODUCT_STATS_GENERATION_KEY, token]];
  }

  /** The values of `keys` (undefined where none is stored): copies where checked, the rest read and copied. */
  private async fetch(keys: readonly string[]): Promise<Array<Stats | undefined>> {
    this.check(await this.store.get<string>(PRODUCT_STATS_GENERATION_KEY));
    const values = keys.map((key) => this.copies.get(key));
    const missing = keys.filter((_, i) => values[i] === undefined);
    if (missing.length === 0) return values;
    const read = await this.store.getMany<Stats>(missing);
    // Bounded: a catalogue larger than the bound starts its copies over rather than growing without end.
    if (this.copies.size + missing.length > this.maxCopies) this.forget();
    const byKey = new Map<string, Stats>();
    missing.forEach((key, i) => {
      const value = read[i];
      if (value === undefined) return;
      byKey.set(key, value);
      this.copy(key, value);
    });
    return keys.map((key, i) => values[i] ?? byKey.get(key));
  }

  private check(stored: string | undefined): void {
    const pending = this.pending;
    this.pending = null;
    if (pending !== null && stored === pending.token) {
      for (const [key, value] of pending.entries) this.copy(key, value);
    } else if (stored !== this.generation) {
      this.forget();
    }
    this.generation = stored;
  }

  private copy(key: string, value: Stats): void {
    this.copies.set(key, value);
    if ('productId' in value) this.titles.set(value.productId, value.title);
  }

  private forget(): void {
    this.copies.clear();
    this.titles.clear();
  }
}
