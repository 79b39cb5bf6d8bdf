/**
 * `bench:fleet`'s sandbox process: one synthetic Shopify store and one Klaviyo account (documented rate limits or
 * scaled ones, its own key) per fleet store, all in this child so the workers' CPU is measured apart. Driven over
 * IPC by fleet.ts.
 */
import { startLocalStack, type LocalStack } from '../sandbox/local-stack';
import { generateStore } from '../sandbox/shopify/seeds/synthetic';
import { bulkMaxima } from './rate-minimum';

export interface FleetSandboxSpec {
  readonly stores: number;
  readonly orders: number;
  readonly seed: number;
  readonly now: string;
  /** Every account's rate limits divided by this (1: the documented ones). */
  readonly limitScale: number;
  /** Every account's bulk maxima (events a request, profiles a job) divided by this (1: Klaviyo's). */
  readonly bulkScale: number;
}

export interface StoreProgress {
  /** Every event stored, whatever its metric. */
  readonly events: number;
  /** Placed Order and Ordered Product events: what `expectedEvents` counts. */
  readonly expectedMetricEvents: number;
  readonly profiles: number;
  readonly throttled: number;
}

export type FleetSandboxMessage =
  | { readonly kind: 'started'; readonly stores: ReadonlyArray<{ readonly env: Record<string, string>; readonly expectedEvents: number; readonly customers: number }> }
  | { readonly kind: 'progress'; readonly stores: readonly StoreProgress[] };

let stacks: LocalStack[] = [];

process.on('message', (message: { kind: 'start'; spec: FleetSandboxSpec } | { kind: 'progress' } | { kind: 'close' }) => {
  void (async () => {
    if (message.kind === 'start') {
      const { spec } = message;
      const end = new Date(spec.now);
      const started = [];
      for (let i = 0; i < spec.stores; i++) {
        const store = generateStore({ orders: spec.orders, seed: spec.seed + i, start: new Date(end.getTime() - 300 * 86_400_000), spanDays: 300 });
        const stack = await startLocalStack({
          store, credentials: { klaviyoApiKey: `pk_bench_fleet_${spec.seed}_${i}` },
          klaviyoRateLimits: spec.limitScale > 1 ? { divideBy: spec.limitScale } : 'documented',
          ...(spec.bulkScale > 1 ? { klaviyoBulkMaxima: bulkMaxima(spec.bulkScale) } : {}),
        });
        stacks.push(stack);
        const emails = new Set<string>();
        let expectedEvents = 0;
        for (let k = 0; k < store.size; k++) {
          const record = store.recordAt(k);
          const email = (record.customer?.email ?? record.email ?? '').trim().toLowerCase();
          if (!email) continue;
          emails.add(email);
          expectedEvents += 1 + record.lineItems.length; // Placed Order and one Ordered Product per line
        }
        started.push({ env: { ...stack.env }, expectedEvents, customers: emails.size });
      }
      process.send?.({ kind: 'started', stores: started } satisfies FleetSandboxMessage);
    } else if (message.kind === 'progress') {
      // The metrics a store's expected events are counted in (Placed Order, Ordered Product): the backfill's other
      // metrics arriving first must not make a store look done. Counted without copying the events each poll.
      const stores = stacks.map((stack) => {
        const counts = stack.klaviyo.storedCounts();
        const expected = (counts.eventsByMetric['Placed Order'] ?? 0) + (counts.eventsByMetric['Ordered Product'] ?? 0);
        return { events: counts.events, expectedMetricEvents: expected, profiles: counts.profiles, throttled: stack.klaviyo.stats().throttled };
      });
      process.send?.({ kind: 'progress', stores } satisfies FleetSandboxMessage);
    } else {
      await Promise.all(stacks.map((stack) => stack.close()));
      stacks = [];
      process.exit(0);
    }
  })();
});
