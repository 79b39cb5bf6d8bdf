import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runDemo, type DemoWorld } from '../../src/cli/demo';
import { runReport } from '../../src/cli/report';
import { parseEnv } from '../../src/config/env';
import { startHttpServer } from '../../src/daemon/http-server';
import { statusRoutes } from '../../src/pages/status/routes';
import { launchBrowser, type TestBrowser } from '../helpers/browser';

/**
 * The demo week end to end: `npm run demo`'s own code plays the week; then (1) `shipsignal report --format json`
 * on its state must equal what this test computes on its own from the seed (the store's orders, the week's
 * scripted parcels) and from what Klaviyo holds (each profile's segment, the orders that got a Delivery Issue
 * Detected event), with none of the outcome code; (2) /status, served by the daemon's HTTP face, renders every
 * plot with the week's data in headless Chromium, with no console error, no request leaving the machine, no
 * serious or critical axe-core violation, and 401 without the token.
 */
const TOKEN = 'status-test-token-0123456789';
const DAY_MS = 86_400_000;
const PLOTS = ['segments', 'moves', 'issues', 'on-time', 'transit', 'open-issues', 'holds', 'returns', 'calibration'];

interface Delivered { deliveredAt: number; promisedDay: string | null; issue: boolean }

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const wilson = (x: number, n: number): [number, number] | null => {
  if (n === 0) return null;
  const z = 1.959964;
  const p = x / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
};
const prop = (count: number, of: number) => ({ count, of, rate: of === 0 ? null : count / of, ci95: wilson(count, of) });

