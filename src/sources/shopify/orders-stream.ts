import type { Order } from '../../model/order';
import type { ShopifyGraphqlClient } from './client';
import { cancelStaleOperations, jsonlOrders, runBulkExport, type BulkRecovery, type NodeWithItems } from './bulk-read';
import { completeOrder } from './complete-order';
import { advanceCursor, alreadySeen, searchQueryFor, type OrdersCursor } from './cursor';
import { normalizeShopifyOrder } from './normalize';
import { ORDERS_COUNT_QUERY, ORDERS_PAGE_QUERY, bulkOrdersQuery } from './queries';
import { needsReturnsRead, OrderVanished, readOrderReturns } from './returns-read';
import type { ShopifyOrderNode } from './types';

export interface OrderPage {
  readonly orders: readonly Order[];
  readonly rejections: ReadonlyArray<{ recordId: string; reason: string }>;
  /** The cursor to persist once this page's work is durably queued. */
  readonly cursor: OrdersCursor | null;
}

export interface OrdersStreamOptions {
  readonly pageSize: number;
  readonly overlapMs: number;
  /** Use a bulk operation when there is no cursor yet (the first backfill). */
  readonly bulkBackfill: boolean;
  /**
   * The first backfill was interrupted (crash, deploy): resume it from the cursor through a bulk operation too.
   * Paged at Shopify's documented cost limits the rest of a large history would take hours, not minutes.
   */
  readonly resumeBackfill?: boolean;
  /**
   * An incremental sync with at least this many changed orders (a merchant's bulk edit, a long stop) reads them
   * through a bulk operation too: paged at Shopify's query cost they take about a second per ten orders. 0: never.
   */
  readonly bulkFromChanges?: number;
  readonly bulkPollMs: number;
  /**
   * What of returns and refunds to read by follow-up (returns-read.ts): `all` with the `read_returns` scope,
   * `refunds` without it, `none` to read neither (the order's totals still reflect refunds).
   */
  readonly returns?: 'all' | 'refunds' | 'none';
  /** Refund-only orders changed before this instant (ms) are not followed up (returns-read.ts says why). */
  readonly refundsSince?: number;
  /** Told how long Shopify took to prepare a bulk result, once it is ready to download. */
  readonly onBulkReady?: (waitedMs: number) => void;
  /**
   * The app's bulk operations as `findBulkOperations` found them at start: a bulk read adopts ours when its query is
   * exactly the one this read would start (killed before its result was read), and cancels our other unfinished ones
   * (all of them when the read is paged). Pass it to the first read after start only: it is a snapshot.
   */
  readonly bulkRecovery?: BulkRecovery;
  /** Told the id of the bulk operation being followed, to store it for `findBulkOperations` after a restart. */
  readonly onBulkStarted?: (operationId: string) => void;
  readonly signal?: AbortSignal;
}

/**
 * Every order created or updated since `cursor`, a page at a time, oldest change first. The first run reads the
 * whole history through a bulk operation (JSONL streamed as it downloads); later runs page the orders query, unless
 * a count of the changes says there are many.
 */
export async function* readOrders(
  client: ShopifyGraphqlClient,
  cursor: OrdersCursor | null,
  options: OrdersStreamOptions,
): AsyncGenerator<OrderPage> {
  const bulk = options.bulkBackfill && (cursor === null || options.resumeBackfill === true || (await manyChanges(client, cursor, options)));
  // A paged read has no use for an export a killed process left running: it is cancelled (a bulk read adopts it).
  if (!bulk) await cancelStaleOperations(client, options.bulkRecovery, null);
  const source = bulk ? bulkNodes(client, cursor, options) : pagedNodes(client, cursor, options);
  let current = cursor;
  for await (const nodes of source) {
    const fresh = await withReturns(client, nodes.filter(([node]) => !alreadySeen(cursor, node.id, node.updatedAt)), options.returns ?? 'none', options.refundsSince ?? 0);
    const orders: Order[] = [];
    const rejections: Array<{ recordId: string; reason: string }> = [];
    for (const [node, lineItems, problem] of fresh) {
      if (problem !== undefined) {
        rejections.push({ recordId: node.id, reason: problem });
        continue;
      }
      const result = normalizeShopifyOrder(node, lineItems);
      if (result.ok) orders.push(result.order);
      else rejections.push({ recordId: result.recordId, reason: result.reason });
    }
    current = advanceCursor(current, fresh.map(([node]) => node), options.overlapMs);
    yield { orders, rejections, cursor: current };
    if (options.signal?.aborted) return;
  }
}

