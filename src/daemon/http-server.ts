import type { IncomingMessage, Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { Health } from './health';

/** A webhook route: gets the raw body (already size-bounded) and headers; verifies before it parses. */
export type WebhookHandler = (rawBody: Buffer, request: IncomingMessage) => Promise<{ status: number; body: string }>;

/**
 * Routes another module mounts on the daemon's HTTP face (the tracking page, the status page, a queue dashboard).
 * `access: 'token'` puts them behind SHIPSIGNAL_HTTP_TOKEN like /metrics; `'public'` serves them to anyone (they
 * must then rate-limit and leak nothing themselves: `config: { rateLimit: {...} }` on a route turns the shared
 * limiter on for it). Each plugin gets its own encapsulated fastify context, so its hooks, parsers and decorators
 * stay inside it. The default Content-Security-Policy is strict (`default-src 'none'`, styles, images and forms from
 * this origin only); a route that needs more sets `helmet: { contentSecurityPolicy: … }` in its route options.
 */
export interface HttpRoutes {
  readonly name: string;
  readonly access: 'public' | 'token';
  /** A path prefix for every route it registers, e.g. `/admin/queues`. */
  readonly prefix?: string;
  register(app: FastifyInstance): void | Promise<void>;
}

export interface HttpServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly token: string | null;
  readonly health: Health;
  readonly registry: Registry;
  readonly webhooks: Readonly<Record<string, WebhookHandler>>;
  readonly routes?: readonly HttpRoutes[];
  readonly maxBodyBytes?: number;
  /**
   * Behind a reverse proxy the client's address comes from X-Forwarded-For; name the proxies' addresses or CIDRs
   * (comma-separated, e.g. `127.0.0.1,10.0.0.0/8`) or true to trust every hop, so per-IP limits apply to visitors,
   * not to the proxy. Off by default: a directly exposed daemon must not let a caller pick its own address.
   */
  readonly trustProxy?: boolean | string;
}

/** The strict default policy: nothing from anywhere but this origin, no script at all. */
export const STRICT_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    imgSrc: ["'self'"],
    styleSrc: ["'self'"],
  },
};

/**
 * Builds the daemon's HTTP face on fastify: /healthz (alive), /readyz (each source and the destination succeeded
 * once, none failing), /metrics (Prometheus), the webhook receivers and the mounted route plugins. When a token is
 * configured, everything but the health probes and public plugins requires it, as a bearer header or (for webhook
 * URLs registered at a provider) a `token` query parameter, checked before any body is read.
 */
export async function buildHttpApp(options: HttpServerOptions): Promise<FastifyInstance> {
  const maxBody = options.maxBodyBytes ?? 1_000_000;
  const app = Fastify({ logger: false, bodyLimit: maxBody, trustProxy: options.trustProxy ?? false, return503OnClosing: true });
  await app.register(fastifyHelmet, { contentSecurityPolicy: STRICT_CSP, strictTransportSecurity: false });
  // Opt-in per route (`config.rateLimit`): the probes, metrics and webhooks are not limited, as before.
  await app.register(fastifyRateLimit, { global: false });

  app.setErrorHandler((error: { statusCode?: number; code?: string }, _request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, 413, { error: `body larger than ${maxBody} bytes` });
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return send(reply, status, { error: status === 500 ? 'internal error' : 'bad request' });
  });
  app.setNotFoundHandler((request, reply) => (authorized(request, options.token) ? send(reply, 404, { error: 'not found' }) : send(reply, 401, { error: 'missing or wrong token' })));

  app.get('/healthz', async (_request, reply) => send(reply, 200, { status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    // Anyone may probe readiness; only a caller presenting the token (bearer header) sees error text and details.
    const view = options.health.view(options.token !== null && bearer(request, options.token));
    return send(reply, view.ready ? 200 : 503, view);
  });

  // Everything registered in here needs the token (when one is configured), checked on arrival, before the body.
  await app.register(async (guarded) => {
    guarded.addHook('onRequest', async (request, reply) => {
      if (!authorized(request, options.token)) return send(reply, 401, { error: 'missing or wrong token' });
    });
    guarded.get('/metrics', async (_request, reply) => {
      reply.header('content-type', options.registry.contentType);
      return options.registry.metrics();
    });
    // Webhooks verify signatures over the exact bytes received, so bodies stay raw Buffers here.
    guarded.removeAllContentTypeParsers();
    guarded.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    for (const [path, handler] of Object.entries(options.webhooks)) {
      guarded.post(path, async (request, reply) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const result = await handler(raw, request.raw);
        return reply.code(result.status).type('application/json').send(result.body);
      });
    }
    for (const routes of options.routes ?? []) {
      if (routes.access === 'token') await guarded.register(async (scope) => routes.register(scope), { prefix: routes.prefix ?? '' });
    }
  });
  for (const routes of options.routes ?? []) {
    if (routes.access === 'public') await app.register(async (scope) => routes.register(scope), { prefix: routes.prefix ?? '' });
  }
  return app;
}

/** Starts the HTTP face; resolves with the listening Node server (close it to stop). */
export async function startHttpServer(options: HttpServerOptions): Promise<Server> {
  const app = await buildHttpApp(options);
  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  return app.server;
}

function authorized(request: FastifyRequest, token: string | null): boolean {
  if (!token) return true;
  const header = request.headers.authorization ?? '';
  const query = new URL(request.url, 'http://localhost').searchParams.get('token') ?? '';
  return same(header.startsWith('Bearer ') ? header.slice(7) : query, token);
}

/** The bearer header only: readiness details are never unlocked by a query string that ends up in access logs. */
function bearer(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') && same(header.slice(7), token);
}

/** Constant-time for equal lengths; a length mismatch is refused without comparing (the length is not secret). */
function same(presented: string, token: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type('application/json').send(JSON.stringify(body));
}
