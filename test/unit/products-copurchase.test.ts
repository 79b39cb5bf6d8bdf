import fc from 'fast-check';
import { DEFAULT_PRODUCTS_CONFIG, type ProductsConfig } from '../../src/enrichment/products/config';
import { emptyBook, emptyProduct, learnOrder, type ProductBook } from '../../src/enrichment/products/learn';
import { recommendationIds, topScored } from '../../src/enrichment/products/recommend';
import { bump } from '../../src/enrichment/products/top-counts';
import type { StatsLookup } from '../../src/enrichment/products/replenishment';
import { counts, item, pairsOf, placed } from './products-fixtures';

const lookup = (book: ProductBook): StatsLookup => ({ product: (id) => book.products.get(id), category: (c) => book.categories.get(c) });
const titles = new Map<string, string>();

describe('bounded co-purchase counts (space-saving)', () => {
  it('never holds more than its capacity, and a new key inherits the smallest count', () => {
    let table = bump(counts([]), 'a', 5, 2);
    table = bump(table, 'b', 1, 2);
    table = bump(table, 'c', 1, 2);
    expect(pairsOf(table)).toEqual([['a', 5], ['c', 2]]);
  });

  it('keeps a frequent key however many rare ones pass through', () => {
    let table = bump(counts([]), 'hot', 1, 3);
    for (let i = 0; i < 200; i++) table = bump(bump(table, `rare-${i}`, 1, 3), 'hot', 1, 3);
    expect(table.keys.length).toBe(3);
    expect(table.counts.length).toBe(3);
    expect(table.keys[0]).toBe('hot');
  });

  it('a lesson leaves out the title and category the statistics already hold, and keeps what changed', () => {
    const book = emptyBook();
    const first = learnOrder(book, [], placed('1', 0, [item('tea', 1, 'Tea'), item('cup', 1, null)]), new Map([['tea', 'Green tea'], ['cup', 'Cup']]), DEFAULT_PRODUCTS_CONFIG);
    expect(first?.items).toEqual([['tea', 'Tea', 'Green tea'], ['cup', null, 'Cup']]); // new products: all of it
    const again = learnOrder(book, [], placed('2', 1, [item('tea', 1, 'Tea'), item('cup', 1, 'Ware')]), new Map([['tea', 'Green tea'], ['cup', 'Mug']]), DEFAULT_PRODUCTS_CONFIG);
    expect(again?.items).toEqual([['tea', null, null], ['cup', 'Ware', 'Mug']]);
    expect(book.products.get('cup')).toMatchObject({ title: 'Mug', category: 'Ware' });
    expect(book.products.get('tea')).toMatchObject({ title: 'Green tea', category: 'Tea', orders: 2 });
  });

  it('learning never changes a value it did not make: what a book read (shared with the repository\'s copies) stays valid', () => {
    const made = emptyBook();
    const first = placed('1', 0, [item('tea'), item('cup')]);
    learnOrder(made, [], first, titles, DEFAULT_PRODUCTS_CONFIG);
    // The next page's book reads those values: nothing in it is the book's own yet.
    const book: ProductBook = { ...emptyBook(), products: new Map(made.products), categories: new Map(made.categories) };
    const teaRead = book.products.get('tea');
    const categoryRead = book.categories.get('tea');
    const textRead = JSON.stringify([teaRead, categoryRead]);
    learnOrder(book, [first], placed('2', 10, [item('kettle')]), titles, DEFAULT_PRODUCTS_CONFIG);
    learnOrder(book, [], placed('3', 11, [item('tea')]), titles, DEFAULT_PRODUCTS_CONFIG);
    expect(JSON.stringify([teaRead, categoryRead])).toBe(textRead);
    expect(book.products.get('tea')).not.toBe(teaRead);
    expect(pairsOf(book.products.get('tea')?.co)).toEqual([['cup', 1], ['kettle', 1]]);
    expect(book.products.get('tea')?.orders).toBe(2);
  });

  it('a value the book made is updated in place by the page\'s later orders, and replaced when its gaps change', () => {
    const book = emptyBook();
    const first = placed('1', 0, [item('tea'), item('cup')]);
    learnOrder(book, [], first, titles, DEFAULT_PRODUCTS_CONFIG);
    const tea = book.products.get('tea');
    learnOrder(book, [], placed('2', 1, [item('tea'), item('kettle')]), titles, DEFAULT_PRODUCTS_CONFIG);
    expect(book.products.get('tea')).toBe(tea);
    expect(tea?.orders).toBe(2);
    // A re-purchase 30 days on adds a gap: intervals are cached per value, so the value is a new one.
    learnOrder(book, [first], placed('3', 30, [item('tea')]), titles, DEFAULT_PRODUCTS_CONFIG);
    expect(book.products.get('tea')).not.toBe(tea);
    expect(tea?.gaps).toEqual([]);
    expect(book.products.get('tea')?.gaps).toEqual([30]);
    expect(book.products.get('tea')?.orders).toBe(3);
  });
});

