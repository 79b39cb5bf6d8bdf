import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PRODUCTS_CONFIG, type ProductsConfig } from '../../src/enrichment/products/config';
import { emptyBook, learnOrder } from '../../src/enrichment/products/learn';
import { soleProduct } from '../../src/enrichment/products/recommend';
import { recommendedIds } from '../../src/enrichment/products/signals';
import { lookupOf, signalsFor } from '../../src/pipeline/product-signals';
import { ProductStatsRepository } from '../../src/state/products';
import { openStateStore, type StateStore } from '../../src/state/store';
import { customerWith, item, placed } from './products-fixtures';

let store: StateStore;
beforeAll(async () => {
  store = await openStateStore(`sqlite://${join(mkdtempSync(join(tmpdir(), 'product-signals-')), 'state.sqlite')}`);
});
afterAll(() => store.close());

describe('soleProduct', () => {
  it('is the one product of a customer who bought only it and kept some', () => {
    expect(soleProduct([placed('1', 0, [item('tea')]), placed('2', 9, [item('tea', 2)])])).toBe('tea');
    expect(soleProduct([placed('1', 0, [item('tea', 1, 'tea', 0, true)]), placed('2', 9, [item('tea')])])).toBe('tea');
  });

  it('is null for two products, for a product only returned, and for no product', () => {
    expect(soleProduct([placed('1', 0, [item('tea'), item('cup')])])).toBeNull();
    expect(soleProduct([placed('1', 0, [item('tea')]), placed('2', 9, [item('cup')])])).toBeNull();
    expect(soleProduct([placed('1', 0, [item('tea', 1, 'tea', 0, true)])])).toBeNull();
    expect(soleProduct([{ orderId: 'x', placedAt: '2024-01-01T00:00:00Z', netMinor: 100, cancelled: false }])).toBeNull();
  });
});

describe('signalsFor: one step', () => {
  const learnt = () => {
    const book = emptyBook();
    const baskets = [['tea', 'cup'], ['tea', 'pot'], ['tea', 'cup', 'spoon'], ['cup', 'saucer'], ['pot', 'cosy'], ['tea', 'kettle']];
    baskets.forEach((basket, n) => learnOrder(book, [], placed(`h${n}`, n, basket.map((id) => item(id, 1, id === 'tea' ? 'Tea' : 'Ware'))), new Map(basket.map((id) => [id, `Title ${id}`])), DEFAULT_PRODUCTS_CONFIG));
    return book;
  };
  const customers = [
    customerWith([placed('a1', 20, [item('tea', 1, 'Tea')])], 'a@example.com'),
    customerWith([placed('b1', 21, [item('tea', 1, 'Tea')]), placed('b2', 40, [item('tea', 3, 'Tea')])], 'b@example.com'),
    customerWith([placed('c1', 22, [item('tea', 1, 'Tea'), item('cup', 1, 'Ware')])], 'c@example.com'),
    customerWith([placed('d1', 23, [item('cup', 1, 'Ware')]), placed('d2', 30, [item('tea', 1, 'Tea', 0, true)])], 'd@example.com'),
    customerWith([placed('e1', 24, [item('pot', 1, 'Ware')])], 'e@example.com'),
  ];

  it.each([
    ['filling from best sellers off', DEFAULT_PRODUCTS_CONFIG],
    ['filling from best sellers on', { ...DEFAULT_PRODUCTS_CONFIG, coPurchase: { ...DEFAULT_PRODUCTS_CONFIG.coPurchase, fillWithCategoryBestSellers: true } }],
  ] as Array<[string, ProductsConfig]>)('recommends to each customer what their own history gives (%s), sharing one list per sole product', async (_, config) => {
    const book = learnt();
    const signals = await signalsFor(new ProductStatsRepository(store), book, customers, new Date(), config);
    for (const customer of customers) {
      const own = recommendedIds(customer, lookupOf(book), config);
      expect(signals.get(customer.key)?.recommendations).toEqual(own.map((id) => ({ productId: id, title: `Title ${id}` })));
    }
    expect(signals.get('a@example.com')?.recommendations.length).toBeGreaterThan(0);
    // Two customers who bought only tea: one list, so its labels are made once.
    expect(signals.get('a@example.com')?.recommendations).toBe(signals.get('b@example.com')?.recommendations);
    expect(signals.get('c@example.com')?.recommendations).not.toBe(signals.get('a@example.com')?.recommendations);
  });
});
