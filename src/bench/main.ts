/**
 * `npm run bench [-- --orders N]`: shipsignal's first backfill and a 1% incremental sync against a synthetic store,
 * with Klaviyo's documented rate limits enforced, next to a naive one-request-per-change baseline.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseDocument } from 'yaml';
import { parseEnv } from '../config/env';
import { App } from '../daemon/app';
import type { SandboxStats } from '../sandbox/klaviyo';
import { DOCUMENTED_LIMITS, type Endpoint } from '../sinks/klaviyo/limits';
import { ManualClock } from '../util/clock';
import { packageRoot } from '../util/package-root';
import { startHeapProbe, type HeapFigures } from './heap-probe';
import { SandboxHost } from './host-client';
import { runNaive, type NaiveRun } from './naive';
import { minimumSeconds, neededRequests } from './rate-minimum';
import { decimal, formatTable, integer } from './table';

interface Options {
  readonly orders: number;
  readonly seed: number;
  readonly repeatRate: number;
  readonly changeShare: number;
  readonly naiveSample: number;
  /** Force a full collection every 10 s to sample the live heap (heap-probe.ts); costs CPU, off by default. */
  readonly liveHeap: boolean;
  /** `--products off`: product signals off (config/products.yaml `enabled: false`), to measure what they cost. */
  readonly products: boolean;
}

/**
 * Share of orders placed by a returning customer in the full Olist dataset (99,441 orders, 96,096
 * customer_unique_id): 1 − 96,096 / 99,441. The repository's copy is a 10,000-order sample too small to refit it.
 */
const OLIST_REPEAT_RATE = 0.034;
/** The synthetic store spans 2025; its clock and ours stand just after its last order. */
const STORE_END = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;

/** The sandbox's operations (spec operationIds) and the documented limits that bind each. */
const OPERATION_LIMITS: Readonly<Record<string, Endpoint>> = {
  create_event: 'createEvent',
  bulk_create_events: 'bulkCreateEvents',
  create_or_update_profile: 'profileImport',
  bulk_import_profiles: 'bulkImportProfiles',
  get_bulk_import_profiles_job: 'jobStatus',
  get_errors_for_bulk_import_profiles_job: 'jobStatus',
};

function parseOptions(argv: readonly string[]): Options {
  const value = (flag: string, fallback: number): number => {
    const at = argv.indexOf(flag);
    if (at === -1) return fallback;
    const parsed = Number(argv[at + 1]);
    if (!Number.isFinite(parsed) || parsed < 0) throw new RangeError(`${flag}: expected a number, got ${argv[at + 1]}`);
    return parsed;
  };
  return {
    orders: Math.round(value('--orders', 100_000)),
    seed: value('--seed', 1),
    repeatRate: value('--repeat-rate', OLIST_REPEAT_RATE),
    changeShare: value('--change-share', 0.01),
    naiveSample: Math.round(value('--naive-sample', 2_000)),
    liveHeap: argv.includes('--live-heap'),
    products: switchValue(argv, '--products'),
  };
}

function switchValue(argv: readonly string[], flag: string): boolean {
  const at = argv.indexOf(flag);
  if (at === -1) return true;
  const text = argv[at + 1];
  if (text !== 'on' && text !== 'off') throw new RangeError(`${flag}: expected on or off, got ${text}`);
  return text === 'on';
}

interface PhaseFigures {
  readonly orders: number;
  readonly events: number;
  /** Profile patches delivered (a customer's lifecycle and parcel patches are two). */
  readonly profiles: number;
  /** Distinct Klaviyo profiles the patches wrote: what the work needs (rate-minimum.ts, Work). */
  readonly profilesWritten: number;
  readonly requests: Readonly<Record<string, number>>;
  readonly throttled: number;
  readonly shopifyRequests: number;
  readonly shopifyThrottled: number;
  readonly wallSeconds: number;
  /** Until the last order, parcel and review is queued; the outbox is delivered alongside. */
  readonly readSeconds: number;
  /** Shopify preparing the bulk operation's file: nothing for us to read, nor to send, until it is ready. */
  readonly bulkExportSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  readonly heap: HeapFigures;
  readonly sandboxCpuSeconds: number;
}

/** Requests per operation made between two stats snapshots, any status. */
function requestsBetween(before: SandboxStats, after: SandboxStats): Record<string, number> {
  const count = (stats: SandboxStats, op: string) => Object.values(stats.requests[op] ?? {}).reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {};
  for (const op of Object.keys(after.requests)) {
    const n = count(after, op) - count(before, op);
    if (n > 0) out[op] = n;
  }
  return out;
}

