import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { PermanentError, RetryableError } from '../../util/errors';
import { sleep } from '../../util/retry';
import type { ShopifyGraphqlClient } from './client';
import { BULK_CANCEL_MUTATION, BULK_OPERATIONS_QUERY, BULK_OPERATION_NAME, BULK_RUN_MUTATION, BULK_STATUS_QUERY } from './queries';
import type { ShopifyLineItemNode, ShopifyOrderNode } from './types';

/**
 * A bulk export's life from shipsignal's side: start it (or adopt the one a killed process left), follow it to an
 * end, and stream its JSONL. Every ending but COMPLETED is an error that says what happened; a partial result
 * (`partialDataUrl`, a download cut short) is never taken for the whole.
 */
export interface BulkOperationInfo {
  readonly id: string;
  readonly status: string;
  readonly errorCode: string | null;
  readonly objectCount: string;
  readonly rootObjectCount: string;
  readonly url: string | null;
  readonly partialDataUrl: string | null;
  readonly query: string;
  readonly createdAt: string;
}

/** What a start found among the app's bulk query operations (`findBulkOperations`). */
export interface BulkRecovery {
  /** Ours (our operation name, or the id the caller stored), unfinished or completed with a result: adoptable. */
  readonly ours: readonly BulkOperationInfo[];
  /** Another tool's, running under the same app: left alone (2026-10 runs up to five at once) and never waited on. */
  readonly foreign: readonly BulkOperationInfo[];
}

export interface BulkRunOptions {
  readonly pollMs: number;
  readonly signal?: AbortSignal;
  /** Operations found at start; the one whose query is exactly this export's is adopted, other unfinished ones cancelled. */
  readonly recovery?: BulkRecovery;
  /** Told the id of the operation being followed (to store it, so a restart can adopt it). */
  readonly onStarted?: (id: string) => void;
  readonly onReady?: (waitedMs: number) => void;
}

const UNFINISHED = new Set(['CREATED', 'RUNNING']);

export function isOurBulkQuery(query: string): boolean {
  return new RegExp(`^\\s*query\\s+${BULK_OPERATION_NAME}\\b`).test(query);
}

interface OperationsData {
  bulkOperations: { nodes: BulkOperationInfo[] };
}

/**
 * The start-up look at the app's bulk query operations (the `prepare` hook of the order source): which are ours to
 * adopt. `currentBulkOperation` is deprecated in 2026-10 in favour of `bulkOperations`, newest first.
 */
export async function findBulkOperations(client: ShopifyGraphqlClient, storedOperationId: string | null = null): Promise<BulkRecovery> {
  const data = await client.query<OperationsData>(BULK_OPERATIONS_QUERY, { query: 'operation_type:query' });
  const ours: BulkOperationInfo[] = [];
  const foreign: BulkOperationInfo[] = [];
  for (const operation of data.bulkOperations.nodes) {
    const mine = operation.id === storedOperationId || isOurBulkQuery(operation.query);
    const live = UNFINISHED.has(operation.status) || (operation.status === 'COMPLETED' && operation.url !== null);
    if (mine && live) ours.push(operation);
    else if (!mine && UNFINISHED.has(operation.status)) foreign.push(operation);
  }
  return { ours, foreign };
}

interface CancelData {
  bulkOperationCancel: { bulkOperation: { id: string; status: string } | null; userErrors: Array<{ message: string }> } | null;
}

export async function cancelBulkOperation(client: ShopifyGraphqlClient, id: string): Promise<void> {
  // A userError here means it ended meanwhile (completed, failed): nothing left to cancel.
  await client.query<CancelData>(BULK_CANCEL_MUTATION, { id });
}

interface RunData {
  bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: Array<{ message: string; code: string | null }> };
}
interface StatusData {
  bulkOperation: BulkOperationInfo | null;
}

/**
 * Cancels our unfinished operations other than `keep`: their exports start from a cursor this process no longer
 * reads from, and each holds one of the app's concurrent-operation slots until Shopify finishes it.
 */
export async function cancelStaleOperations(client: ShopifyGraphqlClient, recovery: BulkRecovery | undefined, keep: BulkOperationInfo | null): Promise<void> {
  for (const stale of recovery?.ours ?? []) {
    if (stale !== keep && UNFINISHED.has(stale.status)) await cancelBulkOperation(client, stale.id);
  }
}

/**
 * Adopts our operation whose query is exactly this export's, or starts one, and follows it to COMPLETED; its result
 * URL (null: no rows). An adopted operation that turns out to have ended otherwise (expired, failed meanwhile) is
 * replaced by a fresh export rather than reported, so a stale recovery can never fail every retry.
 */
