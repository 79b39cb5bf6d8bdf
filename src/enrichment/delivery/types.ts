import type { Shipment } from '../../model/shipment';
import type { ExceptionKind, RiskLevel } from './config';

export type RiskCode =
  | 'stalled_fulfillment'
  | 'label_not_picked_up'
  | 'stalled_in_transit'
  | 'late_vs_promise'
  | 'late_vs_carrier'
  | 'promise_due'
  | 'carrier_date_slipped'
  | 'predicted_late'
  | `exception_${ExceptionKind}`;

export interface RiskReason {
  readonly code: RiskCode;
  readonly level: Exclude<RiskLevel, 'none'>;
  /** One sentence for a merchant or a customer-facing email. */
  readonly text: string;
}

export interface OpenIssue {
  readonly code: RiskCode;
  /** ISO instant; strings so the assessment survives the JSON state store unchanged. */
  readonly openedAt: string;
}

export type RiskTransition = 'opened' | 'resolved' | 'changed' | null;

/** The outcome of one assessment; the next assessment of the same parcel receives it as `previous`. */
export interface RiskAssessment {
  readonly level: RiskLevel;
  /** Most severe first. */
  readonly reasons: readonly RiskReason[];
  readonly openIssue: OpenIssue | null;
  readonly transition: RiskTransition;
  /** The first carrier estimate ever seen for this parcel (ISO), kept to detect a slipped date. */
  readonly firstCarrierEstimateAt: string | null;
  readonly assessedAt: string;
}

/** A parcel the carrier knows about. */
export interface ShipmentSubject {
  readonly kind: 'shipment';
  readonly shipment: Shipment;
  /** The destination's region (state, province) when known; picks the time zone in multi-zone countries. */
  readonly destinationRegion: string | null;
}

/** An order with nothing handed to a carrier yet. */
export interface OrderSubject {
  readonly kind: 'order';
  readonly orderId: string;
  readonly placedAt: Date;
  readonly fulfillmentStatus: 'unfulfilled' | 'partially_fulfilled' | 'fulfilled';
  readonly cancelled: boolean;
  readonly promisedDeliveryAt: Date | null;
  readonly destinationCountry: string | null;
  readonly destinationRegion: string | null;
}

export interface RiskInput {
  readonly subject: ShipmentSubject | OrderSubject;
  readonly previous: RiskAssessment | null;
  /** The model's view of the parcel, for the predicted-late rule; null when no model is kept. */
  readonly prediction: DeliveryPrediction | null;
}

export type PredictionConfidence = 'learned' | 'thin_history' | 'carrier_only' | 'promise_only';

export interface DeliveryPrediction {
  readonly mostLikelyAt: Date;
  /** The parcel arrives by this instant in about `latestQuantile` (default 90%) of comparable past deliveries. */
  readonly latestLikelyAt: Date;
  readonly confidence: PredictionConfidence;
  /** Which history and inputs produced the figures, in words. */
  readonly basis: string;
  /** Probability (0-1) of missing the promise given the time already elapsed; null without promise or history. */
  readonly lateRiskScore: number | null;
  /** The history group used, e.g. `c:ups|r:US-CA`, or null when no history was used. */
  readonly group: string | null;
}
