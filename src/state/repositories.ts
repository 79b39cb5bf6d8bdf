import { createStoreStats, type StoreStats } from '../enrichment/lifecycle/store-stats';
import { BACKFILL_PENDING_KEY, LOGS, STATS_KEY, logTailKey, orderCursorKey, trackingCursorKey } from './keys';
import type { StateStore } from './port';

/** A key-value pair for a caller's `commit` (the write that moves a cursor together with what the page produced). */
export type Entry<T> = readonly [string, T];

/** The store-wide lifecycle statistics and churn model: read once per step, saved with the step's commit. */
export class StoreStatsRepository {
  constructor(private readonly store: StateStore) {}

  async get(): Promise<StoreStats> {
    return (await this.store.get<StoreStats>(STATS_KEY)) ?? createStoreStats();
  }

  entry(stats: StoreStats): Entry<StoreStats> {
    return [STATS_KEY, stats];
  }

  save(stats: StoreStats): Promise<void> {
    return this.store.set(STATS_KEY, stats);
  }
}

/**
 * Where one source resumes. The value is the source's own (Shopify's `OrdersCursor`, an ISO instant for EasyPost's
 * trackers...), opaque here and stored as JSON; `kind` keeps a source's order and tracking cursors apart.
 */
export class CursorRepository<C> {
  private readonly key: string;

  constructor(private readonly store: StateStore, source: string, kind: 'orders' | 'trackers' = 'orders') {
    this.key = kind === 'orders' ? orderCursorKey(source) : trackingCursorKey(source);
  }

  async get(): Promise<C | null> {
    return (await this.store.get<C>(this.key)) ?? null;
  }

  entry(cursor: C): Entry<C> {
    return [this.key, cursor];
  }

  save(cursor: C): Promise<void> {
    return this.store.set(this.key, cursor);
  }
}

/** Set while a first backfill has read orders but not yet assessed every customer; survives a crash. */
export class BackfillFlag {
  constructor(private readonly store: StateStore) {}

  async pending(): Promise<boolean> {
    return (await this.store.get<boolean>(BACKFILL_PENDING_KEY)) ?? false;
  }

  entry(pending: boolean): Entry<boolean> {
    return [BACKFILL_PENDING_KEY, pending];
  }

  set(pending: boolean): Promise<void> {
    return this.store.set(BACKFILL_PENDING_KEY, pending);
  }
}

/**
 * Whether a namespace already holds a daemon's state (customers indexed, an outbox ever appended to, store stats).
 * The composition root uses it before switching an existing deployment from the default namespace to a derived
 * store id: state under the old namespace would otherwise look empty (a full backfill, an outbox never drained).
 */
export async function holdsState(store: StateStore): Promise<boolean> {
  const found = await store.getMany([logTailKey(LOGS.customerIndex), logTailKey(LOGS.outboxEvents), logTailKey(LOGS.outboxProfiles), STATS_KEY]);
  return found.some((value) => value !== undefined);
}
