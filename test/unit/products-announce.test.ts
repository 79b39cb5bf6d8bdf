import { DEFAULT_LIFECYCLE_CONFIG } from '../../src/enrichment/lifecycle/config';
import { evaluateLifecycle } from '../../src/enrichment/lifecycle/evaluate';
import { createStoreStats } from '../../src/enrichment/lifecycle/store-stats';
import { NO_PRODUCT_SIGNALS, type ProductSignals } from '../../src/enrichment/products/types';
import { mappingConfigSchema } from '../../src/mapping/mapping-config';
import type { MetricEvent } from '../../src/model/records';
import { announce, type AnnounceOptions } from '../../src/pipeline/announce';
import { DAY, T0 } from './lifecycle-fixtures';
import { customerWith, item, placed } from './products-fixtures';

const mapping = mappingConfigSchema.parse({});
const options: AnnounceOptions = { mapping, liveSince: new Date(T0), backfill: 'flag' };
const customer = customerWith([placed('1', 0, [item('tea')])]);
const due = (dueDay: number): ProductSignals => ({
  ...NO_PRODUCT_SIGNALS,
  topCategory: 'tea',
  replenishment: {
    productId: 'tea', title: 'Green tea', dueAt: new Date(T0 + dueDay * DAY), lateAt: new Date(T0 + 1.5 * dueDay * DAY),
    intervalDays: dueDay, learnedFrom: 'product', cycleOrderId: '1',
  },
});
const run = (c: typeof customer, signals: ProductSignals, nowDay: number, held: boolean) => {
  const now = new Date(T0 + nowDay * DAY);
  return announce(c, evaluateLifecycle(c, createStoreStats(), now, DEFAULT_LIFECYCLE_CONFIG), now, 'time', options, { signals, now, held });
};
const replenishmentEvents = (records: ReturnType<typeof run>['records']) =>
  records.filter((r): r is MetricEvent => r.kind === 'event' && r.metric === 'Replenishment Due');

describe('Replenishment Due in announce', () => {
  it('schedules a review at a future due date and sends nothing yet', () => {
    const a = run(customer, due(30), 10, false);
    expect(replenishmentEvents(a.records)).toEqual([]);
    expect(a.reviewAt.map((d) => d.getTime())).toContain(T0 + 30 * DAY);
    expect(a.customer.replenishment).toMatchObject({ productId: 'tea', cycleOrderId: '1', announcedCycle: null });
  });

  it('waits while promotions are held, re-checking daily, then sends once the hold is gone, and never twice', () => {
    const held = run(customer, due(30), 31, true);
    expect(replenishmentEvents(held.records)).toEqual([]);
    expect(held.reviewAt.map((d) => d.getTime())).toContain(T0 + 32 * DAY);
    const released = run(held.customer, due(30), 33, false);
    const events = replenishmentEvents(released.records);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ time: new Date(T0 + 30 * DAY), properties: { ProductId: 'tea', UsualIntervalDays: 30, LearnedFrom: 'product', TopCategory: 'tea' } });
    const again = run(released.customer, due(30), 34, false);
    expect(replenishmentEvents(again.records)).toEqual([]);
  });

  it('stops re-checking a held cycle once the next check would be past late', () => {
    const held = run(customer, due(30), 44.5, true);
    expect(held.reviewAt.map((d) => d.getTime())).not.toContain(T0 + 45.5 * DAY);
  });

  it('sends nothing and keeps no cycle when the customer has none', () => {
    const a = run(customer, NO_PRODUCT_SIGNALS, 31, false);
    expect(replenishmentEvents(a.records)).toEqual([]);
    expect(a.customer.replenishment).toBeUndefined();
  });
});
