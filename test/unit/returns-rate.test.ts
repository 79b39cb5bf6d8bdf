import type { CustomerAggregate, OrderContribution } from '../../src/model/customer';
import type { OrderReturnsRecord, ReturnRecord } from '../../src/model/returns';
import { returnRate, returnsByReasonAndSegment, summarizeReturns } from '../../src/enrichment/returns/summary';

const order = (orderId: string, units: number, cancelled = false): OrderContribution =>
  ({ orderId, placedAt: '2026-01-01T00:00:00.000Z', netMinor: 1000, cancelled, units: cancelled ? 0 : units });

const ret = (id: string, quantities: number[], status: ReturnRecord['status'] = 'open', reason = 'defective', requestedAt = '2026-02-01T00:00:00.000Z'): ReturnRecord => ({
  id, name: null, status, requestedAt, approvedAt: null, closedAt: null, declineReason: null, seenAt: requestedAt, receivedByStore: false,
  lines: quantities.map((quantity, i) => ({ sku: `S${i}`, name: `Item ${i}`, quantity, reason, reasonName: null })), parcels: [], announced: [],
});

const record = (orderId: string, returns: ReturnRecord[], refunds: OrderReturnsRecord['refunds'] = []): OrderReturnsRecord => ({ orderId, orderName: `#${orderId}`, returns, refunds });

type Subject = Pick<CustomerAggregate, 'orders' | 'returns'>;

describe('return rate: returned units / bought units, net of cancellations', () => {
  test('no purchase: no rate (not 0, which would claim a customer who keeps everything)', () => {
    expect(returnRate({ orders: [], returns: [] })).toBeNull();
    expect(returnRate({ orders: [order('a', 2, true)] })).toBeNull();
  });

  test('units, not orders: 1 of 4 units returned is 0.25', () => {
    const subject: Subject = { orders: [order('a', 3), order('b', 1)], returns: [record('a', [ret('r1', [1])])] };
    expect(returnRate(subject)).toBe(0.25);
  });

  test('a cancelled order counts neither in what was bought nor in what was returned', () => {
    const subject: Subject = { orders: [order('a', 2), order('b', 2, true)], returns: [record('b', [ret('r1', [2])]), record('a', [ret('r2', [1])])] };
    expect(returnRate(subject)).toBe(0.5);
  });

  test('declined and canceled returns bring nothing back', () => {
    const subject: Subject = { orders: [order('a', 4)], returns: [record('a', [ret('r1', [1], 'declined'), ret('r2', [1], 'canceled'), ret('r3', [1], 'closed')])] };
    expect(returnRate(subject)).toBe(0.25);
    expect(summarizeReturns(subject).count).toBe(1);
  });

  test('everything returned is 1; more than bought (bad data) is capped at 1', () => {
    expect(returnRate({ orders: [order('a', 2)], returns: [record('a', [ret('r1', [1, 1])])] })).toBe(1);
    expect(returnRate({ orders: [order('a', 2)], returns: [record('a', [ret('r1', [3])])] })).toBe(1);
  });

  test('aggregates stored before units existed count 0 bought units for those orders', () => {
    const legacy: OrderContribution = { orderId: 'old', placedAt: '2025-01-01T00:00:00.000Z', netMinor: 500, cancelled: false };
    expect(returnRate({ orders: [legacy, order('a', 2)], returns: [record('a', [ret('r1', [1])])] })).toBe(0.5);
  });
});

describe('returns summary on the profile', () => {
  test('open until refunded, closed, declined or canceled; the last reason is the newest return\'s main reason', () => {
    const refund = { id: 'f1', createdAt: '2026-02-05T00:00:00.000Z', amountMinor: 100, shippingMinor: 0, currency: 'USD', returnId: 'r1', note: null, lines: [], announced: true };
    const open = summarizeReturns({ orders: [order('a', 3), order('b', 1)], returns: [
      record('a', [ret('r1', [1], 'open', 'defective')], [refund]),
      record('b', [ret('r2', [1, 2], 'requested', 'size-too-small', '2026-03-01T00:00:00.000Z')]),
    ] });
    expect(open).toMatchObject({ open: true, openOrderIds: ['b'], returningOrderIds: ['a', 'b'], count: 2, lastReason: 'size-too-small', lastAt: '2026-03-01T00:00:00.000Z', rate: 1 });
    const settled = summarizeReturns({ orders: [order('a', 3)], returns: [record('a', [ret('r1', [1])], [refund])] });
    expect(settled).toMatchObject({ open: false, openOrderIds: [], returningOrderIds: ['a'], rate: 0.333 });
  });

  test('a refund the source does not link to a return settles the returns requested before it', () => {
    const refund = { id: 'f1', createdAt: '2026-02-05T00:00:00.000Z', amountMinor: 100, shippingMinor: 0, currency: 'USD', returnId: null, note: null, lines: [], announced: true };
    expect(summarizeReturns({ orders: [order('a', 1)], returns: [record('a', [ret('r1', [1], 'requested')], [refund])] }).open).toBe(false);
    expect(summarizeReturns({ orders: [order('a', 1)], returns: [record('a', [ret('r1', [1], 'requested', 'defective', '2026-02-06T00:00:00.000Z')], [refund])] }).open).toBe(true);
  });
});

describe('returns by reason and segment (for status pages and reports)', () => {
  test('each return once per reason, by the customer\'s segment; declined ones left out', () => {
    const counts = returnsByReasonAndSegment([
      { segment: 'vip', returns: [record('a', [ret('r1', [1, 1], 'closed', 'defective'), ret('r2', [1], 'declined', 'unwanted')])] },
      { segment: null, returns: [record('b', [ret('r3', [1], 'open', 'arrived-late')])] },
      { segment: 'repeat' },
    ]);
    expect([...counts.byReason]).toEqual([['defective', 1], ['arrived-late', 1]]);
    expect([...counts.bySegment]).toEqual([['vip', 1], ['none', 1]]);
  });
});
