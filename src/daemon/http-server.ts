import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Registry } from 'prom-client';
import { readBoundedBody } from '../util/read-body';
import type { Health } from './health';

/** A webhook route: gets the raw body (already size-bounded) and headers; verifies before it parses. */
export type WebhookHandler = (rawBody: Buffer, request: IncomingMessage) => Promise<{ status: number; body: string }>;

export interface HttpServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly token: string | null;
  readonly health: Health;
  readonly registry: Registry;
  readonly webhooks: Readonly<Record<string, WebhookHandler>>;
  readonly maxBodyBytes?: number;
}

/**
 * The daemon's HTTP face: /healthz (alive), /readyz (each source and the destination succeeded once, none failing), /metrics (Prometheus) and the
 * webhook receivers. When a token is configured, everything but the health probes requires it, as a bearer header
 * or (for webhook URLs registered at a provider) a `token` query parameter.
 */
export function startHttpServer(options: HttpServerOptions): Promise<Server> {
  const maxBody = options.maxBodyBytes ?? 1_000_000;
  const server = createServer((request, response) => {
    handle(request, response).catch(() => send(response, 500, { error: 'internal error' }));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return send(response, 200, { status: 'ok' });
    if (url.pathname === '/readyz') {
      // Anyone may probe readiness; only a caller presenting the token (bearer header) sees error text and details.
      const view = options.health.view(options.token !== null && bearer(request, options.token));
      return send(response, view.ready ? 200 : 503, view);
    }
    if (!authorized(request, url, options.token)) return send(response, 401, { error: 'missing or wrong token' });
    if (url.pathname === '/metrics' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': options.registry.contentType });
      response.end(await options.registry.metrics());
      return;
    }
    const webhook = options.webhooks[url.pathname];
    if (webhook && request.method === 'POST') {
      const body = await readBoundedBody(request, maxBody);
      if (body === null) return send(response, 413, { error: `body larger than ${maxBody} bytes` });
      const result = await webhook(body, request);
      response.writeHead(result.status, { 'content-type': 'application/json' });
      response.end(result.body);
      return;
    }
    send(response, 404, { error: 'not found' });
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve(server));
  });
}

function authorized(request: IncomingMessage, url: URL, token: string | null): boolean {
  if (!token) return true;
  const header = request.headers.authorization ?? '';
  return same(header.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('token') ?? '', token);
}

/** The bearer header only: readiness details are never unlocked by a query string that ends up in access logs. */
function bearer(request: IncomingMessage, token: string): boolean {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') && same(header.slice(7), token);
}

function same(presented: string, token: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
