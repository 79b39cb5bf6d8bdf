import type { ProfilePatch } from '../../src/model/records';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from '../helpers/daemon-harness';

const NOW = new Date('2026-01-01T00:00:00Z');
const MARKER = 'ss_bench_marker';

const patch = (email: string, value: string): ProfilePatch => ({
  kind: 'profile',
  identity: { email, phoneNumber: null, externalId: null },
  firstName: null,
  lastName: null,
  properties: { [MARKER]: value },
});

/** Every import job takes 1.6 s in the sandbox, whatever its size: long enough to see what waits for it. */
const SLOW_JOBS = { profileJobTiming: { queuedMs: 1_500, msPerRow: 0, msPerMegabyte: 0, minProcessingMs: 100 } };

describe('drain: profile chunks against the Klaviyo sandbox', () => {
  let harness: Harness;

  afterEach(() => harness.close());

  const start = async (klaviyoJobs?: typeof SLOW_JOBS) => {
    const clock = new ManualClock(NOW);
    harness = await startHarness({
      store: generateStore({ orders: 1, seed: 1, repeatRate: 0, clock }), clock, klaviyoRateLimits: 'off',
      ...(klaviyoJobs ? { klaviyoJobs } : {}), env: { SHIPSIGNAL_LOG_LEVEL: 'error' },
    });
  };

  const operations = () => harness.stack.klaviyo.requests().map((request) => request.operation ?? '?')
    .filter((op) => op === 'bulk_import_profiles' || op === 'create_or_update_profile' || op === 'get_bulk_import_profiles_job');

  // A chunk of 10,367 patches of 10,125 profiles used to go as a full job plus a 125-row one: twice the jobs and
  // their status reads. Whole batches are kept together, so a chunk stops before the batch that would overflow.
  it('sends one bulk import per 10,000 distinct profiles when batches do not divide 10,000', async () => {
    await start();
    const { app, stack } = harness;
    for (let batch = 0; batch < 40; batch += 1) {
      await app.context.outbox.append(Array.from({ length: 510 }, (_, i) => patch(`b${batch}-${i}@shipsignal.test`, 'v')));
    }
    await app.drain();
    const imports = operations().filter((op) => op === 'bulk_import_profiles');
    expect(imports).toHaveLength(Math.ceil((40 * 510) / 10_000));
    await stack.klaviyo.idle();
    expect(stack.klaviyo.profiles().filter((p) => p.properties[MARKER] === 'v')).toHaveLength(40 * 510);
  });

  // Only the profile whose field the earlier job is still applying waits for it; the rest of the chunk goes at once
  // (it used to wait, whole, for the earlier import job to be processed).
  it('holds back only the patches of fields an earlier import job is still applying', async () => {
    await start(SLOW_JOBS);
    const { app, stack } = harness;
    await app.context.outbox.append(Array.from({ length: 10_000 }, (_, i) => patch(`p${i}@shipsignal.test`, 'first')));
    await app.context.outbox.append([patch('p42@shipsignal.test', 'second'),
      ...Array.from({ length: 20 }, (_, i) => patch(`q${i}@shipsignal.test`, 'second'))]);
    await app.drain();
    await stack.klaviyo.idle();
    const ops = operations();
    // The first chunk's job, then the 20 free profiles' job before the first job's status was ever read complete
    // (it takes 1.6 s: the drain's reads at 0.25 s and 1.25 s find it unfinished), then p42 alone once it is applied.
    expect(ops.filter((op) => op !== 'get_bulk_import_profiles_job')).toEqual(['bulk_import_profiles', 'bulk_import_profiles', 'create_or_update_profile']);
    const readsBefore = (op: number) => ops.slice(0, op).filter((o) => o === 'get_bulk_import_profiles_job').length;
    expect(readsBefore(ops.lastIndexOf('bulk_import_profiles'))).toBeLessThan(2);
    expect(readsBefore(ops.indexOf('create_or_update_profile'))).toBeGreaterThanOrEqual(2);
    const value = (email: string) => stack.klaviyo.profiles().find((p) => p.email === email)?.properties[MARKER];
    expect(value('p42@shipsignal.test')).toBe('second');
    expect(value('q7@shipsignal.test')).toBe('second');
    expect(value('p41@shipsignal.test')).toBe('first');
  });
});
