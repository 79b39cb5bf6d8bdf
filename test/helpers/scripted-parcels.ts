import type { ScriptedScan } from '../../src/sandbox/easypost';
import { isoInstant, type OrderRecord } from '../../src/sandbox/shopify/record';

/**
 * Scripted parcels for end-to-end tests: carrier scans in June 2026 from Austin TX to New York NY (America/New_York
 * business days), and the Shopify order with one fulfillment that ships each.
 */
export const ORIGIN = { city: 'AUSTIN', state: 'TX', country: 'US' };
export const DEST = { city: 'NEW YORK', state: 'NY', country: 'US' };

/** `'04T09:00'` → 2026-06-04T09:00:00Z. */
export const at = (day: string): Date => new Date(`2026-06-${day}:00Z`);

export const scan = (when: string, status: ScriptedScan['status'], statusDetail: string, message: string, location = ORIGIN): ScriptedScan =>
  ({ at: at(when), status, statusDetail, message, location });

export const LABEL_SCAN = scan('01T11:00', 'pre_transit', 'label_created', 'Shipping label created');

/** A failed delivery attempt (a carrier exception) on the 4th, delivered the next day. */
export const EXCEPTION_SCANS: readonly ScriptedScan[] = [
  LABEL_SCAN,
  scan('02T10:00', 'in_transit', 'received_at_origin_facility', 'Picked up by carrier'),
  scan('04T09:00', 'out_for_delivery', 'out_for_delivery', 'Out for delivery', DEST),
  scan('04T17:00', 'failure', 'delivery_exception', 'Delivery attempt failed: no one available', DEST),
  scan('05T09:00', 'out_for_delivery', 'out_for_delivery', 'Out for delivery', DEST),
  scan('05T14:00', 'delivered', 'arrived_at_destination', 'Delivered', DEST),
];

export interface ScriptedOrder {
  /** Distinguishes the order's ids (`base + index`, per kind of id). */
  readonly index: number;
  readonly base: number;
  readonly email: string;
  readonly lastName: string;
  readonly trackingCode: string;
  readonly placedAt: Date;
  readonly labelAt: Date;
  readonly promised?: string | null;
}

/** One paid order of one shirt, fulfilled with a label and one USPS tracking code. */
export function scriptedOrder(o: ScriptedOrder): OrderRecord {
  const placed = isoInstant(o.placedAt.getTime());
  const fulfilled = isoInstant(o.labelAt.getTime());
  const id = (kind: number) => o.base + kind * 100_000 + o.index;
  return {
    legacyId: id(0), name: `#${2001 + o.index}`, email: o.email, phone: null,
    createdAt: placed, updatedAt: fulfilled, processedAt: placed, cancelledAt: null, cancelReason: null, closedAt: null,
    test: false, tags: [], note: null, currencyCode: 'USD', totalPrice: '59.90', totalRefunded: '0.00',
    displayFinancialStatus: 'PAID', displayFulfillmentStatus: 'FULFILLED',
    lineItems: [{ legacyId: id(1), title: 'Linen shirt', variantTitle: null, sku: `SHIRT-${o.index}`, vendor: null, quantity: 1, unitPrice: '59.90', productLegacyId: id(2) }],
    customer: { legacyId: id(3), firstName: 'Ada', lastName: o.lastName, email: o.email, phone: null, createdAt: placed, tags: [] },
    fulfillments: [{
      legacyId: id(4), status: 'SUCCESS', displayStatus: 'LABEL_PRINTED', createdAt: fulfilled, updatedAt: fulfilled,
      inTransitAt: null, deliveredAt: null, estimatedDeliveryAt: null,
      tracking: [{ number: o.trackingCode, company: 'USPS', url: null }],
    }],
    shippingAddress: { firstName: 'Ada', lastName: o.lastName, city: 'New York', province: 'New York', provinceCode: 'NY', zip: '10001', country: 'United States', countryCodeV2: 'US', phone: null },
    customAttributes: o.promised ? [{ key: 'promised_delivery_date', value: o.promised }] : [],
  };
}
