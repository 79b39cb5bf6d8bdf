import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyProduct, learnOrder, type ProductBook, type ProductStats } from '../../src/enrichment/products';
import { applyLesson, emptyBook, type Lesson } from '../../src/enrichment/products/learn';
import { DEFAULT_PRODUCTS_CONFIG } from '../../src/enrichment/products/config';
import { item, pairsOf, placed } from './products-fixtures';
import { categoryStatsKey, LOGS, productStatsKey } from '../../src/state/keys';
import { DurableLog } from '../../src/state/durable-log';
import type { OrderContribution } from '../../src/model/customer';
import { ProductStatsRepository } from '../../src/state/products';
import { openStateStore, type StateStore } from '../../src/state/store';

/**
 * The repository keeps decoded statistics between pages; these hold it to what state says whatever another
 * process, a failed commit or its bound does. Two repositories on one SQLite file stand for two processes.
 */
let stores: StateStore[] = [];
let file: string;
beforeEach(() => {
  file = `sqlite://${join(mkdtempSync(join(tmpdir(), 'product-stats-')), 'state.sqlite')}`;
});
afterEach(async () => {
  await Promise.all(stores.map((s) => s.close()));
  stores = [];
});
const open = async (): Promise<StateStore> => {
  const store = await openStateStore(file);
  stores.push(store);
  return store;
};

const CONFIG = DEFAULT_PRODUCTS_CONFIG;
const learner = (store: StateStore, foldEvery?: number, maxCopies?: number): ProductStatsRepository =>
  new ProductStatsRepository(store, { learning: (book, lesson) => applyLesson(book, lesson, CONFIG), foldEvery, maxCopies });

/**
 * One page as order-sync runs it: reads the book, learns one single-product order per entry, `count` times (a
 * product's order count reads back as the number of orders learnt), stages and commits (or not) the writes.
 */
async function page(repository: ProductStatsRepository, store: StateStore, orders: Record<string, number>, commit = true): Promise<ProductBook> {
  const book = await repository.read(Object.keys(orders), ['tea']);
  const lessons: Lesson[] = [];
  for (const [id, count] of Object.entries(orders)) {
    for (let n = 0; n < count; n++) {
      const lesson = learnOrder(book, [], placed(`${id}-${n}`, n, [item(id)]), new Map([[id, `${id} v${count}`]]), CONFIG);
      if (lesson) lessons.push(lesson);
    }
  }
  const unit = await repository.stage(book, lessons);
  if (commit) await store.commit(unit);
  return book;
}

const ordersOf = async (repository: ProductStatsRepository, ids: string[]) => {
  const book = await repository.read(ids, []);
  return ids.map((id) => book.products.get(id)?.orders);
};

/** The statistics rows as stored (what a reader sees), by product. */
const rowsOf = async (store: StateStore, ids: string[]) => (await store.getMany<ProductStats>(ids.map(productStatsKey))).map((row) => row?.orders);

test('a page sees its own committed writes, and another process\'s writes made since', async () => {
  const [storeA, storeB] = [await open(), await open()];
  const a = learner(storeA);
  const b = learner(storeB);
  await page(a, storeA, { p1: 1, p2: 1 });
  expect(await ordersOf(a, ['p1', 'p2'])).toEqual([1, 1]);
  await page(b, storeB, { p1: 7 });
  expect(await ordersOf(a, ['p1', 'p2'])).toEqual([8, 1]);
  await page(a, storeA, { p2: 3 });
  expect(await ordersOf(b, ['p1', 'p2'])).toEqual([8, 4]);
  expect(await ordersOf(a, ['p1', 'p2'])).toEqual([8, 4]);
});

test('a write handed to a commit that never happened is not taken for state', async () => {
  const store = await open();
  const repository = learner(store);
  await page(repository, store, { p1: 1 });
  await page(repository, store, { p1: 2 }, false); // the commit failed: a crash or an error before it
  expect(await ordersOf(repository, ['p1'])).toEqual([1]);
  expect(repository.statsOf(emptyBook(), 'p1')?.title).toBe('p1 v1');
  await page(repository, store, { p1: 2 });
  expect(await ordersOf(learner(store), ['p1'])).toEqual([3]);
});

test('a failed commit followed by another process\'s write drops every copy', async () => {
  const [storeA, storeB] = [await open(), await open()];
  const a = learner(storeA);
  await page(a, storeA, { p1: 1, p2: 1 });
  await ordersOf(a, ['p1', 'p2']);
  await page(a, storeA, { p1: 5 }, false);
  await page(learner(storeB), storeB, { p2: 9 });
  expect(await ordersOf(a, ['p1', 'p2'])).toEqual([1, 10]);
});