function byLimit(requests: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [op, n] of Object.entries(requests)) {
    const endpoint = OPERATION_LIMITS[op];
    if (endpoint) out[endpoint] = (out[endpoint] ?? 0) + n;
  }
  return out;
}

const cpuSecondsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

/** One sync as the daemon runs it: the outbox is delivered while orders, parcels and reviews are still being read. */
async function measuredSync(app: App, host: SandboxHost, liveHeap: boolean): Promise<PhaseFigures> {
  const statsBefore = await host.call('stats', {});
  const shopifyBefore = await host.call('shopify', {});
  const hostBefore = await host.call('usage', {});
  const probe = startHeapProbe(liveHeap);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  let read = started;
  const { result: polled, drained } = await app.deliverWhile(async () => {
    const orders = await app.pollOrders();
    await app.pollTrackers();
    await app.recheckShipments();
    await app.reviewCustomers();
    read = process.hrtime.bigint();
    return orders;
  });
  const done = process.hrtime.bigint();
  const cpuSeconds = cpuSecondsSince(cpu);
  const heap = probe.stop();
  const hostAfter = await host.call('usage', {});
  const statsAfter = await host.call('stats', {});
  const shopifyAfter = await host.call('shopify', {});
  const profilesWritten = await host.call('profilesWrittenSince', { mark: statsBefore.profileWrites });
  return {
    orders: polled.orders,
    events: drained.events,
    profiles: drained.profiles,
    profilesWritten,
    requests: requestsBetween(statsBefore, statsAfter),
    throttled: statsAfter.throttled - statsBefore.throttled,
    shopifyRequests: shopifyAfter.requests - shopifyBefore.requests,
    shopifyThrottled: shopifyAfter.throttled - shopifyBefore.throttled,
    wallSeconds: Number(done - started) / 1e9,
    readSeconds: Number(read - started) / 1e9,
    bulkExportSeconds: polled.bulkExportSeconds,
    cpuSeconds,
    peakRssMb: peakRssMb(),
    heap,
    sandboxCpuSeconds: hostAfter.cpuSeconds - hostBefore.cpuSeconds,
  };
}

/**
 * The repository's mappings plus Refunded Order, so the incremental sync's refunds send events. The backfill's
 * events are the default shipment events; Placed Order would add one more event per order and nothing new to measure.
 */
function benchMappings(dir: string): string {
  const source = join(packageRoot(), 'mappings');
  cpSync(source, dir, { recursive: true, dereference: true }); // a copy, never a link back into the repository
  const file = join(dir, 'klaviyo.yaml');
  const document = parseDocument(readFileSync(file, 'utf8'));
  document.setIn(['events', 'refundedOrder', 'enabled'], true);
  writeFileSync(file, document.toString());
  return dir;
}

/** The repository's config, with product signals switched as asked (a copy; the repository is never written). */
function benchConfig(dir: string, products: boolean): string {
  cpSync(join(packageRoot(), 'config'), dir, { recursive: true, dereference: true });
  const file = join(dir, 'products.yaml');
  const document = parseDocument(readFileSync(file, 'utf8'));
  document.setIn(['products', 'enabled'], products);
  writeFileSync(file, document.toString());
  return dir;
}

const sum = (values: Readonly<Record<string, number>>) => Object.values(values).reduce((a, b) => a + b, 0);

/** The rate-limit minimum of the requests the phase's work needs, not of those shipsignal made. */
const minimumOf = (phase: PhaseFigures): number =>
  minimumSeconds(neededRequests({ events: phase.events, profiles: phase.profilesWritten }), DOCUMENTED_LIMITS);

/** Needed requests per endpoint, then the requests made, as "needed / made". */
function neededBesideMade(phase: PhaseFigures): string {
  const needed = neededRequests({ events: phase.events, profiles: phase.profilesWritten });
  const made = byLimit(phase.requests);
  return (['bulkCreateEvents', 'bulkImportProfiles', 'jobStatus'] as const)
    .map((endpoint) => `${integer(needed[endpoint] ?? 0)} / ${integer(made[endpoint] ?? 0)}`).join(', ');
}

