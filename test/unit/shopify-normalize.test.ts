import fc from 'fast-check';
import { normalizeShopifyOrder } from '../../src/sources/shopify/normalize';
import type { ShopifyLineItemNode, ShopifyOrderNode } from '../../src/sources/shopify/types';

const money = (amount: string, currencyCode = 'BRL') => ({ shopMoney: { amount, currencyCode } });

function node(overrides: Partial<ShopifyOrderNode> = {}): ShopifyOrderNode {
  return {
    id: 'gid://shopify/Order/1', name: '#1001', email: ' Ana@Example.com ', phone: null,
    createdAt: '2024-01-02T03:04:05Z', updatedAt: '2024-01-03T03:04:05Z', cancelledAt: null, test: false, tags: [],
    displayFinancialStatus: 'PAID', currencyCode: 'BRL', totalPriceSet: money('129.90'), currentTotalPriceSet: money('129.90'),
    customer: null, shippingAddress: null, customAttributes: [{ key: 'promised_delivery_date', value: '2024-01-10' }], fulfillments: [],
    ...overrides,
  };
}

describe('normalizeShopifyOrder', () => {
  it('maps a good order: email normalized, money in minor units, promise parsed', () => {
    const result = normalizeShopifyOrder(node(), []);
    expect(result.ok && result.order).toMatchObject({
      email: 'ana@example.com', total: { minor: 12990, currency: 'BRL' }, promisedDeliveryAt: new Date('2024-01-10T12:00:00Z'),
    });
  });

  it.each([
    ['no email', node({ email: null }), /no valid email/],
    ['unknown currency', node({ totalPriceSet: money('1.00', 'XXX'), currentTotalPriceSet: money('1.00', 'XXX') }), /unknown currency "XXX"/],
    ['negative total', node({ totalPriceSet: money('-5.00'), currentTotalPriceSet: money('-5.00') }), /negative total/],
    ['absurd total', node({ totalPriceSet: money('99999999999.00'), currentTotalPriceSet: money('1.00') }), /implausible total/],
    ['garbage amount', node({ totalPriceSet: money('12,50') }), /invalid amount/],
    ['garbage date', node({ createdAt: 'yesterday' }), /invalid timestamps/],
  ])('rejects an order with %s, with a reason', (_, input, reason) => {
    const result = normalizeShopifyOrder(input, []);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('keeps names in any script and drops phones that are not E.164', () => {
    const result = normalizeShopifyOrder(node({ phone: '555-0100', customer: { id: 'c', firstName: 'שרה 🚚', lastName: 'العربي', defaultEmailAddress: null, defaultPhoneNumber: null } }), []);
    expect(result.ok && [result.order.firstName, result.order.lastName, result.order.phone]).toEqual(['שרה 🚚', 'العربي', null]);
  });

  it('never throws, and anything it accepts is usable (property)', () => {
    const text = fc.oneof(fc.string(), fc.constantFrom('', ' ', 'a@b.co', 'ANA@EXAMPLE.COM', '😀@x.io', 'مرحبا@example.com'));
    const amount = fc.oneof(fc.string(), fc.double({ noNaN: false }).map(String), fc.integer().map((n) => (n / 100).toFixed(2)));
    const currency = fc.constantFrom('BRL', 'USD', 'JPY', 'KWD', 'XXX', 'brl', '');
    const date = fc.oneof(fc.string(), fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'Invalid' : d.toISOString())));
    const lineItem = fc.record({ id: fc.string(), name: fc.string(), sku: fc.option(fc.string()), quantity: fc.integer(), product: fc.constant(null), originalUnitPriceSet: amount.map((a) => money(a)) });
    fc.assert(
      fc.property(text, amount, amount, currency, date, date, fc.array(lineItem, { maxLength: 5 }), (email, total, current, code, created, updated, items) => {
        const result = normalizeShopifyOrder(
          node({ email, createdAt: created, updatedAt: updated, totalPriceSet: money(total, code), currentTotalPriceSet: money(current, code) }),
          items as ShopifyLineItemNode[],
        );
        if (!result.ok) return result.reason.length > 0 && result.recordId === 'gid://shopify/Order/1';
        const order = result.order;
        return order.email !== null && order.total.minor >= 0 && order.currentTotal.minor >= 0 && !Number.isNaN(order.createdAt.getTime());
      }),
      { numRuns: 500, seed: 20261123 },
    );
  });
});
