import axios from 'axios';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseEnv } from '../config/env';
import { App } from '../daemon/app';
import { registerDemoParcels } from '../sandbox/demo-parcels';
import { startLocalStack, type LocalStack } from '../sandbox/local-stack';
import type { SandboxStore } from '../sandbox/shopify/store';
import { loadOlistStore } from '../sandbox/shopify/seeds/olist';
import { loadGiftRetailerStore } from '../sandbox/shopify/seeds/online-retail';
import { returnsSummary } from './demo-returns';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { startHttpServer } from '../daemon/http-server';
import { trackingPageFor } from '../daemon/tracking-page';
import { ManualClock } from '../util/clock';
import { packageRoot } from '../util/package-root';
import { playWeek, type WeekOutput } from './demo-output';
import { progressOn } from './progress';

/** Each demo store is replayed as if today were just after its last order. */
const DEMO_STORES = {
  olist: { load: loadOlistStore, now: '2018-10-01T00:00:00Z', label: 'Olist marketplace sample (real orders, 2016-2018)' },
  'gift-retailer': { load: loadGiftRetailerStore, now: '2011-12-10T00:00:00Z', label: 'UK online gift retailer (real invoices, 2010-2011)' },
} as const;

/**
 * The newcomer's first run: the sandboxes seeded with real orders, a full sync through the same code the daemon
 * runs, and a report of what went to Klaviyo, including sample request bodies exactly as they went over the wire.
 */
export type DemoSource = 'shopify' | 'woocommerce';

export interface DemoOptions {
  /** Where the status page and the report are written (default: demo-output/ in the package). */
  readonly outputDir?: string;
  /** Keep the state (a SQLite file) here instead of a temporary directory removed at the end. */
  readonly stateDir?: string;
  /** Called after the week, before anything closes (tests; serving the status page). */
  readonly beforeClose?: (world: DemoWorld) => Promise<void>;
}

/** The demo's running world, for `beforeClose`. */
export interface DemoWorld {
  readonly app: App;
  readonly stack: LocalStack;
  readonly store: SandboxStore;
  readonly week: WeekOutput;
}

