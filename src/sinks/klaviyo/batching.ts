/**
 * Pure planning: which records travel together, through which endpoint. Each item is written in wire form once
 * (wire.ts) and its size summed, so the 5 MB check never re-serializes a growing request and the request body is
 * the items' texts joined.
 */
import { profileKeyOf, unsetOf, type MetricEvent, type ProfileIdentity, type ProfilePatch, type SinkRecord } from '../../model/records';
import type { PayloadLimits } from './limits';
import { hasIdentifier } from './payloads';
import {
  EVENTS_ENVELOPE_TEXT_BYTES,
  PROFILES_ENVELOPE_TEXT_BYTES,
  eventEntryText,
  eventsBodyText,
  groupFramingBytes,
  profileResourceText,
  profilesBodyText,
  type WireBody,
} from './wire';

/** A record Klaviyo (or our own limits check) refused, by its index in the delivery: the destination port's type. */
import type { DeliveryRejection } from '../destination';
export type { DeliveryRejection };

/** One profile to send, standing for every input record (by index) that was coalesced into it. */
export interface ProfileItem {
  readonly patch: ProfilePatch;
  readonly indices: readonly number[];
  /** The profile as the bulk import sends it (wire.ts); `bytes` is its size. */
  readonly text: string;
  readonly bytes: number;
}

/** One event to send, standing for its input record and any replays of it in the same delivery. */
export interface EventItem {
  readonly event: MetricEvent;
  readonly indices: readonly number[];
  /** The entry as the bulk request sends it (wire.ts); `bytes` is its size. */
  readonly text: string;
  readonly bytes: number;
}

export interface EventGroup {
  readonly identity: ProfileIdentity;
  readonly backfill: boolean;
  readonly events: readonly EventItem[];
}

export type Plan =
  | { readonly endpoint: 'createEvent'; readonly item: EventItem }
  | { readonly endpoint: 'profileImport'; readonly item: ProfileItem }
  | { readonly endpoint: 'bulkCreateEvents'; readonly groups: readonly EventGroup[]; readonly bytes: number }
  | { readonly endpoint: 'bulkImportProfiles'; readonly profiles: readonly ProfileItem[]; readonly bytes: number };

export interface BatchOptions {
  readonly payload: PayloadLimits;
  /** Fewer records of a kind than this go through the single-record endpoint (Klaviyo: bulk is not for a few). */
  readonly bulkThreshold: number;
}

function mergeIdentity(a: ProfileIdentity, b: ProfileIdentity): ProfileIdentity {
  return {
    email: b.email ?? a.email,
    phoneNumber: b.phoneNumber ?? a.phoneNumber,
    externalId: b.externalId ?? a.externalId,
  };
}

/** Later patches win key by key; a later null name means "unknown", not "erase", so it does not win. */
export function mergePatches(a: ProfilePatch, b: ProfilePatch): ProfilePatch {
  return {
    kind: 'profile',
    identity: mergeIdentity(a.identity, b.identity),
    firstName: b.firstName ?? a.firstName,
    lastName: b.lastName ?? a.lastName,
    ...mergeProperties(a, b),
  };
}

/** A later patch's value or removal of a property replaces the earlier one's. */
function mergeProperties(a: ProfilePatch, b: ProfilePatch): Pick<ProfilePatch, 'properties' | 'unset'> {
  const removedLater = new Set(unsetOf(b));
  // One fromEntries, not an assign onto the first: adding many names one by one turns the object into a hash table
  // (V8's dictionary mode, see splitRemovals), which then costs twice as much to send. Later values win, in place.
  const properties = Object.fromEntries([...Object.entries(a.properties).filter(([name]) => !removedLater.has(name)), ...Object.entries(b.properties)]);
  const unset = [...new Set([...unsetOf(a).filter((name) => !(name in b.properties)), ...removedLater])].sort();
  return { properties, unset };
}

/** Separates the parts of a map key; no identifier, metric name or event id carries a NUL. */
const SEP = '\u0000';
const part = (value: string | null) => (value === null ? '\u0001' : value);

export interface Split {
  readonly profiles: ProfileItem[];
  readonly events: EventItem[];
  readonly rejected: DeliveryRejection[];
}

