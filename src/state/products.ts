import { randomUUID } from 'node:crypto';
import type { CategoryStats, ProductBook, ProductStats } from '../enrichment/products';
import { emptyBook, type Lesson } from '../enrichment/products/learn';
import { countsFromRow } from '../enrichment/products/top-counts';
import { DurableLog } from './durable-log';
import { categoryStatsKey, LOGS, PRODUCT_STATS_GENERATION_KEY, productStatsKey } from './keys';
import type { CommitUnit, StateStore } from './port';

export interface ProductStatsOptions {
  /**
   * Set for the one writer (the order pages, under the writer lease): how a lesson is applied to a book
   * (`applyLesson` with the products config, given by the pipeline). Its pages journal their lessons and its reads
   * replay the journal. Unset: a reader (the tracking page) of the statistics rows as last folded.
   */
  readonly learning?: (book: ProductBook, lesson: Lesson) => void;
  /** Lessons journalled before a page's commit also folds them into the rows (100 backfill pages of 500 orders). */
  readonly foldEvery?: number;
  /** Clean copies kept at most; a larger catalogue starts its clean copies over rather than growing without end. */
  readonly maxCopies?: number;
}

/**
 * The store's product and category statistics, read a page at a time into a `ProductBook`.
 *
 * Writes are journalled. A page's commit appends the page's lessons (what each order taught, `learn.ts`) to a log,
 * not the few hundred statistics rows they change: a backfill rewrote each popular product's row on every page,
 * 111,230 product rows for 100,000 orders. The changed values stay here as "dirty" copies, and every `foldEvery`
 * lessons (and at the end of every order poll, `fold`) one commit writes the dirty rows and drops the journal. A
 * process that starts, or finds that another process wrote, reads the rows and replays the journal over them in
 * order: rows plus journal are always the statistics, whatever was killed when.
 *
 * Decoded rows are kept between pages and checked against state, not trusted: each commit that journals or folds
 * writes a new generation token, and each read first reads the token. The token this process last saw means no
 * one has written since, so the copies are current; the token of this process's own pending write means that write
 * was committed, so it joins the copies; any other token (another process wrote, or our commit failed and someone
 * else's landed) drops them all. Statistics are written only under the writer lease (order-sync.ts), so no other
 * write can fall between a page's read and its own commit.
 */
export class ProductStatsRepository {
  /** Checked copies by product id and by category: a hit builds no state key (most reads are hits). */
  private readonly products = new Map<string, ProductStats>();
  private readonly categories = new Map<string, CategoryStats>();
  /** Copies ahead of their rows (their lessons are only in the journal), by product id and by category. */
  private readonly dirtyProducts = new Set<string>();
  private readonly dirtyCategories = new Set<string>();
  /** Lessons in the journal, as far as the copies know; null: the journal is not replayed into the copies yet. */
  private journalled: number | null = null;
  /** The generation the copies are of; undefined: no token written yet (rows of an older version are still valid). */
  private generation: string | undefined;
  /** The last write handed to a commit, joined to the copies once its token is read back. */
  private pending: { readonly token: string; readonly book: ProductBook | null; readonly lessons: number; readonly folded: boolean } | null = null;
  private readonly journal: DurableLog<Lesson>;
  private readonly foldEvery: number;
  private readonly maxCopies: number;

  constructor(private readonly store: StateStore, private readonly options: ProductStatsOptions = {}) {
    this.journal = new DurableLog<Lesson>(store, LOGS.productLessons);
    this.foldEvery = options.foldEvery ?? 50_000;
    this.maxCopies = options.maxCopies ?? 50_000;
  }

  /** A product's statistics when known: in the book, else in the checked copies (read by `complete`). */
  statsOf(book: ProductBook, productId: string): ProductStats | undefined {
    return book.products.get(productId) ?? this.products.get(productId);
  }

  async read(productIds: Iterable<string>, categories: Iterable<string>): Promise<ProductBook> {
    const book = emptyBook();
    await this.fetch(productIds, categories, book);
    await this.readKnownCategories(book);
    return book;
  }

  /** Reads the products neither in the book nor copied (recommended products, for their titles); nothing is marked changed. */
  async complete(book: ProductBook, productIds: Iterable<string>): Promise<void> {
    const missing = [...productIds].filter((id) => this.statsOf(book, id) === undefined);
    if (missing.length > 0) await this.fetch(missing, [], null);
  }

  /**
   * The writes of a page that learnt `lessons` into `book` (read by `read` in the same writer section): the lessons
   * appended to the journal, or, once the journal has `foldEvery`, every dirty row and the book's written instead
   * and the journal dropped. Either way with a new generation token.
   */
  async stage(book: ProductBook, lessons: readonly Lesson[]): Promise<CommitUnit> {
    if (this.options.learning === undefined) throw new Error('product statistics: a reader cannot write');
    if (book.changedProducts.size === 0 && book.changedCategories.size === 0) return {}; // nothing learnt (a book changes only by its lessons)
    if ((this.journalled ?? 0) + lessons.length >= this.foldEvery) return this.foldUnit(book, lessons.length);
    const token = randomUUID();
    this.pending = { token, book, lessons: lessons.length, folded: false };
    return { appends: [this.journal.appendsFor(lessons)], entries: [[PRODUCT_STATS_GENERATION_KEY, token]] };
  }

  /** The writes that fold every dirty copy into its row and drop the journal; null when there is nothing to fold. */
  async fold(): Promise<CommitUnit | null> {
    if (this.options.learning === undefined) return null;
    await this.fetch([], [], null); // checks the token: a pending page joins the copies, or the copies are dropped
    if (this.dirtyProducts.size === 0 && this.dirtyCategories.size === 0 && (this.journalled ?? 0) === 0) return null;
    return this.foldUnit(null, 0);
  }

