import { createHash } from 'node:crypto';
import type { Env } from '../config/env';
import { ConfigError } from '../config/yaml-file';
import { redactText, type Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Destination } from '../sinks/destination';
import type { SharedWindowsFor } from '../sinks/pacing';
import { klaviyoDestination } from '../sinks/klaviyo/destination';
import { parseRateLimits } from '../sinks/klaviyo/limits';
import { easyPostTrackingSource } from '../sources/easypost/tracking-source';
import { KlaviyoProvisioner } from '../sinks/klaviyo/provision/provisioner';
import type { Provisioner } from '../sinks/provisioner';
import type { OrderSource } from '../sources/order-source';
import type { SharedCostBucketsFor } from '../sources/shared-bucket';
import { shopifyOrderSource } from '../sources/shopify/order-source';
import { createWooCommerceSource } from '../sources/woocommerce';
import type { TrackingSource } from '../sources/tracking-source';
import { DEFAULT_NAMESPACE, storeIdFrom } from '../state/keys';
import type { Clock } from '../util/clock';

/**
 * The composition root: the only module that names Shopify, WooCommerce, EasyPost or Klaviyo. It reads which
 * store, tracking service and destination the environment configures and builds their adapters behind the ports;
 * everything else (jobs, pipeline, CLI) sees ports only.
 */

/** What the adapters report back to the daemon: incidents for readiness, records a source refused. */
export interface AdapterHooks {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Aborted by close(): retry waits and requests in flight end at once. */
  readonly signal: AbortSignal;
  incident(component: string, error: Error): void;
  rejected(source: string, recordId: string, reason: string): void;
  /** `doctor`: short timeouts and two attempts, so a wrong credential is reported in seconds, not after retries. */
  readonly quick?: boolean;
  /**
   * `dry-run`: no mutating request to any provider. EasyPost trackers are only looked up (creating one is billable),
   * Shopify is paged (a bulk operation is started, adopted or cancelled by mutations).
   */
  readonly readOnly?: boolean;
  /** A fleet worker: the destination account's rate windows are shared with every other worker (Redis). */
  readonly sharedWindows?: SharedWindowsFor;
  /** A fleet worker: the shop's cost bucket is shared with every other worker reading the shop (Redis). */
  readonly sharedCostBuckets?: SharedCostBucketsFor;
}

export interface Adapters {
  readonly orders: OrderSource;
  readonly tracking: TrackingSource | null;
  readonly destination: Destination;
}

type StoreKind = 'shopify' | 'woocommerce';

/**
 * Which store the environment configures (one per daemon: WooCommerce when WOOCOMMERCE_URL is set, Shopify
 * otherwise), and every problem with its variables at once.
 */
function configuredStore(env: Env): { kind: StoreKind; problems: string[] } {
  const problems: string[] = [];
  if (env.WOOCOMMERCE_URL) {
    if (env.SHOPIFY_STORE_DOMAIN) problems.push('environment SHOPIFY_STORE_DOMAIN: set together with WOOCOMMERCE_URL; one daemon reads one store (run one per store, each with its own SHIPSIGNAL_STORE_ID)');
    if (!env.WOOCOMMERCE_CONSUMER_KEY) problems.push('environment WOOCOMMERCE_CONSUMER_KEY: required with WOOCOMMERCE_URL (a REST API key with Read permission, ck_…)');
    if (!env.WOOCOMMERCE_CONSUMER_SECRET) problems.push('environment WOOCOMMERCE_CONSUMER_SECRET: required with WOOCOMMERCE_URL (the key\'s secret, cs_…)');
    return { kind: 'woocommerce', problems };
  }
  if (!env.SHOPIFY_STORE_DOMAIN) problems.push('environment SHOPIFY_STORE_DOMAIN: required (e.g. my-store.myshopify.com), or WOOCOMMERCE_URL for a WooCommerce store');
  if (!env.SHOPIFY_ACCESS_TOKEN) problems.push('environment SHOPIFY_ACCESS_TOKEN: required (an Admin API access token)');
  return { kind: 'shopify', problems };
}