function table(options: Options, customers: number, backfill: PhaseFigures, incremental: PhaseFigures, naive: NaiveRun): string {
  const column = (phase: PhaseFigures): string[] => {
    const changes = phase.events + phase.profiles;
    const minimum = minimumOf(phase);
    const requests = sum(phase.requests);
    return [
      integer(phase.orders), integer(phase.events), integer(phase.profiles), integer(phase.profilesWritten),
      integer(phase.requests.bulk_create_events ?? 0), integer(phase.requests.bulk_import_profiles ?? 0),
      integer((phase.requests.get_bulk_import_profiles_job ?? 0) + (phase.requests.get_errors_for_bulk_import_profiles_job ?? 0)),
      integer((phase.requests.create_event ?? 0) + (phase.requests.create_or_update_profile ?? 0)),
      integer(phase.throttled),
      decimal(changes > 0 ? (requests / changes) * 1000 : 0, 2),
      integer(phase.shopifyRequests), integer(phase.shopifyThrottled),
      decimal(phase.wallSeconds), decimal(phase.bulkExportSeconds), decimal(phase.readSeconds), decimal(phase.wallSeconds - phase.readSeconds),
      neededBesideMade(phase), decimal(minimum), minimum > 0 ? decimal(phase.wallSeconds / minimum, 2) : '—',
      minimum > 0 ? decimal((phase.wallSeconds - phase.bulkExportSeconds) / minimum, 2) : '—',
      decimal(phase.cpuSeconds, 2), decimal(phase.orders > 0 ? (phase.cpuSeconds / phase.orders) * 1e6 : 0, 0),
      integer(phase.peakRssMb), integer(phase.heap.peakUsedMb), phase.heap.liveMaxMb === null ? '(--live-heap)' : phase.heap.liveSamples === 0 ? '— (under 10 s)' : integer(phase.heap.liveMaxMb),
      decimal(phase.sandboxCpuSeconds, 1),
    ];
  };
  // The baseline sends every change of the backfill one request at a time: at the rate measured on its sample, or
  // at the single-record endpoints' documented limits, whichever is slower (a short sample never meets the latter).
  const backfillChanges = backfill.events + backfill.profiles;
  const naiveRate = naive.changes / naive.seconds;
  const naiveMinimum = minimumSeconds({ createEvent: backfill.events, profileImport: backfill.profiles }, DOCUMENTED_LIMITS);
  const naiveSeconds = Math.max(backfillChanges / naiveRate, naiveMinimum);
  const naiveColumn = [
    integer(backfill.orders), integer(backfill.events), integer(backfill.profiles), integer(backfill.profilesWritten), '0', '0', '0',
    integer(backfillChanges), '—', decimal(1000, 2), '—', '—',
    decimal(naiveSeconds), '—', '—', '—', '—', decimal(naiveMinimum), decimal(naiveSeconds / naiveMinimum, 2), '—',
    decimal((naive.cpuSeconds / naive.changes) * backfillChanges, 2), '—', '—', '—', '—', '—',
  ];
  const labels = [
    'orders read', 'events sent', 'profile patches sent', 'distinct profiles written', 'requests: bulk_create_events', 'requests: bulk_import_profiles',
    'requests: import job status', 'requests: single create_event/profile', 'Klaviyo 429 answers', 'Klaviyo requests per 1,000 changes',
    'Shopify Admin API requests', '  answered THROTTLED',
    'wall time, s', '  of which Shopify preparing the bulk export, s', '  reading (Shopify, enrich, state), delivering alongside, s',
    '  delivering after the read, s', 'requests needed / made: event bulk, import jobs, job status',
    'rate-limit minimum of the requests needed, s', 'ratio wall time / minimum', 'ratio (wall time − bulk export) / minimum', 'CPU, s (shipsignal process)', 'CPU per order, µs',
    'peak RSS, MB (process lifetime)', '  JS heap in use at its peak, MB (live and not yet collected)',
    '  JS heap live, MB (max after a forced full GC every 10 s)', 'sandbox host CPU, s (not ours)',
  ];
  const columns = [column(backfill), column(incremental), naiveColumn];
  const rows = labels.map((label, i) => [label, ...columns.map((c) => c[i])] as [string, ...string[]]);
  return [
    `shipsignal bench: ${integer(options.orders)} orders, ${integer(customers)} customers (Klaviyo profiles), repeat rate ${options.repeatRate}, seed ${options.seed}, product signals ${options.products ? 'on' : 'off'}`,
    '',
    formatTable(['', 'backfill', `incremental (${options.changeShare * 100}%)`, 'naive baseline, backfill'], rows),
    '',
    `naive baseline: ${naive.changes} changes sent one createEvent + one createOrUpdateProfile at a time through the SDK in`,
    `${decimal(naive.seconds)} s (${decimal(naiveRate)} changes/s); its column takes the slower of that rate and the single-record`,
    `endpoints' documented limits (createEvent ${DOCUMENTED_LIMITS.createEvent.steady}/min, profile upsert ${DOCUMENTED_LIMITS.profileImport.steady}/min) over the backfill's changes.`,
  ].join('\n');
}

