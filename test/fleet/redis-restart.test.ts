import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../src/sandbox/local-stack';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import type { SandboxStore } from '../../src/sandbox/shopify/store';
import type { StoreRegistry } from '../../src/fleet/registry';
import type { FleetWorker, WorkerEvent } from '../../src/fleet/worker';
import { freePort, sleepMs, writeMappings } from '../helpers/child-daemon';
import { NO_PROBLEMS, problems } from '../helpers/delivery-audit';
import { addStackStore, auditUntilClean, openRegistry, startTestWorker, testFleet } from '../helpers/fleet';

/**
 * Issue 18: the fleet's Redis is restarted in the middle of a two-store backfill. It is this test's own redis-server
 * (never the shared one), without persistence, so the restart loses every queued job, scheduler, lock and rate
 * window: the workers must reconnect on their own, put the schedulers back (every worker re-upserts them), and
 * finish from the stores' state in PostgreSQL. Then each account holds exactly its expected events and profiles.
 */
const END = new Date('2026-01-01T00:00:00Z');
const DAY = 86_400_000;

function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}`)));
  });
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('fleet: Redis restarted during a run', () => {
  let port: number;
  let redis: ChildProcess;
  let stacks: LocalStack[] = [];
  let stores: SandboxStore[] = [];
  let registry: StoreRegistry;
  let workers: FleetWorker[] = [];
  let dir: string;
  let fleet: ReturnType<typeof testFleet>;
  let ids: string[] = [];

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    fleet = testFleet({ SHIPSIGNAL_FLEET_REDIS_URL: `redis://127.0.0.1:${port}`, SHIPSIGNAL_WORKER_LOCK_MS: 3_000 });
    ids = [0, 1].map((i) => `${fleet.SHIPSIGNAL_FLEET_NAME}-r${i}`);
    dir = mkdtempSync(join(tmpdir(), 'shipsignal-fleet-redis-'));
    writeMappings(dir, ['placedOrder', 'orderedProduct']);
    stores = [51, 52].map((seed) => generateStore({ orders: 300, seed, start: new Date(END.getTime() - 300 * DAY), spanDays: 300 }));
    stacks = await Promise.all(stores.map((store, i) => startLocalStack({
      store, klaviyoRateLimits: 'documented', shopifyThrottle: { maximumAvailable: 1000, restoreRate: 100 },
      credentials: { klaviyoApiKey: `pk_fleet_redis_${i}_${fleet.SHIPSIGNAL_FLEET_NAME}` },
    })));
    registry = await openRegistry(fleet);
    for (const [i, id] of ids.entries()) {
      await addStackStore(registry, id, stacks[i], { SHIPSIGNAL_NOW: END.toISOString(), SHOPIFY_BULK_BACKFILL: 'false', SHIPSIGNAL_MAPPINGS_DIR: dir }, 2_000);
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close(1_000)));
    if (redis) await stopRedis(redis);
    for (const id of ids) await registry?.remove(id);
    await registry?.close();
    await Promise.all(stacks.map((stack) => stack.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
    // Two workers' graceful close (1 s each, then as long again for a job that ignores the abort), two stacks and
    // the registry: seconds alone, but a full suite on two cores once took the hook past the default 60 s.
  }, 120_000);

  it('reconnects, resumes and loses nothing', async () => {
    const events: WorkerEvent[] = [];
    workers = [
      await startTestWorker(fleet, events, { SHIPSIGNAL_LEASE_TTL_MS: '3000' }, 2_000),
      await startTestWorker(fleet, events, { SHIPSIGNAL_LEASE_TTL_MS: '3000' }, 2_000),
    ];
    // Mid-backfill: some orders jobs have started, nothing is finished yet.
    const started = Date.now();
    while (!events.some((event) => event.job === 'orders' && event.phase === 'start') && Date.now() - started < 30_000) await sleepMs(100);
    // ...and the first events have reached an account, so the restart cuts a delivery in the middle.
    while (stacks.every((stack) => stack.klaviyo.events().length === 0) && Date.now() - started < 40_000) await sleepMs(100);
    const before = stacks.map((stack) => stack.klaviyo.events().length);
    await stopRedis(redis);
    await sleepMs(3_000);
    redis = await startRedis(port);
    const restartedAt = events.length;

    const audits = await auditUntilClean(stores, stacks, ids, 150_000);
    console.log(`redis restart: events before the restart ${before.join(', ')}; jobs after it ${events.slice(restartedAt).filter((e) => e.phase === 'taken').length}; `
      + audits.map((audit, i) => `store ${i}: events ${audit.eventsChecked}, profiles ${audit.profilesChecked}`).join('; '));
    // The restart landed mid-run: not everything had been delivered before it.
    expect(before.some((count) => count > 0)).toBe(true);
    expect(before.some((count, i) => count < audits[i].eventsChecked)).toBe(true);
    // Work went on after the restart (jobs from the re-upserted schedulers).
    expect(events.slice(restartedAt).filter((e) => e.phase === 'taken').length).toBeGreaterThan(0);
    for (const audit of audits) expect(problems(audit)).toEqual(NO_PROBLEMS);
  }, 240_000);
});
