import type { ShipmentStatus } from '../../model/shipment';
import {
  isoSeconds,
  type CarrierDetailJson,
  type FeeJson,
  type Mode,
  type TrackerJson,
  type TrackingDetailJson,
  type TrackingLocationJson,
} from './wire';

export interface ScanLocation {
  readonly city?: string | null;
  readonly state?: string | null;
  readonly country?: string | null;
  readonly zip?: string | null;
}

/** One carrier scan in a scripted history; it becomes visible once the sandbox clock reaches `at`. */
export interface ScriptedScan {
  readonly at: Date;
  readonly status: ShipmentStatus;
  readonly statusDetail: string;
  readonly message: string;
  readonly location?: ScanLocation | null;
}

/** A parcel a test or the demo registers so that its tracking code is accepted and evolves over simulated time. */
export interface ParcelScript {
  readonly trackingCode: string;
  readonly carrier: string;
  readonly service?: string | null;
  readonly scans: readonly ScriptedScan[];
  readonly estDeliveryDate?: Date | null;
  /** Ounces. Integers exercise EasyPost's `N.0` signing quirk in webhooks. */
  readonly weight?: number | null;
  readonly signedBy?: string | null;
  readonly origin?: ScanLocation | null;
  readonly destination?: ScanLocation | null;
}

/** What the sandbox stores per tracker; everything visible is derived from it and the clock. */
export interface TrackerRecord {
  readonly id: string;
  readonly mode: Mode;
  readonly trackingCode: string;
  readonly carrier: string;
  readonly createdAt: Date;
  /** Scans sorted by time. */
  readonly script: ParcelScript;
}

const TERMINAL: ReadonlySet<ShipmentStatus> = new Set([
  'delivered', 'return_to_sender', 'failure', 'cancelled', 'error',
]);

export function sortedScript(script: ParcelScript): ParcelScript {
  return { ...script, scans: [...script.scans].sort((a, b) => a.at.getTime() - b.at.getTime()) };
}

export function visibleScans(record: TrackerRecord, now: Date): readonly ScriptedScan[] {
  return record.script.scans.filter((scan) => scan.at.getTime() <= now.getTime());
}

/** Changes to any of these make a `tracker.updated` event, as new scans or status changes do at EasyPost. */
export function visibleFingerprint(record: TrackerRecord, now: Date): string {
  const tracker = renderTracker(record, now);
  return [tracker.status, tracker.status_detail, tracker.tracking_details.length, tracker.est_delivery_date].join('|');
}

function locationJson(location: ScanLocation | null | undefined): TrackingLocationJson {
  return {
    object: 'TrackingLocation',
    city: location?.city ?? null,
    state: location?.state ?? null,
    country: location?.country ?? null,
    zip: location?.zip ?? null,
  };
}

function locationText(location: ScanLocation | null | undefined): string | null {
  if (!location) return null;
  const text = [location.city, location.state, location.country].filter((part) => part).join(' ');
  return text === '' ? null : text;
}

function detailJson(scan: ScriptedScan, carrier: string): TrackingDetailJson {
  return {
    object: 'TrackingDetail',
    message: scan.message,
    description: '',
    status: scan.status,
    status_detail: scan.statusDetail,
    datetime: isoSeconds(scan.at),
    source: carrier,
    carrier_code: '',
    tracking_location: locationJson(scan.location),
    est_delivery_date: null,
  };
}

/** EasyPost's public tracking page id is base64 of `v1:<tracker id>` (see the fixtures' public_url). */
export function publicUrl(trackerId: string): string {
  return `https://track.easypost.com/${Buffer.from(`v1:${trackerId}`).toString('base64')}`;
}

/** The tracker as EasyPost would return it at `now`: only scans at or before `now` are visible. */
export function renderTracker(record: TrackerRecord, now: Date): TrackerJson {
  const { script } = record;
  const scans = visibleScans(record, now);
  const last = scans.length > 0 ? scans[scans.length - 1] : null;
  const status: ShipmentStatus = last?.status ?? 'unknown';
  const updatedAt = last && last.at > record.createdAt ? last.at : record.createdAt;
  const estDelivery = script.estDeliveryDate ?? null;
  const firstLocated = scans.find((scan) => locationText(scan.location) !== null);
  const origin = script.origin ?? firstLocated?.location ?? null;
  const fees: FeeJson[] = record.mode === 'production'
    ? [{ object: 'Fee', type: 'TrackerFee', amount: '0.02000', charged: true, refunded: false }]
    : [];
  const carrierDetail: CarrierDetailJson = {
    object: 'CarrierDetail',
    service: script.service ?? null,
    container_type: null,
    est_delivery_date_local: estDelivery ? estDelivery.toISOString().slice(0, 10) : null,
    est_delivery_time_local: null,
    origin_location: locationText(origin),
    origin_tracking_location: origin ? locationJson(origin) : null,
    destination_location: locationText(script.destination),
    destination_tracking_location: status === 'delivered' && last?.location ? locationJson(last.location) : null,
    guaranteed_delivery_date: null,
    alternate_identifier: null,
    initial_delivery_attempt: null,
  };
  return {
    id: record.id,
    object: 'Tracker',
    mode: record.mode,
    tracking_code: record.trackingCode,
    status,
    status_detail: last?.statusDetail ?? 'unknown',
    created_at: isoSeconds(record.createdAt),
    updated_at: isoSeconds(updatedAt),
    signed_by: status === 'delivered' ? script.signedBy ?? null : null,
    weight: script.weight ?? null,
    est_delivery_date: estDelivery ? isoSeconds(estDelivery) : null,
    shipment_id: null,
    carrier: record.carrier,
    tracking_details: scans.map((scan) => detailJson(scan, record.carrier)),
    fees,
    carrier_detail: carrierDetail,
    finalized: TERMINAL.has(status),
    is_return: status === 'return_to_sender',
    public_url: publicUrl(record.id),
  };
}