test('rows written before generation tokens existed are read, and the first token written keeps them valid', async () => {
  const store = await open();
  await store.setMany([[productStatsKey('old'), { ...emptyProduct('old'), orders: 4 }]]);
  const repository = learner(store);
  expect(await ordersOf(repository, ['old'])).toEqual([4]);
  await page(repository, store, { p1: 1 });
  expect(await ordersOf(repository, ['old', 'p1', 'missing'])).toEqual([4, 1, undefined]);
});

test('past its bound the copies start over, and every value read is still returned', async () => {
  const store = await open();
  const ids = Array.from({ length: 12 }, (_, i) => `p${i}`);
  const first = learner(store, 1);
  await page(first, store, Object.fromEntries(ids.map((id, i) => [id, i + 1])));
  const repository = learner(store, 10_000, 5);
  expect(await ordersOf(repository, ids.slice(0, 4))).toEqual([1, 2, 3, 4]);
  expect(await ordersOf(repository, ids)).toEqual(ids.map((_, i) => i + 1));
  expect(await ordersOf(repository, ids.slice(2, 9))).toEqual([3, 4, 5, 6, 7, 8, 9]);
});

test('a book holds the category of every product it read: a line without one is learnt into it, not into an empty one', async () => {
  const store = await open();
  const earlier = emptyBook();
  learnOrder(earlier, [], placed('1', 0, [item('tea', 1, 'Tea'), item('cup', 1, 'Tea')]), new Map(), DEFAULT_PRODUCTS_CONFIG);
  await store.commit({ entries: [[productStatsKey('tea'), earlier.products.get('tea')], [productStatsKey('cup'), earlier.products.get('cup')], [categoryStatsKey('Tea'), earlier.categories.get('Tea')]] });
  // The next page sells tea on a line that names no category, and asks for no category itself.
  const book = await learner(store).read(['tea'], []);
  learnOrder(book, [], placed('2', 1, [item('tea', 1, null)]), new Map(), DEFAULT_PRODUCTS_CONFIG);
  expect(pairsOf(book.categories.get('Tea')?.best)).toEqual([['tea', 2], ['cup', 1]]);
});

test('a page journals its lessons; once `foldEvery` are journalled one commit writes the rows and drops the journal', async () => {
  const store = await open();
  const repository = learner(store, 3);
  const journal = new DurableLog<Lesson>(store, LOGS.productLessons);
  await page(repository, store, { p1: 1 });
  await page(repository, store, { p2: 1 });
  expect(await rowsOf(store, ['p1', 'p2'])).toEqual([undefined, undefined]);
  expect(await journal.depth()).toEqual({ batches: 2 });
  expect(await ordersOf(repository, ['p1', 'p2'])).toEqual([1, 1]); // the copies are ahead of the rows
  await page(repository, store, { p1: 1 });
  expect(await rowsOf(store, ['p1', 'p2'])).toEqual([2, 1]);
  expect(await journal.depth()).toEqual({ batches: 0 });
  expect(await ordersOf(learner(store), ['p1', 'p2'])).toEqual([2, 1]);
});

test('a reader sees the rows as last folded; `fold` writes every dirty row', async () => {
  const store = await open();
  const repository = learner(store);
  await page(repository, store, { p1: 2, p2: 1 });
  expect(await ordersOf(new ProductStatsRepository(store), ['p1', 'p2'])).toEqual([undefined, undefined]);
  await store.commit((await repository.fold()) ?? {});
  expect(await ordersOf(new ProductStatsRepository(store), ['p1', 'p2'])).toEqual([2, 1]);
  expect(await repository.fold()).toBeNull(); // nothing to fold
  expect(await new DurableLog<Lesson>(store, LOGS.productLessons).depth()).toEqual({ batches: 0 });
});

/** Customers buying tea, cups and pots over pages: co-purchases with their history, re-purchase gaps, a category. */
function purchasesFor(pageNo: number): Array<{ history: OrderContribution[]; order: OrderContribution; key: string }> {
  return [0, 1, 2].map((c) => {
    const key = `c${(pageNo + c) % 4}`;
    const products = [['tea'], ['tea', 'cup'], ['pot', 'cup'], ['tea', 'pot']][(pageNo * 3 + c) % 4];
    return { key, history: [], order: placed(`o${pageNo}-${c}`, pageNo * 20 + c, products.map((id) => item(id, 1 + (c % 2), id === 'cup' ? null : 'Tea'))) };
  });
}

