/**
 * Profile delivery. Upserts that collide with another profile over the phone number (409 duplicate_profile, or
 * a phone Klaviyo will not take) are tried once more without it, as Klaviyo's own integrations do. Bulk imports
 * are accepted asynchronously: their job ids are handed back for follow-up.
 */
import type { ProfileImportJobCreateQuery, ProfilesApi } from 'klaviyo-api';
import { identifierKeysOf } from '../../model/records';
import { profilesBody, type ProfileItem } from './batching';
import { asSdkBody } from './wire-body';
import type { DeliveryCalls } from './dispatcher';
import { emptyOutcome, isRecordLevel, mergeOutcomes, reasonFor, wholeFailure, type Outcome } from './outcome';
import { profileUpsertQuery } from './payloads';
import { profilePointer } from './pointers';
import type { KlaviyoRequestError } from './transport';

function blamesPhone(error: KlaviyoRequestError): boolean {
  return error.status === 409
    ? error.errors.some((e) => e.code === 'duplicate_profile')
    : error.errors.some((e) => e.pointer !== null && e.pointer.endsWith('/phone_number'));
}

export async function sendProfile(dispatcher: DeliveryCalls, api: ProfilesApi, item: ProfileItem): Promise<Outcome> {
  const attempt = (patch: ProfileItem['patch']) =>
    dispatcher.call('profileImport', () => api.createOrUpdateProfile(profileUpsertQuery(patch)));
  try {
    await attempt(item.patch);
    return { ...emptyOutcome(), delivered: [...item.indices] };
  } catch (error) {
    if (!isRecordLevel(error) || item.patch.identity.phoneNumber === null || !blamesPhone(error)) {
      return wholeFailure(error, item.indices);
    }
    const withoutPhone = { ...item.patch, identity: { ...item.patch.identity, phoneNumber: null } };
    try {
      await attempt(withoutPhone);
      return { ...emptyOutcome(), delivered: [...item.indices] };
    } catch (second) {
      return wholeFailure(second, item.indices);
    }
  }
}

/** A profile of an accepted import job, as much as its import errors need: identifiers and the records behind it. */
export interface JobProfile {
  /** `e:email`, `x:external id`, `p:phone`: what an import error's original payload can be matched on. */
  readonly keys: readonly string[];
  readonly indices: readonly number[];
}

/**
 * Only identifiers are kept until the job is settled, not the patches: a backfill can have dozens of jobs of 10,000
 * profiles waiting for their status at once.
 */
export interface AcceptedJob {
  readonly id: string;
  readonly profiles: readonly JobProfile[];
}

export const jobProfile = (item: ProfileItem): JobProfile => ({ keys: identifierKeysOf(item.patch.identity), indices: item.indices });

export interface BulkProfilesOutcome {
  readonly outcome: Outcome;
  readonly jobs: AcceptedJob[];
}

export async function sendProfileBatch(
  dispatcher: DeliveryCalls,
  api: ProfilesApi,
  profiles: readonly ProfileItem[],
): Promise<BulkProfilesOutcome> {
  const indices = profiles.flatMap((p) => p.indices);
  try {
    const { body } = await dispatcher.call('bulkImportProfiles', () => api.bulkImportProfiles(asSdkBody<ProfileImportJobCreateQuery>(profilesBody(profiles))));
    return { outcome: { ...emptyOutcome(), delivered: indices }, jobs: [{ id: body.data.id, profiles: profiles.map(jobProfile) }] };
  } catch (error) {
    if (!isRecordLevel(error)) return { outcome: wholeFailure(error, indices), jobs: [] };
    const blamed = new Map<ProfileItem, string>();
    for (const entry of error.errors) {
      const at = profilePointer(entry.pointer);
      const item = at === null ? undefined : profiles[at];
      if (item) blamed.set(item, reasonFor(error, entry));
    }
    if (blamed.size === 0) {
      if (profiles.length === 1) return { outcome: wholeFailure(error, indices), jobs: [] };
      const cut = Math.ceil(profiles.length / 2);
      const parts = [await sendProfileBatch(dispatcher, api, profiles.slice(0, cut)),
        await sendProfileBatch(dispatcher, api, profiles.slice(cut))];
      return { outcome: mergeOutcomes(parts.map((p) => p.outcome)), jobs: parts.flatMap((p) => p.jobs) };
    }
    const rejected = [...blamed].flatMap(([item, reason]) => item.indices.map((index) => ({ index, reason })));
    const rest = profiles.filter((p) => !blamed.has(p));
    const retried = rest.length > 0 ? await sendProfileBatch(dispatcher, api, rest) : { outcome: emptyOutcome(), jobs: [] };
    return { outcome: mergeOutcomes([{ delivered: [], rejected, pending: [] }, retried.outcome]), jobs: retried.jobs };
  }
}
