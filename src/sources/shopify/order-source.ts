import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { OrderPage, OrderReadOptions, OrderSource, OrderWebhookVerdict } from '../order-source';
import { ShopifyGraphqlClient, type ShopifyConnection, type ShopifyObserver } from './client';
import type { OrdersCursor } from './cursor';
import { findBulkOperations, type BulkRecovery } from './bulk-read';
import { readOrders } from './orders-stream';
import { ACCESS_SCOPES_QUERY, SHOP_QUERY } from './queries';

export interface ShopifyOrderSourceOptions {
  readonly connection: ShopifyConnection;
  readonly observer?: ShopifyObserver;
  readonly webhookSecret: string | null;
  readonly pageSize: number;
  readonly bulkBackfill: boolean;
  readonly bulkFromChanges: number;
  /**
   * Before the first read, find bulk operations a killed process left: ours is adopted (its result read) or
   * cancelled, another app's left alone. Off for a dry run (cancelling is a mutation).
   */
  readonly recoverBulk: boolean;
  /** Aborts the client's retry waits (close()). */
  readonly signal: AbortSignal;
}

/** Orders are queried from this much before the cursor: search can show an order slightly after a later one. */
const OVERLAP_MS = 60_000;

/** The Shopify topics that can change an order or a parcel; anything else is acknowledged and ignored. */
const SHOPIFY_TOPICS = /^(orders\/(create|updated|fulfilled|partially_fulfilled|cancelled)|fulfillments\/(create|update)|fulfillment_events\/(create|delete))$/;
/** Topics about a return or refund: they name their order, which must be one shipsignal has read (else a rejection). */
const RETURN_TOPICS = /^(returns\/(request|approve|decline|close|cancel|reopen|process|update)|reverse_deliveries\/attach_deliverable|refunds\/create)$/;

/** The scope returns need (research §3.1); without it refunds are still read, returns are not. */
export const READ_RETURNS_SCOPE = 'read_returns';

/**
 * The order a return, reverse-delivery or refund webhook is about, as an Admin API GID, or null. Returns carry
 * `order.admin_graphql_api_id`, refunds `order_id`; a reverse delivery names only its return, so null.
 * Parsed after the signature check, for naming only: the content is read through the Admin API.
 */
export function webhookOrderId(rawBody: Buffer): string | null {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const record = body as { order?: { admin_graphql_api_id?: unknown; id?: unknown }; order_id?: unknown };
  const gid = record.order?.admin_graphql_api_id;
  if (typeof gid === 'string' && gid.startsWith('gid://shopify/Order/')) return gid;
  const id = record.order?.id ?? record.order_id;
  return typeof id === 'number' && Number.isSafeInteger(id) ? `gid://shopify/Order/${id}` : null;
}

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  const single = Array.isArray(value) ? (value.length === 1 ? value[0] : null) : value;
  return typeof single === 'string' && single !== '' ? single : null;
}

/** Shopify signs the raw body: base64 HMAC-SHA256 with the app's secret, compared in constant time. */
export function verifyShopifyWebhook(rawBody: Buffer, headers: IncomingHttpHeaders, secret: string): boolean {
  const given = header(headers, 'x-shopify-hmac-sha256');
  if (given === null) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest('base64');
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function verdict(rawBody: Buffer, headers: IncomingHttpHeaders, secret: string): OrderWebhookVerdict {
  if (!verifyShopifyWebhook(rawBody, headers, secret)) return { kind: 'rejected', status: 401, reason: 'missing or wrong X-Shopify-Hmac-Sha256' };
  const topic = header(headers, 'x-shopify-topic') ?? '';
  // The payload is not trusted for content: the order poll reads the order through the Admin API.
  if (RETURN_TOPICS.test(topic)) {
    const orderId = webhookOrderId(rawBody);
    return orderId ? { kind: 'orders-changed', topic, orderId } : { kind: 'orders-changed', topic };
  }
  return SHOPIFY_TOPICS.test(topic) ? { kind: 'orders-changed', topic } : { kind: 'ignored', topic };
}

/** Shopify (Admin GraphQL) as an order source: a bulk backfill, then pages by `updated_at`, behind the port. */
export function shopifyOrderSource(options: ShopifyOrderSourceOptions): OrderSource<OrdersCursor> {
  const client = new ShopifyGraphqlClient(options.connection, options.observer, options.signal);
  const { webhookSecret } = options;
  // The operations found at start are a snapshot for the first read only: later reads start (or page) afresh.
  let recovery: Promise<BulkRecovery> | null = null;
  let recovered = false;
  const prepare = (): Promise<BulkRecovery> => (recovery ??= findBulkOperations(client));
  // Asked once per process: a scope granted later takes a restart, as with any app reinstall.
  let scopes: Promise<readonly string[]> | null = null;
  const grantedScopes = (): Promise<readonly string[]> => (scopes ??= client
    .query<{ currentAppInstallation: { accessScopes: Array<{ handle: string }> } }>(ACCESS_SCOPES_QUERY)
    .then((data) => data.currentAppInstallation.accessScopes.map((s) => s.handle))
    .catch((error: unknown) => {
      scopes = null;
      throw error;
    }));
  async function* read(cursor: OrdersCursor | null, read: OrderReadOptions): AsyncGenerator<OrderPage<OrdersCursor>> {
    const bulkRecovery = options.recoverBulk && !recovered ? await prepare() : undefined;
    recovered = true;
    const returns = (await grantedScopes()).includes(READ_RETURNS_SCOPE) ? 'all' : 'refunds';
    yield* readOrders(client, cursor, {
      returns,
      ...(read.liveSince ? { refundsSince: read.liveSince.getTime() } : {}),
      pageSize: options.pageSize,
      overlapMs: OVERLAP_MS,
      bulkBackfill: options.bulkBackfill,
      bulkFromChanges: options.bulkFromChanges,
      resumeBackfill: read.resumeBackfill,
      bulkPollMs: 1000,
      ...(read.onBulkReady ? { onBulkReady: read.onBulkReady } : {}),
      ...(bulkRecovery ? { bulkRecovery } : {}),
      signal: read.signal,
    });
  }
  return {
    name: 'shopify',
    read,
    ...(options.recoverBulk ? { prepare: async () => void (await prepare()) } : {}),
    notBehind: (a, b) => Date.parse(a.updatedAt) >= Date.parse(b.updatedAt),
    webhook: webhookSecret ? { path: '/webhooks/shopify', verify: (rawBody, headers) => verdict(rawBody, headers, webhookSecret) } : null,
    check: async () => {
      const data = await client.query<{ shop: { name: string; currencyCode: string } }>(SHOP_QUERY);
      const granted = await grantedScopes();
      const hasReturns = granted.includes(READ_RETURNS_SCOPE);
      const returns = hasReturns
        ? 'returns read (read_returns)'
        : `scope ${READ_RETURNS_SCOPE} missing: returns are not read (no return events, holds or return rate; refunds still are); grant it and reinstall the app`;
      return { detail: `shop "${data.shop.name}" (${data.shop.currencyCode}); ${returns}`, ...(hasReturns ? {} : { missing: [returns] }) };
    },
  };
}
