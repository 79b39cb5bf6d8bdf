import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeWooOrder } from '../../src/sources/woocommerce/normalize';

/** The official docs' example order (specs/woocommerce), with refunds and statuses varied. */
const example = (JSON.parse(readFileSync(join(__dirname, '../../specs/woocommerce/wc-v3-orders-list.example.json'), 'utf8')) as Array<Record<string, unknown>>)[0];

function normalize(overrides: Record<string, unknown>) {
  const result = normalizeWooOrder({ ...example, ...overrides });
  if (result.ok !== true) throw new Error(`not an order: ${JSON.stringify(result)}`);
  return result.order;
}

describe('WooCommerce refunds in the normalized model', () => {
  test('each refund summary is a refund with its size and reason, dated at the order\'s modification', () => {
    const order = normalize({ status: 'processing', refunds: [{ id: 726, reason: 'lid cracked', total: '-10.00' }] });
    expect(order.refunds).toEqual([{
      id: `${order.id}/refunds/726`, createdAt: order.updatedAt, amount: { minor: 1000, currency: order.total.currency },
      shipping: { minor: 0, currency: order.total.currency }, returnId: null, note: 'lid cracked', lines: [],
    }]);
    expect(order.returns).toBeUndefined();
    expect(order.currentTotal.minor).toBe(order.total.minor - 1000);
  });

  test('status refunded with no refund recorded is one full refund; without refunds there are none', () => {
    const refunded = normalize({ status: 'refunded', refunds: [] });
    expect(refunded.refunds).toEqual([expect.objectContaining({ id: `${refunded.id}/refunded`, amount: refunded.total })]);
    expect(refunded.currentTotal.minor).toBe(0);
    expect(normalize({ status: 'completed', refunds: [] }).refunds).toEqual([]);
  });
});
