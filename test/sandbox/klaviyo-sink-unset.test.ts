/**
 * Removing a profile property versus setting it to null, through the sink and the official SDK into the sandbox:
 * a removal arrives as `meta.patch_properties.unset` (single upsert and bulk import alike) and leaves no key; a null
 * is a value Klaviyo keeps.
 */
import type { ProfilePatch } from '../../src/model/records';
import { type KlaviyoSandbox, startKlaviyoSandbox } from '../../src/sandbox/klaviyo';
import { KlaviyoSink } from '../../src/sinks/klaviyo';

let sandbox: KlaviyoSandbox;
let sink: KlaviyoSink;
beforeAll(async () => {
  sandbox = await startKlaviyoSandbox({ rateLimits: 'off', jobProcessingDelayMs: 10 });
  sink = new KlaviyoSink({ apiKey: sandbox.apiKey, baseUrl: sandbox.url, timeoutMs: 10_000, jobPollMs: 10 });
});
afterAll(async () => {
  await sink.close();
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

const patch = (who: number, properties: ProfilePatch['properties'], unset?: string[]): ProfilePatch => ({
  kind: 'profile', identity: { email: `u${who}@example.com`, phoneNumber: null, externalId: null }, firstName: null, lastName: null,
  properties, ...(unset ? { unset } : {}),
});

const propertiesOf = (who: number) => sandbox.profiles().find((p) => p.email === `u${who}@example.com`)?.properties;

async function deliver(patches: ProfilePatch[]): Promise<void> {
  const report = await sink.deliver(patches);
  expect(report.rejected).toEqual([]);
  expect(await sink.settleJobs()).toEqual({ rejected: [], unmatched: [] });
}

describe.each([
  ['one profile: create_or_update_profile', 1, 'create_or_update_profile'],
  ['a bulk import job: per-profile meta', 12, 'bulk_import_profiles'],
])('%s', (_name, count, operation) => {
  const who = Array.from({ length: count }, (_, i) => i);

  it('a removed property is gone from the profile; the others stay', async () => {
    await deliver(who.map((i) => patch(i, { ss_hold_reason: 'late', ss_segment: 'repeat' })));
    await deliver(who.map((i) => patch(i, { ss_segment: 'vip' }, ['ss_hold_reason'])));
    for (const i of who) expect(propertiesOf(i)).toEqual({ ss_segment: 'vip' });
    expect(sandbox.stats().requests[operation]).toBeDefined();
    expect(sandbox.validationFailures()).toEqual([]);
  });

  it('a null is stored as the value null', async () => {
    await deliver(who.map((i) => patch(i, { ss_hold_reason: 'late' })));
    await deliver(who.map((i) => patch(i, { ss_hold_reason: null })));
    for (const i of who) {
      expect(propertiesOf(i)).toHaveProperty('ss_hold_reason', null);
      expect(propertiesOf(i)).toEqual({ ss_hold_reason: null });
    }
  });
});

it('two patches of one profile in one delivery: the later removal wins over the earlier value, and back', async () => {
  await deliver([patch(1, { A: 1, B: 2 }), patch(1, { C: 3 }, ['A'])]);
  expect(propertiesOf(1)).toEqual({ B: 2, C: 3 });
  await deliver([patch(1, {}, ['B']), patch(1, { B: 'again' })]);
  expect(propertiesOf(1)).toEqual({ B: 'again', C: 3 });
});
