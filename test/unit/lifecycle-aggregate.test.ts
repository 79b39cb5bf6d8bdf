import { applyOrder } from '../../src/enrichment/lifecycle/aggregate';
import { RecordRejection } from '../../src/util/errors';
import { order } from './lifecycle-fixtures';

describe('applyOrder', () => {
  it('returns null for orders without a usable email', () => {
    expect(applyOrder(null, order('1', 0, 1000, { email: null }))).toBeNull();
    expect(applyOrder(null, order('1', 0, 1000, { email: 'not-an-email' }))).toBeNull();
  });

  it('starts a customer keyed by normalized email, with no announced segment', () => {
    const c = applyOrder(null, order('1', 0, 1000, { email: ' Ann@Example.com ' }));
    expect(c).toMatchObject({ key: 'ann@example.com', currency: 'GBP', segment: null, nextReviewAt: null });
    expect(c?.orders).toEqual([{ orderId: '1', placedAt: '2024-01-01T12:00:00.000Z', netMinor: 1000, cancelled: false, units: 0 }]);
  });

  it('is idempotent: replaying an order returns the same aggregate', () => {
    const c = applyOrder(null, order('1', 0, 1000));
    expect(applyOrder(c, order('1', 0, 1000))).toBe(c);
  });

  it('replaces an updated order instead of adding it twice, and keeps orders sorted', () => {
    let c = applyOrder(null, order('2', 5, 500));
    c = applyOrder(c, order('1', 0, 1000));
    c = applyOrder(c, order('2', 5, 500, { currentTotal: { minor: 200, currency: 'GBP' } }));
    expect(c?.orders.map((o) => [o.orderId, o.netMinor])).toEqual([['1', 1000], ['2', 200]]);
  });

  it('counts a cancelled order as zero and flags it', () => {
    const c = applyOrder(null, order('1', 0, 1000, { cancelledAt: new Date() }));
    expect(c?.orders[0]).toMatchObject({ netMinor: 0, cancelled: true });
  });

  it('never lets a refund make spend negative', () => {
    const c = applyOrder(null, order('1', 0, 1000, { currentTotal: { minor: -50, currency: 'GBP' } }));
    expect(c?.orders[0].netMinor).toBe(0);
  });

  it('keeps the newest contact details, and lets an older order only fill gaps', () => {
    let c = applyOrder(null, order('2', 5, 500, { phone: '+447700900001', lastName: null }));
    c = applyOrder(c, order('1', 0, 1000, { phone: '+447700900000', lastName: 'Smith' }));
    expect(c).toMatchObject({ phone: '+447700900001', lastName: 'Smith' });
  });

  it('preserves the announced segment and push bookkeeping', () => {
    const first = applyOrder(null, order('1', 0, 1000));
    if (first === null) throw new Error('expected a customer');
    const announced = { ...first, segment: 'first_time' as const, segmentSince: 'x', pushedHash: 'h', nextReviewAt: 'y' };
    expect(applyOrder(announced, order('2', 3, 1000))).toMatchObject({ segment: 'first_time', pushedHash: 'h', nextReviewAt: 'y' });
  });

  it('rejects an order in another currency rather than summing across currencies', () => {
    const c = applyOrder(null, order('1', 0, 1000));
    const usd = { minor: 100, currency: 'USD' };
    expect(() => applyOrder(c, order('2', 1, 100, { total: usd, currentTotal: usd }))).toThrow(RecordRejection);
  });
});
