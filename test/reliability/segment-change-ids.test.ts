import { applyOrder } from '../../src/enrichment/lifecycle/aggregate';
import { NO_PRODUCT_SIGNALS } from '../../src/enrichment/products/types';
import { DEFAULT_LIFECYCLE_CONFIG } from '../../src/enrichment/lifecycle/config';
import { evaluateLifecycle } from '../../src/enrichment/lifecycle/evaluate';
import { createStoreStats, updateStoreStats } from '../../src/enrichment/lifecycle/store-stats';
import { mappingConfigSchema } from '../../src/mapping/mapping-config';
import type { CustomerAggregate } from '../../src/model/customer';
import type { MetricEvent } from '../../src/model/records';
import { announce } from '../../src/pipeline/announce';
import { DAY, T0, order } from '../unit/lifecycle-fixtures';

/**
 * Found by the crash test: a customer's count of announced segment changes is part of each change's event id, so it
 * must survive every later order. When applyOrder dropped it, the next change reused an id Klaviyo already held and
 * was silently dropped as a duplicate.
 */
describe('segment-change event ids across orders and time', () => {
  const mapping = mappingConfigSchema.parse({});
  const options = { mapping, liveSince: new Date(0), backfill: 'flag' as const };

  it('gives every announced change its own id, whether caused by time or by an order', () => {
    let customer: CustomerAggregate | null = null;
    let stats = createStoreStats();
    const ids: string[] = [];
    const step = (now: number, cause: 'order' | 'time', placed?: ReturnType<typeof order>) => {
      const before: CustomerAggregate | null = customer;
      if (placed) {
        customer = applyOrder(before, placed) as CustomerAggregate;
        stats = updateStoreStats(stats, before, customer);
      }
      const current = customer as CustomerAggregate;
      const lifecycle = evaluateLifecycle(current, stats, new Date(now), DEFAULT_LIFECYCLE_CONFIG);
      const announced = announce(current, lifecycle, new Date(now), cause, options, { signals: NO_PRODUCT_SIGNALS, now: new Date(now), held: false });
      customer = announced.customer;
      ids.push(...announced.records.filter((r): r is MetricEvent => r.kind === 'event').map((e) => e.uniqueId));
    };
    step(T0, 'order', order('1', 0, 5000));
    step(T0 + 400 * DAY, 'time');
    step(T0 + 401 * DAY, 'order', order('2', 401, 5000));
    step(T0 + 900 * DAY, 'time');
    step(T0 + 901 * DAY, 'order', order('3', 901, 5000));
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
