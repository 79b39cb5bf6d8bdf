import { evaluateLifecycle } from '../enrichment/lifecycle/evaluate';
import { needsRefit, refitChurnModel } from '../enrichment/lifecycle/churn-model';
import { createStoreStats, type StoreStats } from '../enrichment/lifecycle/store-stats';
import type { CustomerAggregate } from '../model/customer';
import { customerEntry } from '../state/customers';
import { announce } from './announce';
import { liveSince, type PipelineContext } from './context';
import { STATS_KEY } from './order-sync';

/**
 * Re-assesses every customer against the current store statistics: after the first backfill (whose pages only
 * built aggregates) and whenever store-wide inputs change. Unchanged profiles produce nothing (hash check).
 */
export async function reassessAllCustomers(context: PipelineContext, reason: 'backfill' | 'refit'): Promise<{ customers: number; records: number }> {
  const now = context.clock.now();
  const stats = (await context.store.get<StoreStats>(STATS_KEY)) ?? createStoreStats();
  const since = liveSince(context);
  let customers = 0;
  let records = 0;
  for await (const chunk of context.customers.all()) {
    const announcements = chunk.map((customer) => {
      const lifecycle = evaluateLifecycle(customer, stats, now, context.settings.lifecycle);
      // After a backfill a change belongs to the customer's history; after a refit it is news, dated now.
      const lastOrder = customer.orders[customer.orders.length - 1];
      const at = reason === 'backfill' && lastOrder ? new Date(lastOrder.placedAt) : now;
      return { lifecycle, ...announce(customer, lifecycle, at, reason === 'backfill' ? 'order' : 'time', { mapping: context.settings.mapping, liveSince: since, backfill: context.settings.backfill }) };
    });
    const queued = announcements.flatMap((a) => a.records);
    await context.outbox.append(queued);
    await context.reviews.schedule(
      announcements.flatMap((a) => (a.lifecycle.nextReviewAt ? [{ key: a.customer.key, at: a.lifecycle.nextReviewAt }] : [])),
    );
    await context.store.setMany(announcements.map((a) => customerEntry(a.customer)));
    customers += chunk.length;
    records += queued.length;
  }
  return { customers, records };
}

/**
 * Refits the churn model from the store's own customers when it is due (config `model.refitEveryDays`), streaming
 * them from state. Returns true when the stored statistics changed, so the caller re-assesses everyone.
 */
export async function refitChurnModelIfDue(context: PipelineContext): Promise<boolean> {
  const now = context.clock.now();
  const stats = (await context.store.get<StoreStats>(STATS_KEY)) ?? createStoreStats();
  if (!needsRefit(stats, now, context.settings.lifecycle)) return false;
  const refitted = await refitChurnModel(stats, everyCustomer(context), now, context.settings.lifecycle);
  await context.store.set(STATS_KEY, refitted);
  return JSON.stringify(refitted.churnModel) !== JSON.stringify(stats.churnModel);
}

async function* everyCustomer(context: PipelineContext): AsyncGenerator<CustomerAggregate> {
  for await (const chunk of context.customers.all()) yield* chunk;
}
