import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WooErrorJson } from '../../sources/woocommerce/types';
import { systemClock, type Clock } from '../../util/clock';
import { sleep } from '../../util/retry';
import { FaultInjector, type Fault } from '../shopify/faults';
import { authenticate, NonceBook, queryPairs, type ApiKey } from './auth';
import type { WooOrderBook } from './book';
import { parseListParams } from './params';
import { parseProductParams, WooProductCatalog } from './products';
import { WooWebhooks, type WebhookRegistration, type WooDelivery } from './webhooks';

const PREFIX = '/wp-json/wc/v3';
export const DEFAULT_CONSUMER_KEY = 'ck_0123456789abcdef0123456789abcdef01234567';
export const DEFAULT_CONSUMER_SECRET = 'cs_0123456789abcdef0123456789abcdef01234567';

export interface WooSandboxOptions {
  readonly book: WooOrderBook;
  readonly port?: number;
  /** REST keys the store knows (Read, Write or Read/Write); default one Read key. */
  readonly keys?: readonly ApiKey[];
  /** OAuth timestamps are checked against this clock (real time by default, whatever the store's clock says). */
  readonly authClock?: Clock;
  /**
   * A host's or WAF's rate limit (core WooCommerce has none): more than `requests` in `windowMs` are answered 429
   * with Retry-After until the window ends.
   */
  readonly hostRateLimit?: { readonly requests: number; readonly windowMs: number };
  readonly seed?: number;
}

export interface WooRequestRecord {
  readonly method: string;
  readonly path: string;
  /** The request's own parameters (OAuth's left out), first value of each. */
  readonly params: Readonly<Record<string, string>>;
  readonly status: number;
  readonly outcome: 'ok' | 'unauthorized' | 'bad_request' | 'not_found' | 'rate_limited' | 'fault';
  readonly fault: Fault['kind'] | null;
}

export interface WooSandbox {
  /** The site URL: what `WOOCOMMERCE_URL` is set to. */
  readonly url: string;
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly book: WooOrderBook;
  readonly faults: FaultInjector;
  requests(): readonly WooRequestRecord[];
  addWebhook(registration: WebhookRegistration): Promise<{ id: number; pingStatus: number | null }>;
  deliveries(): readonly WooDelivery[];
  webhooksIdle(): Promise<void>;
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
  readonly outcome: WooRequestRecord['outcome'];
}

const errorReply = (status: number, error: WooErrorJson, outcome: Reply['outcome']): Reply => ({ status, body: error, outcome });
const wooError = (code: string, message: string, status: number): WooErrorJson => ({ code, message, data: { status } });

