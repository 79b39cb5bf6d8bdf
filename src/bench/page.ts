/**
 * `npm run bench:page`: the tracking page's server render time for a three-parcel order while a sync of a
 * synthetic store runs in the same process, its weight (HTML + CSS, logo excluded), and 200 concurrent viewers.
 * Wall times depend on the machine and what else runs on it; CPU time of the process is printed beside them.
 */
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
import { startLocalStack, type LocalStack } from '../sandbox/local-stack';
import { generateStore } from '../sandbox/shopify/seeds/synthetic';
import { SandboxStore, recordSource } from '../sandbox/shopify/store';
import { TRACKING_CASES, TRACKING_NOW, trackingCaseInput } from '../sandbox/tracking-cases';
import { ManualClock } from '../util/clock';
import { packageRoot } from '../util/package-root';

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function startApp(stack: LocalStack, clock: ManualClock, dir: string, name: string, extra: Record<string, string> = {}): Promise<App> {
  const root = packageRoot();
  const env = parseEnv({
    ...stack.env, SHIPSIGNAL_STATE_URL: `sqlite://${join(dir, `${name}.sqlite`)}`, SHIPSIGNAL_CONFIG_DIR: join(root, 'config'),
    SHIPSIGNAL_MAPPINGS_DIR: join(root, 'mappings'), SHIPSIGNAL_LOG_LEVEL: 'error', SHOPIFY_BULK_BACKFILL: 'false', SHIPSIGNAL_STORE_ID: name, ...extra,
  });
  return App.create(env, { clock, logStream: new PassThrough() });
}

async function main(): Promise<void> {
  const syncOrders = Number(process.argv[process.argv.indexOf('--sync-orders') + 1]) || 3000;
  const dir = mkdtempSync(join(tmpdir(), 'shipsignal-bench-page-'));
  const clock = new ManualClock(TRACKING_NOW);
  const input = trackingCaseInput();
  const pageStack = await startLocalStack({ store: new SandboxStore(recordSource(input.orders, 'BRL'), { clock }), storeClock: clock, shopifyThrottle: 'off', klaviyoRateLimits: 'off', easypost: { listRatePerSecond: false } });
  for (const parcel of input.parcels) pageStack.easypost?.registerParcel(parcel);
  const pageEnv = { SHIPSIGNAL_PUBLIC_URL: 'https://casa-aurora.example/', SHIPSIGNAL_TRACKING_SECRET: 'k1:bench-secret-0123456789abcdefghijklmnop' };
  const pageApp = await startApp(pageStack, clock, dir, 'page', pageEnv);
  await pageApp.syncOnce();
  const routes = trackingPageFor(pageApp);
  const links = trackingLinks(pageApp.env);
  if (!routes || !links) throw new Error('tracking page is off');
  // 200 viewers are 200 addresses behind the proxy: the per-address view limit is not what is measured.
  const server = await startHttpServer({ port: 0, host: '127.0.0.1', token: null, health: pageApp.health, registry: pageApp.context.metrics.registry, webhooks: {}, routes: [routes], trustProxy: true });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const link = (orderName: string) => `${base}/t/${signToken(links.keys, pageApp.storeId, orderName)}`;
  const get = async (url: string, viewer: number) => {
    const started = process.hrtime.bigint();
    const response = await fetch(url, { headers: { 'x-forwarded-for': `10.0.${viewer >> 8}.${viewer & 255}` } });
    const body = await response.text();
    const timing = response.headers.get('server-timing') ?? '';
    const dur = (name: string) => Number(new RegExp(`${name};dur=([0-9.]+)`).exec(timing)?.[1] ?? NaN);
    return { status: response.status, ms: Number(process.hrtime.bigint() - started) / 1e6, bytes: Buffer.byteLength(body), body, render: dur('render'), total: dur('total') };
  };

  // Weight: the three-parcel page and its stylesheet (the logo is excluded, as the target says).
  const three = link('#3006');
  const page = await get(three, 1);
  const cssPath = /href="([^"]+\.css)"/.exec(page.body)?.[1] ?? '';
  const css = await get(`${base}${cssPath}`, 1);

  // Render while a sync runs: a second daemon in this process backfills a synthetic store meanwhile.
  const syncClock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  const syncStack = await startLocalStack({ store: generateStore({ orders: syncOrders, seed: 7, start: new Date('2025-01-01T00:00:00Z'), spanDays: 365, clock: syncClock }), storeClock: syncClock, shopifyThrottle: 'off', klaviyoRateLimits: 'off', easypost: { listRatePerSecond: false } });
  const syncApp = await startApp(syncStack, syncClock, dir, 'sync');
  let syncing = true;
  const cpuStart = process.cpuUsage();
  const sync = syncApp.syncOnce().finally(() => { syncing = false; });
  const renders: number[] = [];
  const serverRender: number[] = [];
  const serverTotal: number[] = [];
  let duringSync = 0;
  for (let i = 0; i < 400; i += 1) {
    const result = await get(three, 2 + i);
    if (result.status !== 200) throw new Error(`render ${i}: ${result.status}`);
    renders.push(result.ms);
    serverRender.push(result.render);
    serverTotal.push(result.total);
    if (syncing) duringSync += 1;
  }
  await sync;
  const cpu = process.cpuUsage(cpuStart);

  // 200 concurrent viewers, each its own address, across every case's page.
  const urls = TRACKING_CASES.map((c) => link(c.orderName));
  const burstStart = process.hrtime.bigint();
  const burst = await Promise.all(Array.from({ length: 200 }, (_, i) => get(urls[i % urls.length], 1000 + i)));
  const burstMs = Number(process.hrtime.bigint() - burstStart) / 1e6;
  const failures = burst.filter((r) => r.status !== 200).length;

  const stats = (values: readonly number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `p50 ${percentile(sorted, 50).toFixed(2)} ms, p95 ${percentile(sorted, 95).toFixed(2)} ms, max ${sorted[sorted.length - 1].toFixed(2)} ms`;
  };
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`tracking page bench (shared machine: wall times are noisy; ${new Date().toISOString()})`);
  out(`three-parcel order: ${renders.length} requests one after another, ${duringSync} of them while a sync of ${syncOrders} orders ran in the same process`);
  out(`  server render (view model + HTML, Server-Timing 'render'): ${stats(serverRender)} (target p95 <= 10 ms)`);
  out(`  server total (state reads + render, Server-Timing 'total'): ${stats(serverTotal)}`);
  out(`  HTTP round trip on loopback (includes waiting behind the sync's work on the event loop): ${stats(renders)}`);
  out(`  process CPU during the render loop and sync: user ${(cpu.user / 1e3).toFixed(0)} ms, system ${(cpu.system / 1e3).toFixed(0)} ms`);
  out(`page weight: HTML ${page.bytes} B + CSS ${css.bytes} B = ${page.bytes + css.bytes} B (target <= 61,440 B; logo excluded)`);
  out(`200 concurrent viewers: ${200 - failures} answered 200, ${failures} errors, all answered in ${burstMs.toFixed(0)} ms`);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await Promise.all([pageApp.close(), syncApp.close()]);
  await Promise.all([pageStack.close(), syncStack.close()]);
  rmSync(dir, { recursive: true, force: true });
  if (failures > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
