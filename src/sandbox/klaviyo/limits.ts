import type { Violation } from './errors';
import type {
  BulkCreateEventsBody, BulkImportProfilesBody, CreateEventBody, JsonMap, ProfileUpsertBody, WireEventAttributes,
  WireProfile,
} from './wire';

/**
 * Klaviyo's documented limits that the OpenAPI schema does not express (events API overview, rate-limit and
 * error-handling guide, and the operation descriptions in the 2026-07-15 spec).
 */
export const LIMITS = {
  /** "The maximum allowed payload size is 5MB": decimal, as the docs' other figures (100KB = 100,000 bytes). */
  bodyBytes: 5_000_000,
  bulkEvents: 1_000,
  bulkProfiles: 10_000,
  profileBytes: 100 * 1024,
  stringBytes: 100 * 1024,
  metricNameChars: 128,
  /** The events API overview says 300 properties; the 2026-07-15 spec says 400. The stricter figure is enforced. */
  eventProperties: 300,
  arrayItems: 4_000,
  nestingDepth: 10,
  emailChars: 100,
  /**
   * The ingestion limits in the docs: event times "between 2000 and now + 1 year"; the 2026-07-15 spec says "after
   * the year 1990". The stricter figure is enforced, so nothing passes here that a stricter Klaviyo refuses.
   */
  earliestEventTime: Date.UTC(2000, 0, 1),
} as const;

const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PROFILE_IDENTIFIERS = ['email', 'phone_number', 'external_id', '_kx', 'anonymous_id'] as const;

const byteLength = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/** Identifier and format rules for one profile object. Bulk import reports these per profile, not per request. */
export function profileViolations(profile: WireProfile, base: string): Violation[] {
  const attributes = profile.attributes;
  const out: Violation[] = [];
  const hasIdentifier = Boolean(profile.id) || PROFILE_IDENTIFIERS.some((key) => Boolean(attributes[key]));
  if (!hasIdentifier) {
    out.push({ pointer: `${base}/attributes`, detail: 'One of `id`, `email`, `phone_number` or `external_id` is required to identify the profile.' });
  }
  const phone = attributes.phone_number;
  if (phone != null && !E164.test(phone)) {
    out.push({ pointer: `${base}/attributes/phone_number`, detail: `Invalid phone number format (Example of a valid format: +12345678901): '${phone}'.` });
  }
  const email = attributes.email;
  if (email != null && (!EMAIL.test(email.trim()) || email.length > LIMITS.emailChars)) {
    out.push({ pointer: `${base}/attributes/email`, detail: `Invalid email address: '${email}'.` });
  }
  return out;
}

function profileSizeViolation(profile: WireProfile, pointer: string): Violation[] {
  return byteLength(profile) > LIMITS.profileBytes
    ? [{ pointer, detail: `The profile payload exceeds the maximum allowed size of ${LIMITS.profileBytes} bytes.` }]
    : [];
}

/** Walks event properties once for the string-size, array-length and nesting-depth limits. */
function propertyShapeViolations(value: unknown, pointer: string, depth: number): Violation[] {
  if (typeof value === 'string') {
    return Buffer.byteLength(value, 'utf8') > LIMITS.stringBytes
      ? [{ pointer, detail: `Strings cannot be larger than ${LIMITS.stringBytes} bytes.` }]
      : [];
  }
  if (Array.isArray(value)) {
    if (value.length > LIMITS.arrayItems) return [{ pointer, detail: `Arrays cannot have more than ${LIMITS.arrayItems} items.` }];
    return value.flatMap((item, i) => propertyShapeViolations(item, `${pointer}/${i}`, depth));
  }
  if (typeof value === 'object' && value !== null) {
    if (depth > LIMITS.nestingDepth) return [{ pointer, detail: `Objects cannot be nested more than ${LIMITS.nestingDepth} levels.` }];
    return Object.entries(value).flatMap(([key, sub]) => propertyShapeViolations(sub, `${pointer}/${key}`, depth + 1));
  }
  return [];
}

