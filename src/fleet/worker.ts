import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DelayedError, Worker, type Job, type Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { runSetup } from '../cli/setup';
import type { App } from '../daemon/app';
import { composeProvisioner } from '../daemon/compose';
import type { JobName } from '../daemon/jobs';
import { redactText, registerSecrets, type Logger } from '../observability/logger';
import { outOfBudget } from '../sinks/pacing';
import { StoreApps } from './apps';
import { redisCostBuckets } from './cost-buckets';
import type { FleetConfig } from './config';
import { bullConnection, enqueue, isJobKind, openQueue, QUEUE_NAME, SYNC_PARTS, syncSchedulers, type FleetJobData, type JobKind } from './queue';
import { StoreRegistry, type FleetStore } from './registry';
import { fleetKey } from './sealed';
import { FleetStatus, fleetMetrics, type FleetMetrics, type JobOutcome } from './status';
import { redisWindows } from './windows';

/**
 * `shipsignal worker`: takes any store's jobs from the fleet's one queue. Stateless: a store's state is in
 * PostgreSQL under its namespace, its exclusion in the same leases a single daemon uses (one job per store and kind
 * at a time, across all workers), its Klaviyo account's rate windows in Redis. A job whose account is out of budget
 * is put back (moveToDelayed) until the budget is there, so it never holds a worker other stores could use.
 */
export interface FleetWorkerOptions {
  readonly config: FleetConfig;
  /** The worker's SHIPSIGNAL_* defaults every store starts from (store-env.ts workerDefaults). */
  readonly defaults: Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** How often the worker re-reads the registry and upserts schedulers (idempotent; every worker does it). */
  readonly syncEveryMs?: number;
  readonly idleMs?: number;
  /** Told when a store's job work starts and ends, inside its lease (tests, tracing). */
  readonly observer?: (event: WorkerEvent) => void;
}

/** `taken`/`done`: a queue job on this worker; `start`/`end`: its work inside the store's lease of its kind. */
export interface WorkerEvent {
  readonly storeId: string;
  readonly job: JobName | 'sync';
  readonly phase: 'taken' | 'done' | 'start' | 'end';
  readonly worker: string;
}

export interface JobReport {
  readonly outcome: JobOutcome;
  readonly value?: unknown;
}