export async function runBulkExport(client: ShopifyGraphqlClient, query: string, options: BulkRunOptions): Promise<{ url: string | null; objectCount: number } | null> {
  const adopted = options.recovery?.ours.find((operation) => operation.query === query) ?? null;
  await cancelStaleOperations(client, options.recovery, adopted);
  let id = adopted?.id ?? (await startBulk(client, query));
  let adopting = adopted !== null;
  options.onStarted?.(id);
  const started = Date.now();
  for (;;) {
    const status = (await client.query<StatusData>(BULK_STATUS_QUERY, { id })).bulkOperation;
    if (status?.status === 'COMPLETED') {
      options.onReady?.(Date.now() - started);
      return { url: status.url, objectCount: Number(status.objectCount) };
    }
    if (!status || !UNFINISHED.has(status.status)) {
      if (!adopting) throw status ? endingError(status) : new RetryableError(`bulk operation ${id} is gone`, 'bulk_gone');
      id = await startBulk(client, query);
      adopting = false;
      options.onStarted?.(id);
      continue;
    }
    await sleep(options.pollMs, options.signal);
    if (options.signal?.aborted) return null;
  }
}

async function startBulk(client: ShopifyGraphqlClient, query: string): Promise<string> {
  const run = await client.query<RunData>(BULK_RUN_MUTATION, { query });
  const operation = run.bulkOperationRunQuery.bulkOperation;
  if (operation) return operation.id;
  const errors = run.bulkOperationRunQuery.userErrors;
  const text = errors.map((e) => e.message).join('; ');
  // The app's concurrent-operation limit is someone else's work in progress: try later, do not wait here.
  if (errors.some((e) => e.code === 'LIMIT_REACHED' || e.code === 'OPERATION_IN_PROGRESS')) throw new RetryableError(`bulk operation refused for now: ${text}`, 'bulk_busy');
  throw new PermanentError(`bulk operation refused: ${text}`, 'bulk_refused');
}

/** Why an operation ended without a usable result, as an error that says whether a new export can help. */
export function endingError(status: BulkOperationInfo): Error {
  const read = `${status.objectCount} objects exported before it ended`;
  switch (status.status) {
    case 'FAILED':
      if (status.errorCode === 'ACCESS_DENIED') return new PermanentError(`bulk operation ${status.id} failed: ACCESS_DENIED (the token lacks a scope the query needs)`, 'bulk_access_denied');
      return new RetryableError(
        `bulk operation ${status.id} failed (${status.errorCode ?? 'no code'}), ${read}; its partial data${status.partialDataUrl ? ' (partialDataUrl)' : ''} is not used: the export is retried whole`,
        'bulk_failed',
      );
    case 'CANCELING':
    case 'CANCELED':
      return new RetryableError(`bulk operation ${status.id} was cancelled (${status.status}), ${read}; a new export will be started`, 'bulk_canceled');
    case 'EXPIRED':
      return new RetryableError(`bulk operation ${status.id} expired before its result was read; a new export will be started`, 'bulk_expired');
    default:
      return new RetryableError(`bulk operation ${status.id} is in an unexpected state ${status.status}`, 'bulk_failed');
  }
}

export type NodeWithItems = readonly [ShopifyOrderNode, readonly ShopifyLineItemNode[], string?];

/**
 * Streams the bulk JSONL: an order line, then its child lines (`__parentId`), order after order. The final page is
 * held until the line count matches the operation's objectCount, so a download cut short fails instead of ending
 * early as if complete (what was yielded before is re-read from the cursor).
 */
export async function* jsonlOrders(url: string, expectedObjects: number, pageSize: number, signal?: AbortSignal): AsyncGenerator<NodeWithItems[]> {
  const response = await fetch(url, { signal });
  if (!response.ok || !response.body) {
    const expired = response.status === 403 || response.status === 404 || response.status === 410;
    throw new RetryableError(`bulk result download answered ${response.status}${expired ? ' (the signed result URL expired or was revoked)' : ''}`, expired ? 'bulk_url_expired' : `http_${response.status}`);
  }
  const lines = createInterface({ input: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), crlfDelay: Infinity });
  let page: Array<[ShopifyOrderNode, ShopifyLineItemNode[]]> = [];
  let current: [ShopifyOrderNode, ShopifyLineItemNode[]] | null = null;
  let objects = 0;
  for await (const line of lines) {
    if (!line.trim()) continue;
    objects += 1;
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
  if (objects !== expectedObjects) throw new RetryableError(`bulk result truncated: ${objects} of ${expectedObjects} objects downloaded`, 'bulk_truncated');
  if (current) page.push(current);
  if (page.length > 0) yield page;
}