/** Learns `pages` pages with a repository made by `repositoryFor(page)`; customers' histories kept as order-sync keeps them. */
async function learnPages(store: StateStore, pages: number, repositoryFor: (pageNo: number) => ProductStatsRepository): Promise<void> {
  const histories = new Map<string, OrderContribution[]>();
  for (let p = 0; p < pages; p++) {
    const repository = repositoryFor(p);
    const book = await repository.read(['tea', 'cup', 'pot'], ['Tea']);
    const lessons: Lesson[] = [];
    for (const { key, order } of purchasesFor(p)) {
      const history = histories.get(key) ?? [];
      // Titles that change every third page: most lessons leave out a title the statistics already hold.
      const titles = new Map((order.items ?? []).map((i) => [i.productId, `${i.productId} v${Math.floor(p / 3)}`] as const));
      const lesson = learnOrder(book, history, order, titles, CONFIG);
      if (lesson) lessons.push(lesson);
      histories.set(key, [...history, order]);
    }
    await store.commit(await repository.stage(book, lessons));
  }
}

test('rows plus journal are the statistics, however often the writer restarts between pages', async () => {
  const reference = await open();
  await learnPages(reference, 11, (() => {
    const one = learner(reference, 1); // folds every page: the rows are the whole truth
    return () => one;
  })());
  const expected = await learner(reference).read(['tea', 'cup', 'pot'], ['Tea']);
  expect(expected.products.get('tea')?.gaps.length).toBeGreaterThan(0);
  expect(expected.products.get('cup')?.co.keys.length).toBeGreaterThan(0);
  expect(expected.products.get('tea')?.title).toBe('tea v3');

  file = `sqlite://${join(mkdtempSync(join(tmpdir(), 'product-stats-')), 'state.sqlite')}`;
  const restarted = await open();
  // A new process (a new repository) for every page: each replays the journal left by the one before.
  await learnPages(restarted, 11, () => learner(restarted, 7));
  const replayed = await learner(restarted, 7).read(['tea', 'cup', 'pot'], ['Tea']);
  expect(await new DurableLog<Lesson>(restarted, LOGS.productLessons).depth()).toEqual({ batches: 2 }); // pages 9 and 10
  expect(Object.fromEntries(replayed.products)).toEqual(Object.fromEntries(expected.products));
  expect(Object.fromEntries(replayed.categories)).toEqual(Object.fromEntries(expected.categories));
  // And once folded, the rows alone say the same.
  await restarted.commit((await learner(restarted, 7).fold()) ?? {});
  const rows = await new ProductStatsRepository(restarted).read(['tea', 'cup', 'pot'], ['Tea']);
  expect(Object.fromEntries(rows.products)).toEqual(Object.fromEntries(expected.products));
  expect(Object.fromEntries(rows.categories)).toEqual(Object.fromEntries(expected.categories));
});

test('rows written while count tables were [key, count] pairs read as tables, and are written back in the new shape', async () => {
  const store = await open();
  // As an earlier version stored them.
  await store.commit({ entries: [
    [productStatsKey('tea'), { ...emptyProduct('tea'), category: 'Tea', orders: 3, co: [['cup', 2], ['pot', 1]] }],
    [categoryStatsKey('Tea'), { category: 'Tea', repeatCustomers: 0, gaps: [], best: [['tea', 3], ['cup', 1]] }],
  ] });
  const repository = learner(store);
  const book = await repository.read(['tea'], ['Tea']);
  expect(pairsOf(book.products.get('tea')?.co)).toEqual([['cup', 2], ['pot', 1]]);
  expect(pairsOf(book.categories.get('Tea')?.best)).toEqual([['tea', 3], ['cup', 1]]);
  learnOrder(book, [], placed('9', 0, [item('tea', 1, 'Tea'), item('pot', 1, 'Tea')]), new Map(), CONFIG);
  expect(pairsOf(book.products.get('tea')?.co)).toEqual([['cup', 2], ['pot', 2]]);
  await store.commit(await repository.stage(book, []));
  await store.commit((await repository.fold()) ?? {});
  const [row] = await store.getMany<ProductStats>([productStatsKey('tea')]);
  expect(row?.co).toEqual({ keys: ['cup', 'pot'], counts: [2, 2] });
});
