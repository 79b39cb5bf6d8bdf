/**
 * Bulk request bodies as JSON text, each item written once. The SDK's way costs three copies of every record after
 * its model is built: a JSON.stringify to size it, the SDK's reflective serializer (ObjectSerializer, which walks
 * the type map of every nested model) when the request is sent, and axios's JSON.stringify of the result. Here an
 * item's wire text is written when the record is planned, its size is that text's length, and a request body is
 * the items' texts joined inside the envelope, handed to the SDK as it is (sdk-fixes.ts lets a `WireBody` through
 * the serializer, and the transport labels it JSON).
 *
 * The text is what the SDK's serializer would send: camelCase attributes renamed to Klaviyo's snake_case names,
 * undefined members left out, Dates as ISO strings, custom properties untouched. test/unit/klaviyo-wire.test.ts
 * holds every builder here equal, as parsed JSON, to the serializer's output for random records.
 */
import { ObjectSerializer } from 'klaviyo-api';
import type { MetricEvent, ProfileIdentity, ProfilePatch } from '../../model/records';
import { unsetOf } from '../../model/records';
import { eventsBulkCreateJob, profileImportJob } from './payloads';
import { WireBody } from './wire-body';

export { WireBody };

type WireIdentity = { email?: string; phone_number?: string; external_id?: string };

function wireIdentity(identity: ProfileIdentity): WireIdentity {
  const out: WireIdentity = {};
  if (identity.email !== null) out.email = identity.email;
  if (identity.phoneNumber !== null) out.phone_number = identity.phoneNumber;
  if (identity.externalId !== null) out.external_id = identity.externalId;
  return out;
}

/** One bulk event entry (`BaseEventCreateQueryBulkEntryResourceObject`), as JSON text. */
export function eventEntryText(event: MetricEvent): string {
  return JSON.stringify({
    type: 'event',
    attributes: {
      properties: event.properties,
      time: event.time,
      ...(event.value !== null ? { value: event.value } : {}),
      ...(event.valueCurrency !== null ? { value_currency: event.valueCurrency } : {}),
      backfill: event.backfill,
      metric: { data: { type: 'metric', attributes: { name: event.metric } } },
      unique_id: event.uniqueId,
    },
  });
}

/** One profile (`ProfileUpsertQueryResourceObject`) for the bulk import, as JSON text. */
export function profileResourceText(patch: ProfilePatch): string {
  const unset = unsetOf(patch);
  return JSON.stringify({
    type: 'profile',
    attributes: {
      ...wireIdentity(patch.identity),
      ...(patch.firstName !== null ? { first_name: patch.firstName } : {}),
      ...(patch.lastName !== null ? { last_name: patch.lastName } : {}),
      properties: patch.properties,
    },
    ...(unset.length > 0 ? { meta: { patch_properties: { unset } } } : {}),
  });
}

/**
 * A group's text around its events: `events` is the group's last member, so the list its entries go into is the
 * text's last `[]` (an identifier holding "[]" is inside a string before it).
 */
function groupShell(identity: ProfileIdentity, backfill: boolean): readonly [string, string] {
  const text = JSON.stringify({
    type: 'event-bulk-create',
    attributes: { backfill, profile: { data: { type: 'profile', attributes: wireIdentity(identity) } }, events: { data: [] } },
  });
  const at = text.lastIndexOf('[]');
  return [text.slice(0, at + 1), text.slice(at + 1)];
}

/** Wire size of a group's framing for this profile, without its events: what the planner adds per group. */
export function groupFramingBytes(identity: ProfileIdentity, backfill: boolean): number {
  const [open, close] = groupShell(identity, backfill);
  return Buffer.byteLength(open, 'utf8') + Buffer.byteLength(close, 'utf8');
}

/** An envelope as the SDK itself serializes it, split where its item list goes (its only `[]`). */
function envelope(model: unknown, type: string): readonly [string, string] {
  const text = JSON.stringify(ObjectSerializer.serialize(model, type));
  const at = text.indexOf('[]');
  return [text.slice(0, at + 1), text.slice(at + 1)];
}

const EVENTS_ENVELOPE = envelope(eventsBulkCreateJob([]), 'EventsBulkCreateJob');
const PROFILES_ENVELOPE = envelope(profileImportJob([]), 'ProfileImportJobCreateQuery');

export const EVENTS_ENVELOPE_TEXT_BYTES = Buffer.byteLength(EVENTS_ENVELOPE.join(''), 'utf8');
export const PROFILES_ENVELOPE_TEXT_BYTES = Buffer.byteLength(PROFILES_ENVELOPE.join(''), 'utf8');

export interface WireGroup {
  readonly identity: ProfileIdentity;
  readonly backfill: boolean;
  readonly texts: readonly string[];
}

/** The bulk create events body (`EventsBulkCreateJob`): one group per profile, in order (error pointers count them). */
export function eventsBodyText(groups: readonly WireGroup[]): WireBody {
  const parts = groups.map((group) => {
    const [open, close] = groupShell(group.identity, group.backfill);
    return `${open}${group.texts.join(',')}${close}`;
  });
  return new WireBody(`${EVENTS_ENVELOPE[0]}${parts.join(',')}${EVENTS_ENVELOPE[1]}`);
}

/** The bulk profile import body (`ProfileImportJobCreateQuery`), profiles in order (error pointers count them). */
export function profilesBodyText(texts: readonly string[]): WireBody {
  return new WireBody(`${PROFILES_ENVELOPE[0]}${texts.join(',')}${PROFILES_ENVELOPE[1]}`);
}
