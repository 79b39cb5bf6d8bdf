import { evaluateLifecycle } from '../enrichment/lifecycle/evaluate';
import type { SinkRecord } from '../model/records';
import { customerEntry } from '../state/customers';
import { announce } from './announce';
import { commitUnit } from './commit';
import { planShipments } from './shipment-sync';
import { liveSince, type PipelineContext } from './context';

/**
 * Time-driven segment changes (repeat → at_risk → lapsed) with no new order. Only customers whose review time has
 * come are read, from the review index; each change is dated at the instant its threshold was crossed, so the
 * event is the same whenever the review runs.
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
      const customers = await context.customers.getMany(chunk);
      const records: SinkRecord[] = [];
      const saved = [];
      const rescheduled: Array<{ key: string; at: Date }> = [];
      for (const customer of customers.values()) {
        const dueAt = customer.nextReviewAt ? new Date(customer.nextReviewAt) : null;
        if (!dueAt || dueAt > now) continue; // moved by a newer order since it was indexed
        const lifecycle = evaluateLifecycle(customer, stats, now, context.settings.lifecycle);
        const announcement = announce(customer, lifecycle, dueAt, 'time', { mapping: context.settings.mapping, liveSince: since, backfill: context.settings.backfill });
        records.push(...announcement.records);
        saved.push(announcement.customer);
        if (lifecycle.nextReviewAt) rescheduled.push({ key: customer.key, at: lifecycle.nextReviewAt });
      }
      // Delivery properties hold time-bound rules too (a fragile-trust window lapsing): re-derived for every customer
      // due, whatever the lifecycle said; unchanged ones send and write nothing.
      const current = new Map([...customers, ...saved.map((c) => [c.key, c] as const)]);
      const delivery = await planShipments(context, [], new Map([...current].map(([k, c]) => [k, c.segment])), { emails: [...current.keys()], customers: current });
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
