/**
 * Pure builders from our normalized records to the SDK's request models. The SDK serializer keeps only the
 * camelCase attribute names it knows (snake_case keys vanish silently), so every attribute here is camelCase and
 * typed against the SDK's own models.
 */
import type {
  BaseEventCreateQueryBulkEntryResourceObject,
  EventCreateQueryV2,
  EventsBulkCreateJob,
  EventsBulkCreateQueryResourceObject,
  ProfileImportJobCreateQuery,
  ProfileUpsertQuery,
  ProfileUpsertQueryResourceObject,
} from 'klaviyo-api';
import { unsetOf, type MetricEvent, type ProfileIdentity, type ProfilePatch } from '../../model/records';
import './sdk-fixes';

export interface IdentityAttributes {
  email?: string;
  phoneNumber?: string;
  externalId?: string;
}

/** Null identifiers are left out: sending null would clear an identifier Klaviyo already holds. */
export function identityAttributes(identity: ProfileIdentity): IdentityAttributes {
  const attributes: IdentityAttributes = {};
  if (identity.email !== null) attributes.email = identity.email;
  if (identity.phoneNumber !== null) attributes.phoneNumber = identity.phoneNumber;
  if (identity.externalId !== null) attributes.externalId = identity.externalId;
  return attributes;
}

export function hasIdentifier(identity: ProfileIdentity): boolean {
  return identity.email !== null || identity.phoneNumber !== null || identity.externalId !== null;
}

/**
 * A profile resource as both the upsert and the bulk import take it. Unknown names stay out (null would erase
 * the name Klaviyo has); custom properties are absolute values, sent as they are (a null is kept by Klaviyo as the
 * value null); removals go in `meta.patch_properties.unset`, which both endpoints read per profile.
 */
export function profileResource(patch: ProfilePatch): ProfileUpsertQueryResourceObject {
  const unset = unsetOf(patch);
  return {
    type: 'profile',
    attributes: {
      ...identityAttributes(patch.identity),
      ...(patch.firstName !== null ? { firstName: patch.firstName } : {}),
      ...(patch.lastName !== null ? { lastName: patch.lastName } : {}),
      properties: { ...patch.properties },
    },
    ...(unset.length > 0 ? { meta: { patchProperties: { unset: [...unset] } } } : {}),
  };
}

export function profileUpsertQuery(patch: ProfilePatch): ProfileUpsertQuery {
  return { data: profileResource(patch) };
}

export function profileImportJob(resources: readonly ProfileUpsertQueryResourceObject[]): ProfileImportJobCreateQuery {
  return { data: { type: 'profile-bulk-import-job', attributes: { profiles: { data: [...resources] } } } };
}

/** The event's own attributes, shared by the single and the bulk endpoint. */
function eventCore(event: MetricEvent) {
  return {
    metric: { data: { type: 'metric' as const, attributes: { name: event.metric } } },
    properties: { ...event.properties },
    time: event.time,
    uniqueId: event.uniqueId,
    ...(event.value !== null ? { value: event.value } : {}),
    ...(event.valueCurrency !== null ? { valueCurrency: event.valueCurrency } : {}),
    backfill: event.backfill,
  };
}

export function eventCreateQuery(event: MetricEvent): EventCreateQueryV2 {
  return {
    data: {
      type: 'event',
      attributes: {
        ...eventCore(event),
        profile: { data: { type: 'profile', attributes: identityAttributes(event.identity) } },
      },
    },
  };
}

export function bulkEventEntry(event: MetricEvent): BaseEventCreateQueryBulkEntryResourceObject {
  return { type: 'event', attributes: eventCore(event) };
}

/** One profile's events in a bulk request; `backfill` is set on the group too, since Klaviyo reads it there. */
export function bulkEventGroup(
  identity: ProfileIdentity,
  backfill: boolean,
  entries: readonly BaseEventCreateQueryBulkEntryResourceObject[],
): EventsBulkCreateQueryResourceObject {
  return {
    type: 'event-bulk-create',
    attributes: {
      backfill,
      profile: { data: { type: 'profile', attributes: identityAttributes(identity) } },
      events: { data: [...entries] },
    },
  };
}

export function eventsBulkCreateJob(groups: readonly EventsBulkCreateQueryResourceObject[]): EventsBulkCreateJob {
  return { data: { type: 'event-bulk-create-job', attributes: { eventsBulkCreate: { data: [...groups] } } } };
}