/** The expected report, from the seed and from Klaviyo's side only. */
function independentReport(world: DemoWorld, now: Date): unknown {
  const segmentOf = new Map(world.stack.klaviyo.profiles().map((p) => [p.email ?? '', String(p.properties.ss_segment)]));
  const issueOrders = new Set(world.stack.klaviyo.events().filter((e) => e.metric === 'Delivery Issue Detected').map((e) => String(e.properties.OrderId)));
  const scripted = new Map(world.week.week.parcels.map((p) => [p.trackingCode, p]));
  const orders: Array<{ email: string; placed: number; delivered: Delivered | null }> = [];
  for (let i = 0; i < world.store.size; i++) {
    const record = world.store.recordAt(i);
    if (record.cancelledAt || !record.email) continue;
    const gid = `gid://shopify/Order/${record.legacyId}`;
    const parcels = record.fulfillments.filter((f) => f.status === 'SUCCESS').flatMap((f) => f.tracking.map((t) => {
      const script = scripted.get(t.number);
      const deliveredScan = script?.scans.find((s) => s.status === 'delivered');
      const deliveredAt = script ? (deliveredScan && deliveredScan.at <= now ? deliveredScan.at.getTime() : null) : f.deliveredAt ? Date.parse(f.deliveredAt) : null;
      return { deliveredAt, promised: f.estimatedDeliveryAt };
    }));
    const delivered = parcels.length > 0 && parcels.every((p) => p.deliveredAt !== null)
      ? { deliveredAt: Math.max(...parcels.map((p) => p.deliveredAt as number)), promisedDay: parcels.find((p) => p.promised)?.promised?.slice(0, 10) ?? null, issue: issueOrders.has(gid) }
      : null;
    // The report's definition: an issue event for the order, or delivered after the promised day.
    if (delivered && delivered.promisedDay !== null && day(delivered.deliveredAt) > delivered.promisedDay) delivered.issue = true;
    // Stores hand over emails as typed (capitals, spaces); a customer is the trimmed, lower-case address.
    orders.push({ email: record.email.trim().toLowerCase(), placed: Date.parse(record.processedAt), delivered });
  }
  // Returns as the store holds them: requested by `until`, not declined or canceled, once per reason among the lines.
  const returnsBySegment = new Map<string, Map<string, number>>();
  for (let i = 0; i < world.store.size; i++) {
    const record = world.store.recordAt(i);
    if (!record.email) continue;
    for (const ret of record.returns ?? []) {
      if (ret.status === 'DECLINED' || ret.status === 'CANCELED' || day(Date.parse(ret.createdAt)) > day(now.getTime())) continue;
      const segment = segmentOf.get(record.email.trim().toLowerCase()) ?? 'none';
      const counts = returnsBySegment.get(segment) ?? new Map<string, number>();
      for (const reason of new Set(ret.lines.map((l) => l.reasonHandle ?? 'unknown'))) counts.set(reason, (counts.get(reason) ?? 0) + 1);
      returnsBySegment.set(segment, counts);
    }
  }
  const today = day(now.getTime());
  const eligibleBy = (n: number): string => day(Date.parse(`${today}T00:00:00Z`) - (n + 1) * DAY_MS);
  const segments = ['no_purchase', 'first_time', 'repeat', 'vip', 'at_risk', 'lapsed'];
  const customers = new Map<string, number>();
  for (const segment of segmentOf.values()) customers.set(segment, (customers.get(segment) ?? 0) + 1);
  return {
    since: null,
    until: today,
    generatedAt: now.toISOString(),
    segments: segments.filter((s) => customers.has(s)).map((segment) => {
      const own = orders.filter((o) => segmentOf.get(o.email) === segment);
      const delivered = own.filter((o) => o.delivered !== null);
      const days = delivered.map((o) => Math.min(120, Math.floor(((o.delivered as Delivered).deliveredAt - o.placed) / DAY_MS))).sort((a, b) => a - b);
      const promised = delivered.filter((o) => (o.delivered as Delivered).promisedDay !== null);
      const repeatWithin = (o: (typeof orders)[number], n: number): boolean => {
        const at = (o.delivered as Delivered).deliveredAt;
        return orders.some((other) => other.email === o.email && other.placed > at && other.placed - at <= n * DAY_MS);
      };
      const split = (n: number, issue: boolean) => {
        const base = delivered.filter((o) => (o.delivered as Delivered).issue === issue && day((o.delivered as Delivered).deliveredAt) <= eligibleBy(n));
        return prop(base.filter((o) => repeatWithin(o, n)).length, base.length);
      };
      return {
        segment,
        customers: customers.get(segment) ?? 0,
        ordersPlaced: own.length,
        ordersDelivered: delivered.length,
        onTime: prop(promised.filter((o) => day((o.delivered as Delivered).deliveredAt) <= ((o.delivered as Delivered).promisedDay as string)).length, promised.length),
        deliveryIssue: prop(delivered.filter((o) => (o.delivered as Delivered).issue).length, delivered.length),
        medianDaysToDeliver: days.length === 0 ? null : days[Math.ceil(days.length / 2) - 1],
        repeat: [30, 60, 90].map((n) => ({ days: n, withIssue: split(n, true), withoutIssue: split(n, false) })),
        returnsByReason: Object.fromEntries([...(returnsBySegment.get(segment) ?? new Map<string, number>())]),
      };
    }),
  };
}