/** Every required variable of the configured source and destination, checked together (one line each). */
export function configurationProblems(env: Env): string[] {
  return [
    ...configuredStore(env).problems,
    ...(env.KLAVIYO_API_KEY ? [] : ['environment KLAVIYO_API_KEY: required (a private API key, pk_…)']),
    ...parseRateLimits(env.KLAVIYO_RATE_LIMITS ?? '').problems.map((problem) => `environment KLAVIYO_RATE_LIMITS: ${problem}`),
  ];
}

/** Values the logger must never print. */
export function secretsOf(env: Env): Array<string | undefined> {
  return [env.SHOPIFY_ACCESS_TOKEN, env.SHOPIFY_WEBHOOK_SECRET, env.WOOCOMMERCE_CONSUMER_KEY, env.WOOCOMMERCE_CONSUMER_SECRET, env.WOOCOMMERCE_WEBHOOK_SECRET, env.KLAVIYO_API_KEY, env.EASYPOST_API_KEY, env.EASYPOST_WEBHOOK_SECRET, env.SHIPSIGNAL_HTTP_TOKEN, env.SHIPSIGNAL_TRACKING_SECRET, env.SHOPIFY_APP_PROXY_SECRET];
}

/**
 * The tenant namespace of every state key: `SHIPSIGNAL_STORE_ID`, or derived from the configured store's domain,
 * so two daemons for two stores can share one Redis or PostgreSQL.
 */
export function storeIdOf(env: Env): string {
  if (env.SHIPSIGNAL_STORE_ID) return env.SHIPSIGNAL_STORE_ID;
  if (env.WOOCOMMERCE_URL) return storeIdFrom(env.WOOCOMMERCE_URL);
  return env.SHOPIFY_STORE_DOMAIN ? storeIdFrom(env.SHOPIFY_STORE_DOMAIN) : DEFAULT_NAMESPACE;
}

function orderSource(env: Env, hooks: AdapterHooks): OrderSource {
  const { logger } = hooks;
  if (configuredStore(env).kind === 'woocommerce') {
    return createWooCommerceSource({
      url: env.WOOCOMMERCE_URL as string,
      consumerKey: env.WOOCOMMERCE_CONSUMER_KEY as string,
      consumerSecret: env.WOOCOMMERCE_CONSUMER_SECRET as string,
      webhookSecret: env.WOOCOMMERCE_WEBHOOK_SECRET ?? null,
      observer: {
        request: () => undefined,
        incident: (code, detail) => logger.warn('woocommerce incident', { code, detail: redactText(detail) }),
        recovered: (code, attempts) => logger.info('woocommerce recovered', { code, failedAttempts: attempts }),
      },
      ...(hooks.quick ? { timeoutMs: 10_000, backoff: { baseMs: 200, maxMs: 1000, maxAttempts: 2 } } : {}),
      signal: hooks.signal,
    }) as OrderSource;
  }
  return shopifyOrderSource({
    connection: {
      storeDomain: env.SHOPIFY_STORE_DOMAIN as string,
      accessToken: env.SHOPIFY_ACCESS_TOKEN as string,
      baseUrl: env.SHOPIFY_BASE_URL ?? null,
      ...(hooks.sharedCostBuckets ? { costBucket: hooks.sharedCostBuckets(sourceAccountOf(env)) } : {}),
      ...(hooks.quick ? { timeoutMs: 10_000, backoff: { baseMs: 200, maxMs: 1000, maxAttempts: 2 } } : { timeoutMs: 30_000 }),
    },
    observer: {
      request: () => undefined,
      incident: (code, detail) => logger.warn('shopify incident', { code, detail: redactText(detail) }),
      recovered: (code, attempts) => logger.info('shopify recovered', { code, failedAttempts: attempts }),
    },
    webhookSecret: env.SHOPIFY_WEBHOOK_SECRET ?? null,
    pageSize: env.SHOPIFY_PAGE_SIZE,
    bulkBackfill: env.SHOPIFY_BULK_BACKFILL && !hooks.readOnly,
    bulkFromChanges: hooks.readOnly ? 0 : env.SHOPIFY_BULK_MIN_CHANGES,
    recoverBulk: !hooks.readOnly,
    signal: hooks.signal,
  }) as OrderSource;
}

/**
 * The destination account a store delivers to, as an opaque id (a hash of its API key: stores sharing a key share
 * one account's limits; the key itself never leaves the process).
 */
export function destinationAccountOf(env: Env): string {
  return `klaviyo-${createHash('sha256').update(env.KLAVIYO_API_KEY ?? '').digest('hex').slice(0, 16)}`;
}

