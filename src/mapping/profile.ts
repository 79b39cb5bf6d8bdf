import { hash } from 'node:crypto';
import type { CustomerAggregate } from '../model/customer';
import type { ProfileIdentity, ProfilePatch, PropertyValue } from '../model/klaviyo';
import type { MappingConfig } from './mapping-config';
import { PROFILE_FIELDS, type ProfileContext } from './profile-fields';

export function identityOf(customer: Pick<CustomerAggregate, 'email' | 'phone'>): ProfileIdentity {
  return { email: customer.email, phoneNumber: customer.phone, externalId: null };
}

/** The customer's profile properties as the mapping names them. Pure. */
export function buildProfilePatch(context: ProfileContext, mapping: MappingConfig): ProfilePatch {
  const properties: Record<string, PropertyValue> = {};
  for (const [name, field] of Object.entries(mapping.profile.properties)) {
    properties[`${mapping.profile.prefix}${name}`] = PROFILE_FIELDS[field](context);
  }
  return {
    kind: 'profile',
    identity: identityOf(context.customer),
    firstName: context.customer.firstName,
    lastName: context.customer.lastName,
    properties,
  };
}

/** A stable fingerprint of what a patch would set: equal hashes mean there is nothing new to send. */
export function patchHash(patch: ProfilePatch): string {
  // Code-unit order: a locale-aware comparison gives the same stability at many times the cost.
  const canonical = JSON.stringify([patch.identity, patch.firstName, patch.lastName, Object.entries(patch.properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
  return hash('sha1', canonical, 'base64url');
}