function eventViolations(event: WireEventAttributes, base: string, now: Date): Violation[] {
  const out: Violation[] = [];
  const name = event.metric.data.attributes.name;
  if (name.length >= LIMITS.metricNameChars || name.trim() === '') {
    out.push({ pointer: `${base}/metric/data/attributes/name`, detail: `Metric name must be a non-empty string of less than ${LIMITS.metricNameChars} characters.` });
  }
  if (event.time != null) {
    const time = Date.parse(event.time);
    const latest = new Date(now);
    latest.setUTCFullYear(latest.getUTCFullYear() + 1);
    if (time <= LIMITS.earliestEventTime || time > latest.getTime()) {
      out.push({ pointer: `${base}/time`, detail: `'time' must be after 2000-01-01 and no more than 1 year in the future: '${event.time}'.` });
    }
  }
  const properties: JsonMap = event.properties;
  if (Object.keys(properties).length > LIMITS.eventProperties) {
    out.push({ pointer: `${base}/properties`, detail: `Events cannot have more than ${LIMITS.eventProperties} properties.` });
  }
  out.push(...propertyShapeViolations(properties, `${base}/properties`, 1));
  return out;
}

export function createEventViolations(body: CreateEventBody, now: Date): Violation[] {
  const attributes = body.data.attributes;
  return [
    ...eventViolations(attributes, '/data/attributes', now),
    ...profileViolations(attributes.profile.data, '/data/attributes/profile/data'),
  ];
}

const identityKey = (profile: WireProfile): string => JSON.stringify([
  profile.id ?? null, profile.attributes.email?.trim().toLowerCase() ?? null, profile.attributes.phone_number ?? null,
  profile.attributes.external_id ?? null,
]);

/** The bulk maxima an account enforces: Klaviyo's, or smaller ones a scaled-down account (bench:fleet) is given. */
export interface BulkMaxima {
  readonly events: number;
  readonly profiles: number;
}

export const DOCUMENTED_BULK_MAXIMA: BulkMaxima = { events: LIMITS.bulkEvents, profiles: LIMITS.bulkProfiles };

export function bulkCreateEventsViolations(body: BulkCreateEventsBody, now: Date, maxima: BulkMaxima = DOCUMENTED_BULK_MAXIMA): Violation[] {
  const entries = body.data.attributes['events-bulk-create'].data;
  const base = '/data/attributes/events-bulk-create/data';
  const total = entries.reduce((sum, entry) => sum + entry.attributes.events.data.length, 0);
  if (total > maxima.events) {
    return [{ pointer: base, detail: `A request may contain at most ${maxima.events} events; this one has ${total}.` }];
  }
  const out: Violation[] = [];
  // The spec: "If a unique_id is repeated for the same profile and metric, the request will fail."
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    const profile = entry.attributes.profile.data;
    out.push(...profileViolations(profile, `${base}/${i}/attributes/profile/data`));
    entry.attributes.events.data.forEach((event, j) => {
      const pointer = `${base}/${i}/attributes/events/data/${j}/attributes`;
      out.push(...eventViolations(event.attributes, pointer, now));
      const uniqueId = event.attributes.unique_id;
      if (uniqueId == null) return;
      const key = JSON.stringify([identityKey(profile), event.attributes.metric.data.attributes.name, uniqueId]);
      if (seen.has(key)) out.push({ pointer: `${pointer}/unique_id`, detail: `Duplicate unique_id '${uniqueId}' for the same profile and metric.` });
      seen.add(key);
    });
  });
  return out;
}

export function profileUpsertViolations(body: ProfileUpsertBody): Violation[] {
  return [...profileSizeViolation(body.data, '/data'), ...profileViolations(body.data, '/data')];
}

/** Request-level checks only: a bad profile inside an acceptable job becomes an import error, not a 400. */
export function bulkImportViolations(body: BulkImportProfilesBody, maxima: BulkMaxima = DOCUMENTED_BULK_MAXIMA): Violation[] {
  const profiles = body.data.attributes.profiles.data;
  const base = '/data/attributes/profiles/data';
  if (profiles.length > maxima.profiles) {
    return [{ pointer: base, detail: `A job may contain at most ${maxima.profiles} profiles; this one has ${profiles.length}.` }];
  }
  return profiles.flatMap((profile, i) => profileSizeViolation(profile, `${base}/${i}`));
}
