import type { EasyPostSandbox } from './easypost';
import { synthesizeScanHistory } from './easypost/synthesize';
import type { SandboxStore } from './shopify/store';

const DAY_MS = 86_400_000;

/**
 * Gives the EasyPost sandbox a parcel for every store fulfillment the daemon will track: those not delivered
 * before `trackFrom` (older deliveries are history the daemon reads from the store without a tracker). Hand-off and
 * delivery times are the store's (real, for Olist); every scan in between is SYNTHESIZED, deterministically.
 */
export function registerDemoParcels(store: SandboxStore, easypost: EasyPostSandbox, trackFrom: Date): number {
  let registered = 0;
  for (let i = 0; i < store.size; i++) {
    const order = store.recordAt(i);
    if (order.cancelledAt) continue;
    for (const fulfillment of order.fulfillments) {
      const deliveredAt = fulfillment.deliveredAt ? new Date(fulfillment.deliveredAt) : null;
      if (deliveredAt && deliveredAt < trackFrom) continue;
      const handOffAt = new Date(fulfillment.inTransitAt ?? fulfillment.createdAt);
      const destination = { city: order.shippingAddress?.city ?? null, state: order.shippingAddress?.provinceCode ?? null, country: order.shippingAddress?.countryCodeV2 ?? null };
      for (const tracking of fulfillment.tracking) {
        easypost.registerParcel({
          trackingCode: tracking.number,
          carrier: tracking.company ?? 'Correios',
          estDeliveryDate: fulfillment.estimatedDeliveryAt ? new Date(fulfillment.estimatedDeliveryAt) : null,
          destination,
          scans: synthesizeScanHistory({
            handOffAt,
            deliveredAt,
            status: deliveredAt ? 'delivered' : 'in_transit',
            endAt: deliveredAt ? null : new Date(handOffAt.getTime() + 4 * DAY_MS),
            seed: fulfillment.legacyId,
            destination,
          }),
        });
        registered += 1;
      }
    }
  }
  return registered;
}
