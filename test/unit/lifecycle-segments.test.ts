import { applyOrder } from '../../src/enrichment/lifecycle/aggregate';
import { lifecycleConfigSchema, type LifecycleConfig } from '../../src/enrichment/lifecycle/config';
import { evaluateLifecycle } from '../../src/enrichment/lifecycle/evaluate';
import { createStoreStats, updateStoreStats, type StoreStats } from '../../src/enrichment/lifecycle/store-stats';
import type { CustomerAggregate, Segment } from '../../src/model/customer';
import type { Order } from '../../src/model/order';
import { DAY, T0, order } from './lifecycle-fixtures';

/** The gap rules alone, so their boundaries can be pinned exactly; the churn-risk rule is tested on its own. */
const config = lifecycleConfigSchema.parse({ atRisk: { churnRiskAtLeast: null, minDays: 45 } });
const empty = createStoreStats();

function customerOf(orders: readonly Order[], segment: Segment | null = null): CustomerAggregate {
  let c: CustomerAggregate | null = null;
  for (const o of orders) c = applyOrder(c, o);
  if (c === null) throw new Error('no customer');
  return { ...c, segment };
}

const at = (day: number, ms = 0) => new Date(T0 + day * DAY + ms);

describe('evaluateLifecycle segments', () => {
  it('cancelled-only customers are no_purchase with no risk and no review', () => {
    const a = evaluateLifecycle(customerOf([order('1', 0, 900, { cancelledAt: at(0) })]), empty, at(10), config);
    expect(a).toMatchObject({ segment: 'no_purchase', ordersCount: 0, totalSpentMinor: 0, churnRisk: null, nextReviewAt: null });
    expect(a.churnRiskReasons).toEqual([]);
  });

  it('one order: first_time, usual gap from the prior, prior model, reasons in words', () => {
    const a = evaluateLifecycle(customerOf([order('1', 0, 2500)]), empty, at(3), config);
    expect(a).toMatchObject({
      segment: 'first_time', ordersCount: 1, totalSpentMinor: 2500, averageOrderValueMinor: 2500, daysSinceLastOrder: 3,
      usualGapDays: 60, usualGapBasis: 'default_prior', modelBasis: 'prior', vip: false,
    });
    expect(a.expectedNextOrderAt).toEqual(at(60));
    expect(a.churnRisk).toBeGreaterThan(0);
    expect(a.churnRisk).toBeLessThan(1);
    expect(a.churnRiskReasons).toEqual(['last order 3 days ago, within the assumed gap before a second order (60 days)', 'only one order so far']);
  });

  it('same-day orders are one shopping occasion: still first_time, but both orders count', () => {
    const a = evaluateLifecycle(customerOf([order('1', 0, 1000), order('2', 0.2, 500)]), empty, at(1), config);
    expect(a).toMatchObject({ segment: 'first_time', ordersCount: 2, totalSpentMinor: 1500, averageOrderValueMinor: 750 });
  });

  it('two occasions: repeat, own gap shrunk toward the typical gap', () => {
    const a = evaluateLifecycle(customerOf([order('1', 0, 1000), order('2', 20, 1000)]), empty, at(21), config);
    expect(a.segment).toBe('repeat');
    expect(a.usualGapBasis).toBe('own_history');
    expect(a.usualGapDays).toBe((20 + 60) / 2);
  });

  it('refunds reduce spend; cancellations do not count as orders', () => {
    const a = evaluateLifecycle(customerOf([
      order('1', 0, 1000, { currentTotal: { minor: 400, currency: 'GBP' } }),
      order('2', 1, 5000, { cancelledAt: at(1) }),
    ]), empty, at(2), config);
    expect(a).toMatchObject({ ordersCount: 1, totalSpentMinor: 400 });
  });

  it('VIP by order count at exactly minOrders, not one below', () => {
    const orders = Array.from({ length: 10 }, (_, i) => order(String(i), i * 3, 100));
    expect(evaluateLifecycle(customerOf(orders.slice(0, 9)), empty, at(28), config).segment).toBe('repeat');
    expect(evaluateLifecycle(customerOf(orders), empty, at(28), config)).toMatchObject({ segment: 'vip', vip: true });
  });

  it('VIP by amount at exactly minSpentMinor, and each rule can be switched off', () => {
    const byAmount: LifecycleConfig = lifecycleConfigSchema.parse({ vip: { minOrders: null, minSpentMinor: 10_000, topPercent: null } });
    expect(evaluateLifecycle(customerOf([order('1', 0, 9_999)]), empty, at(1), byAmount).segment).toBe('first_time');
    expect(evaluateLifecycle(customerOf([order('1', 0, 10_000)]), empty, at(1), byAmount).segment).toBe('vip');
    const off = lifecycleConfigSchema.parse({ vip: { minOrders: null, minSpentMinor: null, topPercent: null } });
    const many = Array.from({ length: 12 }, (_, i) => order(String(i), i * 2, 100_000));
    expect(evaluateLifecycle(customerOf(many), empty, at(23), off).segment).toBe('repeat');
  });

  it('VIP by top 10% of spend once the store has enough customers, with hysteresis on the way out', () => {
    let stats: StoreStats = empty;
    // 100 customers spending 1, 2, ... 100 pounds: the top 10% start at the bucket holding ~£91.
    for (let i = 1; i <= 100; i++) {
      const c = customerOf([order('1', 0, i * 100, { email: `c${i}@example.com` })]);
      stats = updateStoreStats(stats, null, c);
    }
    const topOnly = lifecycleConfigSchema.parse({ vip: { minOrders: null } });
    const top = customerOf([order('1', 0, 10_000, { email: 'c100@example.com' })]);
    expect(evaluateLifecycle(top, stats, at(1), topOnly).segment).toBe('vip');
    const low = customerOf([order('1', 0, 5_000, { email: 'c50@example.com' })]);
    expect(evaluateLifecycle(low, stats, at(1), topOnly).segment).toBe('first_time');
    // Just under the cut-off: not VIP on entry, but an announced VIP keeps the status within the margin.
    const near = customerOf([order('1', 0, 8_500, { email: 'c85@example.com' })]);
    expect(evaluateLifecycle(near, stats, at(1), topOnly).segment).toBe('first_time');
    expect(evaluateLifecycle({ ...near, segment: 'vip' }, stats, at(1), topOnly).segment).toBe('vip');
    // Too few customers: the percentile rule waits.
    const small = updateStoreStats(empty, null, top);
    expect(evaluateLifecycle(top, small, at(1), topOnly).segment).toBe('first_time');
  });

  it('at_risk at exactly max(minDays, 1.5 × usual gap) after the last order, lapsed at max(180, 4 × gap)', () => {
    const c = customerOf([order('1', 0, 1000)]);
    // One-order customer, prior gap 60: at risk at 90 days, lapsed at 240 days.
    expect(evaluateLifecycle(c, empty, at(90, -1), config).segment).toBe('first_time');
    expect(evaluateLifecycle(c, empty, at(90), config).segment).toBe('at_risk');
    expect(evaluateLifecycle(c, empty, at(240, -1), config).segment).toBe('at_risk');
    expect(evaluateLifecycle(c, empty, at(240), config).segment).toBe('lapsed');
    // A frequent buyer is never at risk before minDays.
    const frequent = customerOf(Array.from({ length: 6 }, (_, i) => order(String(i), i * 2, 100)));
    expect(evaluateLifecycle(frequent, empty, at(10 + 45, -1), config).segment).toBe('repeat');
    expect(evaluateLifecycle(frequent, empty, at(10 + 45), config).segment).toBe('at_risk');
  });

  it('hysteresis: an announced at_risk customer stays at risk down to threshold × (1 − margin)', () => {
    const c = customerOf([order('1', 0, 1000)]);
    expect(evaluateLifecycle(c, empty, at(85), config).segment).toBe('first_time');
    expect(evaluateLifecycle({ ...c, segment: 'at_risk' }, empty, at(85), config).segment).toBe('at_risk');
    expect(evaluateLifecycle({ ...c, segment: 'at_risk' }, empty, at(81), config).segment).toBe('at_risk');
    expect(evaluateLifecycle({ ...c, segment: 'at_risk' }, empty, at(81, -1), config).segment).toBe('first_time');
    expect(evaluateLifecycle({ ...c, segment: 'lapsed' }, empty, at(216), config).segment).toBe('lapsed');
    expect(evaluateLifecycle({ ...c, segment: 'lapsed' }, empty, at(216, -1), config).segment).toBe('at_risk');
  });

  it('the churn-risk rule flags at_risk once risk reaches the threshold, never before minDays', () => {
    const risky = lifecycleConfigSchema.parse({ atRisk: { churnRiskAtLeast: 0.2, minDays: 30, gapMultiple: 10 } });
    const c = customerOf([order('1', 0, 1000)]);
    expect(evaluateLifecycle(c, empty, at(1), risky).churnRisk).toBeGreaterThan(0.2);
    expect(evaluateLifecycle(c, empty, at(30, -1), risky).segment).toBe('first_time');
    expect(evaluateLifecycle(c, empty, at(30), risky).segment).toBe('at_risk');
    const a = evaluateLifecycle(c, empty, at(1), risky);
    expect(a.nextReviewAt).toEqual(at(30));
  });

  it('a new order ends at_risk and lapsed at once', () => {
    const lapsed = { ...customerOf([order('1', 0, 1000)]), segment: 'lapsed' as const };
    const back = applyOrder(lapsed, order('2', 300, 1000));
    if (back === null) throw new Error('expected a customer');
    expect(evaluateLifecycle(back, empty, at(301), config).segment).toBe('repeat');
  });
});