export async function startWooSandbox(options: WooSandboxOptions): Promise<WooSandbox> {
  const book = options.book;
  const keys = options.keys ?? [{ consumerKey: DEFAULT_CONSUMER_KEY, consumerSecret: DEFAULT_CONSUMER_SECRET, permissions: 'read' }];
  const authClock = options.authClock ?? systemClock;
  const nonces = new NonceBook();
  const faults = new FaultInjector(options.seed ?? 1);
  const log: WooRequestRecord[] = [];
  const window = { start: 0, count: 0 };
  let baseUrl = '';
  const webhooks = new WooWebhooks(() => baseUrl);
  const catalog = new WooProductCatalog(book.store, book.site);
  book.onChange((change) => webhooks.dispatch(change));

  const hostLimited = (now: number): number | null => {
    const limit = options.hostRateLimit;
    if (!limit) return null;
    if (now - window.start >= limit.windowMs) {
      window.start = now;
      window.count = 0;
    }
    window.count += 1;
    return window.count > limit.requests ? Math.max(1, Math.ceil((window.start + limit.windowMs - now) / 1000)) : null;
  };

  const route = (method: string, path: string, params: ReadonlyMap<string, string>): Reply => {
    if (!path.startsWith(`${PREFIX}/`) && path !== PREFIX) {
      return errorReply(404, wooError('rest_no_route', 'No route was found matching the URL and request method.', 404), 'not_found');
    }
    const auth = authenticate(method, `${baseUrl}${path}`, params, keys, nonces, Math.floor(authClock.now().getTime() / 1000));
    if (!auth.ok) return errorReply(auth.status, auth.error, 'unauthorized');
    const rest = path.slice(PREFIX.length);
    if (method !== 'GET') return errorReply(404, wooError('rest_no_route', 'No route was found matching the URL and request method.', 404), 'not_found');
    if (rest === '/orders') return listOrders(params, path);
    if (rest === '/products') return listProducts(params, path);
    const single = /^\/orders\/(\d+)(\/refunds)?$/.exec(rest);
    if (single) {
      const id = Number(single[1]);
      const order = book.order(id);
      if (!order) return errorReply(404, wooError('woocommerce_rest_shop_order_invalid_id', 'Invalid ID.', 404), 'not_found');
      if (!single[2]) return { status: 200, body: order, outcome: 'ok' };
      const refunds = book.refunds(id).map((row) => ({
        id: row.id,
        date_created: new Date(Date.parse(row.createdAt) + book.site.utcOffsetMinutes * 60_000).toISOString().slice(0, 19),
        date_created_gmt: row.createdAt.slice(0, 19),
        amount: row.amount, reason: row.reason, refunded_by: 1, refunded_payment: false, meta_data: [], line_items: [], shipping_lines: [],
      }));
      return { status: 200, body: refunds, headers: { 'X-WP-Total': String(refunds.length), 'X-WP-TotalPages': '1' }, outcome: 'ok' };
    }
    return errorReply(404, wooError('rest_no_route', 'No route was found matching the URL and request method.', 404), 'not_found');
  };

  const listOrders = (params: ReadonlyMap<string, string>, path: string): Reply => {
    const parsed = parseListParams(params, book.site.utcOffsetMinutes);
    if ('error' in parsed) return errorReply(400, parsed.error, 'bad_request');
    const { orders, total } = book.list(parsed.request);
    return paged(params, path, orders, total, parsed.request.perPage, parsed.page);
  };

  const listProducts = (params: ReadonlyMap<string, string>, path: string): Reply => {
    const parsed = parseProductParams(params);
    if ('error' in parsed) return errorReply(400, parsed.error, 'bad_request');
    const { products, total } = catalog.list(parsed, baseUrl);
    return paged(params, path, products, total, parsed.perPage, parsed.page);
  };

  /** A collection page with WordPress's paging headers: X-WP-Total, X-WP-TotalPages and prev/next Links. */
  const paged = (params: ReadonlyMap<string, string>, path: string, items: readonly unknown[], total: number, perPage: number, page: number): Reply => {
    const totalPages = Math.ceil(total / perPage);
    const link = (to: number, rel: string): string => {
      const query = new URLSearchParams();
      for (const [name, value] of params) if (!name.startsWith('oauth_')) query.set(name, value);
      query.set('page', String(to));
      return `<${baseUrl}${path}?${query.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(Math.min(page - 1, Math.max(1, totalPages)), 'prev'));
    if (page < totalPages) links.push(link(page + 1, 'next'));
    return {
      status: 200,
      body: items,
      headers: { 'X-WP-Total': String(total), 'X-WP-TotalPages': String(totalPages), ...(links.length > 0 ? { Link: links.join(', ') } : {}) },
      outcome: 'ok',
    };
  };

  const server = http.createServer((req, res) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const params = queryPairs(q < 0 ? '' : raw.slice(q + 1));
    const method = req.method ?? 'GET';
    const own = Object.fromEntries([...params].filter(([name]) => !name.startsWith('oauth_')));
    const record = (status: number, outcome: WooRequestRecord['outcome'], fault: Fault['kind'] | null): void => {
      log.push({ method, path, params: own, status, outcome, fault });
    };
    req.resume();
    req.on('end', () => {
      void (async () => {
        const retryAfter = hostLimited(Date.now());
        if (retryAfter !== null) {
          record(429, 'rate_limited', null);
          res.writeHead(429, { 'Content-Type': 'text/html; charset=UTF-8', 'Retry-After': String(retryAfter) });
          res.end('<html><body><h1>429 Too Many Requests</h1></body></html>');
          return;
        }
        const fault = faults.next();
        if (fault?.kind === 'reset') {
          record(0, 'fault', 'reset');
          req.socket.destroy();
          return;
        }
        if (fault?.kind === 'rate_limited' || fault?.kind === 'throttled') {
          record(429, 'fault', fault.kind);
          res.writeHead(429, { 'Content-Type': 'text/html; charset=UTF-8', 'Retry-After': String(fault.kind === 'rate_limited' ? fault.retryAfterSeconds : 1) });
          res.end('<html><body><h1>429 Too Many Requests</h1></body></html>');
          return;
        }
        if (fault?.kind === 'server_error') {
          record(503, 'fault', 'server_error');
          res.writeHead(503, { 'Content-Type': 'text/html; charset=UTF-8' });
          res.end('<html><body><h1>503 Service Unavailable</h1></body></html>');
          return;
        }
        if (fault?.kind === 'slow') await sleep(fault.ms);
        const reply = route(method, path, params);
        record(reply.status, reply.outcome, fault?.kind ?? null);
        res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=UTF-8', ...reply.headers });
        res.end(JSON.stringify(reply.body));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  book.serveAt(baseUrl);
  const first = keys[0];
  return {
    url: baseUrl,
    consumerKey: first.consumerKey,
    consumerSecret: first.consumerSecret,
    book,
    faults,
    requests: () => log,
    addWebhook: (registration) => webhooks.add(registration),
    deliveries: () => webhooks.deliveries(),
    webhooksIdle: () => webhooks.idle(),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
