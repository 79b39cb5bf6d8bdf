import type { ProfilePatch } from '../../src/model/records';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import { ManualClock } from '../../src/util/clock';
import { startHarness, type Harness } from '../helpers/daemon-harness';

const NOW = new Date('2026-01-01T00:00:00Z');
/** One outbox chunk: the drain reads 10,000 records at a time, so the next append starts a second chunk. */
const CHUNK = 10_000;

const patch = (email: string, value: string, property = 'ss_bench_marker'): ProfilePatch => ({
  kind: 'profile',
  identity: { email, phoneNumber: null, externalId: null },
  firstName: null,
  lastName: null,
  properties: { [property]: value },
});

describe('drain: profile patches of later chunks', () => {
  let harness: Harness;

  beforeEach(async () => {
    const clock = new ManualClock(NOW);
    harness = await startHarness({ store: generateStore({ orders: 1, seed: 1, repeatRate: 0, clock }), clock, klaviyoRateLimits: 'off', env: { SHIPSIGNAL_LOG_LEVEL: 'error' } });
  });
  afterEach(() => harness.close());

  /** The first chunk's bulk import is held 1.5 s by the sandbox; returns the operations in the order they were answered. */
  async function drainTwoChunks(secondEmail: string, secondProperty = 'ss_bench_marker'): Promise<string[]> {
    const { app, stack } = harness;
    await app.context.outbox.append(Array.from({ length: CHUNK }, (_, i) => patch(`p${i}@shipsignal.test`, 'first')));
    await app.context.outbox.append([patch(secondEmail, 'second', secondProperty)]);
    stack.klaviyo.faults.schedule({ kind: 'delay', ms: 1_500 }, 1, { operation: 'bulk_import_profiles' });
    await app.drain();
    return stack.klaviyo.requests().map((request) => request.operation ?? '?').filter((op) => op === 'bulk_import_profiles' || op === 'create_or_update_profile');
  }

  // Submission order only: Klaviyo applies a bulk import later, in a job, so a patch sent after the job was accepted
  // can still be applied before it (the README's known limits).
  it('wait until an earlier chunk that patches the same profile has been answered', async () => {
    expect(await drainTwoChunks('p42@shipsignal.test')).toEqual(['bulk_import_profiles', 'create_or_update_profile']);
  });

  // Patches writing different properties commute (Klaviyo merges properties): a backfill's parcel patches and its
  // lifecycle patches of the same customers must not wait for each other's import jobs.
  it('do not wait for an earlier chunk that patches other fields of the same profile', async () => {
    expect(await drainTwoChunks('p42@shipsignal.test', 'ss_other_marker')).toEqual(['create_or_update_profile', 'bulk_import_profiles']);
  });

  it('do not wait for an earlier chunk that patches other profiles', async () => {
    expect(await drainTwoChunks('someone-else@shipsignal.test')).toEqual(['create_or_update_profile', 'bulk_import_profiles']);
  });
});
