import type { OrderSource } from '../order-source';
import type { BackoffPolicy } from '../../util/retry';
import { DEFAULT_CATEGORY_CACHE, ProductCategories } from './categories';
import { WooCommerceClient, type WooCommerceObserver } from './client';
import type { WooOrdersCursor } from './cursor';
import { MAX_PER_PAGE, READ_STATUSES, readWooOrders } from './orders-stream';
import { WOO_WEBHOOK_PATH, verifyWooWebhook } from './webhook';

export { WooCommerceClient } from './client';
export { ProductCategories, productCategory, DEFAULT_CATEGORY_CACHE } from './categories';
export type { WooCommerceConnection, WooCommerceObserver, WooListPage } from './client';
export type { WooOrdersCursor } from './cursor';
export { normalizeWooOrder } from './normalize';
export { readWooOrders, READ_STATUSES, MAX_PER_PAGE } from './orders-stream';
export { verifyWooWebhook, wooWebhookSignature, WOO_WEBHOOK_PATH } from './webhook';

export interface WooCommerceSourceConfig {
  /** `WOOCOMMERCE_URL`: the site URL, https in production. */
  readonly url: string;
  /** `WOOCOMMERCE_CONSUMER_KEY` / `WOOCOMMERCE_CONSUMER_SECRET`: a REST key with Read permission. */
  readonly consumerKey: string;
  readonly consumerSecret: string;
  /** `WOOCOMMERCE_WEBHOOK_SECRET`: the secret set on the store's order webhooks; null serves no webhook route. */
  readonly webhookSecret: string | null;
  readonly timeoutMs?: number;
  /** ≤ 100 (WooCommerce's maximum). */
  readonly perPage?: number;
  readonly overlapMs?: number;
  /** Add a plugin's custom order statuses here to read them too. */
  readonly statuses?: readonly string[];
  readonly backoff?: BackoffPolicy;
  /** Product ids whose category the process remembers (an LRU); default 5,000. */
  readonly categoryCacheSize?: number;
  readonly observer?: WooCommerceObserver;
  readonly signal?: AbortSignal;
}

/** The WooCommerce order source (REST v3), behind the order-source port. */
export function createWooCommerceSource(config: WooCommerceSourceConfig): OrderSource<WooOrdersCursor> {
  const client = new WooCommerceClient(
    { url: config.url, consumerKey: config.consumerKey, consumerSecret: config.consumerSecret, timeoutMs: config.timeoutMs ?? 30_000, ...(config.backoff ? { backoff: config.backoff } : {}) },
    config.observer,
    config.signal,
  );
  // One cache per source (per process): every read of this store shares what earlier reads learned.
  const categories = new ProductCategories(client, config.categoryCacheSize ?? DEFAULT_CATEGORY_CACHE);
  const stream = { perPage: config.perPage ?? MAX_PER_PAGE, overlapMs: config.overlapMs ?? 60_000, statuses: config.statuses ?? READ_STATUSES, categories };
  const secret = config.webhookSecret;
  return {
    name: 'woocommerce',
    // WooCommerce has no bulk export: a first backfill pages like any later read, so there is nothing to resume.
    read: (cursor, options) => readWooOrders(client, cursor, { ...stream, signal: options.signal }),
    notBehind: (a, b) => Date.parse(a.updatedAt) >= Date.parse(b.updatedAt),
    webhook: secret ? { path: WOO_WEBHOOK_PATH, verify: (rawBody, headers) => verifyWooWebhook(rawBody, headers, secret) } : null,
    async check() {
      const page = await client.list('orders', { per_page: 1, status: stream.statuses });
      return { detail: `WooCommerce REST v3 at ${config.url}: ${page.total} orders readable` };
    },
  };
}