/** Orders that have returns or refunds, with them read (bulk and paged alike); an order gone meanwhile is rejected by name. */
async function withReturns(client: ShopifyGraphqlClient, nodes: readonly NodeWithItems[], mode: 'all' | 'refunds' | 'none', refundsSince: number): Promise<NodeWithItems[]> {
  if (mode === 'none') return [...nodes];
  const out: NodeWithItems[] = [];
  for (const entry of nodes) {
    const [node, lineItems, problem] = entry;
    if (problem !== undefined || !needsReturnsRead(node, refundsSince)) {
      out.push(entry);
      continue;
    }
    try {
      out.push([{ ...node, returnsRead: await readOrderReturns(client, node.id, mode === 'all') }, lineItems]);
    } catch (error) {
      if (!(error instanceof OrderVanished)) throw error;
      out.push([node, lineItems, error.message]);
    }
  }
  return out;
}

/**
 * Orders per page of a bulk result. The paged query's size is capped by Shopify's query cost; a bulk file has no
 * such cap, and each page costs a state read, an outbox append and a state write, so bigger pages mean fewer.
 */
const BULK_PAGE_SIZE = 500;

interface OrdersPageData {
  orders: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ShopifyOrderNode[] };
}

async function* pagedNodes(client: ShopifyGraphqlClient, cursor: OrdersCursor | null, options: OrdersStreamOptions): AsyncGenerator<NodeWithItems[]> {
  const query = searchQueryFor(cursor, options.overlapMs);
  let after: string | null = null;
  do {
    const data: OrdersPageData = await client.query<OrdersPageData>(ORDERS_PAGE_QUERY, { first: options.pageSize, after, query });
    yield await completeNodes(client, data.orders.nodes);
    after = data.orders.pageInfo.hasNextPage ? data.orders.pageInfo.endCursor : null;
  } while (after && !options.signal?.aborted);
}

/** Each order with every nested element (follow-up queries for the few that filled a list), or why not. */
async function completeNodes(client: ShopifyGraphqlClient, nodes: readonly ShopifyOrderNode[]): Promise<NodeWithItems[]> {
  const out: NodeWithItems[] = [];
  for (const node of nodes) {
    const complete = await completeOrder(client, node);
    out.push(complete.ok ? [complete.node, complete.lineItems] : [node, [], complete.reason]);
  }
  return out;
}

interface OrdersCountData {
  ordersCount: { count: number; precision: string } | null;
}

async function manyChanges(client: ShopifyGraphqlClient, cursor: OrdersCursor, options: OrdersStreamOptions): Promise<boolean> {
  const threshold = options.bulkFromChanges ?? 0;
  const query = searchQueryFor(cursor, options.overlapMs);
  if (threshold <= 0 || query === null) return false;
  const data = await client.query<OrdersCountData>(ORDERS_COUNT_QUERY, { query, limit: threshold });
  return (data.ordersCount?.count ?? 0) >= threshold;
}

async function* bulkNodes(client: ShopifyGraphqlClient, cursor: OrdersCursor | null, options: OrdersStreamOptions): AsyncGenerator<NodeWithItems[]> {
  const result = await runBulkExport(client, bulkOrdersQuery(searchQueryFor(cursor, options.overlapMs)), {
    pollMs: options.bulkPollMs,
    signal: options.signal,
    recovery: options.bulkRecovery,
    onStarted: options.onBulkStarted,
    onReady: options.onBulkReady,
  });
  if (!result?.url) return; // stopped, or a completed operation with no results (no file)
  yield* jsonlOrders(result.url, result.objectCount, BULK_PAGE_SIZE, options.signal);
}
