import { hash } from 'node:crypto';
import type { CustomerAggregate } from '../model/customer';
import { unsetOf, type ProfileIdentity, type ProfilePatch, type PropertyValue } from '../model/records';
import type { MappingConfig } from './mapping-config';
import { memoByValue } from '../util/memo';
import { PROFILE_FIELDS, type ProfileContext } from './profile-fields';

export function identityOf(customer: Pick<CustomerAggregate, 'email' | 'phone'>): ProfileIdentity {
  return { email: customer.email, phoneNumber: customer.phone, externalId: null };
}

/**
 * The field tables answer null for "no value now" (no parcel in flight, no open issue, no forecast yet): such a
 * property is removed from the profile rather than set to null, which Klaviyo would keep as a value and show in
 * segments as "is set". The one rule for both profile patches.
 */
export function splitRemovals(values: Iterable<readonly [string, PropertyValue]>): Pick<ProfilePatch, 'properties' | 'unset'> {
  const kept: Array<readonly [string, PropertyValue]> = [];
  const unset: string[] = [];
  for (const pair of values) {
    if (pair[1] === null) unset.push(pair[0]);
    else kept.push(pair);
  }
  // Made in one step, not by a store per name: V8 turns an object given more than about 17 properties by computed
  // name into a hash table ("dictionary mode"), and such an object is hashed, queued and sent at twice the cost
  // (JSON.stringify and Object.entries take a slow path). A full mapping passes that count; fromEntries stays fast.
  return { properties: Object.fromEntries(kept), unset: unset.sort() };
}

/**
 * The mapping's properties as (prefixed name, field) pairs, made once per mapping: every patch of every customer
 * walks them, and the names were concatenated anew each time.
 */
const fieldsOf = memoByValue((mapping: MappingConfig): ReadonlyArray<readonly [string, (context: ProfileContext) => PropertyValue]> =>
  Object.entries(mapping.profile.properties).map(([name, field]) => [`${mapping.profile.prefix}${name}`, PROFILE_FIELDS[field]] as const));

/** The customer's profile properties as the mapping names them. Pure. */
export function buildProfilePatch(context: ProfileContext, mapping: MappingConfig): ProfilePatch {
  const values = fieldsOf(mapping).map(([name, field]) => [name, field(context)] as const);
  return {
    kind: 'profile',
    identity: identityOf(context.customer),
    firstName: context.customer.firstName,
    lastName: context.customer.lastName,
    ...splitRemovals(values),
  };
}

/** A stable fingerprint of what a patch would set: equal hashes mean there is nothing new to send. */
export function patchHash(patch: ProfilePatch): string {
  // Code-unit order: a locale-aware comparison gives the same stability at many times the cost.
  const properties = Object.entries(patch.properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const unset = unsetOf(patch);
  // Patches without removals hash as before `unset` existed, so stored hashes stay valid across the upgrade.
  const canonical = JSON.stringify(unset.length > 0
    ? [patch.identity, patch.firstName, patch.lastName, properties, unset]
    : [patch.identity, patch.firstName, patch.lastName, properties]);
  return hash('sha1', canonical, 'base64url');
}
