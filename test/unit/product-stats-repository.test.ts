import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyCategory, emptyProduct, learnOrder, productEntryName, categoryEntryName, type ProductBook } from '../../src/enrichment/products';
import { DEFAULT_PRODUCTS_CONFIG } from '../../src/enrichment/products/config';
import { item, placed } from './products-fixtures';
import { productStatsKey } from '../../src/state/keys';
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

/** One page: reads the book, sets each product's order count, commits (or not) what `entries` hands over. */
async function page(repository: ProductStatsRepository, store: StateStore, orders: Record<string, number>, commit = true): Promise<ProductBook> {
  const book = await repository.read(Object.keys(orders), ['Coffee']);
  for (const [id, count] of Object.entries(orders)) {
    book.products.set(id, { ...(book.products.get(id) ?? emptyProduct(id)), title: `${id} v${count}`, orders: count });
    book.changed.add(productEntryName(id));
  }
  book.categories.set('Coffee', { ...(book.categories.get('Coffee') ?? emptyCategory('Coffee')), repeatCustomers: Object.keys(orders).length });
  book.changed.add(categoryEntryName('Coffee'));
  const entries = repository.entries(book);
  if (commit) await store.commit({ entries });
  return book;
}

const ordersOf = async (repository: ProductStatsRepository, ids: string[]) => {
  const book = await repository.read(ids, []);
  return ids.map((id) => book.products.get(id)?.orders);
};

test('a page sees its own committed writes, and another process\'s writes made since', async () => {
  const [storeA, storeB] = [await open(), await open()];
  const a = new ProductStatsRepository(storeA);
  const b = new ProductStatsRepository(storeB);
  await page(a, storeA, { p1: 1, p2: 1 });
  expect(await ordersOf(a, ['p1', 'p2'])).toEqual([1, 1]);
  await page(b, storeB, { p1: 7 });
  expect(await ordersOf(a, ['p1', 'p2'])).toEqual([7, 1]);
  await page(a, storeA, { p2: 3 });
  expect(await ordersOf(b, ['p1', 'p2'])).toEqual([7, 3]);
  expect(await ordersOf(a, ['p1', 'p2'])).toEqual([7, 3]);
});

test('a write handed to a commit that never happened is not taken for state', async () => {
  const store = await open();
  const repository = new ProductStatsRepository(store);
  await page(repository, store, { p1: 1 });
  await page(repository, store, { p1: 2 }, false); // the commit failed: a crash or an error before it
  expect(await ordersOf(repository, ['p1'])).toEqual([1]);
  expect(repository.titleOf({ products: new Map(), categories: new Map(), changed: new Set() }, 'p1')).toBe('p1 v1');
});

test('a failed commit followed by another process\'s write drops every copy', async () => {
  const [storeA, storeB] = [await open(), await open()];
  const a = new ProductStatsRepository(storeA);
  await page(a, storeA, { p1: 1, p2: 1 });
  await ordersOf(a, ['p1', 'p2']);
  await page(a, storeA, { p1: 5 }, false);
  await page(new ProductStatsRepository(storeB), storeB, { p2: 9 });
  expect(await ordersOf(a, ['p1', 'p2'])).toEqual([1, 9]);
});

test('rows written before generation tokens existed are read, and the first token written keeps them valid', async () => {
  const store = await open();
  await store.setMany([[productStatsKey('old'), { ...emptyProduct('old'), orders: 4 }]]);
  const repository = new ProductStatsRepository(store);
  expect(await ordersOf(repository, ['old'])).toEqual([4]);
  await page(repository, store, { p1: 1 });
  expect(await ordersOf(repository, ['old', 'p1', 'missing'])).toEqual([4, 1, undefined]);
});

test('past its bound the copies start over, and every value read is still returned', async () => {
  const store = await open();
  const ids = Array.from({ length: 12 }, (_, i) => `p${i}`);
  await page(new ProductStatsRepository(store), store, Object.fromEntries(ids.map((id, i) => [id, i + 1])));
  const repository = new ProductStatsRepository(store, 5);
  expect(await ordersOf(repository, ids.slice(0, 4))).toEqual([1, 2, 3, 4]);
  expect(await ordersOf(repository, ids)).toEqual(ids.map((_, i) => i + 1));
  expect(await ordersOf(repository, ids.slice(2, 9))).toEqual([3, 4, 5, 6, 7, 8, 9]);
});

test('a book holds the category of every product it read: a line without one is learnt into it, not into an empty one', async () => {
  const store = await open();
  const repository = new ProductStatsRepository(store);
  const earlier = { products: new Map(), categories: new Map(), changed: new Set<string>() } satisfies ProductBook;
  learnOrder(earlier, [], placed('1', 0, [item('tea', 1, 'Tea'), item('cup', 1, 'Tea')]), new Map(), DEFAULT_PRODUCTS_CONFIG);
  await store.commit({ entries: repository.entries(earlier) });
  // The next page sells tea on a line that names no category, and asks for no category itself.
  const book = await new ProductStatsRepository(store).read(['tea'], []);
  learnOrder(book, [], placed('2', 1, [item('tea', 1, null)]), new Map(), DEFAULT_PRODUCTS_CONFIG);
  expect(book.categories.get('Tea')?.best).toEqual([['tea', 2], ['cup', 1]]);
});
