import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../src/sandbox/local-stack';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import type { SandboxStore } from '../../src/sandbox/shopify/store';
import { ManualClock } from '../../src/util/clock';
import { mulberry32 } from '../../src/util/prng';
import { readState, sleepMs, spawnCli, writeMappings, type ChildExit } from '../helpers/child-daemon';
import { auditDelivery, NO_PROBLEMS, problems, productCountProblems } from '../helpers/delivery-audit';
import { storeActivity } from '../helpers/store-activity';

/**
 * Issue 5, guarantee 1: the built daemon runs as a child process and is SIGKILLed at seeded-random points, again and
 * again, while the store keeps changing between runs (refunds, cancellations, new orders, time passing), so kills
 * land in the first backfill, its re-assessment, incremental syncs, reviews and the drain. One clean run at the end;
 * then the Klaviyo sandbox must hold every expected event exactly once and every profile at its expected value, and
 * the outbox must be empty.
 *
 * Knobs (the defaults keep this near two minutes whatever the seed):
 *   SHIPSIGNAL_CRASH_SEED=<n>     replays a run's kill delays and store mutations (printed on every run)
 *   SHIPSIGNAL_CRASH_KILLS=<n>    kills to survive (default 10)
 *   SHIPSIGNAL_CRASH_SECONDS=<n>  time budget for the kill rounds (default 75): once spent, the rounds stop after
 *                                 at least 5 kills (fewer when KILLS asks fewer). A seed's run time varied from 142 s
 *                                 to 266 s when only the kill count bounded it, which put the suite past its budget.
 *   SHIPSIGNAL_CRASH_ORDERS=<n>   synthetic store size (default 1500)
 *   SHIPSIGNAL_CRASH_KEEP=1       keeps the state file and mappings for inspection (path printed on failure)
 * e.g. `npm run build && SHIPSIGNAL_CRASH_KILLS=200 SHIPSIGNAL_CRASH_ORDERS=20000 npx jest test/reliability/crash`
 */
