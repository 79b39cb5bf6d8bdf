import type { IncomingHttpHeaders } from 'node:http';
import type { Order, SourceName } from '../model/order';

/**
 * The order-source port: what the pipeline needs of a store (Shopify, WooCommerce, ...), nothing of how it is read.
 * A source owns its cursor's shape (the pipeline stores it as an opaque JSON value and hands it back) and its own
 * webhook signature scheme. Implementations live in `src/sources/<store>/`; only the composition root names them.
 */

/** A record the source could not turn into an `Order`, with enough to find it at the store. */
export interface SourceRejection {
  readonly recordId: string;
  readonly reason: string;
}

export interface OrderPage<Cursor> {
  readonly orders: readonly Order[];
  readonly rejections: readonly SourceRejection[];
  /** The cursor to persist once this page's work is durably committed; null leaves the stored one as it is. */
  readonly cursor: Cursor | null;
}

export interface OrderReadOptions {
  readonly signal: AbortSignal;
  /**
   * The first backfill was interrupted: the source may resume it the way it began (Shopify: a bulk operation
   * filtered from the cursor) rather than paging the rest.
   */
  readonly resumeBackfill: boolean;
  /** The live window's start: a source may skip detail that only history needs (Shopify: refund-only orders' refunds). */
  readonly liveSince?: Date;
  /** Told how long the store took to prepare a bulk export, once it is ready (metrics). */
  readonly onBulkReady?: (waitedMs: number) => void;
}

/** What a verified webhook delivery means to the pipeline. */
export type OrderWebhookVerdict =
  | { readonly kind: 'rejected'; readonly status: 401 | 400 | 413; readonly reason: string }
  | { readonly kind: 'ignored'; readonly topic: string }
  /** `orderId`: the order a return or refund delivery names; the pipeline rejects it, by reason, if it never read it. */
  | { readonly kind: 'orders-changed'; readonly topic: string; readonly orderId?: string };

export interface OrderSource<Cursor = unknown> {
  readonly name: SourceName;
  /**
   * Every order created or changed since `cursor` (null: the whole history), oldest change first, a page at a time.
   * At-least-once: a page may repeat orders already seen; the pipeline is idempotent per (order id, updatedAt).
   */
  read(cursor: Cursor | null, options: OrderReadOptions): AsyncGenerator<OrderPage<Cursor>>;
  /**
   * True when cursor `a` is at or past `b`. The commit unit keeps the stored cursor when it is ahead of the one a
   * page brings, so a stale process (a slow page, a second daemon) never moves it back.
   */
  notBehind(a: Cursor, b: Cursor): boolean;
  /**
   * Checks a webhook delivery's signature over the raw body, timing-safe, before anything is parsed. Null when no
   * webhook secret is configured (the route is then not served).
   */
  readonly webhook: { readonly path: string; verify(rawBody: Buffer, headers: IncomingHttpHeaders): OrderWebhookVerdict } | null;
  /** Start-up hygiene the source needs (Shopify: adopt or cancel a bulk operation a killed process left). */
  prepare?(signal: AbortSignal): Promise<void>;
  /**
   * One cheap read proving credentials and scopes, for `doctor` and readiness; throws with a plain reason. `missing`
   * names what works but is degraded (a scope not granted): readiness stays up, doctor fails a line for each.
   */
  check(signal: AbortSignal): Promise<{ readonly detail: string; readonly missing?: readonly string[] }>;
}
