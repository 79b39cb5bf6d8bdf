import type { Env } from '../config/env';
import { ConfigError } from '../config/yaml-file';
import { loadSettings } from '../config/load';
import { registerSecrets, createLogger, redactText, type Logger } from '../observability/logger';
import { createMetrics, type Metrics } from '../observability/metrics';
import { createPipelineContext, liveSince, type PipelineContext } from '../pipeline/context';
import { drainOutbox, type DrainOutcome, type Producer } from '../pipeline/drain';
import { processOrderPage } from '../pipeline/order-sync';
import { reassessAllCustomers, refitChurnModelIfDue } from '../pipeline/reassess';
import { reviewDueCustomers } from '../pipeline/review';
import { applyTrackerSnapshots, recheckDueShipments, shipmentsForOrders } from '../pipeline/shipment-jobs';
import { planShipments } from '../pipeline/shipment-sync';
import { reviewHoldShare } from '../pipeline/hold-share';
import { EasyPostTrackingClient } from '../sources/easypost/client';
import { nextTrackerCursor } from '../sources/easypost/cursor';
import type { TrackerSnapshot } from '../sources/easypost/snapshot';
import { TRACKERS_CURSOR_KEY } from '../state/shipments';
import { KlaviyoSink } from '../sinks/klaviyo/sink';
import { ShopifyGraphqlClient } from '../sources/shopify/client';
import type { OrdersCursor } from '../sources/shopify/cursor';
import { readOrders } from '../sources/shopify/orders-stream';
import { openStateStore, type StateStore } from '../state/store';
import { systemClock, type Clock } from '../util/clock';
import { Health } from './health';
import type { WebhookHandler } from './http-server';
import { webhookHandlers } from './webhooks';

export const ORDERS_CURSOR_KEY = 'cursor:shopify:orders';
const BACKFILL_PENDING_KEY = 'backfill:reassess-pending';
const OVERLAP_MS = 60_000;
/** Tracker updates applied per outbox append and state write. */
const TRACKER_CHUNK = 500;

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
}

export interface SyncReport {
  readonly orders: number;
  readonly rejected: number;
  readonly customers: number;
  readonly queued: number;
  readonly drained: DrainOutcome;
  readonly reviewed: number;
  readonly trackers: number;
  readonly shipments: number;
}

/**
 * The assembled daemon: state, sources, sink and the jobs the scheduler and CLI run. Every job shares one lock, so
 * no two jobs (or two runs of one job) touch state at once.
 */
export class App {
  private lock: Promise<unknown> = Promise.resolve();
  readonly health = new Health();

  private constructor(
    readonly env: Env,
    readonly context: PipelineContext,
    private readonly shopify: ShopifyGraphqlClient,
    private readonly sink: KlaviyoSink,
    /** Null when no EASYPOST_API_KEY is set: parcels then follow the store's own fulfillment status. */
    private readonly tracker: EasyPostTrackingClient | null,
    /** Aborted by close(): the sources' and the sink's retry waits and requests in flight end at once. */
    private readonly abort: AbortController,
    private readonly readOnly: boolean,
  ) {}

