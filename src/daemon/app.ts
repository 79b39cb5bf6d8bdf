import { setMaxListeners } from 'node:events';
import type { Env } from '../config/env';
import { loadSettings } from '../config/load';
import { pageLinkFor } from '../pages/tracking/token';
import { registerSecrets, createLogger, type Logger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { createPipelineContext, type PipelineContext } from '../pipeline/context';
import { drainOutbox, type DrainOutcome, type Producer } from '../pipeline/drain';
import { reviewDueCustomers } from '../pipeline/review';
import { applyTrackingUpdates, recheckDueShipments } from '../pipeline/shipment-jobs';
import { reviewHoldShare } from '../pipeline/hold-share';
import { openStateStore, type StateStore } from '../state/store';
import { systemClock, type Clock } from '../util/clock';
import { RetryableError } from '../util/errors';
import { loadBranding } from '../config/branding';
import { loadStarterSet } from '../config/starter-set';
import { composeAdapters, composeProvisioner, secretsOf, type Adapters } from './compose';
import { resolveStoreId } from './store-id';
import { Health } from './health';
import type { WebhookHandler } from './http-server';
import type { SharedWindowsFor } from '../sinks/pacing';
import type { SharedCostBucketsFor } from '../sources/shared-bucket';
import { runJob, type JobDeps, type JobName, type JobObserver } from './jobs';
import { localLeases, storeLeases, type LeaseWait, type Leases } from './leases';
import { pollOrders, type OrdersPolled } from './order-poll';
import { Producers } from './producers';
import { AutoSetup } from './setup-job';
import { guardState } from './state-guard';
import { pollTrackers } from './tracker-poll';
import { webhookHandlers } from './webhooks';
import { rejectUnknownReturnOrders } from '../pipeline/returns';

export interface AppOptions {
  readonly clock?: Clock;
  readonly logStream?: NodeJS.WritableStream;
  readonly logger?: Logger;
  /** Replaces the store named by SHIPSIGNAL_STATE_URL (dry-run's overlay, tests). */
  readonly store?: (opened: () => Promise<StateStore>) => Promise<StateStore>;
  /**
   * No mutating request to any provider (dry-run): EasyPost trackers are only looked up, never created, and Shopify
   * is read page by page, never through a bulk operation (a mutation). State writes are the store's affair.
   */
  readonly readOnly?: boolean;
  /** A fleet worker's shared rate windows per destination account (see AdapterHooks). */
  readonly sharedWindows?: SharedWindowsFor;
  /** Replaces loadSettings (a fleet worker reuses what it parsed for stores with the same environment and files). */
  readonly loadSettings?: typeof loadSettings;
  /** A fleet worker's shared cost buckets per shop (see AdapterHooks). */
  readonly sharedCostBuckets?: SharedCostBucketsFor;
  readonly jobObserver?: JobObserver;
}

export interface SyncReport extends OrdersPolled {
  readonly drained: DrainOutcome;
  readonly reviewed: number;
  readonly trackers: number;
  readonly shipments: number;
}

/** How long a CLI run (or a test) waits for a job kind another run holds; a cron tick skips instead. */
const WAIT: LeaseWait = { timeoutMs: 30 * 60_000 };
/** The writer lease covers one page's read-compute-commit: seconds at most, so waiting a minute means trouble. */
const WRITER_WAIT: LeaseWait = { timeoutMs: 60_000 };

/**
 * The assembled daemon: state, the ports' adapters (from the composition root) and the jobs the scheduler and the
 * CLI run. Jobs are independent: each runs under its own kind's lease (orders, trackers, reviews, drain, setup), and only
 * each page's read-compute-commit holds the short `writer` lease, so one failing provider stops only its own job.
 */
export class App {
  private readonly running = new Set<Promise<unknown>>();
  /** SHIPSIGNAL_SETUP=auto's job (never in a read-only run). */
  private autoSetup: AutoSetup | null = null;
  /** Jobs appending to the outbox right now: a drain follows them instead of ending on an empty outbox. */
  private readonly producers = new Producers();
  private draining: Promise<void> | null = null;
  private drainAgain = false;
  private ordersAgain = false;
  /** Orders named by return and refund webhooks since the last poll, with their topic. */
  private readonly returnOrdersNamed = new Map<string, string>();

  private constructor(
    readonly env: Env,
    readonly storeId: string,
    readonly health: Health,
    readonly context: PipelineContext,
    private readonly adapters: Adapters,
    private readonly leases: Leases,
    /** Aborted by close(): the sources' and the destination's retry waits and requests in flight end at once. */
    private readonly abort: AbortController,
    private readonly observer: JobObserver | undefined,
  ) {}

  static async create(env: Env, options: AppOptions = {}): Promise<App> {
    registerSecrets(secretsOf(env));
    const storeId = await resolveStoreId(env);
    const settings = { ...(options.loadSettings ?? loadSettings)(env), pageLink: pageLinkFor(env, storeId) };
    const clock = options.clock ?? (env.SHIPSIGNAL_NOW ? { now: () => new Date(env.SHIPSIGNAL_NOW as string) } : systemClock);
    const logger = (options.logger ?? createLogger(env.SHIPSIGNAL_LOG_LEVEL, options.logStream)).child({ storeId });
    const metrics = createMetrics();
    metrics.registry.setDefaultLabels({ store_id: storeId });
    const abort = new AbortController();
    // Every lease held (jobs, the writer, webhook work) and every client listens for the stop: more than Node's
    // default warning threshold of ten at once is expected, not a leak.
    setMaxListeners(100, abort.signal);
    const health = new Health();
    let context: PipelineContext | null = null;
    const adapters = composeAdapters(env, {
      clock, logger, metrics, signal: abort.signal, readOnly: options.readOnly ?? false,
      ...(options.sharedWindows ? { sharedWindows: options.sharedWindows } : {}),
      ...(options.sharedCostBuckets ? { sharedCostBuckets: options.sharedCostBuckets } : {}),
      incident: (component, error) => health.failed(component, error),
      rejected: (source, recordId, reason) => void context?.rejects.add([{ at: clock.now().toISOString(), source, recordId, reason }]),
    });
    const open = () => openStateStore(env.SHIPSIGNAL_STATE_URL, storeId);
    const opened = options.store ? await options.store(open) : await open();
    const store = guardState(opened, (ok, error) => (ok ? health.succeeded('state', clock.now()) : health.failed('state', error as Error)));
    // In-process turns first, then the store's lease: two jobs of this process contend without asking the store,
    // and another process on the same state is kept out by the store (until the lease expires, if it crashed).
    const leases = localLeases(storeLeases(store, env.SHIPSIGNAL_LEASE_TTL_MS, abort.signal));
    const writer = async <T>(work: () => Promise<T>): Promise<T> => {
      const outcome = await leases.run('writer', WRITER_WAIT, work);
      if (!outcome.ran) throw new RetryableError(`state writer lease not taken within ${WRITER_WAIT === 'skip' ? 0 : WRITER_WAIT.timeoutMs} ms (another process holds it)`, 'writer_busy');
      return outcome.value;
    };
    context = createPipelineContext(store, settings, clock, logger, metrics, writer);
    const app = new App(env, storeId, health, context, adapters, leases, abort, options.jobObserver);
    health.expect([adapters.orders.name, ...(adapters.tracking ? [adapters.tracking.name] : []), adapters.destination.name, 'state']);
    // The starter set is validated here, at start-up, like every other file.
    if (env.SHIPSIGNAL_SETUP === 'auto' && !options.readOnly) app.autoSetup = new AutoSetup(() => app.deps, store, composeProvisioner(env, abort.signal), loadStarterSet(env.SHIPSIGNAL_MAPPINGS_DIR, settings.mapping, loadBranding(env.SHIPSIGNAL_CONFIG_DIR)));
    return app;
  }

  /** The configured ports (doctor, tests). */
  get ports(): Adapters {
    return this.adapters;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  private get deps(): JobDeps {
    const { logger, metrics, clock } = this.context;
    return { leases: this.leases, health: this.health, logger, metrics, clock, signal: this.signal, ...(this.observer ? { observer: this.observer } : {}) };
  }

  /** Runs one job and keeps it in `running`, so close() and whenIdle() can wait for it. */
  private job<T>(name: JobName, component: string | null, wait: LeaseWait, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    return this.track(runJob(this.deps, { name, component, wait }, work));
  }

  private track<T>(run: Promise<T>): Promise<T> {
    this.running.add(run);
    const forget = () => this.running.delete(run);
    run.then(forget, forget);
    return run;
  }

  /** A job that appends to the outbox: while it runs, a drain keeps following the outbox instead of ending. */
  private producing<T>(work: () => Promise<T>): Promise<T> {
    return this.producers.run(work);
  }

  private followProducers(): Producer {
    return this.producers.follow(() => this.context.outbox.nextAppend());
  }

  private static value<T>(outcome: { ran: true; value: T } | { ran: false }, fallback: T): T {
    return outcome.ran ? outcome.value : fallback;
  }

  /** Reads every order changed since the cursor into the outbox (the `orders` job; waits if another run has it). */
  async pollOrders(wait: LeaseWait = WAIT): Promise<OrdersPolled> {
    const { orders, tracking } = this.adapters;
    const outcome = await this.job('orders', orders.name, wait, () => this.producing(() => pollOrders(this.context, orders, tracking, this.signal)));
    return App.value(outcome, { orders: 0, rejected: 0, customers: 0, queued: 0, bulkExportSeconds: 0 });
  }

  /** Applies every tracker changed since the persisted cursor (the `trackers` job). */
  async pollTrackers(wait: LeaseWait = WAIT): Promise<{ trackers: number; shipments: number; queued: number }> {
    const { tracking } = this.adapters;
    if (!tracking) return { trackers: 0, shipments: 0, queued: 0 };
    const outcome = await this.job('trackers', tracking.name, wait, () => this.producing(() => pollTrackers(this.context, tracking, this.signal)));
    return App.value(outcome, { trackers: 0, shipments: 0, queued: 0 });
  }

  /** The time-driven work (the `reviews` job): parcels whose re-check time has come, then customers due a review. */
  async reviewDue(wait: LeaseWait = WAIT): Promise<{ checked: number; reviewed: number; records: number }> {
    const outcome = await this.job('reviews', null, wait, () => this.producing(async () => {
      const shipments = await recheckDueShipments(this.context);
      const customers = await reviewDueCustomers(this.context);
      return { checked: shipments.checked, reviewed: customers.reviewed, records: shipments.records + customers.records };
    }));
    return App.value(outcome, { checked: 0, reviewed: 0, records: 0 });
  }

  /**
   * Warns (log and /readyz) when an implausible share of customers is held from promotions; run after each job that
   * plans shipments. Reads two small aggregates, never the customers.
   */
  async checkHoldShare(): Promise<void> {
    const warning = await reviewHoldShare(this.context, this.health.detail('holds'));
    this.health.setDetail('holds', warning?.message ?? null);
  }

  /** Re-assesses the shipments whose re-check time has come (stalls and lateness with no new scan). */
  recheckShipments(): Promise<{ checked: number; records: number }> {
    return this.producing(() => recheckDueShipments(this.context));
  }

  reviewCustomers(): Promise<{ reviewed: number; records: number }> { return this.producing(() => reviewDueCustomers(this.context)); }

  /** Delivers the outbox (the `drain` job, under its own lease): a destination outage stops only this job. */
  async drain(producer?: Producer, wait: LeaseWait = WAIT): Promise<DrainOutcome> {
    const { destination } = this.adapters;
    const outcome = await this.job('drain', destination.name, wait, () => drainOutbox(this.context, destination, this.signal, producer));
    return App.value(outcome, { profiles: 0, events: 0, rejected: 0 });
  }

  /** A drain (skipped while another holds its lease) that follows the jobs producing now: a fleet worker's jobs. */
  drainFollowing(): Promise<DrainOutcome> {
    return this.drain(this.followProducers(), 'skip');
  }

  /**
   * The daemon's drain trigger: starts a drain that follows the jobs producing right now, or, when one is already
   * running, asks it to run once more after it ends (so records appended after its last look are not left waiting
   * for the next tick).
   */
  kickDrain(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return this.draining;
    }
    const run = (async () => {
      do {
        this.drainAgain = false;
        try {
          const drained = await this.drain(this.followProducers(), 'skip');
          // In the background: setup never holds up the next drain pass.
          if (this.autoSetup && drained.events > 0) void this.track(this.autoSetup.afterDelivery(drained.events));
        } catch (error) {
          if (!this.signal.aborted) this.context.logger.error('drain failed', { error });
          return;
        }
      } while (this.drainAgain && !this.signal.aborted);
    })();
    this.draining = this.track(run).finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  /**
   * Runs `work` (steps that fill the outbox) while the outbox is delivered as it fills, to the end: a first
   * backfill is bound by the destination's limits, not by reading the store and then sending. If delivery fails
   * while the work goes on (an outage outlasting the retries), the work still finishes and queues everything, and
   * the call then fails with the delivery's error.
   */
  async deliverWhile<T>(work: () => Promise<T>): Promise<{ result: T; drained: DrainOutcome }> {
    let finished: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const producer = { done: false, progress: () => Promise.race([this.context.outbox.nextAppend(), ended]) };
    const following = this.drain(producer).then((outcome) => ({ outcome, error: null }), (error: unknown) => ({ outcome: null, error }));
    const worked = await work().then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
    producer.done = true;
    finished();
    const followed = await following;
    if (!worked.ok) throw worked.error;
    if (followed.outcome === null) throw followed.error;
    return { result: worked.value, drained: followed.outcome };
  }

  /** One full pass (the CLI's `sync`): orders with their parcels, changed trackers, due re-checks and reviews, the outbox. */
  async syncOnce(): Promise<SyncReport> {
    const { result: [polled, trackers, due], drained } = await this.deliverWhile(async () => [
      await this.pollOrders(), await this.pollTrackers(), await this.reviewDue(),
    ] as const);
    await this.checkHoldShare();
    await this.autoSetup?.afterDelivery(drained.events);
    return {
      ...polled,
      queued: polled.queued + trackers.queued + due.records,
      reviewed: due.reviewed,
      trackers: trackers.trackers,
      shipments: trackers.shipments + due.checked,
      drained,
    };
  }

  /** The scheduler's job table: each job skips a tick while a run of its kind holds the lease, then kicks the drain. */
  scheduled(): Array<{ readonly name: JobName; readonly cron: string; readonly run: () => Promise<unknown> }> {
    const { env, autoSetup } = this;
    // The drain starts with the job (following what it appends) and is kicked again once it ends, so records
    // appended after the drain's last look never wait for the next tick. The tick itself never waits for the
    // drain: node-cron skips a tick while the previous one runs, and a drain retrying through an outage must not
    // hold back the next poll.
    const then = <T>(run: () => Promise<T>) => async () => {
      void this.kickDrain();
      try {
        await run();
        // After every job that plans shipments or reviews: the held share is two small reads.
        await this.checkHoldShare();
      } finally {
        void this.kickDrain();
      }
    };
    return [
      { name: 'orders', cron: env.SHIPSIGNAL_ORDERS_CRON ?? env.SHIPSIGNAL_SYNC_CRON, run: then(() => this.pollOrders('skip')) },
      { name: 'trackers', cron: env.SHIPSIGNAL_TRACKERS_CRON ?? env.SHIPSIGNAL_SYNC_CRON, run: then(() => this.pollTrackers('skip')) },
      { name: 'reviews', cron: env.SHIPSIGNAL_REVIEWS_CRON ?? env.SHIPSIGNAL_REVIEW_CRON, run: then(() => this.reviewDue('skip')) },
      { name: 'drain', cron: env.SHIPSIGNAL_DRAIN_CRON ?? env.SHIPSIGNAL_SYNC_CRON, run: () => this.kickDrain() },
      ...(autoSetup ? [{ name: 'setup' as const, cron: env.SHIPSIGNAL_SYNC_CRON, run: () => this.track(autoSetup.tick()) }] : []),
    ];
  }

  /**
   * The webhook receivers for the HTTP server. Verified deliveries are answered at once and handled in the
   * background: a tracking update is committed (under the writer lease) and drained; a store's order change runs
   * one order poll, or one more after the poll in progress.
   */
  webhooks(): Record<string, WebhookHandler> {
    const { orders, tracking } = this.adapters;
    return webhookHandlers({
      orders,
      tracking,
      trackerChanged: (update) => void this.background('tracking webhook', async () => {
        await this.producing(() => applyTrackingUpdates(this.context, [update], null));
        await this.kickDrain();
      }),
      ordersChanged: (topic, orderId) => {
        if (orderId) this.returnOrdersNamed.set(orderId, topic);
        if (this.ordersAgain) return;
        this.ordersAgain = true;
        void this.background('orders webhook', async () => {
          const drained = this.kickDrain();
          // Waits for a poll already running: the change may have landed after it read that page.
          await this.pollOrders().finally(() => {
            this.ordersAgain = false;
          });
          const named = new Map(this.returnOrdersNamed);
          this.returnOrdersNamed.clear();
          await rejectUnknownReturnOrders(this.context, named);
          await drained;
        });
      },
      rejected: (source, reason) => void this.context.rejects.add([{ at: this.context.clock.now().toISOString(), source, recordId: 'webhook', reason }]),
    });
  }

  private background(name: string, job: () => Promise<unknown>): Promise<void> {
    return this.track(job()).then(() => undefined, (error: unknown) => {
      if (!this.signal.aborted) this.context.logger.error(`${name} failed`, { error });
    });
  }

  /** `work` under the store's `setup` lease (a fleet's setup job: never beside another run's, nor AutoSetup's). */
  setupJob<T>(work: () => Promise<T>, wait: LeaseWait = 'skip'): Promise<{ ran: true; value: T } | { ran: false }> {
    return this.job('setup', null, wait, work);
  }

  /** Runs `work` tracked like a job, so whenIdle() waits for it too (tests). Exclusion comes from the leases. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.track(work());
  }

  /** Resolves once every job and background step started so far (webhook work included) has finished. */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /**
   * Stops new work, aborts retry waits, waits for the jobs to end, then closes the destination and the store. Each
   * step is guarded: a destination that fails to close still lets the store close. Safe to call twice.
   */
  private closing: Promise<void> | null = null;
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      const steps: Array<[string, () => Promise<unknown>]> = [
        ['jobs', () => this.whenIdle()],
        ['destination', () => this.adapters.destination.close()],
        ['state', () => this.context.store.close()],
      ];
      for (const [step, run] of steps) {
        try {
          await run();
        } catch (error) {
          this.context.logger.error(`close: ${step} failed`, { error });
        }
      }
    })();
    return this.closing;
  }
}
