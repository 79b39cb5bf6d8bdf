import fc from 'fast-check';
import { normalizeWooOrder, productCategory } from '../../src/sources/woocommerce';
import type { WooOrderJson } from '../../src/sources/woocommerce/types';
import example from '../../specs/woocommerce/wc-v3-orders-list.example.json';

const base = example[0] as unknown as WooOrderJson;
const order = (change: Partial<Record<keyof WooOrderJson, unknown>>): unknown => ({ ...base, ...change });

function ok(raw: unknown) {
  const result = normalizeWooOrder(raw);
  if (result.ok !== true) throw new Error(`expected an order, got ${JSON.stringify(result)}`);
  return result.order;
}

describe('WooCommerce order normalizer', () => {
  it('maps the documented example: GMT dates read as UTC, prices as minor units, billing contact', () => {
    const o = ok(base);
    expect(o).toMatchObject({
      source: 'woocommerce', id: '727', name: '#727', email: 'john.doe@example.com', firstName: 'John', lastName: 'Doe',
      financialStatus: 'paid', cancelledAt: null, tags: [], test: false,
      shippingAddress: { city: 'San Francisco', region: 'CA', zip: '94103', country: 'US' },
    });
    expect(o.createdAt.toISOString()).toBe('2017-03-22T19:28:02.000Z');
    expect(o.updatedAt.toISOString()).toBe('2017-03-22T19:28:08.000Z');
    expect(o.total).toEqual({ minor: 2935, currency: 'USD' });
    expect(o.currentTotal).toEqual({ minor: 2935, currency: 'USD' });
    expect(o.lineItems.map((item) => [item.name, item.quantity, item.unitPrice.minor, item.sku, item.productId])).toEqual([
      ['Woo Single #1', 2, 300, null, '93'], ['Ship Your Idea &ndash; Color: Black, Size: M Test', 1, 1200, 'Bar3', '22'],
    ]);
    // "(555) 555-5555" is not E.164: dropped rather than guessed.
    expect(o.phone).toBeNull();
  });

  it.each([
    ['pending', null, null, 'pending', false],
    ['processing', '2017-03-22T19:28:08', null, 'paid', false],
    ['on-hold', null, null, 'pending', false],
    ['completed', '2017-03-22T19:28:08', null, 'paid', false],
    ['cancelled', null, null, 'voided', true],
    ['cancelled', '2017-03-22T19:28:08', null, 'paid', true],
    ['refunded', '2017-03-22T19:28:08', '-29.35', 'refunded', false],
    ['failed', null, null, 'voided', true],
    ['trash', '2017-03-22T19:28:08', null, 'paid', true],
    ['wc-shipped-custom', '2017-03-22T19:28:08', null, 'paid', false],
  ])('status %s (paid %s, refund %s) → %s, cancelled %s', (status, paid, refund, financial, cancelled) => {
    const o = ok(order({ status, date_paid_gmt: paid, refunds: refund ? [{ id: 1, reason: '', total: refund }] : [] }));
    expect(o.financialStatus).toBe(financial);
    expect(o.cancelledAt?.toISOString() ?? null).toBe(cancelled ? '2017-03-22T19:28:08.000Z' : null);
    expect(o.currentTotal.minor).toBe(cancelled || status === 'refunded' ? 0 : 2935);
  });

  it('skips checkout drafts (carts, not orders) without rejecting them', () => {
    expect(normalizeWooOrder(order({ status: 'checkout-draft' }))).toEqual({ ok: 'skip', recordId: '727', updatedAt: '2017-03-22T19:28:08.000Z' });
  });

  it('subtracts refunds (negative strings) from currentTotal; partial and full', () => {
    const partial = ok(order({ refunds: [{ id: 9, reason: 'late', total: '-10.00' }, { id: 10, reason: '', total: '-0.35' }] }));
    expect(partial.currentTotal).toEqual({ minor: 1900, currency: 'USD' });
    expect(partial.financialStatus).toBe('partially_refunded');
    const full = ok(order({ refunds: [{ id: 9, reason: '', total: '-29.35' }] }));
    expect(full.currentTotal.minor).toBe(0);
    expect(full.financialStatus).toBe('refunded');
  });

  it('uses the currency exponent: JPY has none, KWD three', () => {
    expect(ok(order({ currency: 'JPY', total: '2935', line_items: [] })).total).toEqual({ minor: 2935, currency: 'JPY' });
    expect(ok(order({ currency: 'KWD', total: '29.350', line_items: [] })).total).toEqual({ minor: 29350, currency: 'KWD' });
  });

  it('turns Shipment Tracking items into fulfillments with tracking refs (array or JSON string)', () => {
    const items = [
      { tracking_provider: 'USPS', custom_tracking_provider: '', custom_tracking_link: '', tracking_number: ' 9400111899223197428490 ', date_shipped: '1700000000', tracking_id: 'abc' },
      { tracking_provider: '', custom_tracking_provider: 'Jadlog', custom_tracking_link: 'https://jadlog.example/t/1', tracking_number: '10000000000001', date_shipped: 1700086400, tracking_id: 'def' },
      { tracking_provider: 'UPS', custom_tracking_provider: '', custom_tracking_link: '', tracking_number: '', date_shipped: '1700000000', tracking_id: 'none' },
    ];
    const meta = (value: unknown) => [...base.meta_data, { id: 1, key: '_wc_shipment_tracking_items', value }];
    for (const value of [items, JSON.stringify(items)]) {
      const o = ok(order({ meta_data: meta(value) }));
      expect(o.fulfillments).toEqual([
        { id: '727:abc', createdAt: new Date(1700000000_000), displayStatus: null, estimatedDeliveryAt: null, deliveredAt: null, tracking: [{ code: '9400111899223197428490', carrier: 'USPS', url: null }] },
        { id: '727:def', createdAt: new Date(1700086400_000), displayStatus: null, estimatedDeliveryAt: null, deliveredAt: null, tracking: [{ code: '10000000000001', carrier: 'Jadlog', url: 'https://jadlog.example/t/1' }] },
      ]);
    }
    expect(ok(order({ meta_data: meta('not json') })).fulfillments).toEqual([]);
  });

  it('reads a promised delivery date from order meta', () => {
    const o = ok(order({ meta_data: [{ id: 1, key: 'promised_delivery_date', value: '2017-03-30' }] }));
    expect(o.promisedDeliveryAt?.toISOString()).toBe('2017-03-30T12:00:00.000Z');
  });

  it.each([
    ['a price that is not a number', { total: 'twenty' }, /total is not a number: "twenty"/],
    ['a price that is a JSON number', { total: 29.35 }, /total is not a decimal string: 29.35/],
    ['a line price that is not a number', { line_items: [{ ...base.line_items[0], subtotal: 'N/A' }] }, /line_items\[0\].subtotal is not a number/],
    ['a missing email', { billing: { ...base.billing, email: '' } }, /no valid billing email/],
    ['an email that is not one', { billing: { ...base.billing, email: 'john at example' } }, /no valid billing email/],
    ['a malformed date', { date_created_gmt: '22/03/2017 19:28' }, /malformed date_created_gmt "22\/03\/2017 19:28"/],
    ['an impossible time', { date_modified_gmt: '2017-03-22T25:00:00' }, /malformed date_modified_gmt/],
    ['a calendar day that does not exist', { date_created_gmt: '2017-02-30T10:00:00' }, /malformed date_created_gmt/],
    ['a date with a zone WooCommerce never writes in _gmt', { date_modified_gmt: '2017-03-22T19:28:08+02:00' }, /malformed date_modified_gmt/],
    ['an unknown currency', { currency: 'XXY' }, /unknown currency "XXY"/],
    ['a negative total', { total: '-1.00' }, /negative total/],
    ['a refund that is not a number', { refunds: [{ id: 1, reason: '', total: 'all' }] }, /refunds\[0\].total is not a number/],
    ['a zero quantity', { line_items: [{ ...base.line_items[0], quantity: 0 }] }, /quantity is not a positive integer/],
  ])('rejects %s with a reason naming the field', (_what, change, reason) => {
    const result = normalizeWooOrder(order(change));
    expect(result).toEqual({ ok: false, recordId: '727', reason: expect.stringMatching(reason) });
  });

  it('never throws, whatever the record holds', () => {
    fc.assert(fc.property(fc.anything(), (raw) => {
      const result = normalizeWooOrder(raw);
      expect([true, false, 'skip']).toContain(result.ok);
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('total', 'status', 'billing', 'refunds', 'line_items', 'meta_data', 'date_created_gmt', 'currency'), fc.anything()), (change) => {
      normalizeWooOrder(order(change));
    }), { numRuns: 300 });
  });

  it('sets each line item category from the product map it is given; none given, or a product missing from it, is null', () => {
    const categories = new Map<string, string | null>([['93', 'Clothing'], ['22', null]]);
    const result = normalizeWooOrder(base, categories);
    if (result.ok !== true) throw new Error('expected an order');
    expect(result.order.lineItems.map((item) => [item.productId, item.category])).toEqual([['93', 'Clothing'], ['22', null]]);
    expect(ok(base).lineItems.map((item) => item.category)).toEqual([null, null]);
    const partial = normalizeWooOrder(base, new Map([['93', 'Clothing']]));
    expect(partial.ok === true && partial.order.lineItems.map((item) => item.category)).toEqual(['Clothing', null]);
  });

  it('reads a product\'s category as its first named category, WooCommerce\'s Uncategorized placeholder meaning none', () => {
    const cat = (id: number, name: string, slug: string) => ({ id, name, slug });
    expect(productCategory({ id: 93, categories: [cat(9, 'Clothing', 'clothing'), cat(14, 'T-shirts', 't-shirts')] })).toEqual({ id: '93', category: 'Clothing' });
    expect(productCategory({ id: 93, categories: [cat(15, 'Uncategorized', 'uncategorized'), cat(9, ' Clothing ', 'clothing')] })).toEqual({ id: '93', category: 'Clothing' });
    expect(productCategory({ id: 22, categories: [cat(15, 'Uncategorized', 'uncategorized')] })).toEqual({ id: '22', category: null });
    expect(productCategory({ id: 22, categories: [] })).toEqual({ id: '22', category: null });
    expect(productCategory({ id: 22 })).toEqual({ id: '22', category: null });
    expect(productCategory({ id: 0, categories: [] })).toBeNull();
    expect(productCategory('not a product')).toBeNull();
  });
});
