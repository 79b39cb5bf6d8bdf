import { evaluateLifecycle } from '../enrichment/lifecycle/evaluate';
import type { SinkRecord } from '../model/records';
import { customerEntry } from '../state/customers';
import type { CustomerAggregate } from '../model/customer';
import { NO_PRODUCT_SIGNALS } from '../enrichment/products/types';
import { announce } from './announce';
import { commitUnit } from './commit';
import { planShipments } from './shipment-sync';
import { liveSince, type PipelineContext } from './context';
import { heldAmongDue, readProductBook, signalsFor } from './product-signals';

/** A replenishment cycle that has come due (or waits for a hold to lift) and has not been announced. */
function replenishmentDue(customer: CustomerAggregate, now: Date): boolean {
  const cycle = customer.replenishment;
  return !!cycle && Date.parse(cycle.dueAt) <= now.getTime() && cycle.announcedCycle !== `${cycle.productId}|${cycle.cycleOrderId}`;
}

/**
 * Time-driven segment changes (repeat → at_risk → lapsed) and replenishment cycles coming due, with no new order.
 * Only customers whose review time has come are read, from the review index; each segment change is dated at the
 * instant its threshold was crossed and each `Replenishment Due` at its due date, so the event is the same whenever
 * the review runs.
 */
export async function reviewDueCustomers(context: PipelineContext): Promise<{ reviewed: number; records: number }> {
  const now = context.clock.now();
  const keys = await context.reviews.due(now);
  const stats = await context.stats.get();
  const since = liveSince(context);
  let reviewed = 0;
  let recordCount = 0;
  for (let start = 0; start < keys.length; start += 500) {
    const chunk = keys.slice(start, start + 500);
    const counted = await context.writer(async () => {
      const customers = [...(await context.customers.getMany(chunk)).values()].filter((customer) => {
        const dueAt = customer.nextReviewAt ? new Date(customer.nextReviewAt) : null;
        // Neither due: moved by a newer order since it was indexed.
        return (dueAt !== null && dueAt <= now) || replenishmentDue(customer, now);
      });
      const book = await readProductBook(context, customers);
      const signals = await signalsFor(context.productStats, book, customers, now, context.settings.products);
      const held = await heldAmongDue(context, customers, signals, now);
      const records: SinkRecord[] = [];
      const saved = [];
      const rescheduled: Array<{ key: string; at: Date }> = [];
      for (const customer of customers) {
        const dueAt = customer.nextReviewAt ? new Date(customer.nextReviewAt) : null;
        // A segment change is dated at its threshold; a review for a replenishment alone changes no segment.
        const changeAt = dueAt !== null && dueAt <= now ? dueAt : now;
        const lifecycle = evaluateLifecycle(customer, stats, now, context.settings.lifecycle);
        const announcement = announce(customer, lifecycle, changeAt, 'time', { mapping: context.settings.mapping, liveSince: since, backfill: context.settings.backfill }, {
          signals: signals.get(customer.key) ?? NO_PRODUCT_SIGNALS, now, held: held.has(customer.email),
        });
        records.push(...announcement.records);
        saved.push(announcement.customer);
        rescheduled.push(...announcement.reviewAt.map((at) => ({ key: customer.key, at })));
      }
      // Delivery properties hold time-bound rules too (a fragile-trust window lapsing): re-derived for every customer
      // due, whatever the lifecycle said; unchanged ones send and write nothing.
      const current = new Map([...customers, ...saved].map((c) => [c.key, c] as const));
      const delivery = await planShipments(context, [], current, { emails: [...current.keys()], customers: current });
      records.push(...delivery.records);
      await commitUnit(context, { records, reviews: [...rescheduled, ...delivery.reviews], entries: [...saved.map(customerEntry), ...delivery.entries] });
      return { reviewed: saved.length, records: records.length };
    });
    reviewed += counted.reviewed;
    recordCount += counted.records;
  }
  await context.reviews.done(now);
  return { reviewed, records: recordCount };
}