/** Coalesces patches per profile, measures every item once and rejects what Klaviyo would refuse on sight. */
export function splitRecords(records: readonly SinkRecord[], payload: PayloadLimits): Split {
  const patches = new Map<string, { patch: ProfilePatch; indices: number[] }>();
  const events: EventItem[] = [];
  const eventsByKey = new Map<string, { indices: number[] }>();
  const rejected: DeliveryRejection[] = [];
  records.forEach((record, index) => {
    if (!hasIdentifier(record.identity)) {
      rejected.push({ index, reason: 'no profile identifier (email, phone number or external id)' });
    } else if (record.kind === 'profile') {
      const key = profileKeyOf(record.identity);
      const seen = patches.get(key);
      if (seen) {
        seen.patch = mergePatches(seen.patch, record);
        seen.indices.push(index);
      } else {
        patches.set(key, { patch: record, indices: [index] });
      }
    } else {
      // Klaviyo fails a whole bulk request that repeats a unique_id for one profile and metric; it would drop the
      // replay anyway, so the replay rides on the first copy.
      const key = `${profileKeyOf(record.identity)}${SEP}${record.metric}${SEP}${record.uniqueId}`;
      const first = eventsByKey.get(key);
      if (first) {
        first.indices.push(index);
        return;
      }
      const text = eventEntryText(record);
      const bytes = Buffer.byteLength(text, 'utf8');
      if (EVENTS_ENVELOPE_TEXT_BYTES + groupFramingBytes(record.identity, record.backfill) + bytes > payload.maxRequestBytes) {
        rejected.push({ index, reason: `event of ${bytes} bytes cannot fit a ${payload.maxRequestBytes}-byte request` });
      } else {
        const item = { event: record, indices: [index], text, bytes };
        eventsByKey.set(key, item);
        events.push(item);
      }
    }
  });
  const profiles: ProfileItem[] = [];
  for (const { patch, indices } of patches.values()) {
    const text = profileResourceText(patch);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > payload.maxProfileBytes) {
      const reason = `profile of ${bytes} bytes exceeds Klaviyo's ${payload.maxProfileBytes}-byte limit`;
      for (const index of indices) rejected.push({ index, reason });
    } else {
      profiles.push({ patch, indices, text, bytes });
    }
  }
  return { profiles, events, rejected };
}

export function planProfiles(profiles: readonly ProfileItem[], options: BatchOptions): Plan[] {
  if (profiles.length < options.bulkThreshold) return profiles.map((item) => ({ endpoint: 'profileImport', item }));
  const plans: Plan[] = [];
  let batch: ProfileItem[] = [];
  let bytes = PROFILES_ENVELOPE_TEXT_BYTES;
  const flush = () => {
    if (batch.length > 0) plans.push({ endpoint: 'bulkImportProfiles', profiles: batch, bytes });
    batch = [];
    bytes = PROFILES_ENVELOPE_TEXT_BYTES;
  };
  for (const item of profiles) {
    const added = item.bytes + (batch.length > 0 ? 1 : 0);
    if (batch.length >= options.payload.maxProfilesPerBulk || bytes + added > options.payload.maxRequestBytes) flush();
    bytes += item.bytes + (batch.length > 0 ? 1 : 0);
    batch.push(item);
  }
  flush();
  return plans;
}

/** Events travel grouped by profile (Klaviyo's bulk shape); a group may be split across requests. */
export function planEvents(events: readonly EventItem[], options: BatchOptions): Plan[] {
  if (events.length < options.bulkThreshold) return events.map((item) => ({ endpoint: 'createEvent', item }));
  const grouped = new Map<string, { identity: ProfileIdentity; backfill: boolean; events: EventItem[] }>();
  for (const item of events) {
    const { identity, backfill } = item.event;
    const key = `${part(identity.email)}${SEP}${part(identity.phoneNumber)}${SEP}${part(identity.externalId)}${SEP}${backfill}`;
    const group = grouped.get(key);
    if (group) group.events.push(item);
    else grouped.set(key, { identity, backfill, events: [item] });
  }
  const plans: Plan[] = [];
  let groups: EventGroup[] = [];
  let count = 0;
  let bytes = EVENTS_ENVELOPE_TEXT_BYTES;
  const flush = () => {
    if (count > 0) plans.push({ endpoint: 'bulkCreateEvents', groups, bytes });
    groups = [];
    count = 0;
    bytes = EVENTS_ENVELOPE_TEXT_BYTES;
  };
  for (const { identity, backfill, events: items } of grouped.values()) {
    const header = groupFramingBytes(identity, backfill);
    let open: EventItem[] | null = null;
    for (const item of items) {
      const openCost: number = open === null ? header + (groups.length > 0 ? 1 : 0) : 0;
      const itemCost = item.bytes + (open !== null && open.length > 0 ? 1 : 0);
      if (count >= options.payload.maxEventsPerBulk || bytes + openCost + itemCost > options.payload.maxRequestBytes) {
        flush();
        open = null;
      }
      if (open === null) {
        open = [];
        bytes += header + (groups.length > 0 ? 1 : 0);
        groups.push({ identity, backfill, events: open });
      }
      bytes += item.bytes + (open.length > 0 ? 1 : 0);
      open.push(item);
      count += 1;
    }
  }
  flush();
  return plans;
}

export function eventsBody(groups: readonly EventGroup[]): WireBody {
  return eventsBodyText(groups.map((g) => ({ identity: g.identity, backfill: g.backfill, texts: g.events.map((e) => e.text) })));
}

export function profilesBody(profiles: readonly ProfileItem[]): WireBody {
  return profilesBodyText(profiles.map((p) => p.text));
}
