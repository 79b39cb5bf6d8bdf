import { applyOrderReturns, applyParcelReport } from '../../src/enrichment/returns/apply';
import { applyOrder } from '../../src/enrichment/lifecycle/aggregate';
import type { CustomerAggregate } from '../../src/model/customer';
import type { Order } from '../../src/model/order';
import type { OrderReturn, Refund } from '../../src/model/returns';

const T = (h: number): Date => new Date(Date.UTC(2026, 5, 10, h));
const usd = (minor: number) => ({ minor, currency: 'USD' });

function order(returns: OrderReturn[], refunds: Refund[] = [], updatedAt = T(0)): Order {
  return {
    source: 'shopify', id: 'gid://shopify/Order/1', name: '#1001', email: 'a@b.test', phone: null, firstName: null, lastName: null,
    createdAt: T(-100), updatedAt, cancelledAt: null, financialStatus: 'paid', total: usd(5000), currentTotal: usd(5000),
    lineItems: [{ id: 'l1', productId: null, sku: 'MUG', name: 'Mug', quantity: 2, currentQuantity: 2, category: null, unitPrice: usd(2500) }],
    fulfillments: [], shippingAddress: null, promisedDeliveryAt: null, tags: [], test: false, returns, refunds,
  };
}

const ret = (overrides: Partial<OrderReturn> = {}): OrderReturn => ({
  id: 'gid://shopify/Return/1', name: '#1001-R1', status: 'requested', requestedAt: T(1), approvedAt: null, closedAt: null, declineReason: null,
  lines: [{ lineItemId: 'l1', sku: 'MUG', name: 'Mug', quantity: 1, reason: 'defective', reasonName: 'Damaged or defective', customerNote: null }],
  deliveries: [], received: false, ...overrides,
});

const refund: Refund = { id: 'gid://shopify/Refund/1', createdAt: T(9), amount: usd(2500), shipping: usd(0), returnId: 'gid://shopify/Return/1', note: null, lines: [] };

function start(o: Order): CustomerAggregate {
  const customer = applyOrder(null, { ...o, returns: [], refunds: [] });
  if (!customer) throw new Error('no customer');
  return customer;
}

describe('the returns ledger announces each change once, in causal order', () => {
  test('a return read at every step yields each event once; reading the same order again yields nothing', () => {
    let customer = start(order([]));
    const kinds: string[] = [];
    const steps = [
      order([ret()]),
      order([ret({ status: 'open', approvedAt: T(2), deliveries: [{ id: 'd1', tracking: { code: 'RET1', carrier: 'USPS', url: null } }] })]),
      order([ret({ status: 'open', approvedAt: T(2), received: true, deliveries: [{ id: 'd1', tracking: { code: 'RET1', carrier: 'USPS', url: null } }] })], [refund], T(9)),
      order([ret({ status: 'closed', approvedAt: T(2), closedAt: T(10), received: true, deliveries: [{ id: 'd1', tracking: { code: 'RET1', carrier: 'USPS', url: null } }] })], [refund], T(10)),
    ];
    for (const step of steps) {
      const applied = applyOrderReturns(customer, step);
      kinds.push(...applied.changes.map((c) => c.kind));
      customer = applied.customer;
      const again = applyOrderReturns(customer, step);
      expect(again.changes).toEqual([]);
      expect(again.customer).toBe(customer);
    }
    expect(kinds).toEqual(['requested', 'approved', 'received', 'refund', 'closed']);
  });

  test('a return first seen closed and refunded yields its whole history in causal order', () => {
    const customer = start(order([]));
    const done = order([ret({ status: 'closed', approvedAt: T(2), closedAt: T(10), received: true })], [refund], T(10));
    const applied = applyOrderReturns(customer, done);
    expect(applied.changes.map((c) => c.kind)).toEqual(['requested', 'approved', 'received', 'refund', 'closed']);
    expect(applied.changes.map((c) => c.at.getTime())).toEqual([...applied.changes.map((c) => c.at.getTime())].sort((a, b) => a - b));
  });

  test('carrier reports on the return parcel: in transit once, received once (not again when the store says so)', () => {
    let customer = applyOrderReturns(start(order([])), order([ret({ status: 'open', approvedAt: T(2), deliveries: [{ id: 'd1', tracking: { code: 'RET1', carrier: 'USPS', url: null } }] })])).customer;
    const moving = applyParcelReport(customer, 'gid://shopify/Order/1', 'RET1', { status: 'in_transit', movedAt: T(5), deliveredAt: null });
    expect(moving.changes.map((c) => [c.kind, c.at.toISOString()])).toEqual([['in_transit', T(5).toISOString()]]);
    customer = moving.customer;
    expect(applyParcelReport(customer, 'gid://shopify/Order/1', 'RET1', { status: 'in_transit', movedAt: T(5), deliveredAt: null }).changes).toEqual([]);
    const delivered = applyParcelReport(customer, 'gid://shopify/Order/1', 'RET1', { status: 'delivered', movedAt: T(5), deliveredAt: T(8) });
    expect(delivered.changes.map((c) => c.kind)).toEqual(['received']);
    const storeSaysReceived = applyOrderReturns(delivered.customer, order([ret({ status: 'open', approvedAt: T(2), received: true, deliveries: [{ id: 'd1', tracking: { code: 'RET1', carrier: 'USPS', url: null } }] })]));
    expect(storeSaysReceived.changes).toEqual([]);
  });

  test('a declined return is declined once and never approved, in transit or received', () => {
    const customer = applyOrderReturns(start(order([])), order([ret()])).customer;
    const declined = applyOrderReturns(customer, order([ret({ status: 'declined', declineReason: 'final_sale' })], [], T(3)));
    expect(declined.changes.map((c) => c.kind)).toEqual(['declined']);
  });

  test('applyOrder keeps the returns ledger and counts units bought', () => {
    const customer = applyOrderReturns(start(order([])), order([ret()])).customer;
    const again = applyOrder(customer, { ...order([ret()]), currentTotal: usd(2500), updatedAt: T(4) });
    expect(again?.returns).toEqual(customer.returns);
    expect(again?.orders[0].units).toBe(2);
  });
});
