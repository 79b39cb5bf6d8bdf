import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHttpServer } from '../../src/daemon/http-server';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from '../helpers/daemon-harness';

/**
 * Issue 11 item 5: /readyz is 503 until every configured component (the store, the destination, the state) has
 * succeeded once; it names components to anyone but shows error text only to a caller with the bearer token.
 */
const TOKEN = 'readiness-token-7f3a';
const END = new Date('2026-01-01T00:00:00Z');

describe('readiness', () => {
  let harness: Harness;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const clock = new ManualClock(END);
    const store = generateStore({ orders: 60, seed: 4, start: new Date(END.getTime() - 200 * 86_400_000), spanDays: 200, clock });
    harness = await startHarness({ store, storeClock: clock, clock, shopifyThrottle: 'off', klaviyoRateLimits: 'off', env: { SHIPSIGNAL_LOG_LEVEL: 'error', SHIPSIGNAL_HTTP_TOKEN: TOKEN } });
    const { app } = harness;
    server = await startHttpServer({ port: 0, host: '127.0.0.1', token: TOKEN, health: app.health, registry: app.context.metrics.registry, webhooks: {} });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`;
  }, 30_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await harness.close();
  });

  const probe = async (token?: string) => {
    const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: response.status, body: (await response.json()) as { ready: boolean; components: Record<string, Record<string, unknown>>; details?: unknown } };
  };

  it('is 503 before anything was tried, and 503 while only the store has succeeded', async () => {
    const before = await probe();
    expect(before.status).toBe(503);
    expect(Object.keys(before.body.components).sort()).toEqual(['klaviyo', 'shopify', 'state']);
    expect(Object.values(before.body.components).every((c) => c.ok === null)).toBe(true);
    await harness.app.pollOrders();
    const ordersOnly = await probe();
    expect(ordersOnly.status).toBe(503);
    expect(ordersOnly.body.components.shopify.ok).toBe(true);
    expect(ordersOnly.body.components.klaviyo.ok).toBe(null);
  });

  it('is 200 once every component succeeded', async () => {
    await harness.app.drain();
    const ready = await probe();
    expect(ready.status).toBe(200);
    expect(ready.body.ready).toBe(true);
  });

  it('shows a failing component to anyone, its error text only with the bearer token', async () => {
    // What the orders job records when the store gives up (the error text names the host and would carry a token).
    harness.app.health.failed('shopify', new Error(`Shopify answered 503 at ${harness.stack.env.SHOPIFY_BASE_URL} with token ${harness.stack.env.SHOPIFY_ACCESS_TOKEN}`));
    const anonymous = await probe();
    expect(anonymous.status).toBe(503);
    expect(anonymous.body.components.shopify).toEqual({ ok: false, lastSuccessAt: expect.any(String) });
    expect(JSON.stringify(anonymous.body)).not.toMatch(/503 at|127\.0\.0\.1/);
    expect(anonymous.body.details).toBeUndefined();
    const wrong = await probe('not-the-token');
    expect(wrong.body.components.shopify.lastError).toBeUndefined();
    const authenticated = await probe(TOKEN);
    expect(authenticated.body.components.shopify.lastError).toMatch(/Shopify answered 503/);
    expect(JSON.stringify(authenticated.body)).not.toContain(harness.stack.env.SHOPIFY_ACCESS_TOKEN);
    harness.app.health.setDetail('held_share', 'stalled_fulfillment holds 31% of customers');
    expect((await probe(TOKEN)).body.details).toEqual({ held_share: 'stalled_fulfillment holds 31% of customers' });
  });

  it('blames the state store, not the source, when a state write fails', async () => {
    const { app } = harness;
    await app.context.store.close();
    await expect(app.pollOrders()).rejects.toThrow(/state store/);
    const view = await probe(TOKEN);
    expect(view.body.components.state.ok).toBe(false);
    expect(view.body.components.shopify.lastError).toMatch(/Shopify answered 503/);
  });
});
