import { z } from 'zod';
import { SHIPMENT_STATUSES, type ShipmentStatus, type TrackingScan } from '../../model/shipment';
import { RecordRejection } from '../../util/errors';

/** One EasyPost tracker, normalized: what the pipeline merges into a Shipment. */
export interface TrackerSnapshot {
  readonly trackerId: string;
  readonly mode: 'test' | 'production' | null;
  readonly trackingCode: string;
  readonly carrier: string | null;
  readonly service: string | null;
  /** 'unknown' when EasyPost sent a status we do not know; see `statusRecognized`. */
  readonly status: ShipmentStatus;
  readonly statusRecognized: boolean;
  readonly statusDetail: string | null;
  readonly signedBy: string | null;
  /** UTC instants, oldest first, one per distinct scan. */
  readonly scans: readonly TrackingScan[];
  /** First scan past pre-transit: the carrier has the parcel. */
  readonly shippedAt: Date | null;
  /** Latest delivered scan, when the tracker says delivered. */
  readonly deliveredAt: Date | null;
  readonly carrierEstimatedDeliveryAt: Date | null;
  readonly publicUrl: string | null;
  readonly createdAt: Date | null;
  readonly updatedAt: Date;
  /** ISO 3166-1 alpha-2, when the carrier says. */
  readonly destinationCountry: string | null;
  readonly originCountry: string | null;
  /** Data problems that did not stop normalization (unknown statuses, unparseable scan times). */
  readonly warnings: readonly string[];
}

const text = z.string().nullish();
const location = z.object({ city: text, state: text, country: text, zip: text }).nullish();
const detail = z.object({
  status: text,
  status_detail: text,
  message: text,
  description: text,
  datetime: text,
  tracking_location: location,
});
const trackerShape = z.object({
  id: z.string().min(1),
  mode: text,
  tracking_code: z.string().min(1),
  carrier: text,
  status: text,
  status_detail: text,
  signed_by: text,
  created_at: text,
  updated_at: text,
  est_delivery_date: text,
  public_url: text,
  tracking_details: z.array(detail).nullish(),
  carrier_detail: z.object({
    service: text,
    origin_location: text,
    origin_tracking_location: location,
    destination_location: text,
    destination_tracking_location: location,
  }).nullish(),
});

const KNOWN: ReadonlySet<string> = new Set(SHIPMENT_STATUSES);

function toStatus(raw: string | null | undefined, warnings: string[]): { status: ShipmentStatus; recognized: boolean } {
  if (raw != null && KNOWN.has(raw)) return { status: raw as ShipmentStatus, recognized: true };
  warnings.push(`unrecognized status ${JSON.stringify(raw ?? null)}`);
  return { status: 'unknown', recognized: false };
}

function toDate(raw: string | null | undefined): Date | null {
  if (raw == null || raw === '') return null;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? null : new Date(ms);
}

function blankToNull(value: string | null | undefined): string | null {
  return value == null || value.trim() === '' ? null : value.trim();
}

function countryCode(raw: string | null | undefined): string | null {
  const code = raw?.trim().toUpperCase() ?? '';
  return /^[A-Z]{2}$/.test(code) ? code : null;
}

/**
 * EasyPost's location strings look like "BROOKLYN HGTS NY US" or "HOUSTON TX, 77001". Only the first form ends
 * in a country, and only when a state code precedes it; anything else stays unknown rather than guessed.
 */
function countryFromText(raw: string | null | undefined): string | null {
  const tokens = (raw ?? '').trim().split(/\s+/);
  if (tokens.length < 3) return null;
  const [state, country] = tokens.slice(-2);
  return /^[A-Z]{2}$/.test(state) ? countryCode(country) : null;
}

type Detail = z.infer<typeof detail>;

function toScans(details: readonly Detail[], warnings: string[]): TrackingScan[] {
  const seen = new Set<string>();
  const scans: TrackingScan[] = [];
  for (const d of details) {
    const at = toDate(d.datetime);
    if (!at) {
      warnings.push(`scan dropped: unparseable datetime ${JSON.stringify(d.datetime ?? null)}`);
      continue;
    }
    const scan: TrackingScan = {
      at,
      status: toStatus(d.status, warnings).status,
      statusDetail: blankToNull(d.status_detail),
      message: blankToNull(d.message) ?? blankToNull(d.description),
      city: blankToNull(d.tracking_location?.city),
      region: blankToNull(d.tracking_location?.state),
      country: countryCode(d.tracking_location?.country),
    };
    // Carriers resend identical scans; the same instant, status and place is one event.
    const key = [at.getTime(), scan.status, scan.statusDetail, scan.message, scan.city].join('|');
    if (seen.has(key)) continue;
    seen.add(key);
    scans.push(scan);
  }
  return scans.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * EasyPost Tracker (from the client, a list page or a webhook `result`) to our snapshot. Pure. Throws a
 * RecordRejection when the input is not a tracker at all; tolerates everything a carrier may leave out.
 */
export function normalizeTracker(tracker: unknown): TrackerSnapshot {
  const parsed = trackerShape.safeParse(tracker);
  if (!parsed.success) {
    const id = typeof tracker === 'object' && tracker !== null && 'id' in tracker ? String(tracker.id) : 'unknown';
    throw new RecordRejection('easypost', id, `not an EasyPost tracker: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  const t = parsed.data;
  const warnings: string[] = [];
  const { status, recognized } = toStatus(t.status, warnings);
  const scans = toScans(t.tracking_details ?? [], warnings);
  const createdAt = toDate(t.created_at);
  const updatedAt = toDate(t.updated_at) ?? createdAt ?? scans[scans.length - 1]?.at;
  if (!updatedAt) throw new RecordRejection('easypost', t.id, 'tracker has no updated_at, created_at or scan time');
  const cd = t.carrier_detail;
  const shipped = scans.find((s) => s.status !== 'pre_transit' && s.status !== 'unknown');
  const delivered = status === 'delivered' ? [...scans].reverse().find((s) => s.status === 'delivered') : undefined;
  return {
    trackerId: t.id,
    mode: t.mode === 'test' || t.mode === 'production' ? t.mode : null,
    trackingCode: t.tracking_code,
    carrier: blankToNull(t.carrier),
    service: blankToNull(cd?.service),
    status,
    statusRecognized: recognized,
    statusDetail: blankToNull(t.status_detail),
    signedBy: blankToNull(t.signed_by),
    scans,
    shippedAt: shipped?.at ?? null,
    deliveredAt: delivered?.at ?? null,
    carrierEstimatedDeliveryAt: toDate(t.est_delivery_date),
    publicUrl: blankToNull(t.public_url),
    createdAt,
    updatedAt,
    destinationCountry: countryCode(cd?.destination_tracking_location?.country) ?? countryFromText(cd?.destination_location),
    originCountry: countryCode(cd?.origin_tracking_location?.country)
      ?? countryFromText(cd?.origin_location)
      ?? scans.find((s) => s.country !== null)?.country
      ?? null,
    warnings,
  };
}