const SEED = Number(process.env.SHIPSIGNAL_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KILLS = Number(process.env.SHIPSIGNAL_CRASH_KILLS ?? 10);
const ORDERS = Number(process.env.SHIPSIGNAL_CRASH_ORDERS ?? 1500);
const BUDGET_MS = Number(process.env.SHIPSIGNAL_CRASH_SECONDS ?? 75) * 1000;
const MIN_KILLS = Math.min(KILLS, 5);
const DAY = 86_400_000;
const STORE_END = new Date('2026-01-01T00:00:00Z');
const HORIZON = Math.min(STORE_END.getTime() + 300 * DAY, Date.now() + 300 * DAY);

describe(`crash consistency under SIGKILL (seed ${SEED}, ${KILLS} kills, ${ORDERS} orders)`, () => {
  const clock = new ManualClock(STORE_END);
  const random = mulberry32(SEED);
  let stack: LocalStack;
  let dir: string;
  let store: SandboxStore;

  beforeAll(async () => {
    store = generateStore({ orders: ORDERS, seed: 7, start: new Date(STORE_END.getTime() - 365 * DAY), spanDays: 365, clock });
    stack = await startLocalStack({ store, storeClock: clock, klaviyoRateLimits: 'documented' });
    dir = mkdtempSync(join(tmpdir(), 'shipsignal-crash-'));
    writeMappings(dir, ['placedOrder', 'orderedProduct']);
  });

  afterAll(async () => {
    await stack?.close();
    if (dir && !process.env.SHIPSIGNAL_CRASH_KEEP) rmSync(dir, { recursive: true, force: true });
  });

  it('loses and doubles nothing however often the daemon is killed', async () => {
    const stateUrl = `sqlite://${join(dir, 'state.sqlite')}`;
    const env = (): Record<string, string> => ({
      ...stack.env,
      SHIPSIGNAL_STATE_URL: stateUrl,
      SHIPSIGNAL_MAPPINGS_DIR: dir,
      SHIPSIGNAL_NOW: clock.now().toISOString(),
      SHIPSIGNAL_LOG_LEVEL: 'warn',
    });
    const regulars = Array.from({ length: 40 }, () => Math.floor(random() * store.size));
    let kills = 0;
    let completed = 0;
    let mutations = 0;
    // Kill delays span start-up to a little past a typical run, learned from the runs that finished.
    let typicalMs = 10_000;
    let killStreak = 0;
    const trail: string[] = [];
    try {
      const began = Date.now();
      const more = (): boolean => kills < KILLS && (kills < MIN_KILLS || Date.now() - began < BUDGET_MS);
      for (let round = 0; more(); round++) {
        clock.advance(60_000);
        if (round > 0 && random() < 0.6) {
          // Simulated time stays within Klaviyo's window: event times more than a year ahead of the real clock
          // are rejected (rightly, into the rejects log), which would read as lost events here.
          clock.advance(Math.floor(random() * Math.min(20 * DAY, Math.max(0, HORIZON - clock.now().getTime()))));
          const done = storeActivity(store, random, regulars, `${SEED}-${round}`);
          mutations += done.length;
          trail.push(`round ${round}: ${done.join(', ')}`);
        }
        // After three kills in a row one run may finish, so later kills also land in incremental syncs.
        const delay = killStreak >= 3 ? null : 150 + Math.floor(random() * typicalMs * 1.2);
        const started = Date.now();
        const child = spawnCli('sync', env());
        const outcome = await Promise.race([child.exited, delay === null ? new Promise<never>(() => undefined) : sleepMs(delay).then(() => null)]);
        if (outcome === null) {
          child.kill('SIGKILL');
          const exit: ChildExit = await child.exited;
          if (exit.signal !== 'SIGKILL') throw new Error(`round ${round}: expected a SIGKILL death, got ${JSON.stringify(exit)}\n${child.stderr()}`);
          kills += 1;
          killStreak += 1;
          trail.push(`round ${round}: killed after ${delay} ms`);
        } else {
          if (outcome.code !== 0) throw new Error(`round ${round}: sync exited ${JSON.stringify(outcome)}\n${child.stderr()}`);
          completed += 1;
          killStreak = 0;
          typicalMs = Math.max(500, Date.now() - started);
          trail.push(`round ${round}: completed in ${Date.now() - started} ms`);
        }
      }
      clock.advance(DAY);
      const clean = spawnCli('sync', env());
      const exit = await clean.exited;
      if (exit.code !== 0) throw new Error(`clean run exited ${JSON.stringify(exit)}\n${clean.stderr()}`);

      const audit = await auditDelivery(store, stack.klaviyo, stateUrl);
      console.log(
        `crash test seed=${SEED}: kills survived=${kills} of ${KILLS} in ${Math.round((Date.now() - began) / 1000)} s, runs completed=${completed}, store mutations=${mutations}, `
        + `events checked=${audit.eventsChecked} (+${audit.otherEvents} other), profiles checked=${audit.profilesChecked}, `
        + `duplicates dropped by Klaviyo=${audit.duplicatesDropped}, lost=${audit.counts.lost}, doubled=${audit.counts.doubled}, `
        + `wrong profiles=${audit.counts.wrongProfiles}, broken segment chains=${audit.counts.brokenChains}, outbox batches=${audit.outboxBatches}`,
      );
      expect(problems(audit)).toEqual(NO_PROBLEMS);
      const state = await readState(stateUrl);
      expect(state.productOrders.size).toBeGreaterThan(100);
      expect(productCountProblems(store, state)).toEqual([]);
      expect(stack.klaviyo.validationFailures()).toEqual([]);
      expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    } catch (error) {
      console.log(`crash test failed (state in ${dir}); replay with SHIPSIGNAL_CRASH_SEED=${SEED} SHIPSIGNAL_CRASH_KILLS=${KILLS} SHIPSIGNAL_CRASH_ORDERS=${ORDERS}\n${trail.join('\n')}`);
      throw error;
    }
  }, 300_000 + KILLS * 6_000 + ORDERS * 20);
});
