import { hash32 } from '../../../util/prng';
import { isoInstant, type FulfillmentRecord } from '../record';
import { s10FromSerial } from './s10';

/**
 * SYNTHESIZED shipping for the gift retailer's invoices. The UCI data records sales, not parcels, but the invoices
 * were shipped: without fulfillments every historic order would look unfulfilled forever. Each non-cancelled
 * invoice gets one Royal Mail parcel, handed over one to three days after the invoice (deterministic per invoice),
 * delivered after a transit that depends on the destination (1-2 days in the UK and Channel Islands, 3-5 in
 * Europe, 5-9 elsewhere). As of the data's end, a parcel not yet handed over is absent (the order is unfulfilled)
 * and one not yet delivered is in transit. Tracking codes are S10 identifiers ending in GB; the demo registers
 * the undelivered ones with the EasyPost sandbox (src/sandbox/demo-parcels.ts), which synthesizes their scans.
 */
export const GIFT_RETAILER_DATA_END = Date.parse('2011-12-10T00:00:00Z');
export const GIFT_RETAILER_CARRIER = 'RoyalMail';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DOMESTIC = new Set(['GB', 'JE', 'GG', 'IM']);
const EUROPE = new Set([
  'FR', 'DE', 'IE', 'BE', 'CH', 'ES', 'PT', 'IT', 'FI', 'SE', 'NL', 'PL', 'CY', 'NO', 'DK', 'AT', 'MT', 'IS', 'LT', 'GR', 'CZ',
]);

/** Transit bands in days, [fastest, slowest], by destination. */
function transitBand(country: string | null): readonly [number, number] {
  if (country === null || DOMESTIC.has(country)) return [1, 2];
  if (EUROPE.has(country)) return [3, 5];
  return [5, 9];
}

function transitDays(country: string | null, h: number): number {
  const [fastest, slowest] = transitBand(country);
  return fastest + (h % (slowest - fastest + 1));
}

/**
 * Unique per parcel (the data repeats a few invoice numbers, so not keyed by those): the serial is the parcel's id
 * through a bijection of 0..10^8 (7,919 is prime to 10).
 */
function trackingCode(legacyId: number, h: number): string {
  const serial = ((legacyId % 100_000_000) * 7_919 + 31_415_926) % 100_000_000;
  return s10FromSerial(['RR', 'RN', 'RM', 'LX'][h % 4], serial, 'GB');
}

export function giftRetailerFulfillment(invoice: string, invoicedAt: number, country: string | null, legacyId: number): FulfillmentRecord | null {
  const h = hash32(`ship:${invoice}`);
  // Handed over 24-72 h after the invoice, within a working day's collection hours (10:00-18:00 UTC).
  const day = invoicedAt + (1 + (h % 3)) * DAY;
  const handOff = day - (day % DAY) + 10 * HOUR + (hash32(`collect:${invoice}`) % (8 * 60)) * 60_000;
  if (handOff > GIFT_RETAILER_DATA_END) return null;
  const transit = transitDays(country, hash32(`transit:${invoice}`));
  const deliveredAt = handOff + transit * DAY + (hash32(`drop:${invoice}`) % (6 * 60)) * 60_000;
  const delivered = deliveredAt <= GIFT_RETAILER_DATA_END;
  // The carrier's estimate is the slow end of the band, as a quoted "3-5 days" service is promised by its last day.
  const expected = handOff + transitBand(country)[1] * DAY;
  return {
    legacyId,
    status: 'SUCCESS',
    displayStatus: delivered ? 'DELIVERED' : 'IN_TRANSIT',
    createdAt: isoInstant(handOff),
    updatedAt: isoInstant(delivered ? deliveredAt : handOff),
    inTransitAt: isoInstant(handOff),
    deliveredAt: delivered ? isoInstant(deliveredAt) : null,
    estimatedDeliveryAt: isoInstant(expected),
    tracking: [{ number: trackingCode(legacyId, h), company: GIFT_RETAILER_CARRIER, url: null }],
  };
}
