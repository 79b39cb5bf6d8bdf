/**
 * `npm run bench:fleet [-- --stores 50 --workers 1,2,4 --orders 200]`: a fleet backfill of N stores, each its own
 * synthetic Shopify store and its own Klaviyo account with the documented limits (all in one sandbox child), run
 * by W `shipsignal worker` processes on one Redis and one PostgreSQL (SHIPSIGNAL_FLEET_REDIS_URL and
 * SHIPSIGNAL_FLEET_DATABASE_URL, default the local ones). Per worker count: the time until every store's account
 * holds all its events, each store's time against its own rate-limit minimum, throughput, the spread between stores,
 * and the CPU of the workers, the sandboxes, Redis and PostgreSQL against the machine's cores.
 *
 * `--limit-scale K --bulk-scale B`: every account enforces the documented rate limits divided by K and bulk maxima
 * divided by B, and every store is configured with the same (KLAVIYO_RATE_LIMITS, KLAVIYO_MAX_*_PER_BULK), so a
 * store of a few hundred events needs as many requests as one B times larger and its account's limits bind, while
 * the aggregate stays within what two cores can produce. At the documented limits a 100-order store needs one request
 * per endpoint (minimum 0 s).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { openQueue } from '../fleet/queue';
import { StoreRegistry } from '../fleet/registry';
import { fleetKey } from '../fleet/sealed';
import { splitAssignments } from '../fleet/store-env';
import { DOCUMENTED_LIMITS, scaleLimits } from '../sinks/klaviyo/limits';
import { packageRoot } from '../util/package-root';
import type { FleetSandboxMessage, StoreProgress } from './fleet-sandboxes';
import { ServerCpu, processCpuSeconds, type CpuTotals } from './machine-cpu';
import { bulkMaxima, minimumSeconds, neededRequests } from './rate-minimum';
import { scaledAccountVariables } from './scaled-account';
import { decimal, formatTable, integer } from './table';

const NOW = '2026-01-01T00:00:00Z';
const EVERY_MS = 60_000;
/** A store is done at its last event once no store's count has moved for this long. */
const QUIET_MS = 5_000;

interface Options {
  readonly stores: number; readonly workers: readonly number[]; readonly orders: number; readonly timeoutS: number;
  /** `--cpu-prof <dir>`: each worker writes a V8 CPU profile there on exit (where its CPU goes, per function). */
  readonly cpuProfDir: string | null;
  readonly limitScale: number;
  readonly bulkScale: number;
  readonly concurrency: number;
}

