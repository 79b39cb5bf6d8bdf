import type { IncomingMessage } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { authorized, same } from '../daemon/http-server';
import { webhookHandlers } from '../daemon/webhooks';
import { enqueue } from './queue';
import type { FleetWorker } from './worker';

/**
 * A worker's HTTP face (fastify): /healthz, /readyz, /metrics (labelled by store), /fleet (every store's status),
 * each store's webhooks under /stores/<id>/webhooks/…, and Bull Board at /queues. Everything but the probes needs
 * the token (bearer header; `?token=` for webhook URLs and for opening Bull Board, which then keeps it in an
 * HttpOnly cookie for its own requests).
 */
const BOARD = '/queues';
const COOKIE = 'shipsignal_token';

function cookieToken(request: IncomingMessage): string {
  const header = request.headers.cookie ?? '';
  const found = header.split(';').map((part) => part.trim()).find((part) => part.startsWith(`${COOKIE}=`));
  return found ? decodeURIComponent(found.slice(COOKIE.length + 1)) : '';
}

function allowed(request: FastifyRequest, token: string | null): boolean {
  if (!token) return true;
  const url = new URL(request.url, 'http://localhost');
  return authorized(request.raw, url, token) || same(cookieToken(request.raw), token);
}

export async function startFleetHttp(worker: FleetWorker, options: { port: number; host?: string; token: string | null }): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 1_000_000 });
  // Webhook bodies are verified byte for byte before anything parses them.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (path === '/healthz' || path === '/readyz') return;
    if (!allowed(request, options.token)) return reply.code(401).send({ error: 'missing or wrong token' });
    const query = new URL(request.url, 'http://localhost').searchParams.get('token');
    if (path.startsWith(BOARD) && query && options.token) {
      void reply.header('set-cookie', `${COOKIE}=${encodeURIComponent(query)}; HttpOnly; SameSite=Strict; Path=${BOARD}`);
    }
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = await worker.ready();
    return reply.code(ready.ready ? 200 : 503).send(ready);
  });
  app.get('/metrics', async (_request, reply) => reply.type(worker.metrics.registry.contentType).send(await worker.metrics.registry.metrics()));
  app.get('/fleet', async () => ({ stores: await worker.status.view(await worker.registry.list()) }));

  app.post('/stores/:storeId/webhooks/*', async (request, reply) => {
    const { storeId, '*': rest } = request.params as { storeId: string; '*': string };
    const store = await worker.registry.get(storeId);
    if (!store) return reply.code(404).send({ error: 'no such store' });
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const result = await worker.withStore(store, async (storeApp) => {
      const handlers = webhookHandlers({
        orders: storeApp.ports.orders,
        tracking: storeApp.ports.tracking,
        // Any store's webhook becomes that store's job, on whichever worker is free.
        ordersChanged: () => void enqueue(worker.queue, storeId, 'orders').catch(() => undefined),
        trackerChanged: () => void enqueue(worker.queue, storeId, 'trackers').catch(() => undefined),
        rejected: (source, reason) => void storeApp.context.rejects.add([{ at: new Date().toISOString(), source, recordId: 'webhook', reason }]),
      });
      const handler = handlers[`/${rest}`];
      return handler ? handler(body, request.raw) : { status: 404, body: JSON.stringify({ error: 'not found' }) };
    });
    return reply.code(result.status).type('application/json').send(result.body);
  });

  const board = new FastifyAdapter();
  createBullBoard({ queues: [new BullMQAdapter(worker.queue)], serverAdapter: board });
  board.setBasePath(BOARD);
  await app.register(board.registerPlugin(), { prefix: BOARD });

  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  return app;
}
