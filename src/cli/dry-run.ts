import type { SinkRecord } from '../model/klaviyo';
import type { App } from '../daemon/app';

export interface DryRunSummary {
  readonly orders: number;
  readonly rejected: number;
  readonly eventsByMetric: Readonly<Record<string, number>>;
  readonly profiles: number;
  /** How many profiles would receive each property, and a sample value. */
  readonly properties: Readonly<Record<string, { count: number; sample: unknown }>>;
}

/** Runs a sync against an overlay of the real state and tallies what would be sent. Sends nothing. */
export async function dryRun(app: App): Promise<DryRunSummary> {
  const polled = await app.pollOrders();
  await app.reviewCustomers();
  const records: SinkRecord[] = await app.context.outbox.waiting();
  const eventsByMetric: Record<string, number> = {};
  const properties: Record<string, { count: number; sample: unknown }> = {};
  let profiles = 0;
  for (const record of records) {
    if (record.kind === 'event') {
      eventsByMetric[record.metric] = (eventsByMetric[record.metric] ?? 0) + 1;
      continue;
    }
    profiles += 1;
    for (const [name, value] of Object.entries(record.properties)) {
      const entry = (properties[name] ??= { count: 0, sample: value });
      entry.count += 1;
    }
  }
  return { orders: polled.orders, rejected: polled.rejected, eventsByMetric, profiles, properties };
}
