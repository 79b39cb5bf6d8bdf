import type { Clock } from '../../util/clock';
import { type ApiError, duplicateProfile, invalid, invalidParameter, notFound } from './errors';
import type { EventJobs } from './event-jobs';
import type { EventStore } from './event-store';
import type { ImportJobs } from './import-jobs';
import type { ProfileStore } from './profile-store';
import type { ProvisionStore } from './provision-store';
import { accountsDocument, importErrorsDocument, jobDocument, profileDocument } from './responses';
import type { BulkCreateEventsBody, BulkImportProfilesBody, CreateEventBody, ProfileUpsertBody, WireProfile } from './wire';

export interface Stores {
  readonly profiles: ProfileStore;
  readonly events: EventStore;
  readonly jobs: ImportJobs;
  readonly eventJobs: EventJobs;
  readonly clock: Clock;
  /** This sandbox's base URL, for JSON:API links. */
  readonly base: string;
  readonly accountId: string;
  readonly provision: ProvisionStore;
  /** get_metrics' page size (Klaviyo's is fixed; the sandbox makes it smaller to test paging). */
  readonly metricsPageSize: number;
}

/** What a handler decided: a status and a JSON:API document (or none, for 202s), or errors. */
export type Reply =
  | { readonly status: number; readonly body: object | null }
  | { readonly status: number; readonly errors: readonly ApiError[] };

const accepted: Reply = { status: 202, body: null };
const failed = (errors: readonly ApiError[]): Reply => ({ status: errors[0]?.status ?? 400, errors });

/** Events may name a profile by Klaviyo id; an unknown id is refused before anything is written. */
function unknownProfileIds(stores: Stores, profiles: readonly [WireProfile, string][]): ApiError[] {
  return profiles.flatMap(([profile, pointer]) => (profile.id && !stores.profiles.get(profile.id)
    ? [invalid({ pointer: `${pointer}/id`, detail: `No profile with id '${profile.id}'.` })]
    : []));
}

export function createEvent(stores: Stores, body: CreateEventBody): Reply {
  const attributes = body.data.attributes;
  const profileResource = attributes.profile.data;
  const unknown = unknownProfileIds(stores, [[profileResource, '/data/attributes/profile/data']]);
  if (unknown.length > 0) return failed(unknown);
  const now = stores.clock.now();
  const outcome = stores.profiles.upsert(profileResource, now, 'first_match');
  if (outcome.kind !== 'created' && outcome.kind !== 'updated') throw new Error(`unexpected upsert outcome ${outcome.kind}`);
  stores.events.add({ attributes, profile: outcome.profile, defaultBackfill: false, via: 'create_event' }, now);
  stores.profiles.touchLastEvent(outcome.profile.id, attributes.time ?? now.toISOString());
  return accepted;
}

/** Valid bulk requests are accepted (202) and applied when their job has been processed, as Klaviyo does. */
export function bulkCreateEvents(stores: Stores, body: BulkCreateEventsBody, bytes: number): Reply {
  const entries = body.data.attributes['events-bulk-create'].data;
  const unknown = unknownProfileIds(stores, entries.map((entry, i): [WireProfile, string] =>
    [entry.attributes.profile.data, `/data/attributes/events-bulk-create/data/${i}/attributes/profile/data`]));
  if (unknown.length > 0) return failed(unknown);
  const acceptedAt = stores.clock.now().toISOString();
  const rows = entries.reduce((sum, entry) => sum + entry.attributes.events.data.length, 0);
  stores.eventJobs.submit(rows, bytes, () => applyBulkEvents(stores, entries, acceptedAt));
  return accepted;
}

function applyBulkEvents(stores: Stores, entries: BulkCreateEventsBody['data']['attributes']['events-bulk-create']['data'], acceptedAt: string): void {
  const now = stores.clock.now();
  for (const entry of entries) {
    const outcome = stores.profiles.upsert(entry.attributes.profile.data, now, 'first_match');
    if (outcome.kind !== 'created' && outcome.kind !== 'updated') throw new Error(`unexpected upsert outcome ${outcome.kind}`);
    for (const event of entry.attributes.events.data) {
      const defaultBackfill = entry.attributes.backfill ?? false;
      // An event without a time is dated when Klaviyo received it, not when its job ran.
      const attributes = { ...event.attributes, time: event.attributes.time ?? acceptedAt };
      stores.events.add({ attributes, profile: outcome.profile, defaultBackfill, via: 'bulk_create_events' }, now);
      stores.profiles.touchLastEvent(outcome.profile.id, attributes.time);
    }
  }
}

export function createOrUpdateProfile(stores: Stores, body: ProfileUpsertBody): Reply {
  const outcome = stores.profiles.upsert(body.data, stores.clock.now(), 'reject');
  switch (outcome.kind) {
    case 'conflict':
      return failed([duplicateProfile(outcome.duplicateProfileId)]);
    case 'not_found':
      return failed([notFound(`A profile with id '${outcome.id}' does not exist.`)]);
    default:
      return { status: outcome.kind === 'created' ? 201 : 200, body: profileDocument(stores.base, outcome.profile) };
  }
}

export function bulkImportProfiles(stores: Stores, body: BulkImportProfilesBody, bytes: number): Reply {
  const listIds = (body.data.relationships?.lists?.data ?? []).map((list) => list.id);
  const job = stores.jobs.create(body.data.attributes.profiles.data, listIds, bytes);
  return { status: 202, body: jobDocument(stores.base, job) };
}

export function getImportJob(stores: Stores, jobId: string): Reply {
  const job = stores.jobs.get(jobId);
  return job ? { status: 200, body: jobDocument(stores.base, job) } : failed([notFound(`Job '${jobId}' does not exist.`)]);
}

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** Cursor pagination as Klaviyo documents it (page[size] 1..100, default 20); our cursor is an opaque offset. */
export function getImportErrors(stores: Stores, jobId: string, query: URLSearchParams): Reply {
  const job = stores.jobs.get(jobId);
  if (!job) return failed([notFound(`Job '${jobId}' does not exist.`)]);
  const sizeText = query.get('page[size]');
  const size = sizeText === null ? DEFAULT_PAGE_SIZE : Number(sizeText);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    return failed([invalidParameter('page[size]', `page[size] must be an integer between 1 and ${MAX_PAGE_SIZE}.`)]);
  }
  const cursor = query.get('page[cursor]');
  const offset = cursor === null ? 0 : Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) return failed([invalidParameter('page[cursor]', 'Invalid page cursor.')]);
  const page = job.errors.slice(offset, offset + size);
  const next = offset + size < job.errors.length ? Buffer.from(String(offset + size)).toString('base64url') : null;
  return { status: 200, body: importErrorsDocument(stores.base, job, page, next, size) };
}

export const getAccounts = (stores: Stores): Reply => ({ status: 200, body: accountsDocument(stores.base, stores.accountId) });
