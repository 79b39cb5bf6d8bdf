import { existsSync } from 'node:fs';
import type { Env } from '../config/env';
import type { SinkRecord } from '../model/records';
import { App, type AppOptions } from '../daemon/app';
import { OverlayStore } from '../state/overlay-store';
import type { StateStore } from '../state/store';

export interface DryRunSummary {
  readonly orders: number;
  readonly rejected: number;
  /** Trackers EasyPost reported changed since the stored cursor (looked up, none created). */
  readonly trackers: number;
  readonly eventsByMetric: Readonly<Record<string, number>>;
  readonly profiles: number;
  /** How many profiles would receive each property, and a sample value. */
  readonly properties: Readonly<Record<string, { count: number; sample: unknown }>>;
}

/**
 * The real state, read through an overlay that keeps every write in memory. A SQLite file that does not exist yet
 * (a dry run before the first sync) is not created: the overlay then reads an empty state.
 */
export async function readOnlyState(url: string, open: () => Promise<StateStore>): Promise<StateStore> {
  const path = url.startsWith('sqlite://') ? url.slice('sqlite://'.length) : null;
  const missing = path !== null && path !== ':memory:' && !existsSync(path);
  return new OverlayStore(missing ? null : await open());
}

/**
 * Runs a sync's reading and computing steps (orders with their parcels, changed trackers, due re-checks, reviews)
 * and tallies what would be sent. It touches nothing: no request that changes anything at a provider (no
 * tracker is created, no Shopify bulk operation started, nothing sent to Klaviyo) and no state written.
 */
export async function dryRun(env: Env, options: Omit<AppOptions, 'store' | 'readOnly'> = {}): Promise<DryRunSummary> {
  const app = await App.create(env, { ...options, readOnly: true, store: (open) => readOnlyState(env.SHIPSIGNAL_STATE_URL, open) });
  try {
    const polled = await app.pollOrders();
    const trackers = await app.pollTrackers();
    await app.recheckShipments();
    await app.reviewCustomers();
    return { orders: polled.orders, rejected: polled.rejected, trackers: trackers.trackers, ...tally(await app.context.outbox.waiting()) };
  } finally {
    await app.close();
  }
}

function tally(records: readonly SinkRecord[]): Pick<DryRunSummary, 'eventsByMetric' | 'profiles' | 'properties'> {
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
  return { eventsByMetric, profiles, properties };
}
