import { EMPTY_COUNTS } from '../../src/enrichment/products/top-counts';
import { DEFAULT_PRODUCTS_CONFIG, type ProductsConfig } from '../../src/enrichment/products/config';
import { customerInterval, productInterval, storeInterval } from '../../src/enrichment/products/intervals';
import { emptyBook, learnOrder, type ProductBook } from '../../src/enrichment/products/learn';
import { nextReplenishment, type StatsLookup } from '../../src/enrichment/products/replenishment';
import type { CategoryStats, ProductStats } from '../../src/enrichment/products/types';
import { DAY, T0 } from './lifecycle-fixtures';
import { item, placed } from './products-fixtures';

const config = DEFAULT_PRODUCTS_CONFIG;
const rules = config.replenishment;
const product = (gaps: number[], repeatCustomers: number, category: string | null = 'tea'): ProductStats =>
  ({ productId: 'tea', title: 'Green tea', category, orders: 10, repeatCustomers, co: EMPTY_COUNTS, gaps });
const category = (gaps: number[], repeatCustomers: number): CategoryStats => ({ category: 'tea', repeatCustomers, gaps, best: EMPTY_COUNTS });
const lookup = (p?: ProductStats, c?: CategoryStats): StatsLookup => ({ product: (id) => (id === 'tea' ? p : undefined), category: () => c });

describe('the store interval', () => {
  it('needs enough repeat customers and gaps, else backs off to the product type, else says not replenishable', () => {
    const thin = product([30, 30, 30, 30], 2);
    expect(storeInterval(thin, rules)).toBeNull();
    expect(productInterval(thin, category([20, 20, 21, 22, 20], 3), rules)).toEqual({ perUnitDays: 20, from: 'product_type' });
    expect(productInterval(thin, category([20, 20], 1), rules)).toBeNull();
    expect(productInterval(product([30, 30, 31, 29, 30], 3), undefined, rules)).toEqual({ perUnitDays: 30, from: 'product' });
  });

  it('refuses irregular re-buying (spread above maxSpread)', () => {
    expect(storeInterval(product([3, 5, 60, 200, 300], 5), rules)).toBeNull();
  });
});

describe('learning gaps', () => {
  it('divides a gap by the units bought before it, and skips gaps outside [minGapDays, maxGapDays]', () => {
    const book: ProductBook = emptyBook();
    const history = [placed('1', 0, [item('tea', 2)])];
    learnOrder(book, history, placed('2', 60, [item('tea', 1)]), new Map(), config);
    expect(book.products.get('tea')).toMatchObject({ gaps: [30], repeatCustomers: 1 });
    expect(book.categories.get('tea')).toMatchObject({ gaps: [30], repeatCustomers: 1 });
    const split = [placed('3', 100, [item('tea', 1)])];
    learnOrder(book, split, placed('4', 101, [item('tea', 1)]), new Map(), config);
    expect(book.products.get('tea')?.gaps).toEqual([30]);
  });
});

describe('nextReplenishment', () => {
  const store = lookup(product([30, 30, 30, 32, 28], 5));

  it('a one-purchase customer is due at the product\'s interval times the units bought', () => {
    const due = nextReplenishment([placed('1', 0, [item('tea', 2)])], store, new Date(T0 + DAY), config);
    expect(due).toMatchObject({ productId: 'tea', title: 'Green tea', intervalDays: 60, learnedFrom: 'product', cycleOrderId: '1' });
    expect(due?.dueAt.toISOString()).toBe(new Date(T0 + 60 * DAY).toISOString());
    expect(due?.lateAt.toISOString()).toBe(new Date(T0 + 90 * DAY).toISOString());
  });

  it('a customer with their own gap is due at their interval', () => {
    const orders = [placed('1', 0, [item('tea')]), placed('2', 10, [item('tea')])];
    expect(customerInterval(orders, 'tea', rules)).toBe(10);
    const due = nextReplenishment(orders, store, new Date(T0 + 11 * DAY), config);
    expect(due).toMatchObject({ learnedFrom: 'customer', intervalDays: 10, cycleOrderId: '2' });
  });

  it('drops a cycle once late (1.5 × the interval), and never follows a returned purchase', () => {
    expect(nextReplenishment([placed('1', 0, [item('tea')])], store, new Date(T0 + 45 * DAY), config)).toBeNull();
    expect(nextReplenishment([placed('1', 0, [item('tea')])], store, new Date(T0 + 44 * DAY), config)).not.toBeNull();
    expect(nextReplenishment([placed('1', 0, [item('tea', 1, 'tea', 0, true)])], store, new Date(T0 + DAY), config)).toBeNull();
  });

  it('a refunded re-purchase does not count as a gap: the cycle starts at the last kept purchase', () => {
    const orders = [placed('1', 0, [item('tea')]), placed('2', 10, [item('tea', 1, 'tea', 0, true)])];
    expect(customerInterval(orders, 'tea', rules)).toBeNull();
    expect(nextReplenishment(orders, store, new Date(T0 + 11 * DAY), config)).toMatchObject({ cycleOrderId: '1', learnedFrom: 'product' });
  });

  it('thin history: nothing when neither the product nor its type is replenishable', () => {
    expect(nextReplenishment([placed('1', 0, [item('tea')])], lookup(product([30], 1), category([30], 1)), new Date(T0 + DAY), config)).toBeNull();
  });

  it('leadDays moves the due date earlier', () => {
    const early: ProductsConfig = { ...config, replenishment: { ...rules, leadDays: 5 } };
    const due = nextReplenishment([placed('1', 0, [item('tea')])], store, new Date(T0 + DAY), early);
    expect(due?.dueAt.toISOString()).toBe(new Date(T0 + 25 * DAY).toISOString());
  });
});