describe('learnOrder and recommendationIds', () => {
  const config = DEFAULT_PRODUCTS_CONFIG;

  it('ranks a co-purchase table stored out of order instead of reading it as a ranking', () => {
    const book = emptyBook();
    book.products.set('tea', { ...emptyProduct('tea'), co: counts([['b', 1], ['c', 5], ['a', 5]]) });
    expect(recommendationIds([placed('1', 0, [item('tea')])], lookup(book), null, config)).toEqual(['a', 'c', 'b']);
  });

  it('counts products of one order, and of a later order with the customer\'s earlier ones, both ways', () => {
    const book = emptyBook();
    const first = placed('1', 0, [item('tea'), item('cup')]);
    learnOrder(book, [], first, titles, config);
    expect(pairsOf(book.products.get('tea')?.co)).toEqual([['cup', 1]]);
    const second = placed('2', 10, [item('kettle', 1, 'kitchen')]);
    learnOrder(book, [first], second, titles, config);
    expect(pairsOf(book.products.get('kettle')?.co)).toEqual([['cup', 1], ['tea', 1]]);
    expect(pairsOf(book.products.get('tea')?.co)).toEqual([['cup', 1], ['kettle', 1]]);
    expect(book.products.get('tea')?.orders).toBe(1);
  });

  it('learns nothing from returned lines', () => {
    const book = emptyBook();
    learnOrder(book, [], placed('1', 0, [item('tea', 1, 'tea', 0, true), item('cup', 1, 'tea', 0, true)]), titles, config);
    expect(book.products.size).toBe(0);
    expect(book.changedProducts.size + book.changedCategories.size).toBe(0);
  });

  it('recommends what others bought with the customer\'s products, never what they own or returned', () => {
    const book = emptyBook();
    // Three other customers: tea with cup (twice), tea with kettle once, tea with honey once.
    learnOrder(book, [], placed('a1', 0, [item('tea'), item('cup')]), titles, config);
    learnOrder(book, [], placed('b1', 0, [item('tea'), item('cup'), item('kettle')]), titles, config);
    learnOrder(book, [], placed('c1', 0, [item('tea'), item('honey')]), titles, config);
    const history = [placed('1', 0, [item('tea')]), placed('2', 3, [item('honey', 1, 'tea', 0, true)])];
    expect(recommendationIds(history, lookup(book), null, config)).toEqual(['cup', 'kettle']);
  });

  it('a one-purchase customer with no co-purchases gets the best sellers of their top category, or nothing', () => {
    const book = emptyBook();
    for (const [n, product] of ['x', 'y', 'y', 'z'].entries()) learnOrder(book, [], placed(`o${n}`, n, [item(product)]), titles, config);
    const history = [placed('1', 0, [item('x')])];
    const fill: ProductsConfig = { ...config, coPurchase: { ...config.coPurchase, fillWithCategoryBestSellers: true } };
    expect(recommendationIds(history, lookup(book), 'tea', fill)).toEqual(['y', 'z']);
    // The default: co-purchase only.
    expect(recommendationIds(history, lookup(book), 'tea', config)).toEqual([]);
  });

  it('lists at most `recommend` products, best first, ties by id', () => {
    const book = emptyBook();
    learnOrder(book, [], placed('a', 0, ['p', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map((id) => item(id))), titles, config);
    learnOrder(book, [], placed('b', 0, [item('p'), item('a6')]), titles, config);
    expect(recommendationIds([placed('1', 0, [item('p')])], lookup(book), null, config)).toEqual(['a6', 'a1', 'a2', 'a3', 'a4']);
  });
});

describe('topScored', () => {
  const bySorting = (score: Map<string, number>, k: number) => [...score]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, k)
    .map(([id]) => id);

  it('picks what sorting every entry and taking k picks, ties by id', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 6 })), { maxLength: 40 }),
      fc.integer({ min: 0, max: 8 }),
      (entries, k) => {
        const score = new Map(entries);
        expect(topScored(score, k)).toEqual(bySorting(score, k));
      },
    ), { numRuns: 500 });
  });
});
