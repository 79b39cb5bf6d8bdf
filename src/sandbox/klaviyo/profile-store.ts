import type { SandboxProfile } from './types';
import type { JsonMap, WireLocation, WireProfile, WireProfileAttributes, WireProfileMeta } from './wire';

type MutableProfile = { -readonly [K in keyof SandboxProfile]: SandboxProfile[K] } & {
  properties: Record<string, unknown>;
  location: Record<string, unknown> | null;
};

export type UpsertOutcome =
  | { readonly kind: 'created' | 'updated'; readonly profile: SandboxProfile }
  | { readonly kind: 'conflict'; readonly duplicateProfileId: string }
  | { readonly kind: 'not_found'; readonly id: string };

/**
 * How to treat identifiers that point at two different profiles: the synchronous profile endpoints refuse with 409
 * duplicate_profile; events are accepted regardless, so they attach to the first match and leave the clash alone.
 */
export type ConflictPolicy = 'reject' | 'first_match';

const SCALAR_FIELDS = [
  ['first_name', 'firstName'], ['last_name', 'lastName'], ['organization', 'organization'], ['locale', 'locale'],
  ['title', 'title'], ['image', 'image'],
] as const;

type IdentifierField = 'email' | 'phoneNumber' | 'externalId';
const IDENTIFIERS: readonly (readonly [keyof WireProfileAttributes, IdentifierField])[] = [
  ['email', 'email'], ['phone_number', 'phoneNumber'], ['external_id', 'externalId'],
];

/** Klaviyo matches emails case-insensitively and stores them lower-cased. */
const normalizeIdentifier = (field: IdentifierField, value: string): string =>
  field === 'email' ? value.trim().toLowerCase() : value.trim();

const clone = <T>(value: T): T => structuredClone(value);

export class ProfileStore {
  private readonly byId = new Map<string, MutableProfile>();
  private readonly index: Record<IdentifierField, Map<string, string>> = {
    email: new Map(), phoneNumber: new Map(), externalId: new Map(),
  };
  private counter = 0;
  /** Profile-endpoint writes so far, and the serial of each profile's last one (what a benchmark counts). */
  private writes = 0;
  private readonly lastWrite = new Map<string, number>();

  upsert(resource: WireProfile, now: Date, policy: ConflictPolicy): UpsertOutcome {
    const attributes = resource.attributes;
    const matches: string[] = [];
    if (resource.id) {
      if (!this.byId.has(resource.id)) return { kind: 'not_found', id: resource.id };
      matches.push(resource.id);
    }
    for (const [wire, field] of IDENTIFIERS) {
      const value = attributes[wire];
      if (typeof value !== 'string') continue;
      const owner = this.index[field].get(normalizeIdentifier(field, value));
      if (owner && !matches.includes(owner)) matches.push(owner);
    }
    if (matches.length > 1 && policy === 'reject') return { kind: 'conflict', duplicateProfileId: matches[1] };

    const stamp = now.toISOString();
    const existing = matches.length > 0 ? this.byId.get(matches[0]) : undefined;
    const profile = existing ?? this.create(stamp);
    this.applyIdentifiers(profile, attributes);
    this.applyFields(profile, attributes);
    applyPatch(profile.properties, resource.meta ?? attributes.meta ?? null);
    profile.updated = stamp;
    // The profile endpoints refuse conflicts; events attach to the first match: only the former write a profile.
    if (policy === 'reject') this.lastWrite.set(profile.id, ++this.writes);
    return { kind: existing ? 'updated' : 'created', profile: clone(profile) };
  }

  touchLastEvent(profileId: string, time: string): void {
    const profile = this.byId.get(profileId);
    if (profile && (profile.lastEventDate === null || profile.lastEventDate < time)) profile.lastEventDate = time;
  }

  get(id: string): SandboxProfile | undefined {
    const profile = this.byId.get(id);
    return profile && clone(profile);
  }

