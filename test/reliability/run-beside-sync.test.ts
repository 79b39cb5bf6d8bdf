import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../src/sandbox/local-stack';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import type { SandboxStore } from '../../src/sandbox/shopify/store';
import { ManualClock } from '../../src/util/clock';
import { mulberry32 } from '../../src/util/prng';
import { sleepMs, spawnCli, writeMappings } from '../helpers/child-daemon';
import { auditDelivery, NO_PROBLEMS, problems } from '../helpers/delivery-audit';
import { storeActivity } from '../helpers/store-activity';

/**
 * Issue 12: `shipsignal run` and concurrent `shipsignal sync` runs on the same state while the store changes, then
 * the daemon is SIGKILLed while it holds its leases and a last `sync` must take them over once they expire. Klaviyo
 * must end with every expected event exactly once and the expected profiles, on each state backend.
 */
const DAY = 86_400_000;
const STORE_END = new Date('2026-01-01T00:00:00Z');
const ORDERS = Number(process.env.SHIPSIGNAL_RUNSYNC_ORDERS ?? 400);

const BACKENDS: ReadonlyArray<[string, (dir: string) => string]> = [
  ['sqlite', (dir) => `sqlite://${join(dir, 'state.sqlite')}`],
  ['redis', () => process.env.SHIPSIGNAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'],
  ['postgres', () => process.env.SHIPSIGNAL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'],
];

describe.each(BACKENDS)('run beside sync on %s', (backend, urlFor) => {
  const clock = new ManualClock(STORE_END);
  const random = mulberry32(11);
  let stack: LocalStack;
  let dir: string;
  let store: SandboxStore;

  beforeAll(async () => {
    store = generateStore({ orders: ORDERS, seed: 12, start: new Date(STORE_END.getTime() - 365 * DAY), spanDays: 365, clock });
    stack = await startLocalStack({ store, storeClock: clock, klaviyoRateLimits: 'documented' });
    dir = mkdtempSync(join(tmpdir(), `shipsignal-runsync-${backend}-`));
    writeMappings(dir, ['placedOrder', 'orderedProduct']);
  });

  afterAll(async () => {
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every event exactly once, and a lease held by a killed daemon is taken over after it expires', async () => {
    // A fresh namespace per run: a shared Redis or PostgreSQL keeps earlier runs' state.
    const storeId = `runsync-${backend}-${Date.now()}`;
    const env = (): Record<string, string> => ({
      ...stack.env,
      SHIPSIGNAL_STATE_URL: urlFor(dir),
      SHIPSIGNAL_STORE_ID: storeId,
      SHIPSIGNAL_MAPPINGS_DIR: dir,
      SHIPSIGNAL_NOW: clock.now().toISOString(),
      SHIPSIGNAL_LOG_LEVEL: 'warn',
      SHIPSIGNAL_HTTP_PORT: '0',
      SHIPSIGNAL_SYNC_CRON: '*/2 * * * * *',
      SHIPSIGNAL_REVIEW_CRON: '*/3 * * * * *',
      SHIPSIGNAL_LEASE_TTL_MS: '3000',
    });
    const regulars = Array.from({ length: 20 }, () => Math.floor(random() * store.size));
    const daemon = spawnCli('run', env());
    let syncs = 0;
    try {
      for (let round = 0; round < 4; round++) {
        await sleepMs(1500);
        clock.advance(DAY);
        storeActivity(store, random, regulars, `runsync-${round}`);
        const sync = spawnCli('sync', env());
        const exit = await sync.exited;
        if (exit.code !== 0) throw new Error(`sync ${round} exited ${JSON.stringify(exit)}\n${sync.stderr()}`);
        syncs += 1;
      }
      // Killed mid-tick: its leases (job kinds, maybe the writer) are left held until they expire.
      storeActivity(store, random, regulars, 'runsync-last');
      await sleepMs(2100);
      daemon.kill('SIGKILL');
      expect((await daemon.exited).signal).toBe('SIGKILL');
    } finally {
      daemon.kill('SIGKILL');
    }
    const started = Date.now();
    const last = spawnCli('sync', env());
    const exit = await last.exited;
    if (exit.code !== 0) throw new Error(`last sync exited ${JSON.stringify(exit)}\n${last.stderr()}`);
    const audit = await auditDelivery(store, stack.klaviyo, urlFor(dir), storeId);
    console.log(`${backend}: ${syncs} syncs beside the daemon, last sync after the kill took ${Date.now() - started} ms; events checked=${audit.eventsChecked}, profiles checked=${audit.profilesChecked}, duplicates dropped=${audit.duplicatesDropped}, lost=${audit.counts.lost}`);
    expect(problems(audit)).toEqual(NO_PROBLEMS);
    expect(audit.eventsChecked).toBeGreaterThan(0);
  }, 240_000);
});