// No skip when Chromium is missing: .ci/run installs it, and a browser test that does not run proves nothing.
describe('the demo week: shipsignal report and /status', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'shipsignal-status-demo-'));
  let world: DemoWorld;
  let base: string;
  let server: Server;
  let browser: TestBrowser;
  let finish: () => void = () => undefined;
  let demo: Promise<void>;

  beforeAll(async () => {
    const ready = new Promise<DemoWorld>((resolve) => {
      demo = runDemo('olist', new PassThrough(), 'shopify', {
        stateDir,
        outputDir: join(stateDir, 'out'),
        beforeClose: (w) => {
          resolve(w);
          return new Promise<void>((done) => { finish = done; });
        },
      });
      demo.catch(() => undefined);
    });
    world = await Promise.race([ready, demo.then(() => { throw new Error('the demo ended without reaching its week'); })]);
    const { app } = world;
    server = await startHttpServer({
      port: 0, host: '127.0.0.1', token: TOKEN, health: app.health, registry: app.context.metrics.registry, webhooks: {},
      routes: statusRoutes({ storeId: app.storeId, store: app.context.store, metrics: app.context.metrics, health: () => app.health.view(true), clock: app.context.clock, tokenConfigured: true }),
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    finish();
    await demo?.catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('covers every declared event kind and every segment live', () => {
    expect(world.week.missing).toEqual([]);
  });

  it('shipsignal report --format json equals the independent computation, including the issue/no-issue repeat split', async () => {
    const now = world.app.context.clock.now();
    const env = parseEnv({ ...world.stack.env, SHIPSIGNAL_STATE_URL: `sqlite://${join(stateDir, 'state.sqlite')}`, SHIPSIGNAL_NOW: now.toISOString() });
    const printed = JSON.parse(await runReport(env, { format: 'json' }));
    const expected = independentReport(world, now) as { segments: Array<{ repeat: Array<{ withIssue: { count: number; of: number }; withoutIssue: { count: number } }> }> };
    expect(printed).toEqual(expected);
    // The split is exercised on both sides: delivered orders with an issue whose 90 days have passed, and repeats.
    const ninety = expected.segments.map((s) => s.repeat[2]);
    expect(ninety.reduce((sum, r) => sum + (r?.withIssue.of ?? 0), 0)).toBeGreaterThan(100);
    expect(ninety.reduce((sum, r) => sum + (r?.withIssue.count ?? 0) + (r?.withoutIssue.count ?? 0), 0)).toBeGreaterThan(0);
    // Returns by reason are exercised too: the seed's history and the week's live return.
    const returned = (expected as unknown as { segments: Array<{ returnsByReason: Record<string, number> }> }).segments.flatMap((s) => Object.values(s.returnsByReason));
    expect(returned.reduce((a, b) => a + b, 0)).toBeGreaterThan(5);
  });

  it('shows returns by reason as the store holds them (every return not declined or canceled, once per reason)', async () => {
    const byReason = new Map<string, number>();
    for (let i = 0; i < world.store.size; i++) {
      for (const ret of world.store.recordAt(i).returns ?? []) {
        if (ret.status === 'DECLINED' || ret.status === 'CANCELED') continue;
        for (const reason of new Set(ret.lines.map((l) => l.reasonHandle ?? 'unknown'))) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
      }
    }
    expect(byReason.size).toBeGreaterThan(1);
    const html = await (await fetch(`${base}/status?token=${TOKEN}`)).text();
    const caption = /<figure id="plot-returns"[\s\S]*?<figcaption>([\s\S]*?)<\/figcaption>/.exec(html)?.[1] ?? '';
    const total = [...byReason.values()].reduce((a, b) => a + b, 0);
    expect(caption).toContain(`${total} returns`);
    for (const [reason, n] of byReason) expect(caption).toContain(`${reason} ${n}`);
  });

  it('is 401 without the token', async () => {
    expect((await fetch(`${base}/status`)).status).toBe(401);
    expect((await fetch(`${base}/status`, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(401);
  });

  it('renders every plot with the week\'s data, with no console error, no external request and no serious axe violation', async () => {
    for (const viewport of ['desktop', 'mobile'] as const) {
      const opened = await browser.open(`${base}/status?token=${TOKEN}`, viewport);
      expect(opened.status).toBe(200);
      const drawn = (await opened.page.evaluate(
        'Array.from(document.querySelectorAll("figure[data-plot]")).map((f) => ({ id: f.dataset.plot, marks: f.querySelectorAll("svg path, svg rect, svg circle, svg line").length, svg: !!f.querySelector("svg") }))',
      )) as Array<{ id: string; marks: number; svg: boolean }>;
      expect(drawn.map((d) => d.id).sort()).toEqual([...PLOTS].sort());
      for (const plot of drawn) expect({ id: plot.id, svg: plot.svg, hasMarks: plot.marks > 10 }).toEqual({ id: plot.id, svg: true, hasMarks: true });
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.foreignRequests).toEqual([]);
      expect(await opened.axe()).toEqual([]);
      await opened.screenshot(`status-${viewport}`);
      await opened.close();
    }
  });
});
