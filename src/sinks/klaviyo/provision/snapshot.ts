/**
 * Snapshots of provisioned objects from Klaviyo's own answers (the raw JSON:API body, not the SDK's models, whose
 * deserializer drops fields it does not know), so `doctor` can tell an object someone edited in Klaviyo from one
 * left as setup created it. The fingerprint hashes the definition with its keys sorted: the same definition read
 * twice gives the same fingerprint whatever order the keys come in.
 */
import { createHash } from 'node:crypto';
import type { ObjectSnapshot } from '../../provisioner';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON with object keys sorted at every level. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value ?? null);
}

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('base64url').slice(0, 22);
}

const attributesOf = (resource: unknown): Json => (isObject(resource) && isObject(resource.attributes) ? resource.attributes : {});

/** A segment resource (`get_segments` item): active or not, and its conditions. */
export function segmentSnapshot(resource: unknown): ObjectSnapshot {
  const attributes = attributesOf(resource);
  return { status: attributes.is_active === false ? 'inactive' : 'active', definition: fingerprint(attributes.definition) };
}

/** A flow resource read with `additional-fields[flow]=definition`: its status (archived wins) and its definition. */
export function flowSnapshot(resource: unknown): ObjectSnapshot {
  const attributes = attributesOf(resource);
  const status = attributes.archived === true ? 'archived' : typeof attributes.status === 'string' ? attributes.status : null;
  return { status, definition: fingerprint(attributes.definition) };
}

/** The raw `data` of a JSON:API answer the SDK returned (`response.data`), one resource or a list. */
export function rawData(response: { readonly data?: unknown }): unknown {
  return isObject(response.data) ? response.data.data : undefined;
}
