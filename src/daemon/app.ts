import type { Env } from '../config/env';
import { ConfigError } from '../config/yaml-file';
import { loadSettings } from '../config/load';
import { registerSecrets, createLogger, redactText, type Logger } from '../observability/logger';
import { createMetrics, type Metrics } from '../observability/metrics';
import { createPipelineContext, type PipelineContext } from '../pipeline/context';
import { drainOutbox, type DrainOutcome } from '../pipeline/drain';
import { processOrderPage } from '../pipeline/order-sync';
import { reassessAllCustomers } from '../pipeline/reassess';
import { reviewDueCustomers } from '../pipeline/review';
import { KlaviyoSink } from '../sinks/klaviyo/sink';
import { ShopifyGraphqlClient } from '../sources/shopify/client';
import type { OrdersCursor } from '../sources/shopify/cursor';
import { readOrders } from '../sources/shopify/orders-stream';
import { openStateStore, type StateStore } from '../state/store';
import { systemClock, type Clock } from '../util/clock';
import { Health } from './health';

export const ORDERS_CURSOR_KEY = 'cursor:shopify:orders';
const BACKFILL_PENDING_KEY = 'backfill:reassess-pending';
const OVERLAP_MS = 60_000;

export interface AppOptions {
  readonly clock?: Clock;
  readonly logStream?: NodeJS.WritableStream;
  readonly logger?: Logger;
  /** Replaces the store named by SHIPSIGNAL_STATE_URL (dry-run's overlay, tests). */
  readonly store?: (opened: () => Promise<StateStore>) => Promise<StateStore>;
}

export interface SyncReport {
  readonly orders: number;
  readonly rejected: number;
  readonly customers: number;
  readonly queued: number;
  readonly drained: DrainOutcome;
  readonly reviewed: number;
}

/**
 * The assembled daemon: state, sources, sink and the jobs the scheduler and CLI run. Every job shares one lock, so
 * no two jobs (or two runs of one job) touch state at once.
 */
export class App {
  private lock: Promise<unknown> = Promise.resolve();
  private readonly abort = new AbortController();
  readonly health = new Health();

  private constructor(
    readonly env: Env,
    readonly context: PipelineContext,
    private readonly shopify: ShopifyGraphqlClient,
    private readonly sink: KlaviyoSink,
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
    const shopify = new ShopifyGraphqlClient(
      { storeDomain: env.SHOPIFY_STORE_DOMAIN as string, accessToken: env.SHOPIFY_ACCESS_TOKEN as string, baseUrl: env.SHOPIFY_BASE_URL ?? null, timeoutMs: 30_000 },
      { request: () => undefined, throttled: (waitMs) => logger.debug('shopify throttled', { waitMs }) },
    );
    const sink = new KlaviyoSink({
      apiKey: env.KLAVIYO_API_KEY as string,
      baseUrl: env.KLAVIYO_BASE_URL,
      timeoutMs: env.KLAVIYO_TIMEOUT_MS,
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
    app = new App(env, context, shopify, sink);
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
  async pollOrders(): Promise<{ orders: number; rejected: number; customers: number; queued: number }> {
    const { context } = this;
    const cursor = (await context.store.get<OrdersCursor>(ORDERS_CURSOR_KEY)) ?? null;
    const totals = { orders: 0, rejected: 0, customers: 0, queued: 0 };
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
        bulkBackfill: this.env.SHOPIFY_BULK_BACKFILL,
        bulkPollMs: 1000,
        signal: this.signal,
      })) {
        const cursorEntry = page.cursor ? ([ORDERS_CURSOR_KEY, page.cursor] as const) : null;
        const outcome = await processOrderPage(context, page.orders, page.rejections, cursorEntry, backfilling ? 'aggregate-only' : 'announce');
        totals.orders += outcome.orders;
        totals.rejected += outcome.rejected;
        totals.customers += outcome.customers;
        totals.queued += outcome.records;
      }
      if (backfilling && !this.signal.aborted) {
        const reassessed = await reassessAllCustomers(context);
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

  async reviewCustomers(): Promise<{ reviewed: number; records: number }> {
    const outcome = await reviewDueCustomers(this.context);
    this.context.metrics.lastSuccess.set({ job: 'lifecycle_review' }, Date.now() / 1000);
    return outcome;
  }

  async drain(): Promise<DrainOutcome> {
    try {
      const outcome = await drainOutbox(this.context, this.sink, this.signal);
      this.health.succeeded('klaviyo', this.context.clock.now());
      this.context.metrics.lastSuccess.set({ job: 'klaviyo_drain' }, Date.now() / 1000);
      return outcome;
    } catch (error) {
      this.health.failed('klaviyo', error as Error);
      throw error;
    }
  }

  /** One full pass: orders, due reviews, then the outbox into Klaviyo. */
  syncOnce(): Promise<SyncReport> {
    return this.exclusive(async () => {
      const polled = await this.pollOrders();
      const reviewed = await this.reviewCustomers();
      const drained = await this.drain();
      return { ...polled, queued: polled.queued + reviewed.records, reviewed: reviewed.reviewed, drained };
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
