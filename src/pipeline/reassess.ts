import { evaluateLifecycle } from '../enrichment/lifecycle/evaluate';
import { needsRefit, refitChurnModel } from '../enrichment/lifecycle/churn-model';
import type { CustomerAggregate } from '../model/customer';
import { customerEntry } from '../state/customers';
import { NO_PRODUCT_SIGNALS } from '../enrichment/products/types';
import { announce } from './announce';
import { commitUnit } from './commit';
import { liveSince, type PipelineContext } from './context';
import { heldAmongDue, readProductBook, signalsFor } from './product-signals';

/**
 * Re-assesses every customer against the current store statistics: after the first backfill (whose pages only
 * built aggregates) and whenever store-wide inputs change. Unchanged profiles produce nothing (hash check).
 */
export async function reassessAllCustomers(context: PipelineContext, reason: 'backfill' | 'refit'): Promise<{ customers: number; records: number }> {
  const now = context.clock.now();
  const stats = await context.stats.get();
  const since = liveSince(context);
  let customers = 0;
  let records = 0;
  for await (const keys of context.customers.allKeys()) {
    // Read under the writer lease, and only there: the reviews job (or a webhook's poll) may change a customer
    // between listing and announcing, and announcing from an earlier copy would overwrite that change and repeat its
    // event ordinal. Only keys are listed, so each customer is decoded once (it was twice: listed, then re-read).
    const queued = await context.writer(async () => {
      const chunk = [...(await context.customers.getMany(keys)).values()];
      const book = await readProductBook(context, chunk);
      const signals = await signalsFor(context.productStats, book, chunk, now, context.settings.products);
      const held = await heldAmongDue(context, chunk, signals, now);
      const announcements = chunk.map((customer) => {
        const lifecycle = evaluateLifecycle(customer, stats, now, context.settings.lifecycle);
        // After a backfill a change belongs to the customer's history; after a refit it is news, dated now.
        const lastOrder = customer.orders[customer.orders.length - 1];
        const at = reason === 'backfill' && lastOrder ? new Date(lastOrder.placedAt) : now;
        const products = { signals: signals.get(customer.key) ?? NO_PRODUCT_SIGNALS, now, held: held.has(customer.email) };
        return announce(customer, lifecycle, at, reason === 'backfill' ? 'order' : 'time', { mapping: context.settings.mapping, liveSince: since, backfill: context.settings.backfill }, products);
      });
      const records = announcements.flatMap((a) => a.records);
      await commitUnit(context, {
        records,
        reviews: announcements.flatMap((a) => a.reviewAt.map((at) => ({ key: a.customer.key, at }))),
        entries: announcements.map((a) => customerEntry(a.customer)),
      });
      return { customers: chunk.length, records: records.length };
    });
    customers += queued.customers;
    records += queued.records;
  }
  return { customers, records };
}

/**
 * Refits the churn model from the store's own customers when it is due (config `model.refitEveryDays`), streaming
 * them from state. Returns true when the stored statistics changed, so the caller re-assesses everyone.
 */
export async function refitChurnModelIfDue(context: PipelineContext): Promise<boolean> {
  const now = context.clock.now();
  const stats = await context.stats.get();
  if (!needsRefit(stats, now, context.settings.lifecycle)) return false;
  const refitted = await refitChurnModel(stats, everyCustomer(context), now, context.settings.lifecycle);
  // The fit streams every customer outside the lease; only its result is merged into the statistics as they are
  // now, so the counts an order page added meanwhile are kept.
  await context.writer(async () => {
    const current = await context.stats.get();
    await commitUnit(context, { entries: [context.stats.entry({ ...current, churnModel: refitted.churnModel, churnModelCheckedAt: refitted.churnModelCheckedAt })] });
  });
  return JSON.stringify(refitted.churnModel) !== JSON.stringify(stats.churnModel);
}

async function* everyCustomer(context: PipelineContext): AsyncGenerator<CustomerAggregate> {
  for await (const chunk of context.customers.all()) yield* chunk;
}