function backfillSummary(phase: PhaseFigures): string {
  const minimum = minimumOf(phase);
  return [
    `backfill: ${integer(phase.orders)} orders, ${integer(phase.events)} events, ${integer(phase.profiles)} profile patches`,
    `(${integer(phase.profilesWritten)} profiles), requests needed / made ${neededBesideMade(phase)},`,
    `wall ${decimal(phase.wallSeconds)} s (Shopify bulk export ${decimal(phase.bulkExportSeconds)} s, read ${decimal(phase.readSeconds)} s;`,
    `minimum ${decimal(minimum)} s, ratio ${minimum > 0 ? decimal(phase.wallSeconds / minimum, 2) : '—'},`,
    `without the export ${minimum > 0 ? decimal((phase.wallSeconds - phase.bulkExportSeconds) / minimum, 2) : '—'}), CPU ${decimal(phase.cpuSeconds, 2)} s`,
    `(${decimal((phase.cpuSeconds / Math.max(1, phase.orders)) * 1e6, 0)} µs/order), peak RSS ${integer(phase.peakRssMb)} MB`,
    `(JS heap peak ${integer(phase.heap.peakUsedMb)} MB${phase.heap.liveMaxMb === null ? '' : `, live at most ${integer(phase.heap.liveMaxMb)} MB over ${phase.heap.liveSamples} forced collections`}),`,
    `requests ${JSON.stringify(phase.requests)}, 429s ${phase.throttled}`,
  ].join(' ');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const host = SandboxHost.spawn(Math.max(2048, Math.ceil(options.orders / 1000) * 6));
  const workDir = mkdtempSync(join(tmpdir(), 'shipsignal-bench-'));
  const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  let app: App | null = null;
  try {
    progress(`generating ${integer(options.orders)} orders and starting the sandboxes`);
    const { env: stackEnv } = await host.call('start', {
      orders: options.orders, seed: options.seed, repeatRate: options.repeatRate, now: new Date(STORE_END).toISOString(),
    });
    const clock = new ManualClock(new Date(STORE_END + HOUR));
    const env = parseEnv({
      ...stackEnv,
      SHIPSIGNAL_STATE_URL: `sqlite://${join(workDir, 'state.sqlite')}`,
      SHIPSIGNAL_CONFIG_DIR: benchConfig(join(workDir, 'config'), options.products),
      SHIPSIGNAL_MAPPINGS_DIR: benchMappings(join(workDir, 'mappings')),
      SHIPSIGNAL_LOG_LEVEL: 'warn',
    });
    const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
    app = await App.create(env, { clock, logStream: discard });

    progress('backfill');
    const backfill = await measuredSync(app, host, options.liveHeap);
    const customers = (await host.call('stats', {})).profiles;
    // The full table waits for the incremental sync and the baseline; a long run's main figures are known now.
    progress(backfillSummary(backfill));

    progress(`changing ${options.changeShare * 100}% of orders, then an incremental sync`);
    const changed = await host.call('change', { share: options.changeShare, at: new Date(STORE_END + 2 * HOUR).toISOString(), seed: options.seed + 1 });
    progress(`changes: ${changed.updated} edited, ${changed.refunded} refunded, ${changed.added} new`);
    clock.set(new Date(STORE_END + 3 * HOUR));
    const incremental = await measuredSync(app, host, options.liveHeap);

    progress(`naive baseline on ${options.naiveSample} changes`);
    const sample = await host.call('sample', { limit: Math.ceil(options.naiveSample / 2) });
    await host.call('resetKlaviyo', {});
    const naive = await runNaive(sample, env.KLAVIYO_API_KEY as string, env.KLAVIYO_BASE_URL);

    process.stdout.write(`${table(options, customers, backfill, incremental, naive)}\n`);
  } finally {
    await app?.close();
    await host.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
