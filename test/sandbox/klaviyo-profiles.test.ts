import type {
  ProfileImportJobCreateQuery, ProfileImportJobResponseObjectResourceAttributes, ProfileUpsertQuery,
} from 'klaviyo-api';
import { type KlaviyoSandbox, startKlaviyoSandbox } from '../../src/sandbox/klaviyo';
import { failure, patchUnsetSerializer, sdkFor } from './klaviyo-client';

let sandbox: KlaviyoSandbox;
beforeAll(async () => {
  sandbox = await startKlaviyoSandbox({ rateLimits: 'off', jobProcessingDelayMs: 150 });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const upsert = (attributes: ProfileUpsertQuery['data']['attributes'], meta?: ProfileUpsertQuery['data']['meta']): ProfileUpsertQuery =>
  ({ data: { type: 'profile', attributes, ...(meta ? { meta } : {}) } });

async function waitForJob(jobId: string, status: string): Promise<ProfileImportJobResponseObjectResourceAttributes> {
  const { profiles } = sdkFor(sandbox);
  for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
    const { body } = await profiles.getBulkImportProfilesJob(jobId);
    if (body.data.attributes.status === status) return body.data.attributes;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`job ${jobId} never reached ${status}`);
}

describe('Klaviyo sandbox: profiles through the official SDK', () => {
  it('creates with 201, then updates with 200 and returns the profile body', async () => {
    const { profiles } = sdkFor(sandbox);
    const created = await profiles.createOrUpdateProfile(upsert({ email: 'a@example.com', firstName: 'Ann', properties: { Tier: 'gold' } }));
    expect(created.response.status).toBe(201);
    expect(created.body.data.id).toEqual(expect.any(String));
    expect(created.body.data.attributes).toMatchObject({ email: 'a@example.com', firstName: 'Ann', properties: { Tier: 'gold' } });

    const updated = await profiles.createOrUpdateProfile(upsert({ email: 'A@example.com', lastName: 'Lee' }));
    expect(updated.response.status).toBe(200);
    expect(updated.body.data.id).toBe(created.body.data.id);
    expect(sandbox.profiles()).toHaveLength(1);
  });

  it('merges custom properties key by key: sent keys overwrite, omitted stay, a null is kept as a value', async () => {
    const { profiles } = sdkFor(sandbox);
    await profiles.createOrUpdateProfile(upsert({ email: 'm@example.com', firstName: 'Mia', properties: { A: 1, B: 'two', C: true } }));
    await profiles.createOrUpdateProfile(upsert({ email: 'm@example.com', firstName: null, properties: { A: 10, C: null, D: 'new' } }));
    const [profile] = sandbox.profiles();
    expect(profile.properties).toEqual({ A: 10, B: 'two', C: null, D: 'new' });
    expect(profile.firstName).toBeNull();
  });

  it('applies meta.patch_properties append and unset (with the SDK serializer workaround)', async () => {
    const restore = patchUnsetSerializer();
    try {
      const { profiles } = sdkFor(sandbox);
      await profiles.createOrUpdateProfile(upsert({ email: 'p@example.com', properties: { Skus: ['1'], Stale: 'x', Keep: 1 } }));
      await profiles.createOrUpdateProfile(upsert({ email: 'p@example.com' }, { patchProperties: { append: { Skus: '2' }, unset: ['Stale'] } }));
      expect(sandbox.profiles()[0].properties).toEqual({ Skus: ['1', '2'], Keep: 1 });
    } finally {
      restore();
    }
  });

  it('answers 409 duplicate_profile when identifiers belong to two different profiles, changing neither', async () => {
    const { profiles } = sdkFor(sandbox);
    const byEmail = await profiles.createOrUpdateProfile(upsert({ email: 'one@example.com' }));
    const byPhone = await profiles.createOrUpdateProfile(upsert({ phoneNumber: '+15005550006', properties: { X: 1 } }));
    const result = await failure(profiles.createOrUpdateProfile(upsert({ email: 'one@example.com', phoneNumber: '+15005550006', properties: { X: 2 } })));
    expect(result.status).toBe(409);
    expect(result.errors[0]).toMatchObject({ code: 'duplicate_profile', meta: { duplicate_profile_id: byPhone.body.data.id } });
    expect(sandbox.profiles().map((p) => [p.id, p.email, p.phoneNumber, p.properties])).toEqual([
      [byEmail.body.data.id, 'one@example.com', null, {}],
      [byPhone.body.data.id, null, '+15005550006', { X: 1 }],
    ]);
  });

  it('rejects an invalid phone number on upsert with 400 and the attribute pointer', async () => {
    const result = await failure(sdkFor(sandbox).profiles.createOrUpdateProfile(upsert({ email: 'b@example.com', phoneNumber: '12345' })));
    expect(result.status).toBe(400);
    expect(result.errors[0].source?.pointer).toBe('/data/attributes/phone_number');
    expect(sandbox.profiles()).toHaveLength(0);
  });

  it('rejects a profile over 100 KB', async () => {
    const big = upsert({ email: 'big@example.com', properties: { Blob: 'x'.repeat(101 * 1024) } });
    const result = await failure(sdkFor(sandbox).profiles.createOrUpdateProfile(big));
    expect(result.status).toBe(400);
    expect(sandbox.profiles()).toHaveLength(0);
  });

  it('runs a bulk import job asynchronously: queued, then complete, with bad profiles as import errors', async () => {
    const { profiles } = sdkFor(sandbox);
    const bad = { type: 'profile' as const, attributes: { email: 'bad@example.com', phoneNumber: 'call me' } };
    const job: ProfileImportJobCreateQuery = {
      data: {
        type: 'profile-bulk-import-job',
        attributes: {
          profiles: {
            data: [
              { type: 'profile', attributes: { email: 'x@example.com', externalId: 'c-1', properties: { Segment: 'vip' } } },
              bad,
              { type: 'profile', attributes: { phoneNumber: '+447700900123' } },
            ],
          },
        },
      },
    };
    const created = await profiles.bulkImportProfiles(job);
    expect(created.response.status).toBe(202);
    expect(created.body.data.attributes).toMatchObject({ status: 'queued', totalCount: 3 });
    expect(sandbox.profiles()).toHaveLength(0);

    const done = await waitForJob(created.body.data.id, 'complete');
    expect(done).toMatchObject({ totalCount: 3, completedCount: 2, failedCount: 1 });
    expect(sandbox.profiles().map((p) => p.email ?? p.phoneNumber).sort()).toEqual(['+447700900123', 'x@example.com']);

    const errors = await profiles.getErrorsForBulkImportProfilesJob(created.body.data.id);
    expect(errors.body.data).toHaveLength(1);
    expect(errors.body.data[0].attributes).toMatchObject({
      code: 'invalid', source: { pointer: '/data/attributes/phone_number' },
      originalPayload: { type: 'profile', attributes: { email: 'bad@example.com', phone_number: 'call me' } },
    });
  });

  it('answers 404 for an unknown job', async () => {
    const result = await failure(sdkFor(sandbox).profiles.getBulkImportProfilesJob('01NOPE'));
    expect(result.status).toBe(404);
    expect(result.errors[0].code).toBe('not_found');
  });

  it('serves GET /api/accounts so a key can be checked', async () => {
    const { body } = await sdkFor(sandbox).accounts.getAccounts();
    expect(body.data[0]).toMatchObject({ type: 'account', attributes: { testAccount: true, preferredCurrency: 'USD' } });
    expect((await failure(sdkFor(sandbox, { apiKey: 'pk_nope' }).accounts.getAccounts())).status).toBe(401);
  });
});
