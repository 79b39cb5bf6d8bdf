/**
 * `npm run bench:fleet [-- --stores 50 --workers 1,2,4 --orders 200]`: a fleet backfill of N stores, each its own
 * synthetic Shopify store and its own Klaviyo account with the documented limits (all in one sandbox child), run
 * by W `shipsignal worker` processes on one Redis and one PostgreSQL (SHIPSIGNAL_FLEET_REDIS_URL and
 * SHIPSIGNAL_FLEET_DATABASE_URL, default the local ones). Per worker count: the time until every store's account
 * holds all its events, each store's time against its own rate-limit minimum, throughput, the spread between stores,
 * and the workers' CPU time.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { openQueue } from '../fleet/queue';
import { StoreRegistry } from '../fleet/registry';
import { fleetKey } from '../fleet/sealed';
import { splitAssignments } from '../fleet/store-env';
import { DOCUMENTED_LIMITS } from '../sinks/klaviyo/limits';
import { packageRoot } from '../util/package-root';
import type { FleetSandboxMessage, StoreProgress } from './fleet-sandboxes';
import { minimumSeconds, neededRequests } from './rate-minimum';
import { decimal, formatTable, integer } from './table';

const NOW = '2026-01-01T00:00:00Z';
const EVERY_MS = 60_000;

interface Options {
  readonly stores: number; readonly workers: readonly number[]; readonly orders: number; readonly timeoutS: number;
  /** `--cpu-prof <dir>`: each worker writes a V8 CPU profile there on exit (where its CPU goes, per function). */
  readonly cpuProfDir: string | null;
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
  return { stores: positive('--stores', 50), workers, orders: positive('--orders', 200), timeoutS: positive('--timeout', 900), cpuProfDir: raw('--cpu-prof') ?? null };
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
    return this.child.pid ? cpuSeconds(this.child.pid) : 0;
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
  start(stores: number, orders: number) { return this.ask({ kind: 'start', spec: { stores, orders, seed: 1000, now: NOW } }, 'started'); }
  progress() { return this.ask({ kind: 'progress' }, 'progress'); }
  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ kind: 'close' });
    await exited;
  }
}

/** user + system CPU seconds of a live process, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

interface RunFigures {
  readonly workers: number;
  readonly wallSeconds: number;
  readonly events: number;
  readonly ratios: number[];
  readonly minimumSeconds: number;
  readonly firstEventSpread: number;
  readonly doneSpread: number;
  readonly throttled: number;
  readonly workerCpuSeconds: number;
  /** The sandbox process's CPU from the workers' start to the last store done (it runs on the same cores). */
  readonly sandboxCpuSeconds: number;
  readonly finished: number;
}

