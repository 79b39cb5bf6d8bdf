import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../src/sandbox/local-stack';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import type { SandboxStore } from '../../src/sandbox/shopify/store';
import { mulberry32 } from '../../src/util/prng';
import type { StoreRegistry } from '../../src/fleet/registry';
import { freePort, sleepMs, spawnCli, writeMappings, type ChildDaemon } from '../helpers/child-daemon';
import { NO_PROBLEMS, problems } from '../helpers/delivery-audit';
import { addStackStore, auditUntilClean, fleetEnv, obliterateFleet, openRegistry, testFleet } from '../helpers/fleet';

/**
 * Issue 18: two `shipsignal worker` processes share a fleet backfill of three stores (each its own Shopify and
 * Klaviyo sandbox and account, documented rate limits) and are SIGKILLed at seeded-random points, each restarted at
 * once. BullMQ gives a dead worker's jobs to the living (stalled-job recovery), the stores' leases and outboxes do the
 * rest. Once the workers have caught up: every store's account holds exactly its expected events once and its
 * expected profiles, and no store's customer appears in another's account.
 *
 *   SHIPSIGNAL_FLEET_KILL_SEED=<n>  replays the kill times;  SHIPSIGNAL_FLEET_KILLS=<n> (default 6)
 * Needs `npm run build` first when run alone (the workers are the built CLI).
 */
const SEED = Number(process.env.SHIPSIGNAL_FLEET_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KILLS = Number(process.env.SHIPSIGNAL_FLEET_KILLS ?? 6);
const END = new Date('2026-01-01T00:00:00Z');
const DAY = 86_400_000;

describe(`fleet workers SIGKILLed during a backfill (seed ${SEED}, ${KILLS} kills)`, () => {
  const fleet = testFleet({ SHIPSIGNAL_WORKER_LOCK_MS: 3_000 });
  const random = mulberry32(SEED);
  let stacks: LocalStack[] = [];
  let stores: SandboxStore[] = [];
  let registry: StoreRegistry;
  let dir: string;
  const ids = [0, 1, 2].map((i) => `${fleet.SHIPSIGNAL_FLEET_NAME}-s${i}`);
  const children: ChildDaemon[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shipsignal-fleet-kill-'));
    writeMappings(dir, ['placedOrder', 'orderedProduct']);
    stores = [41, 42, 43].map((seed) => generateStore({ orders: 250, seed, start: new Date(END.getTime() - 300 * DAY), spanDays: 300 }));
    stacks = await Promise.all(stores.map((store, i) => startLocalStack({
      store, klaviyoRateLimits: 'documented',
      credentials: { klaviyoApiKey: `pk_fleet_kill_${i}_${fleet.SHIPSIGNAL_FLEET_NAME}` },
    })));
    registry = await openRegistry(fleet);
    for (const [i, id] of ids.entries()) {
      await addStackStore(registry, id, stacks[i], { SHIPSIGNAL_NOW: END.toISOString(), SHOPIFY_BULK_BACKFILL: i === 0 ? 'true' : 'false' }, 2_000);
    }
  }, 60_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await obliterateFleet(fleet);
    for (const id of ids) await registry?.remove(id);
    await registry?.close();
    await Promise.all(stacks.map((stack) => stack.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every store exactly once to its own account whoever dies', async () => {
    const env = async (): Promise<Record<string, string>> => ({
      ...fleetEnv(fleet), SHIPSIGNAL_HTTP_PORT: String(await freePort()), SHIPSIGNAL_LOG_LEVEL: 'error',
      SHIPSIGNAL_MAPPINGS_DIR: dir, SHIPSIGNAL_LEASE_TTL_MS: '3000',
    });
    const workers: ChildDaemon[] = [];
    const spawnWorker = async () => {
      const child = spawnCli('worker', await env());
      children.push(child);
      return child;
    };
    workers.push(await spawnWorker(), await spawnWorker());
    const trail: string[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const delay = 1_500 + Math.floor(random() * 4_000);
      await sleepMs(delay);
      const victim = Math.floor(random() * workers.length);
      workers[victim].kill('SIGKILL');
      const exit = await workers[victim].exited;
      if (exit.signal !== 'SIGKILL') throw new Error(`worker ${victim} had already exited: ${JSON.stringify(exit)}\n${workers[victim].stderr()}`);
      trail.push(`after ${delay} ms killed worker ${victim}`);
      workers[victim] = await spawnWorker();
    }

    // Caught up: every store's audit is clean (or the deadline passes and the last audits are the failure).
    const audits = await auditUntilClean(stores, stacks, ids, 150_000);
    for (const worker of workers) worker.kill('SIGTERM');
    const exits = await Promise.all(workers.map((worker) => worker.exited));
    console.log(`fleet kill test seed=${SEED}: ${trail.join('; ')}; ` + audits.map((audit, i) => `store ${i}: events ${audit.eventsChecked}, profiles ${audit.profilesChecked}, duplicates dropped by Klaviyo ${audit.duplicatesDropped}`).join('; '));
    for (const audit of audits) expect(problems(audit)).toEqual(NO_PROBLEMS);
    // No store's customer in another store's account (the seeds share no email).
    for (const [i, stack] of stacks.entries()) {
      const own = new Set(audits[i].profilesChecked > 0 ? [...Array(stores[i].size).keys()].map((k) => (stores[i].recordAt(k).customer?.email ?? stores[i].recordAt(k).email ?? '').trim().toLowerCase()) : []);
      expect(stack.klaviyo.profiles().map((p) => p.email ?? '').filter((email) => !own.has(email))).toEqual([]);
      expect(stack.klaviyo.validationFailures()).toEqual([]);
    }
    expect(exits.map((exit) => exit.code)).toEqual([0, 0]);
  }, 300_000);
});