describe('nextReviewAt', () => {
  const cases: [string, LifecycleConfig][] = [
    ['gap rules', config],
    ['gap rules and churn-risk rule (defaults)', lifecycleConfigSchema.parse({})],
  ];
  it.each(cases)('is the exact instant the segment changes with no new order (%s)', (_, cfg) => {
    const customers = [
      customerOf([order('1', 0, 1000)]),
      customerOf([order('1', 0, 1000), order('2', 17, 3000), order('3', 40, 200)]),
      customerOf(Array.from({ length: 10 }, (_, i) => order(String(i), i * 7, 100))),
    ];
    for (const start of customers) {
      let customer = start;
      let now = at(41);
      const seen: Segment[] = [];
      for (let step = 0; step < 4; step++) {
        const a = evaluateLifecycle(customer, empty, now, cfg);
        seen.push(a.segment);
        if (a.nextReviewAt === null) break;
        customer = { ...customer, segment: a.segment };
        const justBefore = new Date(a.nextReviewAt.getTime() - 1);
        expect(evaluateLifecycle(customer, empty, justBefore, cfg).segment).toBe(a.segment);
        const next = evaluateLifecycle(customer, empty, a.nextReviewAt, cfg);
        expect(next.segment).not.toBe(a.segment);
        now = a.nextReviewAt;
      }
      expect(seen[seen.length - 1]).toBe('lapsed');
    }
  });

  it('is null once lapsed and for customers who never bought', () => {
    expect(evaluateLifecycle(customerOf([order('1', 0, 1000)]), empty, at(400), config).nextReviewAt).toBeNull();
    expect(evaluateLifecycle(customerOf([order('1', 0, 1000, { cancelledAt: at(0) })]), empty, at(1), config).nextReviewAt).toBeNull();
  });
});

describe('RFM and churn risk', () => {
  it('scores fixed bands at their edges', () => {
    const c = customerOf([order('1', 0, 10_000)]);
    expect(evaluateLifecycle(c, empty, at(7), config).rfm).toEqual({ recency: 5, frequency: 1, monetary: 2 });
    expect(evaluateLifecycle(c, empty, at(7, 1), config).rfm.recency).toBe(4);
    expect(evaluateLifecycle(c, empty, at(181), config).rfm.recency).toBe(1);
    const big = customerOf(Array.from({ length: 10 }, (_, i) => order(String(i), i * 3, 30_000)));
    expect(evaluateLifecycle(big, empty, at(28), config).rfm).toEqual({ recency: 5, frequency: 5, monetary: 5 });
  });

  it('prior churn risk rises with time since the last order', () => {
    const c = customerOf([order('1', 0, 1000), order('2', 30, 1000)]);
    const risks = [31, 60, 120, 240].map((d) => evaluateLifecycle(c, empty, at(d), config).churnRisk ?? Number.NaN);
    expect([...risks].sort((a, b) => a - b)).toEqual(risks);
    expect(risks[0]).toBeLessThan(0.5);
    expect(risks[3]).toBeGreaterThan(0.8);
  });
});