async function runOnce(options: Options, workers: number, mappings: string): Promise<RunFigures> {
  const fleetName = `bench${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const key = randomBytes(32).toString('base64');
  const redisUrl = process.env.SHIPSIGNAL_FLEET_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const databaseUrl = process.env.SHIPSIGNAL_FLEET_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const sandboxes = Sandboxes.spawn();
  const { stores } = await sandboxes.start(options.stores, options.orders);
  const registry = await StoreRegistry.open(databaseUrl, fleetName, fleetKey(key));
  const ids = stores.map((_, i) => `${fleetName}-${i}`);
  const children: ChildProcess[] = [];
  try {
    for (const [i, store] of stores.entries()) {
      const vars = splitAssignments(Object.entries({ ...store.env, SHIPSIGNAL_NOW: NOW, SHIPSIGNAL_MAPPINGS_DIR: mappings }).map(([k, v]) => `${k}=${v}`));
      await registry.put(ids[i], vars, { everyMs: EVERY_MS, reviewsEveryMs: 3_600_000 });
    }
    const started = Date.now();
    const sandboxCpuBefore = sandboxes.cpuSeconds();
    let sandboxCpu = 0;
    for (let w = 0; w < workers; w++) {
      const profile = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, `--cpu-prof-name=worker-${workers}w-${w}.cpuprofile`] : [];
      children.push(spawn(process.execPath, [...profile, join(packageRoot(), 'dist', 'src', 'cli', 'main.js'), 'worker'], {
        env: {
          PATH: process.env.PATH ?? '', SHIPSIGNAL_FLEET_REDIS_URL: redisUrl, SHIPSIGNAL_FLEET_DATABASE_URL: databaseUrl, SHIPSIGNAL_FLEET_KEY: key,
          SHIPSIGNAL_FLEET_NAME: fleetName, SHIPSIGNAL_HTTP_PORT: '0', SHIPSIGNAL_LOG_LEVEL: 'error', SHIPSIGNAL_WORKER_CONCURRENCY: '16',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      }));
    }
    const firstEvent: Array<number | null> = stores.map(() => null);
    const done: Array<number | null> = stores.map(() => null);
    let last: readonly StoreProgress[] = [];
    let cpu = 0;
    while (done.some((d) => d === null) && Date.now() - started < options.timeoutS * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      cpu = children.reduce((sum, child) => sum + (child.pid ? cpuSeconds(child.pid) : 0), 0);
      sandboxCpu = sandboxes.cpuSeconds() - sandboxCpuBefore;
      last = (await sandboxes.progress()).stores;
      const now = Date.now();
      last.forEach((progress, i) => {
        if (firstEvent[i] === null && progress.events > 0) firstEvent[i] = now;
        if (done[i] === null && progress.events >= stores[i].expectedEvents) done[i] = now;
      });
    }
    const minimum = (i: number) => minimumSeconds(neededRequests({ events: stores[i].expectedEvents, profiles: stores[i].customers }), DOCUMENTED_LIMITS);
    const finishedTimes = done.filter((d): d is number => d !== null);
    const spread = (times: Array<number | null>) => {
      const present = times.filter((t): t is number => t !== null);
      return present.length > 0 ? (Math.max(...present) - Math.min(...present)) / 1000 : 0;
    };
    return {
      workers,
      wallSeconds: ((finishedTimes.length > 0 ? Math.max(...finishedTimes) : Date.now()) - started) / 1000,
      events: last.reduce((sum, p) => sum + p.events, 0),
      // Against its own minimum, at least a second (a small store's minimum is 0 s: one request per endpoint).
      ratios: done.map((d, i) => (d === null ? Number.POSITIVE_INFINITY : (d - started) / 1000 / Math.max(1, minimum(i)))),
      minimumSeconds: Math.max(...stores.map((_, i) => minimum(i))),
      firstEventSpread: spread(firstEvent),
      doneSpread: spread(done),
      throttled: last.reduce((sum, p) => sum + p.throttled, 0),
      workerCpuSeconds: cpu,
      sandboxCpuSeconds: sandboxCpu,
      finished: finishedTimes.length,
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
  const rows = runs.map((run): [string, ...string[]] => [
    integer(run.workers), `${run.finished}/${options.stores}`, integer(run.events), decimal(run.wallSeconds), decimal(run.events / run.wallSeconds, 0),
    decimal(run.minimumSeconds), decimal(quantile(run.ratios, 0.5), 2), decimal(Math.max(...run.ratios), 2),
    decimal(run.firstEventSpread), decimal(run.doneSpread), integer(run.throttled), decimal(run.workerCpuSeconds, 1), decimal(run.sandboxCpuSeconds, 1),
  ]);
  process.stdout.write(`bench:fleet — ${options.stores} stores × ${options.orders} orders, each its own Klaviyo account (documented limits); schedule every ${EVERY_MS / 1000} s\n`);
  process.stdout.write(formatTable(
    ['workers', 'stores done', 'events', 'wall s', 'events/s', 'max store minimum s', 'store ratio p50', 'store ratio max', 'first-event spread s', 'done spread s', '429s', 'worker CPU s', 'sandbox CPU s'],
    rows,
  ));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:fleet: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