  /** Copies of the first `limit` profiles created (all by default). */
  all(limit = Infinity): SandboxProfile[] {
    const profiles: SandboxProfile[] = [];
    for (const profile of this.byId.values()) {
      if (profiles.length >= limit) break;
      profiles.push(clone(profile));
    }
    return profiles;
  }

  get size(): number {
    return this.byId.size;
  }

  get writeMark(): number {
    return this.writes;
  }

  /** Distinct profiles written through the profile endpoints after the mark. */
  writtenSince(mark: number): number {
    let count = 0;
    for (const serial of this.lastWrite.values()) if (serial > mark) count += 1;
    return count;
  }

  clear(): void {
    this.byId.clear();
    for (const map of Object.values(this.index)) map.clear();
    this.counter = 0;
    this.writes = 0;
    this.lastWrite.clear();
  }

  private create(stamp: string): MutableProfile {
    this.counter += 1;
    // Shaped like Klaviyo's 26-character ULID ids; sequential so runs are reproducible.
    const id = `01SBX${this.counter.toString(32).toUpperCase().padStart(21, '0')}`;
    const profile: MutableProfile = {
      id, email: null, phoneNumber: null, externalId: null, firstName: null, lastName: null, organization: null,
      locale: null, title: null, image: null, location: null, properties: {}, created: stamp, updated: stamp,
      lastEventDate: null,
    };
    this.byId.set(id, profile);
    return profile;
  }

  private applyIdentifiers(profile: MutableProfile, attributes: WireProfileAttributes): void {
    for (const [wire, field] of IDENTIFIERS) {
      if (!(wire in attributes)) continue;
      const value = attributes[wire];
      const next = typeof value === 'string' ? normalizeIdentifier(field, value) : null;
      if (next !== null) {
        const owner = this.index[field].get(next);
        // Only reachable under 'first_match': the identifier stays with the profile that already has it.
        if (owner && owner !== profile.id) continue;
      }
      const previous = profile[field];
      if (previous !== null) this.index[field].delete(previous);
      profile[field] = next;
      if (next !== null) this.index[field].set(next, profile.id);
    }
  }

  private applyFields(profile: MutableProfile, attributes: WireProfileAttributes): void {
    for (const [wire, field] of SCALAR_FIELDS) {
      if (wire in attributes) profile[field] = attributes[wire] ?? null;
    }
    if ('location' in attributes) profile.location = mergeLocation(profile.location, attributes.location ?? null);
    if ('properties' in attributes) {
      const properties = attributes.properties;
      // "Setting a field to null will clear out the field" is about the profile's fields: `properties: null` wipes
      // them all. Inside properties, keys are merged one by one and a null is kept as the value null; removing a key
      // takes `meta.patch_properties.unset`.
      if (properties == null) profile.properties = {};
      else mergeProperties(profile.properties, properties);
    }
  }
}

function mergeProperties(target: Record<string, unknown>, patch: JsonMap): void {
  for (const [key, value] of Object.entries(patch)) target[key] = clone(value);
}

/** Location fields are profile fields: a null clears one. */
function mergeLocation(current: Record<string, unknown> | null, patch: WireLocation | null): Record<string, unknown> | null {
  if (patch === null) return null;
  const merged: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? [...value] : [value]);

/** `meta.patch_properties`: append to / remove from list properties, and unset keys entirely. */
function applyPatch(properties: Record<string, unknown>, meta: WireProfileMeta | null): void {
  const patch = meta?.patch_properties;
  if (!patch) return;
  for (const [key, value] of Object.entries(patch.append ?? {})) {
    const current = properties[key];
    properties[key] = [...(current === undefined || current === null ? [] : asList(current)), ...asList(value)];
  }
  for (const [key, value] of Object.entries(patch.unappend ?? {})) {
    if (properties[key] === undefined) continue;
    const removed = asList(value).map((v) => JSON.stringify(v));
    properties[key] = asList(properties[key]).filter((v) => !removed.includes(JSON.stringify(v)));
  }
  const unset = patch.unset;
  for (const key of unset == null ? [] : typeof unset === 'string' ? [unset] : unset) delete properties[key];
}
