import { createHash, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Health } from '../daemon/health';
import { startHttpServer, type HttpRoutes } from '../daemon/http-server';
import { webhookHandlers } from '../daemon/webhooks';
import { enqueue } from './queue';
import type { FleetWorker } from './worker';

/**
 * A worker's HTTP face, on the daemon's fastify server (daemon/http-server.ts): /healthz, /readyz (Redis, the
 * registry and the BullMQ worker), /metrics (labelled by store), and three route plugins: /fleet (every store's
 * status) and each store's webhooks under /stores/<id>/webhooks/… behind the token, and Bull Board at /queues.
 */
const BOARD = '/queues';
const COOKIE = 'shipsignal_token';
/** Bull Board's UI loads its own scripts and styles from this origin; nothing else is allowed. */
const BOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** Digests of equal length whatever was presented, compared in constant time. */
function matches(presented: string, token: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return presented.length > 0 && timingSafeEqual(digest(presented), digest(token));
}

function cookieToken(request: FastifyRequest): string {
  const found = (request.headers.cookie ?? '').split(';').map((part) => part.trim()).find((part) => part.startsWith(`${COOKIE}=`));
  return found ? decodeURIComponent(found.slice(COOKIE.length + 1)) : '';
}

const fleetRoutes = (worker: FleetWorker): HttpRoutes => ({
  name: 'fleet view',
  access: 'token',
  register(app: FastifyInstance) {
    app.get('/fleet', async () => ({ stores: await worker.status.view(await worker.registry.list()) }));
  },
});

/** Any store's webhook, verified by that store's own source, becomes that store's job on whichever worker is free. */
const storeWebhooks = (worker: FleetWorker): HttpRoutes => ({
  name: 'store webhooks',
  access: 'token',
  prefix: '/stores',
  register(app: FastifyInstance) {
    app.post('/:storeId/webhooks/*', async (request, reply) => {
      const { storeId, '*': rest } = request.params as { storeId: string; '*': string };
      const store = await worker.registry.get(storeId);
      if (!store) return reply.code(404).send({ error: 'no such store' });
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const result = await worker.withStore(store, async (storeApp) => {
        const handler = webhookHandlers({
          orders: storeApp.ports.orders,
          tracking: storeApp.ports.tracking,
          ordersChanged: () => void enqueue(worker.queue, storeId, 'orders').catch(() => undefined),
          trackerChanged: () => void enqueue(worker.queue, storeId, 'trackers').catch(() => undefined),
          rejected: (source, reason) => void storeApp.context.rejects.add([{ at: new Date().toISOString(), source, recordId: 'webhook', reason }]),
        })[`/${rest}`];
        return handler ? handler(body, request.raw) : { status: 404, body: JSON.stringify({ error: 'not found' }) };
      });
      return reply.code(result.status).type('application/json').send(result.body);
    });
  },
});

/**
 * Bull Board behind the token. A browser cannot add a bearer header to the board's own requests, so opening
 * `/queues?token=…` once stores the token in an HttpOnly, SameSite=Strict cookie scoped to /queues; every request
 * of the board then needs the header, the query or that cookie. Mounted as its own plugin (`public` to the server's
 * guard, which knows no cookie) with this guard inside.
 */
const bullBoard = (worker: FleetWorker, token: string | null): HttpRoutes => ({
  name: 'bull board',
  access: 'public',
  prefix: BOARD,
  async register(app: FastifyInstance) {
    app.addHook('onRequest', async (request, reply) => {
      if (!token) return;
      const header = request.headers.authorization ?? '';
      const query = new URL(request.url, 'http://localhost').searchParams.get('token') ?? '';
      const bearer = header.startsWith('Bearer ') ? header.slice(7) : '';
      if (!(matches(bearer, token) || matches(query, token) || matches(cookieToken(request), token))) {
        return reply.code(401).type('application/json').send(JSON.stringify({ error: 'missing or wrong token' }));
      }
      if (matches(query, token)) void reply.header('set-cookie', `${COOKIE}=${encodeURIComponent(query)}; HttpOnly; SameSite=Strict; Path=${BOARD}`);
    });
    app.addHook('onSend', async (_request, reply, payload) => {
      void reply.header('content-security-policy', BOARD_CSP);
      return payload;
    });
    const adapter = new FastifyAdapter();
    createBullBoard({ queues: [new BullMQAdapter(worker.queue)], serverAdapter: adapter });
    adapter.setBasePath(BOARD);
    await app.register(adapter.registerPlugin());
  },
});

/** Readiness follows a probe every 10 s of what the worker needs: Redis, the registry, the BullMQ worker. */
function probe(worker: FleetWorker, health: Health): NodeJS.Timeout {
  const check = async () => {
    const ready = await worker.ready();
    const now = new Date();
    for (const component of ['redis', 'registry', 'worker'] as const) {
      if (ready[component] === 'ok') health.succeeded(component, now);
      else health.failed(component, new Error(ready[component]));
    }
  };
  void check();
  const timer = setInterval(() => void check(), 10_000);
  timer.unref();
  return timer;
}

export async function startFleetHttp(worker: FleetWorker, options: { port: number; host?: string; token: string | null }): Promise<{ server: Server; close(): Promise<void> }> {
  const health = new Health();
  health.expect(['redis', 'registry', 'worker']);
  const timer = probe(worker, health);
  const server = await startHttpServer({
    port: options.port, ...(options.host ? { host: options.host } : {}), token: options.token, health, registry: worker.metrics.registry, webhooks: {},
    routes: [fleetRoutes(worker), storeWebhooks(worker), bullBoard(worker, options.token)],
  });
  return {
    server,
    close: () => {
      clearInterval(timer);
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
