import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../util/clock';
import { sleep } from '../../util/retry';
import { FaultInjector, SlidingWindowLimiter, type FaultOptions } from './limits';
import { parseListQuery } from './paging';
import type { ParcelScript } from './parcels';
import { mulberry32 } from '../../util/prng';
import { EasyPostStore } from './store';
import { deliverWebhook, type DeliveryOptions, type DeliveryRecord, type WebhookEndpoint } from './webhooks';
import type { ErrorJson, Mode, WebhookEventJson } from './wire';

export interface EasyPostSandboxOptions {
  /** Decides which scans are visible and stamps every record. Defaults to the system clock. */
  readonly clock?: Clock;
  /** Accepted keys; `EZTK…` keys are test mode, others production. */
  readonly apiKeys?: readonly string[];
  readonly webhooks?: readonly WebhookEndpoint[];
  /** EasyPost's 5 requests/second on list endpoints; `false` turns it off (e.g. for bulk demo loads). */
  readonly listRatePerSecond?: number | false;
  readonly faults?: FaultOptions;
  /** Seeds ids, so a scenario replays with the same tracker and event ids. */
  readonly seed?: number;
  readonly delivery?: Partial<DeliveryOptions>;
  /** Deliver every webhook twice, as EasyPost's at-least-once delivery may. */
  readonly deliverTwice?: boolean;
}

export interface SandboxStats {
  requests: number;
  rateLimited: number;
  faults: number;
  webhookAttempts: number;
}

export const DEFAULT_TEST_KEY = 'EZTK_shipsignal_sandbox';
export const DEFAULT_PRODUCTION_KEY = 'EZAK_shipsignal_sandbox';
const MAX_BODY_BYTES = 1_048_576;

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly errors: unknown[] = []) {
    super(message);
  }
}

/**
 * A local EasyPost v2 (trackers, events, webhooks) for tests, the demo and the benchmark. Point the official client
 * at it with `new EasyPostClient(key, { baseUrl: `${sandbox.url}/v2/` })` (the trailing slash matters).
 */
export class EasyPostSandbox {
  readonly deliveries: DeliveryRecord[] = [];
  readonly stats: SandboxStats = { requests: 0, rateLimited: 0, faults: 0, webhookAttempts: 0 };
  private readonly clock: Clock;
  private readonly keys: ReadonlySet<string>;
  private readonly webhooks: WebhookEndpoint[];
  private readonly store: EasyPostStore;
  private readonly limiter: SlidingWindowLimiter | null;
  private readonly faults: FaultInjector | null;
  private readonly delivery: DeliveryOptions;
  private deliverTwice: boolean;
  private readonly inFlight = new Set<Promise<void>>();
  private server: Server | null = null;
  private baseUrl: string | null = null;

  constructor(options: EasyPostSandboxOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.keys = new Set(options.apiKeys ?? [DEFAULT_TEST_KEY, DEFAULT_PRODUCTION_KEY]);
    this.webhooks = [...(options.webhooks ?? [])];
    this.store = new EasyPostStore(mulberry32(options.seed ?? 42));
    const perSecond = options.listRatePerSecond ?? 5;
    this.limiter = perSecond === false ? null : new SlidingWindowLimiter(perSecond, 1_000);
    this.faults = options.faults ? new FaultInjector(options.faults) : null;
    this.delivery = { attempts: 4, retryDelayMs: 250, timeoutMs: 5_000, ...options.delivery };
    this.deliverTwice = options.deliverTwice ?? false;
  }

