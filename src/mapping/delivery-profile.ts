import type { ProfilePatch } from '../model/records';
import type { ShipmentState } from '../state/shipments';
import { DELIVERY_FIELDS, type DeliveryProfileContext } from './delivery-fields';
import type { MappingConfig } from './mapping-config';
import { splitRemovals } from './profile';

/**
 * The customer's shipment properties as the mapping names them, in a patch of their own: Klaviyo merges properties,
 * so the lifecycle patch and this one never overwrite each other. Null when the mapping sends none. Pure.
 */
export function buildDeliveryPatch(context: DeliveryProfileContext, mapping: MappingConfig): ProfilePatch | null {
  const fields = Object.entries(mapping.profile.deliveryProperties);
  const newest: ShipmentState | undefined = [...context.shipments].sort((a, b) => b.orderPlacedAt.localeCompare(a.orderPlacedAt))[0];
  if (fields.length === 0 || !newest) return null;
  const values = fields.map(([name, field]) => [`${mapping.profile.prefix}${name}`, DELIVERY_FIELDS[field](context)] as const);
  // Email only, no names: the lifecycle patch owns the profile's identity, and a null here never overwrites it.
  return {
    kind: 'profile', identity: { email: newest.customerEmail, phoneNumber: null, externalId: null }, firstName: null, lastName: null,
    ...splitRemovals(values),
  };
}
