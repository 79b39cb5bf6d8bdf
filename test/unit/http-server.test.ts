import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { Health } from '../../src/daemon/health';
import { startHttpServer, type HttpRoutes, type WebhookHandler } from '../../src/daemon/http-server';

/**
 * The daemon's HTTP face on fastify: the token guards everything but the probes and public route plugins, before a
 * body is read; webhook handlers get the exact bytes sent; oversized bodies are a 413; plugins mount their own routes.
 */
const TOKEN = 'http-token-3b9d';

describe('daemon HTTP server', () => {
  let server: Server;
  let base: string;
  const received: Array<{ body: string; signature: string | undefined }> = [];
  const hook: WebhookHandler = async (raw, request) => {
    received.push({ body: raw.toString('utf8'), signature: request.headers['x-signature'] as string | undefined });
    return { status: raw.length > 0 ? 200 : 400, body: JSON.stringify({ received: true }) };
  };
  const pages: HttpRoutes = {
    name: 'page', access: 'public', prefix: '/p',
    register: (app) => {
      app.get('/hello', async (_request, reply) => reply.type('text/html; charset=utf-8').send('<p>hi</p>'));
      app.get('/limited', { config: { rateLimit: { max: 2, timeWindow: 60_000 } } }, async () => ({ ok: true }));
    },
  };
  const admin: HttpRoutes = { name: 'admin', access: 'token', prefix: '/admin', register: (app) => void app.get('/', async () => ({ admin: true })) };

  beforeAll(async () => {
    const health = new Health();
    health.expect(['state']);
    server = await startHttpServer({ port: 0, host: '127.0.0.1', token: TOKEN, health, registry: new Registry(), webhooks: { '/webhooks/test': hook }, routes: [pages, admin], maxBodyBytes: 1024 });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  const auth = { authorization: `Bearer ${TOKEN}` };

  it('answers the probes without a token and /metrics only with it', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    const metrics = await fetch(`${base}/metrics`, { headers: auth });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
    expect((await fetch(`${base}/nowhere`)).status).toBe(401);
    expect((await fetch(`${base}/nowhere`, { headers: auth })).status).toBe(404);
  });

  it('hands webhooks the raw bytes, whatever the content type, and refuses a wrong token before reading', async () => {
    received.length = 0;
    const body = '{"b":1,  "a":[2,1]}';
    const ok = await fetch(`${base}/webhooks/test?token=${TOKEN}`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-signature': 'sig' } });
    expect(ok.status).toBe(200);
    const form = await fetch(`${base}/webhooks/test?token=${TOKEN}`, { method: 'POST', body: 'a=1&b=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(200);
    const bare = await fetch(`${base}/webhooks/test?token=${TOKEN}`, { method: 'POST', body: new Uint8Array([1, 2, 3]) });
    expect(bare.status).toBe(200);
    expect(received.map((r) => r.body)).toEqual([body, 'a=1&b=2', '\u0001\u0002\u0003']);
    expect(received[0].signature).toBe('sig');
    const denied = await fetch(`${base}/webhooks/test?token=wrong`, { method: 'POST', body });
    expect(denied.status).toBe(401);
    expect(received).toHaveLength(3);
  });

  it('answers 413 to a body over the limit, declared or streamed', async () => {
    const big = 'x'.repeat(2048);
    const declared = await fetch(`${base}/webhooks/test`, { method: 'POST', body: big, headers: { ...auth, 'content-type': 'application/json' } });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: 'body larger than 1024 bytes' });
    const stream = new ReadableStream<Uint8Array>({ start(controller) { controller.enqueue(new TextEncoder().encode(big)); controller.close(); } });
    const chunked = await fetch(`${base}/webhooks/test`, { method: 'POST', body: stream, headers: auth, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('mounts public plugins for anyone with strict security headers, token plugins behind the token', async () => {
    const page = await fetch(`${base}/p/hello`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('<p>hi</p>');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${base}/admin/`)).status).toBe(401);
    expect(await (await fetch(`${base}/admin/`, { headers: auth })).json()).toEqual({ admin: true });
  });

  it('rate-limits a route that asks for it', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await fetch(`${base}/p/limited`)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});
