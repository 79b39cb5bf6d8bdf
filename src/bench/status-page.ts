/**
 * `npm run bench:status [-- --orders N]`: how long /status takes to read and render with N orders (default
 * 100,000) in state. The state is written through the pipeline's own durability commit (customers, their parcels
 * and the outcome counters the commit maintains), two years of orders; then the page is built and rendered the way
 * the route does it, cold once and warm ten times. Reported: wall time per render (median and max) and CPU time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Health } from '../daemon/health';
import type { CustomerAggregate, Segment } from '../model/customer';
import { createMetrics } from '../observability/metrics';
import { commitUnit } from '../pipeline/commit';
import { createPipelineContext, type PipelineSettings } from '../pipeline/context';
import { readStatus } from '../pages/status/read';
import { clearDrawnPlots } from '../pages/status/render-svg';
import { renderStatusPage } from '../pages/status/view';
import { customerEntry } from '../state/customers';
import { shipmentEntry, type ShipmentState } from '../state/shipments';
import { openStateStore } from '../state/store';
import { ManualClock } from '../util/clock';
import { mulberry32 } from '../util/prng';
import { createLogger } from '../observability/logger';

const DAY_MS = 86_400_000;
const SEGMENTS: readonly Segment[] = ['first_time', 'repeat', 'vip', 'at_risk', 'lapsed'];
const CARRIERS = ['Correios', 'Jadlog', 'Loggi'];
const REGIONS = ['SP', 'RJ', 'MG', 'PR', 'RS', 'BA', 'SC', 'PE'];
const RULES = ['stalled_in_transit', 'late_vs_promise', 'exception_address'];

function parcel(orderId: string, email: string, placed: number, random: () => number): ShipmentState {
  const shipped = placed + DAY_MS * (1 + Math.floor(random() * 3));
  const transit = 2 + Math.floor(random() * 12);
  const delivered = shipped + transit * DAY_MS;
  const promised = shipped + 9 * DAY_MS;
  const issue = random() < 0.05 ? { code: RULES[Math.floor(random() * RULES.length)] as string, openedAt: new Date(shipped + 3 * DAY_MS).toISOString() } : null;
  const iso = (ms: number): string => new Date(ms).toISOString();
  const state = {
    key: `bench:${orderId}`, orderId, orderName: orderId, orderPlacedAt: iso(placed), fulfillmentId: orderId, fulfilledAt: iso(shipped),
    customerEmail: email, customerPhone: null, firstName: null, lastName: null, trackingCode: `B${orderId}`, promisedDeliveryAt: iso(promised),
    destinationRegion: REGIONS[Math.floor(random() * REGIONS.length)] as string, index: 1, count: 1, items: [], value: 100, currency: 'BRL',
    kind: 'carrier', provider: 'bench', trackerId: null, trackerUpdatedAt: null, carrier: CARRIERS[Math.floor(random() * CARRIERS.length)] as string,
    service: null, trackingUrl: null, status: 'delivered', statusDetail: null, carrierEstimatedDeliveryAt: null, shippedAt: iso(shipped),
    deliveredAt: iso(delivered), destinationCountry: 'BR', originCountry: 'BR', scans: [],
    announcedStatus: 'delivered', announcedAt: iso(delivered),
    risk: { level: issue ? 'high' : 'none', reasons: [], openIssue: random() < 0.5 ? issue : null, transition: null, firstCarrierEstimateAt: null, assessedAt: iso(delivered) },
    issues: issue ? 1 : 0, issueLive: true,
    prediction: { mostLikelyAt: iso(shipped + 7 * DAY_MS), latestLikelyAt: iso(shipped + 11 * DAY_MS), confidence: 'learned', lateRiskScore: null },
    deliveryRecorded: true, nextCheckAt: null,
  } as const;
  return state as unknown as ShipmentState;
}

async function main(): Promise<void> {
  const ordersFlag = process.argv.indexOf('--orders');
  const orders = ordersFlag > 0 ? Number(process.argv[ordersFlag + 1]) : 100_000;
  const dir = mkdtempSync(join(tmpdir(), 'shipsignal-bench-status-'));
  const end = Date.parse('2026-01-01T00:00:00Z');
  const clock = new ManualClock(new Date(end - 700 * DAY_MS));
  const store = await openStateStore(`sqlite://${join(dir, 'state.sqlite')}`, 'bench-status');
  const metrics = createMetrics();
  const context = createPipelineContext(store, {} as PipelineSettings, clock, createLogger('error'), metrics);
  const random = mulberry32(7);
  try {
    const fillStarted = Date.now();
    const perCustomer = 1.1;
    const customers = Math.round(orders / perCustomer);
    let written = 0;
    for (let start = 0; start < customers; start += 1000) {
      const entries: Array<readonly [string, unknown]> = [];
      for (let c = start; c < Math.min(customers, start + 1000); c++) {
        const email = `c${c}@bench.example`;
        const count = written < orders && random() < 0.1 ? 2 : 1;
        const list = Array.from({ length: count }, (_, i) => {
          const placed = end - Math.floor(random() * 700) * DAY_MS - i * 40 * DAY_MS;
          return { orderId: `${c}-${i}`, placedAt: new Date(placed).toISOString(), netMinor: 10_000, cancelled: false };
        }).sort((a, b) => a.placedAt.localeCompare(b.placedAt));
        written += count;
        const customer: CustomerAggregate = {
          key: email, email, phone: null, firstName: null, lastName: null, currency: 'BRL', orders: list,
          segment: SEGMENTS[Math.floor(random() * SEGMENTS.length)] as Segment, segmentSince: null, pushedHash: null, nextReviewAt: null,
        };
        entries.push(customerEntry(customer), ...list.map((o) => shipmentEntry(parcel(o.orderId, email, Date.parse(o.placedAt), random))));
      }
      // The clock walks through the two years, so segment moves and holds land on many days, as in a real store.
      clock.set(new Date(end - 700 * DAY_MS + Math.floor((start / customers) * 699) * DAY_MS));
      await context.writer(() => commitUnit(context, { entries }));
    }
    clock.set(new Date(end));
    const fillSeconds = (Date.now() - fillStarted) / 1000;
    const health = new Health();
    const render = async (): Promise<{ wall: number; cpu: number }> => {
      const started = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      const data = await readStatus({ store, metrics, health: health.view(true), clock });
      renderStatusPage(data, 'bench-status', { href: '/status-assets/status.css' });
      const used = process.cpuUsage(cpu);
      return { wall: Number(process.hrtime.bigint() - started) / 1e6, cpu: (used.user + used.system) / 1000 };
    };
    const summary = (runs: Array<{ wall: number; cpu: number }>): string => {
      const walls = runs.map((r) => r.wall).sort((a, b) => a - b);
      const cpus = runs.map((r) => r.cpu).sort((a, b) => a - b);
      const mid = Math.floor(runs.length / 2);
      return `wall median ${(walls[mid] as number).toFixed(0)} ms (max ${(walls.at(-1) as number).toFixed(0)}), CPU median ${(cpus[mid] as number).toFixed(0)} ms (max ${(cpus.at(-1) as number).toFixed(0)})`;
    };
    const cold = await render();
    // After the state changed: every plot drawn again (the drawn-plot cache emptied before each render).
    const fresh: Array<{ wall: number; cpu: number }> = [];
    for (let i = 0; i < 10; i++) {
      clearDrawnPlots();
      fresh.push(await render());
    }
    // Viewed again with no state change in between: the plots come from the cache, state is still read.
    const again: Array<{ wall: number; cpu: number }> = [];
    for (let i = 0; i < 10; i++) again.push(await render());
    const total = await context.outcomes.totals();
    process.stdout.write([
      `status page with ${written} orders (${customers} customers) in state, written through the durability commit in ${fillSeconds.toFixed(1)} s`,
      `  delivered orders counted by the outcome totals: ${Object.entries(total).filter(([k]) => /^o\|[^|]+\|dlv$/.test(k)).reduce((s, [, n]) => s + n, 0)}`,
      `  first render in this process (Vega's code warming up): wall ${cold.wall.toFixed(0)} ms, CPU ${cold.cpu.toFixed(0)} ms`,
      `  state changed, every plot redrawn (10 renders): ${summary(fresh)}`,
      `  viewed again, plots from the cache (10 renders): ${summary(again)}`,
      '',
    ].join('\n'));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