export async function runDemo(storeName: keyof typeof DEMO_STORES, out: NodeJS.WritableStream, source: DemoSource = 'shopify', options: DemoOptions = {}): Promise<void> {
  const demo = DEMO_STORES[storeName];
  const clock = new ManualClock(new Date(demo.now));
  const write = (line = '') => out.write(`${line}\n`);
  write(`shipsignal demo: ${demo.label}, read from the ${source === 'woocommerce' ? 'WooCommerce' : 'Shopify'} sandbox, clock fixed at ${demo.now}`);
  // With returns: the gift retailer's real credits, Olist's synthesized ones (data READMEs).
  const store = demo.load({ clock, returns: true });
  const stack = await startLocalStack({
    store, storeClock: clock, shopifyThrottle: 'off', easypost: { listRatePerSecond: false },
    ...(source === 'woocommerce' ? { woocommerce: {} } : {}),
  });
  // The same seeded order book behind either store's API; the daemon is configured for exactly one of them.
  const storeEnv = Object.fromEntries(Object.entries(stack.env).filter(([key]) => (source === 'woocommerce' ? !key.startsWith('SHOPIFY_') : !key.startsWith('WOOCOMMERCE_'))));
  // Parcels delivered before the live window are history read from the store; the rest get EasyPost parcels.
  const parcels = stack.easypost ? registerDemoParcels(store, stack.easypost, new Date(clock.now().getTime() - 72 * 3_600_000)) : 0;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'shipsignal-demo-'));
  const progress = progressOn(process.stderr);
  const samples = new Map<string, string>();
  const interceptor = axios.interceptors.request.use((config) => {
    const path = new URL(config.url ?? '', 'http://x').pathname;
    // Bulk bodies go as bytes already in wire form (sinks/klaviyo/wire.ts): shown as the text they are.
    const data: unknown = config.data;
    const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : JSON.stringify(data);
    if (!samples.has(path) && data) samples.set(path, text);
    return config;
  });
  const root = packageRoot();
  // The branded tracking page is on: links in the shipment events point at the daemon's own HTTP face, started
  // below on a port picked now (the public URL is part of the config), signed with a secret made for this run.
  const port = await freePort();
  const env = parseEnv({
    ...storeEnv,
    SHIPSIGNAL_STATE_URL: `sqlite://${join(stateDir, 'state.sqlite')}`,
    SHIPSIGNAL_CONFIG_DIR: join(root, 'config'),
    SHIPSIGNAL_MAPPINGS_DIR: join(root, 'mappings'),
    SHIPSIGNAL_LOG_LEVEL: 'warn',
    SHIPSIGNAL_PUBLIC_URL: `http://127.0.0.1:${port}/`,
    SHIPSIGNAL_TRACKING_SECRET: `demo:${randomBytes(24).toString('base64url')}`,
  });
  const app = await App.create(env, { clock, logStream: new PassThrough() });
  const page = trackingPageFor(app);
  const server = await startHttpServer({ port, host: '127.0.0.1', token: null, health: app.health, registry: app.context.metrics.registry, webhooks: {}, routes: page ? [page] : [] });
  try {
    progress.phase('backfill: the whole order history, then every customer assessed');
    const started = process.hrtime.bigint();
    const report = await app.syncOnce();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const bySegment = new Map<string, number>();
    for (const profile of stack.klaviyo.profiles()) {
      const segment = String(profile.properties.ss_segment ?? 'none');
      bySegment.set(segment, (bySegment.get(segment) ?? 0) + 1);
    }
    write();
    write(`orders read            ${report.orders} (${report.rejected} rejected: see \`shipsignal rejects\`)`);
    write(`customers updated      ${report.customers}`);
    write(`profiles pushed        ${report.drained.profiles}`);
    write(`events pushed          ${report.drained.events}`);
    write(`sync time              ${seconds.toFixed(1)} s`);
    write();
    write('customers by lifecycle segment (as Klaviyo now holds them)');
    for (const [segment, count] of [...bySegment].sort((a, b) => b[1] - a[1])) write(`  ${segment.padEnd(20)} ${count}`);
    write();
    // The week after the backfill (demo-week.ts): the store and the carrier move on, the daemon syncs once a day.
    const week = await playWeek({ app, stack, store, clock, pageBase: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, source, mappingsDir: join(root, 'mappings'), outputDir: options.outputDir ?? join(root, 'demo-output') }, write, progress);
    progress.done();
    const shipmentEvents = new Map<string, { live: number; backfill: number }>();
    for (const event of stack.klaviyo.events()) {
      if (!/^(Shipment |Delivery Issue)/.test(event.metric)) continue;
      const counts = shipmentEvents.get(event.metric) ?? { live: 0, backfill: 0 };
      counts[event.backfill ? 'backfill' : 'live'] += 1;
      shipmentEvents.set(event.metric, counts);
    }
    write();
    write(`shipments: ${parcels} Olist parcels not delivered before the live window got (synthesized) EasyPost scan histories; ${stack.easypost?.trackerCount ?? 0} trackers in all`);
    write('shipment events in Klaviyo (live / backfill: history recorded without triggering flows)');
    for (const [metric, counts] of [...shipmentEvents].sort((a, b) => b[1].live + b[1].backfill - a[1].live - a[1].backfill)) {
      write(`  ${metric.padEnd(32)} ${String(counts.live).padStart(6)} / ${counts.backfill}`);
    }
    const held = stack.klaviyo.profiles().filter((p) => p.properties.ss_hold_promotions === true).length;
    write(`  customers with hold_promotions set: ${held}`);
    const profiles = stack.klaviyo.profiles();
    const having = (name: string): number => profiles.filter((p) => p.properties[name] !== undefined).length;
    const due = stack.klaviyo.events().filter((e) => e.metric === 'Replenishment Due').length;
    write(`products: ${having('ss_top_category')} profiles with ss_top_category, ${having('ss_recommended_products')} with ss_recommended_products, ` +
      `${having('ss_next_replenishment_at')} with ss_next_replenishment_at; ${due} Replenishment Due events`);
    write();
    returnsSummary(stack, write);
    write();
    // The week's cast is written for the Olist store (the default demo, whose promise is every kind and segment
    // live); another store's history decides who can move where, so there a gap is reported, not a failure.
    if (week.missing.length > 0 && storeName === 'olist') process.exitCode = 1;
    if (options.beforeClose) await options.beforeClose({ app, stack, store, week });
    write();
    const stats = stack.klaviyo.stats();
    write('Klaviyo requests by endpoint and status');
    for (const [operation, statuses] of Object.entries(stats.requests)) {
      write(`  ${operation.padEnd(28)} ${Object.entries(statuses).map(([status, n]) => `${status}×${n}`).join(' ')}`);
    }
    write(`  spec validation failures ${stats.validationFailures}, duplicates Klaviyo dropped ${stats.duplicatesDropped}, Shopify queries rejected ${stack.shopify.rejectedQueries().length}`);
    write();
    write('sample payloads, as sent (truncated to 1,200 characters)');
    for (const [path, body] of samples) write(`  POST ${path}\n    ${body.length > 1200 ? `${body.slice(0, 1200)}…` : body}`);
  } finally {
    axios.interceptors.request.eject(interceptor);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.close();
    await stack.close();
    if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
  }
}

/** A port free right now on the loopback interface (the tracking page's public URL names it before the server starts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
