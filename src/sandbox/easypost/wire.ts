/**
 * The JSON the sandbox puts on the wire, shaped after EasyPost's official response fixtures
 * (specs/easypost/trackers-*.json, events-*.json). Field order follows the fixtures so bodies read alike.
 */
import type { ShipmentStatus } from '../../model/shipment';

export type Mode = 'test' | 'production';

export interface TrackingLocationJson {
  object: 'TrackingLocation';
  city: string | null;
  state: string | null;
  country: string | null;
  zip: string | null;
}

export interface TrackingDetailJson {
  object: 'TrackingDetail';
  message: string;
  description: string;
  status: ShipmentStatus;
  status_detail: string;
  datetime: string;
  source: string;
  carrier_code: string;
  tracking_location: TrackingLocationJson;
  est_delivery_date: string | null;
}

export interface CarrierDetailJson {
  object: 'CarrierDetail';
  service: string | null;
  container_type: string | null;
  est_delivery_date_local: string | null;
  est_delivery_time_local: string | null;
  origin_location: string | null;
  origin_tracking_location: TrackingLocationJson | null;
  destination_location: string | null;
  destination_tracking_location: TrackingLocationJson | null;
  guaranteed_delivery_date: string | null;
  alternate_identifier: string | null;
  initial_delivery_attempt: string | null;
}

export interface FeeJson {
  object: 'Fee';
  type: 'TrackerFee';
  amount: string;
  charged: boolean;
  refunded: boolean;
}

export interface TrackerJson {
  id: string;
  object: 'Tracker';
  mode: Mode;
  tracking_code: string;
  status: ShipmentStatus;
  status_detail: string;
  created_at: string;
  updated_at: string;
  signed_by: string | null;
  weight: number | null;
  est_delivery_date: string | null;
  shipment_id: string | null;
  carrier: string;
  tracking_details: TrackingDetailJson[];
  fees: FeeJson[];
  carrier_detail: CarrierDetailJson;
  finalized: boolean;
  is_return: boolean;
  public_url: string;
}

export type EventDescription = 'tracker.created' | 'tracker.updated';
export type EventStatus = 'completed' | 'failed' | 'in_queue' | 'retrying' | 'pending';

/** An Event as listed by `GET /v2/events` (the fixture's list items carry only these fields). */
export interface EventListItemJson {
  description: EventDescription;
  id: string;
  user_id: string;
  status: EventStatus;
  created_at: string;
  mode: Mode;
  object: 'Event';
}

/** As retrieved by `GET /v2/events/{id}`: no `result`, as documented. */
export interface EventJson extends EventListItemJson {
  previous_attributes: Record<string, string | null>;
  pending_urls: string[];
  completed_urls: string[];
  updated_at: string;
}

/** As POSTed to a webhook: the retrieved shape plus the tracker at the time of the event. */
export interface WebhookEventJson extends EventJson {
  result: TrackerJson;
}

export interface ErrorJson {
  error: { code: string; message: string; errors: unknown[] };
}

/** EasyPost's timestamps: whole seconds, `Z` suffix (`2025-05-09T20:40:17Z`). */
export function isoSeconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