  static async create(env: Env, options: AppOptions = {}): Promise<App> {
    registerSecrets([env.SHOPIFY_ACCESS_TOKEN, env.KLAVIYO_API_KEY, env.EASYPOST_API_KEY, env.EASYPOST_WEBHOOK_SECRET, env.SHOPIFY_WEBHOOK_SECRET, env.SHIPSIGNAL_HTTP_TOKEN]);
    const problems = [
      env.SHOPIFY_STORE_DOMAIN ? null : 'environment SHOPIFY_STORE_DOMAIN: required (e.g. my-store.myshopify.com)',
      env.SHOPIFY_ACCESS_TOKEN ? null : 'environment SHOPIFY_ACCESS_TOKEN: required (an Admin API access token)',
      env.KLAVIYO_API_KEY ? null : 'environment KLAVIYO_API_KEY: required (a private API key, pk_…)',
    ].filter((problem): problem is string => problem !== null);
    if (problems.length > 0) throw new ConfigError(problems);
    const settings = loadSettings(env);
    const clock = options.clock ?? (env.SHIPSIGNAL_NOW ? { now: () => new Date(env.SHIPSIGNAL_NOW as string) } : systemClock);
    const logger = options.logger ?? createLogger(env.SHIPSIGNAL_LOG_LEVEL, options.logStream);
    const metrics: Metrics = createMetrics();
    const open = () => openStateStore(env.SHIPSIGNAL_STATE_URL);
    const store = options.store ? await options.store(open) : await open();
    const context = createPipelineContext(store, settings, clock, logger, metrics);
    let app: App | null = null;
    const abort = new AbortController();
    const shopify = new ShopifyGraphqlClient(
      { storeDomain: env.SHOPIFY_STORE_DOMAIN as string, accessToken: env.SHOPIFY_ACCESS_TOKEN as string, baseUrl: env.SHOPIFY_BASE_URL ?? null, timeoutMs: 30_000 },
      {
        request: () => undefined,
        incident: (code, detail) => logger.warn('shopify incident', { code, detail: redactText(detail) }),
        recovered: (code, attempts) => logger.info('shopify recovered', { code, failedAttempts: attempts }),
      },
      abort.signal,
    );
    const sink = new KlaviyoSink({
      apiKey: env.KLAVIYO_API_KEY as string,
      baseUrl: env.KLAVIYO_BASE_URL,
      timeoutMs: env.KLAVIYO_TIMEOUT_MS,
      // Without it a drain retrying through an outage outlives SIGTERM's deadline (exit 1 instead of 0).
      signal: abort.signal,
      observer: {
        request: (endpoint, status, ms) => {
          metrics.klaviyoRequests.inc({ endpoint, status: String(status) });
          metrics.klaviyoLatency.observe({ endpoint }, ms / 1000);
          if (status === 429) metrics.klaviyoThrottled.inc({ endpoint });
        },
        incident: (kind, endpoint, detail) => {
          const message = kind === 'recovered' ? 'klaviyo recovered' : 'klaviyo incident';
          logger.log(kind === 'recovered' ? 'info' : 'warn', message, { kind, endpoint, detail: redactText(detail) });
          if (kind !== 'recovered') app?.health.failed('klaviyo', new Error(`${kind} on ${endpoint}: ${detail}`));
        },
      },
    });
    const tracker = env.EASYPOST_API_KEY
      ? new EasyPostTrackingClient({
        apiKey: env.EASYPOST_API_KEY,
        // The official client joins paths onto the base, so it must end in a slash.
        ...(env.EASYPOST_BASE_URL ? { baseUrl: env.EASYPOST_BASE_URL.replace(/\/?$/, '/') } : {}),
        clock,
        readOnly: options.readOnly ?? false,
        onRejected: (rejection) => void context.rejects.add([{ at: clock.now().toISOString(), source: 'easypost', recordId: rejection.recordId, reason: rejection.message }]),
      })
      : null;
    app = new App(env, context, shopify, sink, tracker, abort, options.readOnly ?? false);
    return app;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Runs `job` after every job queued before it; the daemon's guarantee of no overlapping runs. */
  exclusive<T>(job: () => Promise<T>): Promise<T> {
    const run = this.lock.then(job, job);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Reads every order changed since the cursor into the outbox, page by page. */
  async pollOrders(): Promise<{ orders: number; rejected: number; customers: number; queued: number; bulkExportSeconds: number }> {
    const { context } = this;
    const cursor = (await context.store.get<OrdersCursor>(ORDERS_CURSOR_KEY)) ?? null;
    const totals = { orders: 0, rejected: 0, customers: 0, queued: 0, bulkExportSeconds: 0 };
    // The first backfill only builds aggregates; everyone is assessed once the whole history is in. The flag
    // survives a crash mid-backfill, so the resumed run finishes the job the same way.
    let backfilling = (await context.store.get<boolean>(BACKFILL_PENDING_KEY)) ?? false;
    if (cursor === null && !backfilling) {
      backfilling = true;
      await context.store.set(BACKFILL_PENDING_KEY, true);
    }
    try {
      for await (const page of readOrders(this.shopify, cursor, {
        pageSize: this.env.SHOPIFY_PAGE_SIZE,
        overlapMs: OVERLAP_MS,
        // A bulk operation is started by a mutation: a read-only run pages.
        bulkBackfill: this.env.SHOPIFY_BULK_BACKFILL && !this.readOnly,
        bulkFromChanges: this.readOnly ? 0 : this.env.SHOPIFY_BULK_MIN_CHANGES,
        resumeBackfill: backfilling,
        bulkPollMs: 1000,
        onBulkReady: (waitedMs) => {
          totals.bulkExportSeconds += waitedMs / 1000;
          context.metrics.shopifyBulkExport.observe(waitedMs / 1000);
        },
        signal: this.signal,
      })) {
        const cursorEntry = page.cursor ? ([ORDERS_CURSOR_KEY, page.cursor] as const) : null;
        const outcome = await processOrderPage(
          context, page.orders, page.rejections, cursorEntry, backfilling ? 'aggregate-only' : 'announce',
          async (orders, customers) => {
            const inputs = await shipmentsForOrders(context, orders, this.tracker);
            const segments = new Map([...customers].map(([key, customer]) => [key, customer.segment]));
            return planShipments(context, inputs, segments);
          },
        );
        totals.orders += outcome.orders;
        totals.rejected += outcome.rejected;
        totals.customers += outcome.customers;
        totals.queued += outcome.records;
      }
      const refitted = !this.signal.aborted && (await refitChurnModelIfDue(context));
      if ((backfilling || refitted) && !this.signal.aborted) {
        const reassessed = await reassessAllCustomers(context, backfilling ? 'backfill' : 'refit');
        totals.queued += reassessed.records;
        await context.store.set(BACKFILL_PENDING_KEY, false);
      }
      this.health.succeeded('shopify', context.clock.now());
      context.metrics.lastSuccess.set({ job: 'shopify_orders' }, Date.now() / 1000);
    } catch (error) {
      this.health.failed('shopify', error as Error);
      throw error;
    }
    return totals;
  }

  /**
   * Applies every tracker EasyPost changed since the persisted cursor. Trackers come newest first, so the cursor is
   * saved only with the last chunk: a crash before it replays the poll, and replays change nothing.
   */
  async pollTrackers(): Promise<{ trackers: number; shipments: number; queued: number }> {
    const totals = { trackers: 0, shipments: 0, queued: 0 };
    if (!this.tracker) return totals;
    const { context } = this;
    const stored = await context.store.get<string>(TRACKERS_CURSOR_KEY);
    let cursor: Date | null = stored ? new Date(stored) : null;
    try {
      const snapshots: TrackerSnapshot[] = [];
      for await (const snapshot of this.tracker.changedTrackers(cursor ?? liveSince(context))) {
        snapshots.push(snapshot);
        cursor = nextTrackerCursor(cursor, snapshot);
      }
      for (let start = 0; start < snapshots.length; start += TRACKER_CHUNK) {
        const last = start + TRACKER_CHUNK >= snapshots.length;
        const outcome = await applyTrackerSnapshots(
          context, snapshots.slice(start, start + TRACKER_CHUNK), last && cursor ? [TRACKERS_CURSOR_KEY, cursor.toISOString()] : null,
        );
        totals.shipments += outcome.shipments;
        totals.queued += outcome.records;
      }
      totals.trackers = snapshots.length;
      this.health.succeeded('easypost', context.clock.now());
      context.metrics.lastSuccess.set({ job: 'easypost_trackers' }, Date.now() / 1000);
    } catch (error) {
      this.health.failed('easypost', error as Error);
      throw error;
    }
    return totals;
  }

  /**
   * Warns (log and /readyz) when an implausible share of customers is held from promotions; run after each job that
   * plans shipments. Reads two small aggregates, never the customers.
   */
  async checkHoldShare(): Promise<void> {
    const warning = await reviewHoldShare(this.context, this.health.warning('holds'));
    this.health.warn('holds', warning?.message ?? null);
  }

  /** Re-assesses the shipments whose re-check time has come (stalls and lateness with no new scan). */
  async recheckShipments(): Promise<{ checked: number; records: number }> {
    const outcome = await recheckDueShipments(this.context);
    this.context.metrics.lastSuccess.set({ job: 'shipment_recheck' }, Date.now() / 1000);
    return outcome;
  }

  /**
   * The webhook receivers for the HTTP server. Verified deliveries are queued under the job lock and answered at
   * once; an EasyPost update is applied and drained, a Shopify order change triggers one order poll (coalesced).
   */
  webhooks(): Record<string, WebhookHandler> {
    let orderPollQueued = false;
    return webhookHandlers({
      easypostSecret: this.env.EASYPOST_WEBHOOK_SECRET ?? null,
      shopifySecret: this.env.SHOPIFY_WEBHOOK_SECRET ?? null,
      trackerChanged: (snapshot) => this.background('easypost webhook', async () => {
        await applyTrackerSnapshots(this.context, [snapshot], null);
        await this.drain();
      }),
      ordersChanged: () => {
        if (orderPollQueued) return;
        orderPollQueued = true;
        this.background('shopify webhook', async () => {
          orderPollQueued = false;
          await this.pollOrders();
          await this.drain();
        });
      },
      rejected: (source, reason) => void this.context.rejects.add([{ at: this.context.clock.now().toISOString(), source, recordId: 'webhook', reason }]),
    });
  }

  private background(name: string, job: () => Promise<unknown>): void {
    this.exclusive(job).catch((error: unknown) => this.context.logger.error(`${name} failed`, { error }));
  }

  /** Resolves once every job queued so far (webhook work included) has finished. */
  async whenIdle(): Promise<void> {
    for (let current = this.lock; ; current = this.lock) {
      await current;
      if (current === this.lock) return;
    }
  }

  async reviewCustomers(): Promise<{ reviewed: number; records: number }> {
    const outcome = await reviewDueCustomers(this.context);
    this.context.metrics.lastSuccess.set({ job: 'lifecycle_review' }, Date.now() / 1000);
    return outcome;
  }

  async drain(producer?: Producer): Promise<DrainOutcome> {
    try {
      const outcome = await drainOutbox(this.context, this.sink, this.signal, producer);
      this.health.succeeded('klaviyo', this.context.clock.now());
      this.context.metrics.lastSuccess.set({ job: 'klaviyo_drain' }, Date.now() / 1000);
      return outcome;
    } catch (error) {
      this.health.failed('klaviyo', error as Error);
      throw error;
    }
  }

  /**
   * Runs `work` (steps that fill the outbox) while the outbox is delivered as it fills, to the end: a first
   * backfill is bound by Klaviyo's limits, not by reading the store and then sending. If delivery fails while the
   * work goes on (an outage outlasting the retries), the work still finishes and queues everything, and the job then
   * fails with the delivery's error.
   */
  async deliverWhile<T>(work: () => Promise<T>): Promise<{ result: T; drained: DrainOutcome }> {
    let finished: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const producer = {
      done: false,
      progress: () => Promise.race([this.context.outbox.nextAppend(), ended]),
    };
    const following = this.drain(producer).then((outcome) => ({ outcome, error: null }), (error: unknown) => ({ outcome: null, error }));
    const worked = await work().then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
    producer.done = true;
    finished();
    // The job holds the lock until its delivery has stopped too, whether its work succeeded or not.
    const followed = await following;
    if (!worked.ok) throw worked.error;
    // Delivery gave up (the sink's retries are spent): fail the job as a plain drain would, at once, so the next
    // run polls again; everything stays queued.
    if (followed.outcome === null) throw followed.error;
    return { result: worked.value, drained: followed.outcome };
  }

  /** One full pass: orders (with their parcels), changed trackers, due re-checks and reviews, then the outbox. */
  syncOnce(): Promise<SyncReport> {
    return this.exclusive(async () => {
      const { result: [polled, trackers, rechecked, reviewed], drained } = await this.deliverWhile(async () => [
        await this.pollOrders(), await this.pollTrackers(), await this.recheckShipments(), await this.reviewCustomers(),
      ] as const);
      await this.checkHoldShare();
      return {
        ...polled,
        queued: polled.queued + trackers.queued + rechecked.records + reviewed.records,
        reviewed: reviewed.reviewed,
        trackers: trackers.trackers,
        shipments: trackers.shipments + rechecked.checked,
        drained,
      };
    });
  }

  /** Stops new work, lets the current step finish, and closes the store. Safe to call twice. */
  private closing: Promise<void> | null = null;
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      await this.lock.catch(() => undefined);
      await this.sink.close();
      await this.context.store.close();
    })();
    return this.closing;
  }
}
