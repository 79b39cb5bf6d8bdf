import { createStoreStats, type StoreStats } from '../enrichment/lifecycle/store-stats';
import type { StateStore } from './store';

export const LIFECYCLE_STATS_KEY = 'stats:lifecycle';

/** The store-wide lifecycle statistics: read with a default, written as one entry of a commit. */
export class LifecycleStatsRepository {
  constructor(private readonly store: StateStore) {}

  async get(): Promise<StoreStats> {
    return (await this.store.get<StoreStats>(LIFECYCLE_STATS_KEY)) ?? createStoreStats();
  }

  /** Null when the store has none yet (a first backfill). */
  async stored(): Promise<StoreStats | null> {
    return (await this.store.get<StoreStats>(LIFECYCLE_STATS_KEY)) ?? null;
  }

  entry(stats: StoreStats): readonly [string, StoreStats] {
    return [LIFECYCLE_STATS_KEY, stats];
  }
}