/**
 * The shop whose cost bucket a store's queries spend, as an opaque id: Shopify keeps one bucket per app and shop, so
 * the shop's address and the app's token name it (hashed: the token never leaves the process).
 */
export function sourceAccountOf(env: Env): string {
  const shop = [env.SHOPIFY_STORE_DOMAIN ?? '', env.SHOPIFY_BASE_URL ?? '', env.SHOPIFY_ACCESS_TOKEN ?? ''].join('\n');
  return `shopify-${createHash('sha256').update(shop).digest('hex').slice(0, 16)}`;
}

function destination(env: Env, hooks: AdapterHooks): Destination {
  const { logger, metrics } = hooks;
  return klaviyoDestination({
    ...(hooks.sharedWindows ? { sharedWindows: hooks.sharedWindows(destinationAccountOf(env)) } : {}),
    apiKey: env.KLAVIYO_API_KEY as string,
    baseUrl: env.KLAVIYO_BASE_URL,
    timeoutMs: env.KLAVIYO_TIMEOUT_MS,
    limits: parseRateLimits(env.KLAVIYO_RATE_LIMITS ?? '').limits,
    payload: {
      ...(env.KLAVIYO_MAX_EVENTS_PER_BULK ? { maxEventsPerBulk: env.KLAVIYO_MAX_EVENTS_PER_BULK } : {}),
      ...(env.KLAVIYO_MAX_PROFILES_PER_BULK ? { maxProfilesPerBulk: env.KLAVIYO_MAX_PROFILES_PER_BULK } : {}),
    },
    // Without it a drain retrying through an outage outlives SIGTERM's deadline (exit 1 instead of 0).
    signal: hooks.signal,
    observer: {
      request: (endpoint, status, ms) => {
        metrics.klaviyoRequests.inc({ endpoint, status: String(status) });
        metrics.klaviyoLatency.observe({ endpoint }, ms / 1000);
        if (status === 429) metrics.klaviyoThrottled.inc({ endpoint });
        metrics.recentRequests.add(endpoint, status, hooks.clock.now());
      },
      incident: (kind, endpoint, detail) => {
        const message = kind === 'recovered' ? 'klaviyo recovered' : 'klaviyo incident';
        logger.log(kind === 'recovered' ? 'info' : 'warn', message, { kind, endpoint, detail: redactText(detail) });
        if (kind !== 'recovered') hooks.incident('klaviyo', new Error(`${kind} on ${endpoint}: ${detail}`));
      },
    },
  });
}

function trackingSource(env: Env, hooks: AdapterHooks): TrackingSource | null {
  if (!env.EASYPOST_API_KEY) return null;
  return easyPostTrackingSource({
    apiKey: env.EASYPOST_API_KEY,
    // The official client joins paths onto the base, so it must end in a slash.
    ...(env.EASYPOST_BASE_URL ? { baseUrl: env.EASYPOST_BASE_URL.replace(/\/?$/, '/') } : {}),
    clock: hooks.clock,
    readOnly: hooks.readOnly ?? false,
    webhookSecret: env.EASYPOST_WEBHOOK_SECRET ?? null,
    onRejected: (rejection) => hooks.rejected('easypost', rejection.recordId, rejection.message),
  });
}

/** `shipsignal setup`'s provisioner for the configured destination (Klaviyo). */
export function composeProvisioner(env: Env, signal?: AbortSignal): Provisioner {
  if (!env.KLAVIYO_API_KEY) throw new ConfigError(['environment KLAVIYO_API_KEY: required (a private API key, pk_…, with flows, segments, templates, tags and metrics scopes)']);
  return new KlaviyoProvisioner({ apiKey: env.KLAVIYO_API_KEY, baseUrl: env.KLAVIYO_BASE_URL, timeoutMs: env.KLAVIYO_TIMEOUT_MS, ...(signal ? { signal } : {}) });
}

/** Builds the configured adapters; throws ConfigError naming every missing variable. */
export function composeAdapters(env: Env, hooks: AdapterHooks): Adapters {
  const problems = configurationProblems(env);
  if (problems.length > 0) throw new ConfigError(problems);
  return { orders: orderSource(env, hooks), tracking: trackingSource(env, hooks), destination: destination(env, hooks) };
}
