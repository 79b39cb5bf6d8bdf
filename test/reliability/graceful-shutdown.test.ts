import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../src/sandbox/local-stack';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import type { SandboxStore } from '../../src/sandbox/shopify/store';
import { ManualClock } from '../../src/util/clock';
import { freePort, logLines, readState, sleepMs, spawnCli, writeMappings } from '../helpers/child-daemon';
import { auditDelivery, NO_PROBLEMS, problems } from '../helpers/delivery-audit';

/**
 * Issue 5, guarantee 5: `shipsignal run` as a child process gets SIGTERM in the middle of its work (the Shopify bulk
 * backfill, the drain into Klaviyo, a drain retrying against a Klaviyo outage) and must exit 0 within
 * SHIPSIGNAL_SHUTDOWN_TIMEOUT_MS; a restart then completes the work with nothing lost or doubled.
 */
const SHUTDOWN_TIMEOUT_MS = 5000;
const STORE_END = new Date('2026-01-01T00:00:00Z');

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleepMs(10);
  }
}

describe('graceful shutdown on SIGTERM', () => {
  const clock = new ManualClock(STORE_END);
  let stack: LocalStack;
  let store: SandboxStore;
  let dir: string;

  beforeAll(async () => {
    store = generateStore({ orders: 1000, seed: 11, start: new Date(STORE_END.getTime() - 365 * 86_400_000), spanDays: 365, clock });
    stack = await startLocalStack({ store, storeClock: clock, klaviyoRateLimits: 'documented' });
    dir = mkdtempSync(join(tmpdir(), 'shipsignal-shutdown-'));
    writeMappings(dir, ['placedOrder', 'orderedProduct']);
  });

  afterAll(async () => {
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cases: ReadonlyArray<{ name: string; outage: boolean; until: (s: LocalStack) => boolean }> = [
    { name: 'during the Shopify bulk backfill', outage: false, until: (s) => s.shopify.requests().length >= 2 && s.klaviyo.requests().length === 0 },
    { name: 'during the drain into Klaviyo', outage: false, until: (s) => s.klaviyo.requests().length >= 1 },
    { name: 'while the drain retries against a Klaviyo outage', outage: true, until: (s) => s.klaviyo.requests().length >= 3 },
  ];

  it.each(cases)('exits 0 in time $name, and a restart delivers everything once', async ({ name, outage, until }) => {
    stack.klaviyo.reset();
    stack.klaviyo.faults.outage(outage);
    const stateUrl = `sqlite://${join(dir, `${name.replace(/\W+/g, '-')}.sqlite`)}`;
    const env = {
      ...stack.env,
      SHIPSIGNAL_STATE_URL: stateUrl,
      SHIPSIGNAL_MAPPINGS_DIR: dir,
      SHIPSIGNAL_NOW: clock.now().toISOString(),
      SHIPSIGNAL_HTTP_PORT: String(await freePort()),
      SHIPSIGNAL_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      SHIPSIGNAL_SYNC_CRON: '0 0 1 1 *',
      SHIPSIGNAL_LOG_LEVEL: 'info',
    };
    const daemon = spawnCli('run', env);
    await waitFor(() => until(stack), name);
    const signalled = Date.now();
    daemon.kill('SIGTERM');
    const exit = await daemon.exited;
    const tookMs = Date.now() - signalled;
    const messages = logLines(daemon.stdout()).map((line) => String(line.message));
    expect({ exit, stderr: daemon.stderr() }).toEqual({ exit: { code: 0, signal: null }, stderr: '' });
    expect(tookMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(messages).toEqual(expect.arrayContaining(['shipsignal stopping', 'shipsignal stopped']));

    // Abandoned, not lost: what Klaviyo did not take is still queued on disk for the restart.
    const { outboxBatches } = await readState(stateUrl);
    if (outage) expect(outboxBatches).toBeGreaterThan(0);

    stack.klaviyo.faults.outage(false);
    const restart = spawnCli('sync', { ...env, SHIPSIGNAL_LOG_LEVEL: 'warn' });
    expect(await restart.exited).toEqual({ code: 0, signal: null });
    const audit = await auditDelivery(store, stack.klaviyo, stateUrl);
    console.log(`shutdown ${name}: exit 0 after ${tookMs} ms, ${outboxBatches} outbox batch(es) left; restart: events checked=${audit.eventsChecked}, profiles checked=${audit.profilesChecked}, duplicates dropped=${audit.duplicatesDropped}, lost=${audit.counts.lost}`);
    expect(problems(audit)).toEqual(NO_PROBLEMS);
  }, 120_000);
});
