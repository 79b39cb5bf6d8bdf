import WooCommerceRestApi from '@woocommerce/woocommerce-rest-api';
import { PermanentError, RetryableError } from '../../util/errors';
import { DEFAULT_BACKOFF, parseRetryAfter, type BackoffPolicy } from '../../util/retry';
import { RetryLoop, type AttemptOutcome, type IncidentObserver } from '../../util/retry-loop';

export interface WooCommerceConnection {
  /** The store's site URL, e.g. `https://shop.example.com` (REST lives under `/wp-json/wc/v3/`). */
  readonly url: string;
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly timeoutMs: number;
  readonly backoff?: BackoffPolicy;
}

export interface WooCommerceObserver extends IncidentObserver {
  request(status: number | 'error', ms: number): void;
}

export interface WooListPage {
  readonly items: readonly unknown[];
  /** `X-WP-Total` and `X-WP-TotalPages`. */
  readonly total: number;
  readonly totalPages: number;
}

export type WooQuery = Readonly<Record<string, string | number | boolean | readonly string[]>>;


/**
 * The official `@woocommerce/woocommerce-rest-api` client on REST v3. Over HTTPS it sends the consumer key and
 * secret as HTTP Basic auth (WooCommerce's documented scheme); over plain HTTP it signs each request with OAuth 1.0a
 * (HMAC-SHA256), as WooCommerce requires there. 429 (hosts and WAFs rate-limit; core WooCommerce does not), 5xx,
 * network failures and unreadable bodies are retried with src/util/retry; 401/403 and other 4xx are PermanentErrors
 * with a plain reason.
 */
export class WooCommerceClient {
  private readonly api: WooCommerceRestApi;
  private readonly retries: RetryLoop;

  constructor(private readonly connection: WooCommerceConnection, private readonly observer?: WooCommerceObserver, signal?: AbortSignal) {
    this.retries = new RetryLoop(connection.backoff ?? DEFAULT_BACKOFF, observer, signal);
    this.api = new WooCommerceRestApi({
      url: connection.url,
      consumerKey: connection.consumerKey,
      consumerSecret: connection.consumerSecret,
      version: 'wc/v3',
      timeout: connection.timeoutMs,
      // Every status comes back as a response (we classify it), and the body as text (a WAF's HTML page is not JSON).
      axiosConfig: { validateStatus: () => true, responseType: 'text', transformResponse: [(data: unknown) => data], ...(signal ? { signal } : {}) },
    });
  }

  list(endpoint: string, query: WooQuery): Promise<WooListPage> {
    return this.retries.run(() => this.attempt(endpoint, query));
  }

  private async attempt(endpoint: string, query: WooQuery): Promise<AttemptOutcome<WooListPage>> {
    const started = Date.now();
    let response: { status: number; headers: Record<string, unknown>; data: unknown };
    try {
      response = await this.api.get(endpoint, query);
    } catch (error) {
      this.observer?.request('error', Date.now() - started);
      return { ok: false, error: new RetryableError(`WooCommerce unreachable: ${(error as Error).message}`, 'network', null, { cause: error }) };
    }
    this.observer?.request(response.status, Date.now() - started);
    const text = typeof response.data === 'string' ? response.data : '';
    const body = parseJson(text);
    const header = (name: string): string | null => {
      const value = response.headers[name];
      return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
    };
    if (response.status === 429 || response.status >= 500) {
      return { ok: false, error: new RetryableError(`WooCommerce answered ${response.status}${describe(body)}`, `http_${response.status}`, parseRetryAfter(header('retry-after'))) };
    }
    if (response.status === 401 || response.status === 403) {
      throw new PermanentError(
        `WooCommerce refused the API key (${response.status}${describe(body)}): check WOOCOMMERCE_CONSUMER_KEY and WOOCOMMERCE_CONSUMER_SECRET, and that the key has Read permission`,
        'woocommerce_auth',
      );
    }
    if (response.status === 404) {
      throw new PermanentError(`no WooCommerce REST route at ${this.connection.url} (404${describe(body)}): check WOOCOMMERCE_URL and that WooCommerce is active`, 'woocommerce_not_found');
    }
    if (response.status < 200 || response.status >= 300) throw new PermanentError(`WooCommerce answered ${response.status}${describe(body)}`, `http_${response.status}`);
    if (!Array.isArray(body)) {
      return { ok: false, error: new RetryableError(`WooCommerce answered ${response.status} with a body that is not a JSON list: ${text.slice(0, 120)}`, 'unreadable_body') };
    }
    const total = Number(header('x-wp-total') ?? body.length);
    const totalPages = Number(header('x-wp-totalpages') ?? 1);
    return { ok: true, value: { items: body, total: Number.isFinite(total) ? total : body.length, totalPages: Number.isFinite(totalPages) ? totalPages : 1 } };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** `: <code>: <message>` from WooCommerce's `{code, message, data: {status}}` error body, when it is one. */
function describe(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return '';
  const { code, message } = body as Record<string, unknown>;
  return typeof code === 'string' ? ` ${code}: ${typeof message === 'string' ? message : ''}` : '';
}
