import fc from 'fast-check';
import { affinityLabels, categoryAffinity } from '../../src/enrichment/products/affinity';
import { purchasedItems } from '../../src/enrichment/products/lines';
import { order } from './lifecycle-fixtures';
import { item, line, placed } from './products-fixtures';

describe('purchasedItems', () => {
  it('spreads the net total over lines by value, so category spend adds up to net spend', () => {
    const items = purchasedItems(order('1', 0, 3000, { lineItems: [line('a', 1, 1000, 'tea'), line('b', 2, 1000, 'cups')] }));
    expect(items).toEqual([
      { productId: 'a', category: 'tea', quantity: 1, netMinor: 1000, returned: false },
      { productId: 'b', category: 'cups', quantity: 2, netMinor: 2000, returned: false },
    ]);
  });

  it('counts only kept units: a line refunded in full is returned, a partial refund lowers the quantity', () => {
    const items = purchasedItems(order('1', 0, 1000, {
      total: { minor: 3000, currency: 'GBP' },
      currentTotal: { minor: 1000, currency: 'GBP' },
      lineItems: [line('a', 1, 1000, 'tea', { currentQuantity: 0 }), line('b', 2, 1000, 'cups', { currentQuantity: 1 })],
    }));
    expect(items.find((i) => i.productId === 'a')).toMatchObject({ quantity: 0, netMinor: 0, returned: true });
    expect(items.find((i) => i.productId === 'b')).toMatchObject({ quantity: 1, netMinor: 1000, returned: false });
  });

  it('marks every line of a cancelled or fully refunded order as returned', () => {
    const cancelled = purchasedItems(order('1', 0, 1000, { cancelledAt: new Date(), lineItems: [line('a', 1, 1000, 'tea')] }));
    const refunded = purchasedItems(order('2', 0, 1000, { currentTotal: { minor: 0, currency: 'GBP' }, lineItems: [line('a', 1, 1000, 'tea')] }));
    expect(cancelled[0]).toMatchObject({ returned: true, netMinor: 0 });
    expect(refunded[0]).toMatchObject({ returned: true, netMinor: 0 });
  });

  it('merges lines of one product and keys a product-less line by SKU; a line with neither is no product', () => {
    const items = purchasedItems(order('1', 0, 3000, {
      lineItems: [line('a', 1, 1000, 'tea'), line('a', 1, 1000, null), { ...line('x', 1, 1000, null), productId: null, sku: 'S-1' }, { ...line('y', 1, 0, null), productId: null }],
    }));
    expect(items.map((i) => [i.productId, i.quantity, i.category])).toEqual([['a', 2, 'tea'], ['sku:S-1', 1, null]]);
  });
});

describe('categoryAffinity', () => {
  it('gives a one-purchase customer their only category at 100%', () => {
    expect(categoryAffinity([placed('1', 0, [item('a', 1, 'tea', 500)])], 3)).toEqual([{ category: 'tea', share: 1 }]);
  });

  it('gives every customer of one category the same frozen value (its labels are made once)', () => {
    const one = categoryAffinity([placed('1', 0, [item('a', 1, 'tea', 500)])], 3);
    const other = categoryAffinity([placed('1', 0, [item('b', 1, 'tea', 100)]), placed('2', 1, [item('c', 1, 'tea', 300)])], 3);
    expect(other).toBe(one);
    expect(Object.isFrozen(one) && Object.isFrozen(one[0])).toBe(true);
    expect(categoryAffinity([placed('1', 0, [item('a', 1, 'tea', 500)])], 0)).toEqual([]);
  });

  it('ranks by net spend, so a refunded purchase does not make a favourite, and lists at most `top`', () => {
    const orders = [
      placed('1', 0, [item('a', 1, 'tea', 600), item('b', 1, 'cups', 300)]),
      placed('2', 5, [item('c', 1, 'kettles', 0, true)]),
      placed('3', 9, [item('d', 1, 'spoons', 100)]),
    ];
    expect(categoryAffinity(orders, 2)).toEqual([{ category: 'tea', share: 0.6 }, { category: 'cups', share: 0.3 }]);
    expect(affinityLabels(categoryAffinity(orders, 3))).toEqual(['tea 60%', 'cups 30%', 'spoons 10%']);
  });

  it('leaves uncategorised spend out and says nothing without any category', () => {
    expect(categoryAffinity([placed('1', 0, [item('a', 1, null, 900), item('b', 1, 'tea', 100)])], 3)).toEqual([{ category: 'tea', share: 1 }]);
    expect(categoryAffinity([placed('1', 0, [item('a', 1, null, 900)])], 3)).toEqual([]);
    expect(categoryAffinity([{ orderId: 'x', placedAt: '2024-01-01T00:00:00Z', netMinor: 100, cancelled: false }], 3)).toEqual([]);
  });

  it('breaks a tie by the category bought most recently', () => {
    const orders = [placed('1', 0, [item('a', 1, 'tea', 500)]), placed('2', 3, [item('b', 1, 'cups', 500)])];
    expect(categoryAffinity(orders, 1)).toEqual([{ category: 'cups', share: 0.5 }]);
  });

  it('is the plain definition (a tally per category, sorted) for any history, call after call', () => {
    // The implementation reuses scratch tallies between calls and selects instead of sorting: held to the obvious
    // version over histories of up to 40 categories (past the 16 where it switches to an index).
    const reference = (orders: ReturnType<typeof placed>[], top: number) => {
      const tally = new Map<string, { minor: number; last: number }>();
      let total = 0;
      orders.forEach((o, at) => {
        for (const i of o.items ?? []) {
          if (i.category === null || i.netMinor <= 0) continue;
          tally.set(i.category, { minor: (tally.get(i.category)?.minor ?? 0) + i.netMinor, last: at });
          total += i.netMinor;
        }
      });
      return [...tally].sort(([a, x], [b, y]) => y.minor - x.minor || y.last - x.last || (a < b ? -1 : 1))
        .slice(0, top).map(([category, t]) => ({ category, share: Number((t.minor / total).toFixed(3)) }));
    };
    const line = fc.record({ category: fc.option(fc.integer({ min: 0, max: 39 }).map((n) => `c${n}`), { freq: 5 }), minor: fc.integer({ min: 0, max: 3 }).map((n) => n * 250) });
    fc.assert(fc.property(fc.array(fc.array(line, { maxLength: 30 }), { maxLength: 6 }), fc.integer({ min: 1, max: 5 }), (lines, top) => {
      const orders = lines.map((items, o) => placed(String(o), o, items.map((l, k) => item(`p${o}-${k}`, 1, l.category, l.minor))));
      expect(categoryAffinity(orders, top)).toEqual(reference(orders, top));
    }), { numRuns: 300 });
  });
});
