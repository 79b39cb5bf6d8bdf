import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Registry } from 'prom-client';
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
 * The daemon's HTTP face: /healthz (alive), /readyz (sources and sink working), /metrics (Prometheus) and the
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
      const ready = options.health.ready();
      return send(response, ready ? 200 : 503, { ready, components: options.health.snapshot(), warnings: options.health.warnings() });
    }
    if (!authorized(request, url, options.token)) return send(response, 401, { error: 'missing or wrong token' });
    if (url.pathname === '/metrics' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': options.registry.contentType });
      response.end(await options.registry.metrics());
      return;
    }
    const webhook = options.webhooks[url.pathname];
    if (webhook && request.method === 'POST') {
      const body = await readBody(request, maxBody);
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
  const presented = header.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('token') ?? '';
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads at most `limit` bytes; null (and the rest discarded) when the body is larger. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
