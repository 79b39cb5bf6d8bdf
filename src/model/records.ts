/**
 * What every destination consumes: profile patches and metric events, built by the mapping layer from enriched
 * records. Named for what they are, not for an ESP: Klaviyo is one destination behind src/sinks/destination.ts.
 */
export type PropertyValue = string | number | boolean | null | readonly string[];

export interface ProfileIdentity {
  readonly email: string | null;
  readonly phoneNumber: string | null;
  readonly externalId: string | null;
}

/** Every identifier of a profile as a prefixed key (`e:` email, `x:` external id, `p:` phone), email first. */
export function identifierKeysOf(identity: ProfileIdentity): string[] {
  const keys: string[] = [];
  if (identity.email !== null) keys.push(`e:${identity.email}`);
  if (identity.externalId !== null) keys.push(`x:${identity.externalId}`);
  if (identity.phoneNumber !== null) keys.push(`p:${identity.phoneNumber}`);
  return keys;
}

/** One key per profile, by the identifier Klaviyo resolves first: records with the same key patch the same profile. */
export const profileKeyOf = (identity: ProfileIdentity): string => identifierKeysOf(identity)[0] ?? 'p:';

/**
 * Absolute values for a profile's custom properties: sending one twice is harmless. A property whose value became
 * unknown is named in `unset` (Klaviyo's `meta.patch_properties.unset` removes it); a `null` in `properties` is
 * stored by Klaviyo as the value null, so it is only there when null is the value meant. A name is never in both.
 */
export interface ProfilePatch {
  readonly kind: 'profile';
  readonly identity: ProfileIdentity;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly properties: Readonly<Record<string, PropertyValue>>;
  /** Properties to remove from the profile. Absent in patches queued before removal existed: nothing to remove. */
  readonly unset?: readonly string[];
}

/** Profile attributes a patch may write, as field names no custom property can have (they start with a NUL). */
const ATTRIBUTE_FIELDS = { firstName: '\u0000first_name', lastName: '\u0000last_name', phoneNumber: '\u0000phone_number', externalId: '\u0000external_id' } as const;

/**
 * The fields a patch writes on its profile (`profileKeyOf`): custom property names as they are, attributes as
 * constants. Two patches of one profile that share none commute (Klaviyo merges properties), so only patches sharing
 * a field need to be applied in order. No string is built per patch: a backfill keeps these for every patch in flight.
 */
export function patchedFields(patch: ProfilePatch): string[] {
  const fields = [...Object.keys(patch.properties), ...(patch.unset ?? [])];
  if (patch.firstName !== null) fields.push(ATTRIBUTE_FIELDS.firstName);
  if (patch.lastName !== null) fields.push(ATTRIBUTE_FIELDS.lastName);
  if (patch.identity.phoneNumber !== null) fields.push(ATTRIBUTE_FIELDS.phoneNumber);
  if (patch.identity.externalId !== null) fields.push(ATTRIBUTE_FIELDS.externalId);
  return fields;
}

/** A patch's removals, sorted, whether or not the patch was stored before `unset` existed. */
export const unsetOf = (patch: ProfilePatch): readonly string[] => patch.unset ?? [];

export interface MetricEvent {
  readonly kind: 'event';
  readonly metric: string;
  readonly identity: ProfileIdentity;
  readonly time: Date;
  /** Deterministic: the same real-world change always yields the same id, so Klaviyo drops replays. */
  readonly uniqueId: string;
  readonly value: number | null;
  readonly valueCurrency: string | null;
  readonly properties: Readonly<Record<string, unknown>>;
  /** Recorded in Klaviyo without triggering flows (history, not news). */
  readonly backfill: boolean;
}

export type SinkRecord = ProfilePatch | MetricEvent;
