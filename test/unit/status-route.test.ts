import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Health } from '../../src/daemon/health';
import { buildHttpApp } from '../../src/daemon/http-server';
import { createMetrics } from '../../src/observability/metrics';
import { STATUS_CSS_PATH, statusRoutes } from '../../src/pages/status/routes';
import { RejectsLog } from '../../src/state/rejects';
import { openStateStore } from '../../src/state/store';
import type { StateStore } from '../../src/state/port';

/** /status on the daemon's HTTP face: behind the token, refused without one configured, every value escaped. */
describe('/status route', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipsignal-status-route-'));
  let store: StateStore;
  const clock = { now: () => new Date('2026-03-01T12:00:00Z') };

  beforeAll(async () => {
    store = await openStateStore(`sqlite://${join(dir, 'state.sqlite')}`, 'status-route');
    await new RejectsLog(store).add([{ at: '2026-03-01T10:00:00Z', source: 'shopify', recordId: '<img src=x onerror=alert(1)>', reason: 'bad "email" <script>alert(1)</script>' }]);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Served on a loopback port and fetched (fastify's inject needs an ESM-only module jest does not load).
  const app = async (token: string | null) => {
    const server = await buildHttpApp({
      port: 0, token, health: new Health(), registry: createMetrics().registry, webhooks: {},
      routes: statusRoutes({ storeId: 'shop', store, metrics: createMetrics(), health: () => new Health().view(true), clock, tokenConfigured: token !== null }),
    });
    const base = await server.listen({ port: 0, host: '127.0.0.1' });
    return { base, close: () => server.close() };
  };

  it('is 401 without the token, 200 with it, and escapes what it shows', async () => {
    const server = await app('route-test-token-123456');
    expect((await fetch(`${server.base}/status`)).status).toBe(401);
    const page = await fetch(`${server.base}/status`, { headers: { authorization: 'Bearer route-test-token-123456' } });
    const body = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).not.toContain('<script');
    expect(body).toContain(`href="${STATUS_CSS_PATH}"`);
    expect((await fetch(`${server.base}${STATUS_CSS_PATH}`)).status).toBe(200);
    await server.close();
  });

  it('is refused when no token is configured (the page names records and reasons)', async () => {
    const server = await app(null);
    expect((await fetch(`${server.base}/status`)).status).toBe(403);
    await server.close();
  });
});