  /** Listens on 127.0.0.1 (port 0 = any free port) and resolves to the base URL, e.g. `http://127.0.0.1:41234`. */
  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    await this.idle();
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    if (this.baseUrl === null) throw new Error('EasyPost sandbox is not started');
    return this.baseUrl;
  }

  registerParcel(script: ParcelScript): void {
    this.store.registerParcel(script);
  }

  addWebhook(endpoint: WebhookEndpoint): void {
    this.webhooks.push(endpoint);
  }

  setDeliverTwice(on: boolean): void {
    this.deliverTwice = on;
  }

  get trackerCount(): number {
    return this.store.trackerCount;
  }

  /**
   * Call after moving the clock: records `tracker.updated` for every tracker whose visible history changed and
   * delivers those events to the webhooks before resolving.
   */
  async tick(): Promise<WebhookEventJson[]> {
    const events = this.store.advance(this.clock.now());
    await Promise.all(events.map((event) => this.deliver(event)));
    return events;
  }

  /** Sends a past event to every webhook again (an at-least-once duplicate). */
  async redeliver(eventId: string): Promise<void> {
    const event = this.store.webhookEvent(eventId);
    if (!event) throw new Error(`no such event: ${eventId}`);
    await this.deliver(event);
  }

  /** Resolves when every webhook delivery started so far (including those of tracker.created) is done. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private deliver(event: WebhookEventJson): Promise<void> {
    const run = async () => {
      const endpoints = [...this.webhooks];
      this.store.setPendingUrls(event.id, endpoints.map((e) => e.url));
      const landed: string[] = [];
      const failed: string[] = [];
      await Promise.all(endpoints.map(async (endpoint) => {
        const record = (d: DeliveryRecord) => {
          this.stats.webhookAttempts++;
          this.deliveries.push(d);
        };
        let ok = await deliverWebhook(endpoint, event, this.delivery, record);
        if (this.deliverTwice) ok = (await deliverWebhook(endpoint, event, this.delivery, record)) || ok;
        (ok ? landed : failed).push(endpoint.url);
      }));
      this.store.settleEvent(event.id, landed, failed, this.clock.now());
    };
    const promise = run().finally(() => this.inFlight.delete(promise));
    this.inFlight.add(promise);
    return promise;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    try {
      const fault = this.faults?.next() ?? 'none';
      if (fault !== 'none') this.stats.faults++;
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault === 'rate_limited') throw rateLimited();
      if (fault === 'server_error') {
        throw new HttpError(500, 'INTERNAL_SERVER_ERROR', 'We\'re sorry, something went wrong. If the problem persists please contact support.');
      }
      if (fault === 'slow') await sleep(this.faults?.slowMs ?? 0);
      const { status, body } = await this.route(req);
      send(res, status, body);
    } catch (err) {
      const error = err instanceof HttpError ? err : new HttpError(500, 'INTERNAL_SERVER_ERROR', String(err));
      const body: ErrorJson = { error: { code: error.code, message: error.message, errors: error.errors } };
      send(res, error.status, body);
    }
  }

  private async route(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const mode = this.authenticate(req);
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    const now = this.clock.now();
    const isIndex = method === 'GET' && (path === '/v2/trackers' || path === '/v2/events');
    if (isIndex && this.limiter && !this.limiter.tryAcquire(req.headers.authorization ?? '')) {
      this.stats.rateLimited++;
      throw rateLimited();
    }

    if (path === '/v2/trackers' && method === 'POST') return this.create(mode, await readJson(req), now);
    if (path === '/v2/trackers' && method === 'GET') {
      const query = listQuery(url, now);
      const filter = { trackingCode: url.searchParams.get('tracking_code') || null, carrier: url.searchParams.get('carrier') || null };
      return { status: 200, body: this.store.listTrackers(mode, query, filter, now) };
    }
    const tracker = /^\/v2\/trackers\/([^/]+)$/.exec(path);
    if (tracker && method === 'GET') {
      const found = this.store.retrieveTracker(mode, decodeURIComponent(tracker[1]), now);
      if (!found) throw new HttpError(404, 'TRACKER.NOT_FOUND', 'The requested resource could not be found.');
      return { status: 200, body: found };
    }
    if (path === '/v2/events' && method === 'GET') return { status: 200, body: this.store.listEvents(mode, listQuery(url, now)) };
    const event = /^\/v2\/events\/([^/]+)$/.exec(path);
    if (event && method === 'GET') {
      const found = this.store.retrieveEvent(mode, decodeURIComponent(event[1]));
      if (!found) throw new HttpError(404, 'NOT_FOUND', 'The requested resource could not be found.');
      return { status: 200, body: found };
    }
    if (tracker || event || path === '/v2/trackers' || path === '/v2/events') {
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`);
    }
    throw new HttpError(404, 'NOT_FOUND', 'The requested resource could not be found.');
  }

  private create(mode: Mode, body: unknown, now: Date): { status: number; body: unknown } {
    const params = isRecord(body) && isRecord(body.tracker) ? body.tracker : null;
    const code = params && typeof params.tracking_code === 'string' ? params.tracking_code.trim() : '';
    if (code === '') {
      throw new HttpError(422, 'TRACKER.INVALID_PARAMS', 'Invalid tracker parameters.', [{ field: 'tracking_code', message: 'cannot be blank' }]);
    }
    const carrier = params && typeof params.carrier === 'string' && params.carrier.trim() !== '' ? params.carrier.trim() : null;
    const outcome = this.store.createTracker(mode, code, carrier, now);
    if (outcome.kind === 'rejected') {
      const errors = outcome.field ? [{ field: outcome.field, message: outcome.message }] : [];
      throw new HttpError(422, outcome.code, outcome.message, errors);
    }
    if (outcome.event) void this.deliver(outcome.event);
    return { status: outcome.kind === 'created' ? 201 : 200, body: outcome.tracker };
  }

  /** HTTP Basic with the key as user name and an empty password, as the official clients send it. */
  private authenticate(req: IncomingMessage): Mode {
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+(.+)$/i.exec(header);
    if (!match) throw new HttpError(401, 'APIKEY.REQUIRED', 'Valid API Key Required.');
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const key = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
    if (!this.keys.has(key)) throw new HttpError(401, 'UNAUTHORIZED', 'The API key provided is not valid.');
    return key.startsWith('EZTK') ? 'test' : 'production';
  }
}

function rateLimited(): HttpError {
  return new HttpError(429, 'RATE_LIMITED', 'You have exceeded the rate limit. Please slow down your requests and retry with backoff.');
}

function listQuery(url: URL, now: Date) {
  const query = parseListQuery(url.searchParams, now);
  // EasyPost's error shape (docs.easypost.com/docs/errors): 422 for a well-formed request it cannot serve, with a
  // FieldError naming the parameter.
  if ('error' in query) {
    throw new HttpError(422, 'BAD_REQUEST', query.error, query.field ? [{ field: query.field, message: query.error, suggestion: null }] : []);
  }
  return query;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'BAD_REQUEST', 'Request body too large.');
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'The request body is not valid JSON.');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
