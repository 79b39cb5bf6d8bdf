import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Order } from '../../model/order';
import { PermanentError, RetryableError } from '../../util/errors';
import { sleep } from '../../util/retry';
import type { ShopifyGraphqlClient } from './client';
import { advanceCursor, alreadySeen, searchQueryFor, type OrdersCursor } from './cursor';
import { normalizeShopifyOrder } from './normalize';
import { BULK_RUN_MUTATION, BULK_STATUS_QUERY, ORDERS_COUNT_QUERY, ORDERS_PAGE_QUERY, bulkOrdersQuery } from './queries';
import type { ShopifyLineItemNode, ShopifyOrderNode } from './types';

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
  /** Told how long Shopify took to prepare a bulk result, once it is ready to download. */
  readonly onBulkReady?: (waitedMs: number) => void;
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
  const source = bulk ? bulkNodes(client, cursor, options) : pagedNodes(client, cursor, options);
  let current = cursor;
  for await (const nodes of source) {
    const fresh = nodes.filter(([node]) => !alreadySeen(cursor, node.id, node.updatedAt));
    const orders: Order[] = [];
    const rejections: Array<{ recordId: string; reason: string }> = [];
    for (const [node, lineItems] of fresh) {
      const result = normalizeShopifyOrder(node, lineItems);
      if (result.ok) orders.push(result.order);
      else rejections.push({ recordId: result.recordId, reason: result.reason });
    }
    current = advanceCursor(current, fresh.map(([node]) => node), options.overlapMs);
    yield { orders, rejections, cursor: current };
    if (options.signal?.aborted) return;
  }
}

/**
 * Orders per page of a bulk result. The paged query's size is capped by Shopify's query cost; a bulk file has no
 * such cap, and each page costs a state read, an outbox append and a state write, so bigger pages mean fewer.
 */
const BULK_PAGE_SIZE = 500;

type NodeWithItems = readonly [ShopifyOrderNode, readonly ShopifyLineItemNode[]];

interface OrdersPageData {
  orders: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ShopifyOrderNode[] };
}

async function* pagedNodes(client: ShopifyGraphqlClient, cursor: OrdersCursor | null, options: OrdersStreamOptions): AsyncGenerator<NodeWithItems[]> {
  const query = searchQueryFor(cursor, options.overlapMs);
  let after: string | null = null;
  do {
    const data: OrdersPageData = await client.query<OrdersPageData>(ORDERS_PAGE_QUERY, { first: options.pageSize, after, query });
    yield data.orders.nodes.map((node) => [node, node.lineItems?.nodes ?? []] as const);
    after = data.orders.pageInfo.hasNextPage ? data.orders.pageInfo.endCursor : null;
  } while (after && !options.signal?.aborted);
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

interface BulkRunData {
  bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: Array<{ message: string }> };
}
interface BulkStatusData {
  bulkOperation: { status: string; errorCode: string | null; url: string | null } | null;
}

async function* bulkNodes(client: ShopifyGraphqlClient, cursor: OrdersCursor | null, options: OrdersStreamOptions): AsyncGenerator<NodeWithItems[]> {
  const run = await client.query<BulkRunData>(BULK_RUN_MUTATION, { query: bulkOrdersQuery(searchQueryFor(cursor, options.overlapMs)) });
  const operation = run.bulkOperationRunQuery.bulkOperation;
  if (!operation) throw new PermanentError(`bulk operation refused: ${run.bulkOperationRunQuery.userErrors.map((e) => e.message).join('; ')}`, 'bulk_refused');
  let url: string | null = null;
  const started = Date.now();
  for (;;) {
    const status = await client.query<BulkStatusData>(BULK_STATUS_QUERY, { id: operation.id });
    const state = status.bulkOperation?.status;
    if (state === 'COMPLETED') {
      url = status.bulkOperation?.url ?? null;
      break;
    }
    if (state !== 'CREATED' && state !== 'RUNNING') throw new RetryableError(`bulk operation ended ${state} (${status.bulkOperation?.errorCode ?? 'no code'})`, 'bulk_failed');
    await sleep(options.bulkPollMs, options.signal);
    if (options.signal?.aborted) return;
  }
  options.onBulkReady?.(Date.now() - started);
  if (!url) return; // a completed operation with no results has no file
  yield* jsonlOrders(url, BULK_PAGE_SIZE, options.signal);
}

/** Streams the bulk JSONL: an order line, then its line-item lines (`__parentId`), order after order. */
async function* jsonlOrders(url: string, pageSize: number, signal?: AbortSignal): AsyncGenerator<NodeWithItems[]> {
  const response = await fetch(url, { signal });
  if (!response.ok || !response.body) throw new RetryableError(`bulk result download answered ${response.status}`, `http_${response.status}`);
  const lines = createInterface({ input: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), crlfDelay: Infinity });
  let page: Array<[ShopifyOrderNode, ShopifyLineItemNode[]]> = [];
  let current: [ShopifyOrderNode, ShopifyLineItemNode[]] | null = null;
  for await (const line of lines) {
    if (!line.trim()) continue;
    const object = JSON.parse(line) as (ShopifyOrderNode | ShopifyLineItemNode) & { __parentId?: string };
    if (object.__parentId) {
      if (current && current[0].id === object.__parentId) current[1].push(object as ShopifyLineItemNode);
      continue;
    }
    if (current) page.push(current);
    current = [object as ShopifyOrderNode, []];
    if (page.length >= pageSize) {
      yield page;
      page = [];
    }
  }
  if (current) page.push(current);
  if (page.length > 0) yield page;
}
