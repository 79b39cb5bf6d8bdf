import { evaluateLifecycle } from '../enrichment/lifecycle/evaluate';
import { createStoreStats, type StoreStats } from '../enrichment/lifecycle/store-stats';
import { customerEntry } from '../state/customers';
import { announce } from './announce';
import { liveSince, type PipelineContext } from './context';
import { STATS_KEY } from './order-sync';

/**
 * Re-assesses every customer against the current store statistics: after the first backfill (whose pages only
 * built aggregates) and whenever store-wide inputs change. Unchanged profiles produce nothing (hash check).
 */
export async function reassessAllCustomers(context: PipelineContext): Promise<{ customers: number; records: number }> {
  const now = context.clock.now();
  const stats = (await context.store.get<StoreStats>(STATS_KEY)) ?? createStoreStats();
  const since = liveSince(context);
  let customers = 0;
  let records = 0;
  for await (const chunk of context.customers.all()) {
    const announcements = chunk.map((customer) => {
      const lifecycle = evaluateLifecycle(customer, stats, now, context.settings.lifecycle);
      const lastOrder = customer.orders[customer.orders.length - 1];
      const at = lastOrder ? new Date(lastOrder.placedAt) : now;
      return { lifecycle, ...announce(customer, lifecycle, at, 'order', { mapping: context.settings.mapping, liveSince: since, backfill: context.settings.backfill }) };
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
