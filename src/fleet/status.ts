import type { Redis } from 'ioredis';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { fleetKeys } from '../state/keys';
import type { FleetStore } from './registry';
import { JOB_KINDS, type JobKind } from './queue';

/**
 * Per-store job outcomes, shared by every worker (a Redis hash per store), for the fleet view; and this worker's
 * Prometheus metrics labelled by store. The view answers: which stores run, how far behind each is, how much waits
 * in its outbox, how often its account said 429, and what failed last.
 */
export type JobOutcome = 'ok' | 'skipped' | 'paused' | 'delayed' | 'failed';

export interface StoreStatusView {
  readonly id: string;
  readonly paused: boolean;
  /** Per kind: the last success, ISO. */
  readonly lastSuccess: Readonly<Record<string, string | null>>;
  /** Since the last successful orders run, seconds (null: never ran). */
  readonly lagSeconds: number | null;
  readonly outboxBatches: number | null;
  readonly throttled: number;
  readonly budgetDelays: number;
  readonly failures: number;
  readonly lastError: string | null;
}

export function fleetMetrics() {
  const registry = new Registry();
  return {
    registry,
    jobs: new Counter({ name: 'shipsignal_fleet_jobs_total', help: 'Jobs this worker ran, by store, kind and outcome', labelNames: ['store_id', 'kind', 'outcome'], registers: [registry] }),
    jobSeconds: new Histogram({ name: 'shipsignal_fleet_job_seconds', help: 'Job run time by store and kind', labelNames: ['store_id', 'kind'], buckets: [0.1, 1, 5, 30, 120, 600, 3600], registers: [registry] }),
    outbox: new Gauge({ name: 'shipsignal_fleet_outbox_batches', help: 'Batches waiting in a store\'s outbox, as last seen by this worker', labelNames: ['store_id'], registers: [registry] }),
    throttled: new Counter({ name: 'shipsignal_fleet_klaviyo_429_total', help: '429 answers by store', labelNames: ['store_id'], registers: [registry] }),
    lastSuccess: new Gauge({ name: 'shipsignal_fleet_last_success_timestamp_seconds', help: 'Last successful job by store and kind', labelNames: ['store_id', 'kind'], registers: [registry] }),
  };
}
export type FleetMetrics = ReturnType<typeof fleetMetrics>;

export class FleetStatus {
  constructor(private readonly redis: Redis, private readonly fleet: string) {}

  async record(storeId: string, kind: JobKind, outcome: JobOutcome | null, detail: { outbox?: number; throttled?: number; error?: string } = {}): Promise<void> {
    const key = fleetKeys.status(this.fleet, storeId);
    const now = String(Date.now());
    const batch = this.redis.multi();
    if (outcome === 'ok') batch.hset(key, `${kind}:ok`, now);
    if (outcome === 'failed') batch.hincrby(key, 'failures', 1).hset(key, 'lastError', `${kind}: ${detail.error ?? 'failed'}`, 'lastErrorAt', now);
    if (outcome === 'delayed') batch.hincrby(key, 'delays', 1);
    if (detail.outbox !== undefined) batch.hset(key, 'outbox', String(detail.outbox));
    if (detail.throttled) batch.hincrby(key, 'throttled', detail.throttled);
    await batch.exec();
  }

  async forget(storeId: string): Promise<void> {
    await this.redis.del(fleetKeys.status(this.fleet, storeId));
  }

  async view(stores: readonly FleetStore[], now = Date.now()): Promise<StoreStatusView[]> {
    const hashes = await Promise.all(stores.map((store) => this.redis.hgetall(fleetKeys.status(this.fleet, store.id))));
    return stores.map((store, i) => {
      const hash = hashes[i] ?? {};
      const at = (kind: string) => (hash[`${kind}:ok`] ? Number(hash[`${kind}:ok`]) : null);
      const orders = at('orders');
      return {
        id: store.id,
        paused: store.paused,
        // Per kind of work (a `sync` job records its orders and trackers runs under their own names).
        lastSuccess: Object.fromEntries(JOB_KINDS.filter((kind) => kind !== 'sync').map((kind) => [kind, at(kind) === null ? null : new Date(at(kind) as number).toISOString()])),
        lagSeconds: orders === null ? null : Math.round((now - orders) / 1000),
        outboxBatches: hash.outbox === undefined ? null : Number(hash.outbox),
        throttled: Number(hash.throttled ?? 0),
        budgetDelays: Number(hash.delays ?? 0),
        failures: Number(hash.failures ?? 0),
        lastError: hash.lastError ?? null,
      };
    });
  }
}
