import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseEnv } from '../config/env';
import { App } from '../daemon/app';
import { startHttpServer } from '../daemon/http-server';
import { trackingPageFor } from '../daemon/tracking-page';
import { signToken, trackingLinks } from '../pages/tracking/token';
import { startLocalStack } from '../sandbox/local-stack';
import { SandboxStore, recordSource } from '../sandbox/shopify/store';
import { TRACKING_CASES, TRACKING_NOW, trackingCaseInput } from '../sandbox/tracking-cases';
import { ManualClock } from '../util/clock';
import { packageRoot } from '../util/package-root';

/**
 * `shipsignal demo --serve`: the sandboxes seeded with the tracking page's cases, one sync through the daemon's
 * code, then the daemon's HTTP face (health, metrics, the branded page) kept running with a link per case, until
 * Ctrl-C. The clock stands at the cases' moment; views and clicks go through the outbox to the Klaviyo sandbox.
 */
export async function runDemoServe(out: NodeJS.WritableStream, port: number): Promise<void> {
  const write = (line = '') => out.write(`${line}\n`);
  const clock = new ManualClock(TRACKING_NOW);
  const input = trackingCaseInput();
  const stack = await startLocalStack({ store: new SandboxStore(recordSource(input.orders, 'BRL'), { clock }), storeClock: clock, shopifyThrottle: 'off', easypost: { listRatePerSecond: false } });
  for (const parcel of input.parcels) stack.easypost?.registerParcel(parcel);
  const stateDir = mkdtempSync(join(tmpdir(), 'shipsignal-demo-serve-'));
  const root = packageRoot();
  const env = parseEnv({
    ...Object.fromEntries(Object.entries(stack.env).filter(([key]) => !key.startsWith('WOOCOMMERCE_'))),
    SHIPSIGNAL_STATE_URL: `sqlite://${join(stateDir, 'state.sqlite')}`, SHIPSIGNAL_CONFIG_DIR: join(root, 'config'), SHIPSIGNAL_MAPPINGS_DIR: join(root, 'mappings'),
    SHIPSIGNAL_LOG_LEVEL: 'warn', SHOPIFY_BULK_BACKFILL: 'false', SHIPSIGNAL_HTTP_PORT: String(port),
    SHIPSIGNAL_PUBLIC_URL: `http://127.0.0.1:${port}/`, SHIPSIGNAL_TRACKING_SECRET: 'demo:demo-only-secret-never-use-in-production-0123',
  });
  const app = await App.create(env, { clock, logStream: new PassThrough() });
  await app.syncOnce();
  const page = trackingPageFor(app);
  const links = trackingLinks(env);
  if (!page || !links) throw new Error('the tracking page did not turn on');
  const server = await startHttpServer({ port, host: '127.0.0.1', token: null, health: app.health, registry: app.context.metrics.registry, webhooks: app.webhooks(), routes: [page] });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  write(`shipsignal demo --serve: sandboxes and daemon running, clock fixed at ${TRACKING_NOW.toISOString()} (Ctrl-C stops)`);
  write(`  health ${base}/healthz · readiness ${base}/readyz · metrics ${base}/metrics · Klaviyo sandbox ${stack.env.KLAVIYO_BASE_URL}`);
  write('tracking pages:');
  for (const c of TRACKING_CASES) write(`  ${c.name.padEnd(14)} ${c.orderName}  ${base}/t/${signToken(links.keys, app.storeId, c.orderName)}`);
  write(`  lookup         ${base}/track   (e.g. order 3001 with ${TRACKING_CASES[0].email} or postal code ${TRACKING_CASES[0].zip}; a wrong email gets the same answer as no order)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await app.drain();
  await app.close();
  await stack.close();
  rmSync(stateDir, { recursive: true, force: true });
}