  private async foldUnit(book: ProductBook | null, lessons: number): Promise<CommitUnit> {
    const released = await this.journal.releaseAllFor();
    const products = new Map<string, ProductStats>();
    const categories = new Map<string, CategoryStats>();
    // Dirty copies are never dropped (`forgetClean`), so each has its value here.
    for (const id of this.dirtyProducts) products.set(id, this.products.get(id) as ProductStats);
    for (const category of this.dirtyCategories) categories.set(category, this.categories.get(category) as CategoryStats);
    if (book !== null) {
      for (const id of book.changedProducts) products.set(id, book.products.get(id) as ProductStats);
      for (const category of book.changedCategories) categories.set(category, book.categories.get(category) as CategoryStats);
    }
    const token = randomUUID();
    this.pending = { token, book, lessons, folded: true };
    return {
      deletes: released.deletes,
      entries: [
        ...released.entries,
        ...[...products.values()].map((stats) => [productStatsKey(stats.productId), stats] as const),
        ...[...categories.values()].map((stats) => [categoryStatsKey(stats.category), stats] as const),
        [PRODUCT_STATS_GENERATION_KEY, token],
      ],
    };
  }

  /** Puts the values of these products and categories in `book` (when given): copies where checked, the rest read and copied. */
  private async fetch(productIds: Iterable<string>, categories: Iterable<string>, book: ProductBook | null, check = true): Promise<void> {
    // `check` false: the same read checked the token a moment ago (the writer lease keeps statistics writes out).
    if (check) {
      this.check(await this.store.get<string>(PRODUCT_STATS_GENERATION_KEY));
      if (this.journalled === null && this.options.learning !== undefined) await this.replay(this.options.learning);
    }
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
    if (this.products.size + this.categories.size + read.length > this.maxCopies) this.forgetClean();
    missingProducts.forEach((id, i) => {
      const row = read[i] as ProductStats | undefined;
      if (row === undefined) return;
      const value = productFromRow(row);
      this.products.set(id, value);
      book?.products.set(id, value);
    });
    missingCategories.forEach((category, i) => {
      const row = read[missingProducts.length + i] as CategoryStats | undefined;
      if (row === undefined) return;
      const value = categoryFromRow(row);
      this.categories.set(category, value);
      book?.categories.set(category, value);
    });
  }

  /**
   * Learning counts a line that names no category in its product's last known one (learn.ts): that category is
   * read too, or the page would start it from empty and its commit would overwrite the stored one.
   */
  private async readKnownCategories(book: ProductBook): Promise<void> {
    const known = new Set<string>();
    for (const stats of book.products.values()) if (stats.category !== null && !book.categories.has(stats.category)) known.add(stats.category);
    if (known.size > 0) await this.fetch([], known, book, false);
  }

  /** Folds the journal's lessons, in order, over the rows they change: the copies become what rows plus journal say. */
  private async replay(apply: (book: ProductBook, lesson: Lesson) => void): Promise<void> {
    const lessons = (await this.journal.peek(Number.POSITIVE_INFINITY)).flatMap((batch) => batch.items);
    if (lessons.length > 0) {
      const products = new Set<string>();
      const categories = new Set<string>();
      for (const lesson of lessons) {
        for (const [id, category] of lesson.items) {
          products.add(id);
          if (category !== null) categories.add(category);
        }
        for (const id of lesson.recent) products.add(id);
      }
      const book = emptyBook();
      await this.fetch(products, categories, book, false);
      await this.readKnownCategories(book);
      for (const lesson of lessons) apply(book, lesson);
      this.join(book, false);
    }
    this.journalled = lessons.length;
  }

  private check(stored: string | undefined): void {
    const pending = this.pending;
    this.pending = null;
    if (pending !== null && stored === pending.token) {
      if (pending.book !== null) this.join(pending.book, pending.folded);
      if (pending.folded) {
        this.dirtyProducts.clear();
        this.dirtyCategories.clear();
        this.journalled = 0;
      } else if (this.journalled !== null) {
        this.journalled += pending.lessons;
      }
    } else if (stored !== this.generation) {
      this.forget();
    }
    this.generation = stored;
  }

  /** The book's changed values become the copies; dirty unless their rows were written in the same commit. */
  private join(book: ProductBook, written: boolean): void {
    for (const id of book.changedProducts) {
      this.products.set(id, book.products.get(id) as ProductStats);
      if (!written) this.dirtyProducts.add(id);
    }
    for (const category of book.changedCategories) {
      this.categories.set(category, book.categories.get(category) as CategoryStats);
      if (!written) this.dirtyCategories.add(category);
    }
  }

  private forget(): void {
    this.products.clear();
    this.categories.clear();
    this.dirtyProducts.clear();
    this.dirtyCategories.clear();
    this.journalled = null;
  }

  /** Drops the copies that match their rows; dirty ones are the only place their lessons are folded. */
  private forgetClean(): void {
    for (const id of this.products.keys()) if (!this.dirtyProducts.has(id)) this.products.delete(id);
    for (const category of this.categories.keys()) if (!this.dirtyCategories.has(category)) this.categories.delete(category);
  }
}

/** A row in this version's shape: rows written while count tables were [key, count] pairs are converted as read. */
function productFromRow(row: ProductStats): ProductStats {
  const co = countsFromRow(row.co);
  return co === row.co ? row : { ...row, co };
}

function categoryFromRow(row: CategoryStats): CategoryStats {
  const best = countsFromRow(row.best);
  return best === row.best ? row : { ...row, best };
}
