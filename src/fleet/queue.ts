import { Queue, type JobsOptions } from 'bullmq';
import type { StoreSchedule } from './registry';

/**
 * One BullMQ queue for every store's jobs; each job carries its store id and is named by its kind. Schedules are
 * BullMQ job schedulers (kept in Redis: any process may upsert them, no leader), one per store and kind.
 */
export const QUEUE_NAME = 'jobs';
export const JOB_KINDS = ['sync', 'orders', 'trackers', 'reviews', 'drain', 'setup'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
/**
 * The kinds that run on a schedule (the others run when asked: a webhook's orders, a follow-up drain, setup).
 * `sync` is a store's orders and trackers polls in one job, with the drain following them: one job per store and
 * interval lands on one worker, where separate kinds would land on as many workers as there are kinds, each
 * opening the store and handing its writer lease back and forth between processes on every page.
 */
export const SCHEDULED_KINDS = ['sync', 'reviews'] as const satisfies readonly JobKind[];
/** The kinds whose runs a `sync` job is made of (each still under its own lease: one run per kind at a time). */
export const SYNC_PARTS = ['orders', 'trackers'] as const satisfies readonly JobKind[];

export interface FleetJobData {
  readonly storeId: string;
  /** Times this job was put back because its store's job of the same kind was running (worker.ts, busy). */
  readonly bounces?: number;
}

export const isJobKind = (name: string): name is JobKind => (JOB_KINDS as readonly string[]).includes(name);

/** Redis connection options for BullMQ: workers retry forever (maxRetriesPerRequest null), as BullMQ requires. */
export const bullConnection = (url: string) => ({ url, maxRetriesPerRequest: null });

/**
 * Finished jobs are kept by count only (the fleet view reads its own status, not BullMQ's history). A failure is
 * retried with backoff; its records stay in the outbox whatever happens, and the next scheduled run picks them up.
 */
const JOB_OPTIONS: JobsOptions = { removeOnComplete: 1000, removeOnFail: 5000, attempts: 4, backoff: { type: 'exponential', delay: 5_000 } };

export function openQueue(redisUrl: string, fleet: string): Queue<FleetJobData> {
  const queue = new Queue<FleetJobData>(QUEUE_NAME, { connection: bullConnection(redisUrl), prefix: fleet, defaultJobOptions: JOB_OPTIONS });
  queue.on('error', () => undefined); // reconnects on its own; a failed add rejects its own promise
  return queue;
}

const schedulerId = (storeId: string, kind: JobKind): string => `${storeId}.${kind}`;

/**
 * Asks for one run of a store's job: at most one waits per store and kind (a request while one runs is kept and
 * runs after it: keepLastIfActive), so a noisy store's webhooks cannot flood the queue.
 */
export async function enqueue(queue: Queue<FleetJobData>, storeId: string, kind: JobKind, delayMs = 0): Promise<void> {
  await queue.add(kind, { storeId }, { deduplication: { id: schedulerId(storeId, kind), keepLastIfActive: true }, ...(delayMs > 0 ? { delay: delayMs } : {}) });
}

/**
 * Every active store gets its schedulers; paused and removed stores lose theirs. Idempotent: run by every process at
 * start and every minute. A scheduler already there with the same interval is left alone: upserting it again would
 * replace its pending job with one at the next interval, so each worker starting would push every store back.
 */
export async function syncSchedulers(queue: Queue<FleetJobData>, stores: ReadonlyArray<StoreSchedule & { readonly id: string; readonly paused: boolean }>): Promise<void> {
  const existing = new Map<string, number | undefined>();
  for (let start = 0; ; start += 500) {
    const page = await queue.getJobSchedulers(start, start + 499);
    for (const scheduler of page) existing.set(scheduler.key, scheduler.every ?? undefined);
    if (page.length < 500) break;
  }
  const wanted = new Set<string>();
  for (const store of stores) {
    if (store.paused) continue;
    for (const kind of SCHEDULED_KINDS) {
      const id = schedulerId(store.id, kind);
      const every = kind === 'reviews' ? store.reviewsEveryMs : store.everyMs;
      wanted.add(id);
      if (existing.get(id) !== every) await queue.upsertJobScheduler(id, { every }, { name: kind, data: { storeId: store.id } });
    }
  }
  for (const key of existing.keys()) if (!wanted.has(key)) await queue.removeJobScheduler(key);
}
