import { createAdminApiClient } from '@shopify/admin-api-client';
import { PermanentError, RetryableError } from '../../util/errors';
import { DEFAULT_BACKOFF, parseRetryAfter, sleep, type BackoffPolicy } from '../../util/retry';
import { RetryLoop, type AttemptOutcome, type IncidentObserver } from '../../util/retry-loop';
import type { SharedCostBucket } from '../shared-bucket';
import { SHOPIFY_API_VERSION } from './queries';
import type { QueryCost, ThrottleStatus } from './types';

export interface ShopifyConnection {
  /** e.g. `my-store.myshopify.com`. */
  readonly storeDomain: string;
  readonly accessToken: string;
  /** Overrides `https://<storeDomain>` (the sandbox, a proxy). */
  readonly baseUrl: string | null;
  readonly timeoutMs: number;
  readonly backoff?: BackoffPolicy;
  /** A fleet: the shop's bucket shared with every other worker reading it (taken from before each query). */
  readonly costBucket?: SharedCostBucket;
}

export interface ShopifyObserver extends IncidentObserver {
  request(status: number | 'error', ms: number, cost: QueryCost | null): void;
}

interface GraphqlBody<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }> | string;
  extensions?: { cost?: QueryCost };
}

/**
 * The Admin GraphQL client, paced by Shopify's cost-based leaky bucket: before each query it waits until the bucket
 * can pay the query's expected cost, so steady-state syncs are never throttled. THROTTLED, 429 and 5xx are retried
 * with src/util/retry; anything else is a PermanentError.
 */
export class ShopifyGraphqlClient {
  private readonly client: ReturnType<typeof createAdminApiClient>;
  private bucket: { status: ThrottleStatus; at: number } | null = null;
  private readonly expectedCost = new Map<string, number>();
  private readonly retries: RetryLoop;
  private readonly shared: SharedCostBucket | null;

  constructor(connection: ShopifyConnection, private readonly observer?: ShopifyObserver, private readonly signal?: AbortSignal) {
    this.shared = connection.costBucket ?? null;
    this.retries = new RetryLoop(connection.backoff ?? DEFAULT_BACKOFF, observer, signal);
    const origin = `https://${connection.storeDomain}`;
    const base = connection.baseUrl?.replace(/\/$/, '') ?? null;
    this.client = createAdminApiClient({
      storeDomain: connection.storeDomain,
      apiVersion: SHOPIFY_API_VERSION,
      accessToken: connection.accessToken,
      retries: 0,
      logger: () => undefined,
      customFetchApi: (url, init) =>
        fetch(base ? String(url).replace(origin, base) : url, {
          ...(init as RequestInit),
          signal: AbortSignal.timeout(connection.timeoutMs),
        }),
    });
  }

  query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
    return this.retries.run(async () => {
      const taken = await this.waitForBudget(document);
      return this.attempt<T>(document, variables, taken);
    });
  }

  private async attempt<T>(document: string, variables: Record<string, unknown>, taken: number): Promise<AttemptOutcome<T>> {
    const started = Date.now();
    let response: Response;
    try {
      response = await this.client.fetch(document, { variables });
    } catch (error) {
      this.observer?.request('error', Date.now() - started, null);
      return { ok: false, error: new RetryableError(`Shopify unreachable: ${(error as Error).message}`, 'network', null, { cause: error }) };
    }
    const text = await response.text().catch(() => '');
    const body = parseJson<GraphqlBody<T>>(text);
    const cost = body?.extensions?.cost ?? null;
    this.observer?.request(response.status, Date.now() - started, cost);
    if (cost) this.learnCost(document, cost);
    // A failed write only leaves the shared level lower than it is (the points stay taken until the refill).
    if (cost && this.shared) await this.shared.settle(taken, cost.actualQueryCost, cost.throttleStatus).catch(() => undefined);

    if (response.status === 429 || response.status >= 500 || (response.ok && !body)) {
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      return { ok: false, error: new RetryableError(`Shopify answered ${response.status}${body ? '' : ' with an unreadable body'}`, `http_${response.status}`, retryAfter) };
    }
    if (!response.ok) throw new PermanentError(`Shopify answered ${response.status}: ${text.slice(0, 200)}`, `http_${response.status}`);
    const errors = typeof body?.errors === 'string' ? [{ message: body.errors }] : body?.errors ?? [];
    if (errors.some((error) => error.extensions?.code === 'THROTTLED')) {
      const wait = cost ? this.refillWaitMs(cost.requestedQueryCost) : 1000;
      return { ok: false, error: new RetryableError('Shopify throttled the query', 'throttled', wait) };
    }
    if (errors.length > 0 || !body?.data) {
      throw new PermanentError(`Shopify rejected the query: ${errors.map((error) => error.message).join('; ')}`, 'graphql');
    }
    return { ok: true, value: body.data };
  }

  private learnCost(document: string, cost: QueryCost): void {
    this.bucket = { status: cost.throttleStatus, at: Date.now() };
    this.expectedCost.set(document, cost.requestedQueryCost);
  }

  private refillWaitMs(needed: number): number {
    if (!this.bucket) return 0;
    const { status, at } = this.bucket;
    const available = Math.min(status.maximumAvailable, status.currentlyAvailable + ((Date.now() - at) / 1000) * status.restoreRate);
    return available >= needed ? 0 : Math.ceil(((needed - available) / status.restoreRate) * 1000);
  }

  /** Waits until the bucket can pay the query's expected cost; answers the points taken from the shared bucket. */
  private async waitForBudget(document: string): Promise<number> {
    const expected = this.expectedCost.get(document) ?? 0;
    if (!this.shared) {
      const wait = this.refillWaitMs(expected);
      if (wait > 0) await sleep(wait, this.signal);
      return 0;
    }
    for (let wait = await this.shared.take(expected); wait > 0; wait = await this.shared.take(expected)) {
      await sleep(wait, this.signal);
      if (this.signal?.aborted) throw new PermanentError('stopped while waiting for the shop\'s cost bucket', 'aborted');
    }
    return expected;
  }
}

function parseJson<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