function parseOptions(argv: readonly string[]): Options {
  const raw = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at === -1 ? undefined : argv[at + 1];
  };
  const positive = (flag: string, fallback: number): number => {
    const value = Number(raw(flag) ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${flag}: expected a positive integer, got ${raw(flag)}`);
    return value;
  };
  const workers = (raw('--workers') ?? '1,2,4').split(',').map(Number);
  if (workers.some((w) => !Number.isInteger(w) || w < 1)) throw new RangeError(`--workers: expected e.g. 4 or 1,2,4, got ${raw('--workers')}`);
  return { stores: positive('--stores', 50), workers, orders: positive('--orders', 200), timeoutS: positive('--timeout', 900), cpuProfDir: raw('--cpu-prof') ?? null,
    limitScale: positive('--limit-scale', 1), bulkScale: positive('--bulk-scale', 1), concurrency: positive('--concurrency', 16),
  };
}

function mappingsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipsignal-bench-fleet-'));
  cpSync(join(packageRoot(), 'mappings'), dir, { recursive: true, dereference: true });
  const file = join(dir, 'klaviyo.yaml');
  const document = parseDocument(readFileSync(file, 'utf8'));
  for (const name of ['placedOrder', 'orderedProduct']) document.setIn(['events', name, 'enabled'], true);
  writeFileSync(file, document.toString());
  return dir;
}

class Sandboxes {
  private constructor(private readonly child: ChildProcess) {}
  /** The sandboxes' CPU: one process serving every store's Shopify and Klaviyo, so it can be the bound itself. */
  cpuSeconds(): number {
    return (this.child.pid ? processCpuSeconds(this.child.pid) : null) ?? 0;
  }
  static spawn(): Sandboxes {
    return new Sandboxes(fork(join(__dirname, 'fleet-sandboxes.js'), [], { execArgv: ['--max-old-space-size=2048'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }
  private ask<K extends FleetSandboxMessage['kind']>(message: unknown, kind: K): Promise<Extract<FleetSandboxMessage, { kind: K }>> {
    return new Promise((resolve) => {
      const listen = (reply: FleetSandboxMessage) => {
        if (reply.kind !== kind) return;
        this.child.off('message', listen);
        resolve(reply as Extract<FleetSandboxMessage, { kind: K }>);
      };
      this.child.on('message', listen);
      this.child.send(message as object);
    });
  }
  start(options: Options) {
    const spec = { stores: options.stores, orders: options.orders, seed: 1000, now: NOW, limitScale: options.limitScale, bulkScale: options.bulkScale };
    return this.ask({ kind: 'start', spec }, 'started');
  }
  progress() { return this.ask({ kind: 'progress' }, 'progress'); }
  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ kind: 'close' });
    await exited;
  }
}


interface RunFigures {
  readonly workers: number;
  readonly wallSeconds: number;
  /** From the workers' start to the last sample (the CPU figures' span; the wall time if every store finished). */
  readonly sampledSeconds: number;
  readonly events: number;
  readonly ratios: number[];
  /**
   * Each store's time from its own first event to its last against its minimum: the delivery alone, without the
   * wait for a worker, the worker's start and the store's read before its first request (which the ratio includes).
   */
  readonly deliveryRatios: number[];
  /** Seconds from the workers' start to each store's first event. */
  readonly firstEventSeconds: number[];
  /** The least and the largest store's minimum. */
  readonly minimumSeconds: readonly [number, number];
  readonly firstEventSpread: number;
  readonly doneSpread: number;
  readonly throttled: number;
  readonly workerCpuSeconds: number;
  /** The sandbox process's CPU from the workers' start to the last store done (it runs on the same cores). */
  readonly sandboxCpuSeconds: number;
  readonly servers: CpuTotals;
  readonly finished: number;
  readonly load: readonly [number, number];
}

async function runOnce(options: Options, workers: number, mappings: string): Promise<RunFigures> {
  const fleetName = `bench${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const key = randomBytes(32).toString('base64');
  const redisUrl = process.env.SHIPSIGNAL_FLEET_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const databaseUrl = process.env.SHIPSIGNAL_FLEET_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const sandboxes = Sandboxes.spawn();
  const { stores } = await sandboxes.start(options);
  const registry = await StoreRegistry.open(databaseUrl, fleetName, fleetKey(key));
  const ids = stores.map((_, i) => `${fleetName}-${i}`);
  const children: ChildProcess[] = [];
  try {
    for (const [i, store] of stores.entries()) {
      const own = scaledAccountVariables(options.limitScale, options.bulkScale);
      const vars = splitAssignments(Object.entries({ ...store.env, ...own, SHIPSIGNAL_NOW: NOW, SHIPSIGNAL_MAPPINGS_DIR: mappings }).map(([k, v]) => `${k}=${v}`));
      await registry.put(ids[i], vars, { everyMs: EVERY_MS, reviewsEveryMs: 3_600_000 });
    }
    const loadBefore = loadavg()[0];
    const servers = new ServerCpu();
    const started = Date.now();
    const sandboxCpuBefore = sandboxes.cpuSeconds();
    let sandboxCpu = 0;
    for (let w = 0; w < workers; w++) {
      const profile = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, `--cpu-prof-name=worker-${workers}w-${w}.cpuprofile`] : [];
      children.push(spawn(process.execPath, [...profile, join(packageRoot(), 'dist', 'src', 'cli', 'main.js'), 'worker'], {
        env: {
          PATH: process.env.PATH ?? '', SHIPSIGNAL_FLEET_REDIS_URL: redisUrl, SHIPSIGNAL_FLEET_DATABASE_URL: databaseUrl, SHIPSIGNAL_FLEET_KEY: key,
          SHIPSIGNAL_FLEET_NAME: fleetName, SHIPSIGNAL_HTTP_PORT: '0', SHIPSIGNAL_LOG_LEVEL: 'error', SHIPSIGNAL_WORKER_CONCURRENCY: String(options.concurrency),
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      }));
    }
    const firstEvent: Array<number | null> = stores.map(() => null);
    const complete: Array<number | null> = stores.map(() => null);
    /** When each store's event count last moved: its backfill's last event, of whatever metric. */
    const lastChange: number[] = stores.map(() => started);
    const counts: number[] = stores.map(() => 0);
    let last: readonly StoreProgress[] = [];
    let cpu = 0;
    // Until every store holds its Placed Order and Ordered Product events and no store's count has moved for QUIET_MS:
    // the backfill's other metrics (fulfilments, lifecycle) travel on the same endpoint and count in its minimum.
    const waiting = () => complete.some((d) => d === null) || Date.now() - Math.max(...lastChange) < QUIET_MS;
    while (waiting() && Date.now() - started < options.timeoutS * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      cpu = children.reduce((sum, child) => sum + ((child.pid ? processCpuSeconds(child.pid) : null) ?? 0), 0);
      sandboxCpu = sandboxes.cpuSeconds() - sandboxCpuBefore;
      servers.sample();
      last = (await sandboxes.progress()).stores;
      const now = Date.now();
      last.forEach((progress, i) => {
        if (firstEvent[i] === null && progress.events > 0) firstEvent[i] = now;
        if (complete[i] === null && progress.expectedMetricEvents >= stores[i].expectedEvents) complete[i] = now;
        if (progress.events !== counts[i]) [counts[i], lastChange[i]] = [progress.events, now];
      });
    }
    const done = complete.map((d, i) => (d === null ? null : lastChange[i]));
    // The same limits and maxima the store's account enforces and its workers were given.
    const limits = scaleLimits(DOCUMENTED_LIMITS, options.limitScale);
    // Every event the store's account ended up with (all metrics: each went through the bulk events endpoint).
    const minimum = (i: number) => minimumSeconds(neededRequests({ events: counts[i], profiles: stores[i].customers }, bulkMaxima(options.bulkScale)), limits);
    const serverTotals = servers.totals();
    const finishedTimes = done.filter((d): d is number => d !== null);
    const spread = (times: Array<number | null>) => {
      const present = times.filter((t): t is number => t !== null);
      return present.length > 0 ? (Math.max(...present) - Math.min(...present)) / 1000 : 0;
    };
    return {
      workers,
      wallSeconds: ((finishedTimes.length > 0 ? Math.max(...finishedTimes) : Date.now()) - started) / 1000,
      sampledSeconds: (Date.now() - started) / 1000,
      events: last.reduce((sum, p) => sum + p.events, 0),
      // Against its own minimum, at least a second (a small store's minimum is 0 s: one request per endpoint).
      ratios: done.map((d, i) => (d === null ? Number.POSITIVE_INFINITY : (d - started) / 1000 / Math.max(1, minimum(i)))),
      minimumSeconds: [Math.min(...stores.map((_, i) => minimum(i))), Math.max(...stores.map((_, i) => minimum(i)))],
      firstEventSpread: spread(firstEvent),
      deliveryRatios: done.map((d, i) => (d === null || firstEvent[i] === null ? Number.POSITIVE_INFINITY : (d - (firstEvent[i] as number)) / 1000 / Math.max(1, minimum(i)))),
      firstEventSeconds: firstEvent.map((f) => (f === null ? Number.POSITIVE_INFINITY : (f - started) / 1000)),
      doneSpread: spread(done),
      throttled: last.reduce((sum, p) => sum + p.throttled, 0),
      workerCpuSeconds: cpu,
      sandboxCpuSeconds: sandboxCpu,
      servers: serverTotals,
      finished: finishedTimes.length,
      load: [loadBefore, loadavg()[0]],
    };
  } finally {
    await Promise.all(children.map((child) => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    })));
    const queue = openQueue(redisUrl, fleetName);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    for (const id of ids) await registry.remove(id);
    await registry.close();
    await sandboxes.close();
  }
}

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const mappings = mappingsDir();
  const runs: RunFigures[] = [];
  try {
    for (const workers of options.workers) runs.push(await runOnce(options, workers, mappings));
  } finally {
    rmSync(mappings, { recursive: true, force: true });
  }
  const rows = runs.map((run): [string, ...string[]] => {
    const ours = run.workerCpuSeconds + run.sandboxCpuSeconds + run.servers.redis + run.servers.postgres;
    const ratios = [0, 0.5, 0.9, 1].map((q) => decimal(quantile(run.ratios, q), 2)).join(' / ');
    return [
      integer(run.workers), `${run.finished}/${options.stores}`, integer(run.events), decimal(run.wallSeconds), decimal(run.events / run.wallSeconds, 0),
      run.minimumSeconds.map((m) => decimal(m)).join('-'), ratios, [0.5, 1].map((q) => decimal(quantile(run.deliveryRatios, q), 2)).join(' / '),
      [0, 0.5, 1].map((q) => decimal(quantile(run.firstEventSeconds, q))).join(' / '), decimal(run.doneSpread), integer(run.throttled),
      [run.workerCpuSeconds, run.sandboxCpuSeconds, run.servers.redis, run.servers.postgres].map((c) => decimal(c, 1)).join(' / '),
      `${decimal((100 * ours) / (run.sampledSeconds * run.servers.cores), 0)} %`, `${decimal((100 * run.servers.machineBusy) / run.servers.machineTotal, 0)} %`,
      run.load.map((l) => decimal(l, 1)).join(' → '),
    ];
  });
  const scaled = options.limitScale > 1 || options.bulkScale > 1
    ? `SCALED accounts: documented rate limits ÷ ${options.limitScale}, bulk maxima ÷ ${options.bulkScale} (${JSON.stringify(scaledAccountVariables(options.limitScale, options.bulkScale))})`
    : 'documented limits';
  process.stdout.write(`bench:fleet — ${options.stores} stores × ${options.orders} orders, each its own Klaviyo account (${scaled}); concurrency ${options.concurrency} per worker; schedule every ${EVERY_MS / 1000} s; ${cpus().length} cores\n`);
  process.stdout.write(formatTable(
    ['workers', 'stores done', 'events', 'wall s', 'events/s', 'store minimum s', 'store ratio min / p50 / p90 / max', 'first event → done ratio p50 / max', 'first event s min / p50 / max', 'done spread s', '429s',
      'CPU s workers / sandbox / redis / postgres', 'those / (wall × cores)', 'machine busy', 'load 1 min'],
    rows,
  ));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:fleet: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