export class FleetWorker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly metrics: FleetMetrics = fleetMetrics();
  private worker: Worker<FleetJobData, JobReport> | null = null;
  private syncTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  /** Per store and kind: how many runs started inside their lease on this worker (tells a run from a skip). */
  private readonly starts = new Map<string, number>();

  private constructor(
    private readonly options: FleetWorkerOptions,
    readonly registry: StoreRegistry,
    readonly queue: Queue<FleetJobData>,
    private readonly redis: Redis,
    readonly status: FleetStatus,
    private readonly apps: StoreApps,
  ) {}

  static async start(options: FleetWorkerOptions): Promise<FleetWorker> {
    const { config } = options;
    registerSecrets([config.SHIPSIGNAL_FLEET_KEY]);
    const registry = await StoreRegistry.open(config.SHIPSIGNAL_FLEET_DATABASE_URL, config.SHIPSIGNAL_FLEET_NAME, fleetKey(config.SHIPSIGNAL_FLEET_KEY));
    const redis = new Redis(config.SHIPSIGNAL_FLEET_REDIS_URL, { maxRetriesPerRequest: null });
    redis.on('error', () => undefined); // ioredis reconnects; each command waits for it (maxRetriesPerRequest null)
    const queue = openQueue(config.SHIPSIGNAL_FLEET_REDIS_URL, config.SHIPSIGNAL_FLEET_NAME);
    const status = new FleetStatus(redis, config.SHIPSIGNAL_FLEET_NAME);
    let self: FleetWorker | null = null;
    const apps = new StoreApps({
      registry, databaseUrl: config.SHIPSIGNAL_FLEET_DATABASE_URL, defaults: options.defaults, logger: options.logger,
      sharedWindows: redisWindows(redis, config.SHIPSIGNAL_FLEET_NAME, config.SHIPSIGNAL_WORKER_MAX_BUDGET_WAIT_MS), sharedCostBuckets: redisCostBuckets(redis, config.SHIPSIGNAL_FLEET_NAME), idleMs: options.idleMs ?? 10 * 60_000,
      observer: (storeId: string, job: JobName, phase: 'start' | 'end') => {
        if (phase === 'start') self?.starts.set(`${storeId}/${job}`, (self.starts.get(`${storeId}/${job}`) ?? 0) + 1);
        options.observer?.({ storeId, job, phase, worker: self?.id ?? '' });
      },
    });
    self = new FleetWorker(options, registry, queue, redis, status, apps);
    await self.syncSchedules();
    self.run();
    return self;
  }

  /** Upserts every active store's schedulers and drops the rest; logged, never fatal (the next round retries). */
  async syncSchedules(): Promise<void> {
    try {
      await syncSchedulers(this.queue, await this.registry.list());
    } catch (error) {
      this.options.logger.warn('schedules not synced; retrying at the next round', { error });
    }
  }

  private run(): void {
    const { config, logger } = this.options;
    this.worker = new Worker<FleetJobData, JobReport>(QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: bullConnection(config.SHIPSIGNAL_FLEET_REDIS_URL),
      prefix: config.SHIPSIGNAL_FLEET_NAME,
      concurrency: config.SHIPSIGNAL_WORKER_CONCURRENCY,
      lockDuration: config.SHIPSIGNAL_WORKER_LOCK_MS,
      stalledInterval: config.SHIPSIGNAL_WORKER_LOCK_MS,
      // A job whose worker died is taken up again by another; one that kills workers repeatedly is failed.
      maxStalledCount: 5,
    });
    this.worker.on('error', (error) => logger.warn('queue connection error; reconnecting', { error }));
    this.worker.on('failed', (job, error) => logger.error('job failed', { storeId: job?.data.storeId, kind: job?.name, attempt: job?.attemptsMade, error }));
    const every = this.options.syncEveryMs ?? 60_000;
    this.syncTimer = setInterval(() => void this.syncSchedules(), every);
    this.syncTimer.unref();
  }

  private async process(job: Job<FleetJobData, JobReport>, token: string | undefined): Promise<JobReport> {
    const { storeId } = job.data;
    const kind = job.name;
    if (!isJobKind(kind)) throw new Error(`unknown job kind ${kind}`);
    this.options.observer?.({ storeId, job: kind, phase: 'taken', worker: this.id });
    try {
      return await this.processKind(job, kind, token);
    } finally {
      this.options.observer?.({ storeId, job: kind, phase: 'done', worker: this.id });
    }
  }

  private async processKind(job: Job<FleetJobData, JobReport>, kind: JobKind, token: string | undefined): Promise<JobReport> {
    const { storeId } = job.data;
    const store = await this.registry.get(storeId);
    if (!store || store.paused) {
      const outcome: JobOutcome = store ? 'paused' : 'skipped';
      this.metrics.jobs.inc({ store_id: storeId, kind, outcome });
      if (store) await this.status.record(storeId, kind, outcome);
      return { outcome };
    }
    const timer = this.metrics.jobSeconds.startTimer({ store_id: storeId, kind });
    try {
      // The kinds of work this job runs, each inside its own lease; a job none of whose parts started found them running.
      const parts: readonly JobKind[] = kind === 'sync' ? SYNC_PARTS : [kind];
      const startsBefore = parts.map((part) => this.starts.get(`${storeId}/${part}`) ?? 0);
      const report = await this.apps.use(store, async (app, throttled) => {
        try {
          return await this.runKind(app, kind);
        } finally {
          const count = await throttled();
          if (count > 0) this.metrics.throttled.inc({ store_id: storeId }, count);
          if (kind === 'drain' || kind === 'orders' || kind === 'sync') {
            const outbox = (await app.context.outbox.depth()).batches;
            this.metrics.outbox.set({ store_id: storeId }, outbox);
            await this.status.record(storeId, kind, null, { outbox, throttled: count });
          } else if (count > 0) await this.status.record(storeId, kind, null, { throttled: count });
        }
      });
      const ran = parts.filter((part, i) => (this.starts.get(`${storeId}/${part}`) ?? 0) > startsBefore[i]);
      if (ran.length === 0) return await this.busy(job, kind, token);
      this.metrics.jobs.inc({ store_id: storeId, kind, outcome: report.outcome });
      if (report.outcome === 'ok') {
        for (const part of ran) {
          this.metrics.lastSuccess.set({ store_id: storeId, kind: part }, Date.now() / 1000);
          await this.status.record(storeId, part, 'ok');
        }
      }
      return report;
    } catch (error) {
      if (error instanceof DelayedError) throw error; // put back by busy(): not a failure
      const budget = outOfBudget(error);
      if (budget && token) {
        // Put back, not failed and not waited on: the worker takes another store's job meanwhile.
        this.metrics.jobs.inc({ store_id: storeId, kind, outcome: 'delayed' });
        await this.status.record(storeId, kind, 'delayed');
        await job.moveToDelayed(budget.untilMs, token);
        throw new DelayedError();
      }
      this.metrics.jobs.inc({ store_id: storeId, kind, outcome: 'failed' });
      await this.status.record(storeId, kind, 'failed', { error: redactText(error instanceof Error ? error.message : String(error)) }).catch(() => undefined);
      throw error;
    } finally {
      timer();
    }
  }

  /**
   * The store's job of this kind was running already (its lease held, here or on another worker). A scheduled run
   * is skipped: the next tick comes anyway (Temporal's default overlap policy). A run someone asked for (a webhook,
   * a follow-up drain) must happen after the one in progress, which may have read before the change: it is put
   * back, a second later and doubling to 30 s while the holder keeps running.
   */
  private async busy(job: Job<FleetJobData, JobReport>, kind: JobKind, token: string | undefined): Promise<JobReport> {
    const { storeId } = job.data;
    if (job.repeatJobKey || !token) {
      this.metrics.jobs.inc({ store_id: storeId, kind, outcome: 'skipped' });
      return { outcome: 'skipped' };
    }
    const bounces = job.data.bounces ?? 0;
    this.metrics.jobs.inc({ store_id: storeId, kind, outcome: 'delayed' });
    await job.updateData({ ...job.data, bounces: bounces + 1 });
    await job.moveToDelayed(Date.now() + Math.min(30_000, 1_000 * 2 ** bounces), token);
    throw new DelayedError();
  }

  /** One job of one store, on its App; the producing kinds deliver while they read, as `shipsignal run` does. */
  private async runKind(app: App, kind: JobKind): Promise<JobReport> {
    switch (kind) {
      case 'sync':
        // Both polls side by side, one drain following both; a failure of one does not cut the other short.
        return this.produce(app, async () => {
          const [orders, trackers] = await Promise.allSettled([app.pollOrders('skip'), app.pollTrackers('skip')]);
          if (orders.status === 'rejected') throw orders.reason;
          if (trackers.status === 'rejected') throw trackers.reason;
          return { orders: orders.value, trackers: trackers.value };
        });
      case 'orders':
        return this.produce(app, () => app.pollOrders('skip'));
      case 'trackers':
        return this.produce(app, () => app.pollTrackers('skip'));
      case 'reviews':
        return this.produce(app, () => app.reviewDue('skip'));
      case 'drain': {
        const drained = await app.drain(undefined, 'skip');
        return { outcome: 'ok', value: drained };
      }
      case 'setup': {
        // Under the store's setup lease: two runs at once would both look an object up, miss it, and both create it.
        // On the App's own state store, and its provisioner stops with the App.
        const outcome = await app.setupJob(() => runSetup(app.env, false, { store: app.context.store, provisioner: composeProvisioner(app.env, app.signal) }));
        return { outcome: 'ok', value: outcome.ran ? outcome.value.lines.map((line) => ({ name: line.name, status: line.outcome.status })) : [] };
      }
    }
  }

  /**
   * Runs a producing job with a drain following it; then, if the outbox is not empty (records appended after the
   * drain's last look, or a drain that stopped), asks for one more drain, put off until the account has budget when
   * that is what stopped it.
   */
  private async produce(app: App, work: () => Promise<unknown>): Promise<JobReport> {
    const following = app.drainFollowing().then(() => null, (error: unknown) => error);
    const worked = await work().then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
    await app.checkHoldShare().catch(() => undefined);
    const drainError = await following;
    const budget = outOfBudget(drainError);
    if (drainError && !budget && !app.signal.aborted) this.options.logger.warn('drain after job failed; the drain job retries', { storeId: app.storeId, error: drainError });
    // Nothing left behind (the usual case: the drain followed the job to its end): no drain job, which another
    // worker would take and open the store for only to find the outbox empty.
    if (budget || drainError || (await app.context.outbox.depth()).batches > 0) {
      await enqueue(this.queue, app.storeId, 'drain', budget ? Math.max(0, budget.untilMs - Date.now()) : 0);
    }
    if (!worked.ok) throw worked.error;
    return { outcome: 'ok', value: worked.value };
  }

  /** Runs `work` on the store's App (webhooks: the store's own sources verify its deliveries). */
  withStore<T>(store: FleetStore, work: (app: App) => Promise<T>): Promise<T> {
    return this.apps.use(store, (app) => work(app));
  }

  /** Ready: the queue's Redis and the registry's PostgreSQL answer, and the BullMQ worker runs. */
  async ready(): Promise<{ ready: boolean; redis: string; registry: string; worker: string }> {
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('no answer within 2 s'), 2_000).unref());
    const redis = await Promise.race([this.redis.ping().then(() => 'ok', (error: unknown) => (error as Error).message), timeout]);
    const registry = await this.registry.list().then(() => 'ok', (error: unknown) => (error as Error).message);
    const worker = this.worker?.isRunning() ? 'ok' : 'not running';
    return { ready: redis === 'ok' && registry === 'ok' && worker === 'ok', redis, registry, worker };
  }

  /** Graceful: stop taking jobs, let the running ones finish (their retries cut short by the Apps' close), close. */
  close(graceMs = 10_000): Promise<void> {
    this.closing ??= (async () => {
      if (this.syncTimer) clearInterval(this.syncTimer);
      const closingWorker = this.worker?.close() ?? Promise.resolve();
      // Past the grace period the running jobs are cut short (their Apps abort retries and requests): what they
      // did not deliver stays in the outbox, and BullMQ retries the jobs on another worker.
      const late = (): Promise<'late'> => new Promise((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
      if ((await Promise.race([closingWorker, late()])) === 'late') {
        this.options.logger.warn('jobs still running after the grace period; stopping them', { graceMs });
        await this.apps.close();
        // A job that still has not ended once its App is closed (a call that does not heed the abort) is not waited
        // for without end: closing goes on, its lock expires, and BullMQ's stalled-job check gives it to another
        // worker, as after a crash (every job is at-least-once and idempotent).
        if ((await Promise.race([closingWorker, late()])) === 'late') this.options.logger.warn('jobs did not stop; left to the stalled-job check', { graceMs });
      } else {
        await closingWorker;
      }
      await this.apps.close();
      await this.queue.close();
      this.redis.disconnect();
      await this.registry.close();
    })();
    return this.closing;
  }
}
