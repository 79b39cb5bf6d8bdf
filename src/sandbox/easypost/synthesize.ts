import type { ShipmentStatus } from '../../model/shipment';
import type { ScanLocation, ScriptedScan } from './parcels';
import { randomInt, mulberry32, type Random } from '../../util/prng';

/**
 * Builds a plausible carrier scan list between a real hand-off and a real delivery (for example an Olist order's
 * `order_delivered_carrier_date` and `order_delivered_customer_date`). Only the two end points are real: every scan
 * in between is SYNTHESIZED (data provenance `source: 'synthesized'`), deterministic for a given seed.
 */
export interface SynthesisInput {
  /** When the carrier took the parcel. */
  readonly handOffAt: Date;
  /** When it was delivered; required when `status` is `delivered`. */
  readonly deliveredAt: Date | null;
  /** The status the history ends in. */
  readonly status: ShipmentStatus;
  readonly seed: number;
  /** The last scan of a history that does not end in delivery; defaults to `deliveredAt`, else 5 days after hand-off. */
  readonly endAt?: Date | null;
  /** Defaults to 2-20 hours before hand-off. */
  readonly labelCreatedAt?: Date | null;
  readonly origin?: ScanLocation | null;
  readonly destination?: ScanLocation | null;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const FINAL_SCAN: Partial<Record<ShipmentStatus, { detail: string; message: string }>> = {
  delivered: { detail: 'arrived_at_destination', message: 'Delivered' },
  out_for_delivery: { detail: 'out_for_delivery', message: 'Out for delivery' },
  available_for_pickup: { detail: 'arrived_at_pickup_location', message: 'Available for pickup' },
  return_to_sender: { detail: 'return', message: 'Returned to sender' },
  failure: { detail: 'delivery_exception', message: 'Delivery attempt failed' },
  cancelled: { detail: 'cancelled', message: 'Shipment cancelled' },
  error: { detail: 'unknown', message: 'Carrier reported an error' },
  unknown: { detail: 'unknown', message: 'Status not available' },
};

/** Carriers scan on most weekends but not all: a weekend scan moves to Monday 70% of the time. */
function skipWeekend(at: Date, random: Random): Date {
  const day = at.getUTCDay();
  if ((day !== 0 && day !== 6) || random() >= 0.7) return at;
  return new Date(at.getTime() + (day === 6 ? 2 : 1) * DAY);
}

/** Out for delivery the morning of delivery (08:00-09:30 UTC), or shortly before an early delivery. */
function outForDeliveryAt(deliveredAt: Date, notBefore: Date, random: Random): Date {
  const morning = new Date(deliveredAt.getTime());
  morning.setUTCHours(8, randomInt(random, 0, 90), 0, 0);
  const candidate = morning.getTime() < deliveredAt.getTime() - 30 * MINUTE
    ? morning
    : new Date(deliveredAt.getTime() - randomInt(random, 60, 180) * MINUTE);
  return candidate > notBefore ? candidate : new Date((notBefore.getTime() + deliveredAt.getTime()) / 2);
}

export function synthesizeScanHistory(input: SynthesisInput): ScriptedScan[] {
  const random = mulberry32(input.seed);
  const { handOffAt, status } = input;
  if (status === 'delivered' && !input.deliveredAt) throw new RangeError('a delivered history needs deliveredAt');
  const endAt = status === 'delivered' && input.deliveredAt
    ? input.deliveredAt
    : input.endAt ?? input.deliveredAt ?? new Date(handOffAt.getTime() + 5 * DAY);
  if (endAt < handOffAt) throw new RangeError('the history ends before the hand-off');
  const origin = input.origin ?? null;
  const destination = input.destination ?? null;
  const labelAt = input.labelCreatedAt ?? new Date(handOffAt.getTime() - randomInt(random, 2 * 60, 20 * 60) * MINUTE);

  const scans: ScriptedScan[] = [
    { at: labelAt, status: 'pre_transit', statusDetail: 'label_created', message: 'Shipping label created', location: origin },
  ];
  if (status === 'pre_transit') return scans;
  scans.push({
    at: handOffAt, status: 'in_transit', statusDetail: 'received_at_origin_facility', message: 'Picked up by carrier', location: origin,
  });

  const endsWithDelivery = status === 'delivered' || status === 'out_for_delivery';
  const ofdAt = status === 'delivered' ? outForDeliveryAt(endAt, handOffAt, random) : endAt;
  // Hub scans stop a couple of hours before the final leg so the history reads in order.
  const hubLimit = (endsWithDelivery ? ofdAt.getTime() : endAt.getTime()) - 2 * HOUR;
  const midpoint = (handOffAt.getTime() + endAt.getTime()) / 2;
  const hubAt = (at: number) => (at < midpoint ? origin : destination);

  let cursor = handOffAt.getTime();
  for (;;) {
    const step = randomInt(random, 1, 2) * DAY + randomInt(random, -180, 180) * MINUTE;
    const departure = skipWeekend(new Date(cursor + step), random).getTime();
    if (departure >= hubLimit) break;
    scans.push({
      at: new Date(departure), status: 'in_transit', statusDetail: 'departed_facility', message: 'Departed facility', location: hubAt(cursor),
    });
    const arrival = departure + randomInt(random, 3, 10) * HOUR;
    if (arrival >= hubLimit) break;
    scans.push({
      at: new Date(arrival), status: 'in_transit', statusDetail: 'arrived_at_facility', message: 'Arrived at facility', location: hubAt(arrival),
    });
    cursor = arrival;
  }

  if (status === 'delivered') {
    scans.push({ at: ofdAt, status: 'out_for_delivery', statusDetail: 'out_for_delivery', message: 'Out for delivery', location: destination });
  }
  const final = FINAL_SCAN[status];
  if (final) scans.push({ at: endAt, status, statusDetail: final.detail, message: final.message, location: destination });
  return scans;
}
