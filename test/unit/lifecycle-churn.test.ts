import { applyOrder } from '../../src/enrichment/lifecycle/aggregate';
import { fitChurnModel, needsRefit, refitChurnModel } from '../../src/enrichment/lifecycle/churn-model';
import { lifecycleConfigSchema } from '../../src/enrichment/lifecycle/config';
import { evaluateLifecycle } from '../../src/enrichment/lifecycle/evaluate';
import { createStoreStats, updateStoreStats, type StoreStats } from '../../src/enrichment/lifecycle/store-stats';
import type { CustomerAggregate } from '../../src/model/customer';
import { DAY, T0, order } from './lifecycle-fixtures';

const config = lifecycleConfigSchema.parse({});
const now = new Date(T0 + 400 * DAY);

/** Half the customers buy every `gap` days until now; the other half stop after their `stopDay`. */
function population(n: number): CustomerAggregate[] {
  const customers: CustomerAggregate[] = [];
  for (let i = 0; i < n; i++) {
    const gap = 10 + (i % 7) * 5;
    const stopDay = i % 2 === 0 ? 400 : 40 + (i % 11) * 20;
    let c: CustomerAggregate | null = null;
    for (let day = i % 13, k = 0; day < stopDay; day += gap, k++) {
      c = applyOrder(c, order(`${i}-${k}`, day, 1000 + (i % 5) * 500, { email: `c${i}@example.com` }));
    }
    if (c !== null) customers.push(c);
  }
  return customers;
}

function statsOf(customers: readonly CustomerAggregate[]): StoreStats {
  return customers.reduce<StoreStats>((s, c) => updateStoreStats(s, null, c), createStoreStats());
}

async function* stream(customers: readonly CustomerAggregate[]): AsyncGenerator<CustomerAggregate> {
  for (const c of customers) yield c;
}

describe('fitChurnModel', () => {
  const customers = population(300);
  const stats = statsOf(customers);

  it('stays on the prior when there is too little history', async () => {
    expect(await fitChurnModel(customers.slice(0, 10), config, { now, stats })).toBeNull();
    expect(needsRefit(stats, now, config)).toBe(true);
    const tried = await refitChurnModel(stats, customers.slice(0, 10), now, config);
    expect(tried.churnModel).toBeNull();
    expect(needsRefit(tried, new Date(now.getTime() + DAY), config)).toBe(false);
  });

  it('learns from streamed customers, deterministically, and separates active from stopped customers', async () => {
    const model = await fitChurnModel(stream(customers), config, { now, stats });
    expect(model).not.toBeNull();
    expect(await fitChurnModel(customers, config, { now, stats })).toEqual(model);
    const fitted = await refitChurnModel(stats, customers, now, config);
    expect(fitted.churnModel).toEqual(model);
    expect(needsRefit(fitted, new Date(now.getTime() + 7 * DAY - 1), config)).toBe(false);
    expect(needsRefit(fitted, new Date(now.getTime() + 7 * DAY), config)).toBe(true);
    const active = evaluateLifecycle(customers[0], fitted, now, config);
    const stopped = evaluateLifecycle(customers[1], fitted, now, config);
    expect(active.modelBasis).toBe('store_model');
    expect(active.churnRisk).toBeLessThan(0.3);
    expect(stopped.churnRisk).toBeGreaterThan(0.7);
    expect(stopped.churnRiskReasons.length).toBeGreaterThanOrEqual(2);
    expect(stopped.churnRiskReasons.length).toBeLessThanOrEqual(3);
    expect(stopped.churnRiskReasons.join(' ')).toMatch(/no order for \d+ days/);
  });

  it('bounds memory with a reservoir sample', async () => {
    const small = lifecycleConfigSchema.parse({ model: { maxExamples: 250 } });
    const model = await fitChurnModel(customers, small, { now, stats });
    expect(model?.examples).toBe(250);
  });

  it('ignores a stored model fitted for another horizon', async () => {
    const model = await fitChurnModel(customers, config, { now, stats });
    const other = lifecycleConfigSchema.parse({ horizonDays: 60 });
    const a = evaluateLifecycle(customers[0], { ...stats, churnModel: model }, now, other);
    expect(a.modelBasis).toBe('prior');
  });
});

describe('store stats', () => {
  it('replaces a customer contribution exactly, so replays and updates do not drift', () => {
    const customers = population(40);
    const stats = statsOf(customers);
    const again = customers.reduce<StoreStats>((s, c) => updateStoreStats(s, c, c), stats);
    expect(again).toBe(stats);
    const grown = applyOrder(customers[0], order('extra', 399, 99_999, { email: customers[0].email }));
    if (grown === null) throw new Error('expected a customer');
    const updated = updateStoreStats(stats, customers[0], grown);
    expect(updated.buyingCustomers).toBe(stats.buyingCustomers);
    expect(updateStoreStats(updated, grown, customers[0])).toEqual(stats);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });
});

describe('config/lifecycle.yaml', () => {
  it('parses through the schema and states every default the schema has', () => {
    const { readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    const { parse } = jest.requireActual<typeof import('yaml')>('yaml');
    const raw = parse(readFileSync(`${__dirname}/../../config/lifecycle.yaml`, 'utf8')) as { lifecycle: unknown };
    expect(lifecycleConfigSchema.parse(raw.lifecycle)).toEqual(config);
  });
});
