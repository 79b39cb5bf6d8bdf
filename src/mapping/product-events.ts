import type { CustomerAggregate } from '../model/customer';
import type { MetricEvent } from '../model/records';
import type { ReplenishmentDue } from '../enrichment/products/types';
import type { MappingConfig } from './mapping-config';
import { identityOf } from './profile';
import { catalogId } from './profile-fields';
import { uniqueId } from './unique-id';

/**
 * `Replenishment Due`, once per product cycle: the id is the customer, the product and the order that started the
 * cycle, so a replay (or a review that runs twice) is the same event, and the next purchase starts a new one.
 */
export function replenishmentDueEvent(
  customer: CustomerAggregate,
  due: ReplenishmentDue,
  topCategory: string | null,
  backfill: boolean,
  mapping: MappingConfig,
): MetricEvent | null {
  const config = mapping.events.replenishmentDue;
  if (!config.enabled) return null;
  return {
    kind: 'event',
    metric: config.metric,
    identity: identityOf(customer),
    time: due.dueAt,
    uniqueId: replenishmentEventId(customer.key, due.productId, due.cycleOrderId),
    value: null,
    valueCurrency: null,
    properties: {
      ProductId: catalogId(due.productId),
      ProductName: due.title,
      UsualIntervalDays: due.intervalDays,
      LearnedFrom: due.learnedFrom,
      DueAt: due.dueAt.toISOString(),
      LateAt: due.lateAt.toISOString(),
      CycleOrderId: due.cycleOrderId,
      TopCategory: topCategory,
    },
    backfill,
  };
}

export const replenishmentEventId = (customerKey: string, productId: string, cycleOrderId: string): string =>
  uniqueId('repl', customerKey, productId, cycleOrderId);
