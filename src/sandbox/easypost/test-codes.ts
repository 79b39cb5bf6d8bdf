import type { ShipmentStatus } from '../../model/shipment';
import type { ParcelScript, ScriptedScan } from './parcels';

/**
 * EasyPost's documented test-mode tracking codes and the status each one always reports (research §4). Their
 * histories are fixed and already complete when the tracker is created, as in test mode.
 */
export const TEST_CODE_STATUS: Readonly<Record<string, ShipmentStatus>> = {
  EZ1000000001: 'pre_transit',
  EZ2000000002: 'in_transit',
  EZ3000000003: 'out_for_delivery',
  EZ4000000004: 'delivered',
  EZ5000000005: 'return_to_sender',
  EZ6000000006: 'failure',
  EZ7000000007: 'unknown',
};

/** EasyPost's own wording for a non-test code in test mode (code TRACKER.CREATE.ERROR). */
export const TEST_MODE_ONLY_MESSAGE =
  'In test mode, only test tracking numbers are valid. Test tracking numbers are EZ1000000001, EZ2000000002, ... , EZ7000000007';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const HOUSTON = { city: 'HOUSTON', state: 'TX', country: 'US', zip: '77063' };
const CHARLESTON = { city: 'CHARLESTON', state: 'SC', country: 'US', zip: '29401' };

/** The scans of one test code, dated relative to the tracker's creation like the fixture's (a month before). */
function testScans(status: ShipmentStatus, createdAt: Date): ScriptedScan[] {
  const at = (offsetMs: number) => new Date(createdAt.getTime() + offsetMs);
  if (status === 'unknown') {
    return [{ at: at(-DAY), status: 'unknown', statusDetail: 'unknown', message: 'Status not available', location: null }];
  }
  const scans: ScriptedScan[] = [
    { at: at(-30 * DAY), status: 'pre_transit', statusDetail: 'status_update', message: 'Pre-Shipment Info Sent to USPS', location: null },
    { at: at(-29.5 * DAY), status: 'pre_transit', statusDetail: 'status_update', message: 'Shipping Label Created', location: HOUSTON },
  ];
  if (status === 'pre_transit') return scans;
  scans.push(
    { at: at(-29 * DAY), status: 'in_transit', statusDetail: 'arrived_at_facility', message: 'Arrived at USPS Origin Facility', location: HOUSTON },
    { at: at(-28 * DAY), status: 'in_transit', statusDetail: 'departed_facility', message: 'Departed USPS Facility', location: HOUSTON },
    { at: at(-27 * DAY), status: 'in_transit', statusDetail: 'arrived_at_facility', message: 'Arrived at USPS Facility', location: CHARLESTON },
  );
  if (status === 'in_transit') return scans;
  scans.push({ at: at(-26 * DAY), status: 'out_for_delivery', statusDetail: 'out_for_delivery', message: 'Out for Delivery', location: CHARLESTON });
  const final: Partial<Record<ShipmentStatus, ScriptedScan>> = {
    delivered: { at: at(-26 * DAY + 6 * HOUR), status: 'delivered', statusDetail: 'arrived_at_destination', message: 'Delivered', location: CHARLESTON },
    return_to_sender: { at: at(-26 * DAY + 6 * HOUR), status: 'return_to_sender', statusDetail: 'return', message: 'Return to Sender', location: CHARLESTON },
    failure: { at: at(-26 * DAY + 6 * HOUR), status: 'failure', statusDetail: 'delivery_exception', message: 'Delivery Attempt Failed', location: CHARLESTON },
  };
  const last = final[status];
  return last ? [...scans, last] : scans;
}

export function testCodeScript(trackingCode: string, carrier: string, createdAt: Date): ParcelScript | null {
  const status = TEST_CODE_STATUS[trackingCode];
  if (status === undefined) return null;
  return {
    trackingCode,
    carrier,
    service: 'First-Class Package Service',
    scans: testScans(status, createdAt),
    estDeliveryDate: createdAt,
    weight: null,
    signedBy: status === 'delivered' ? 'John Tester' : null,
    origin: HOUSTON,
    destination: CHARLESTON,
  };
}
