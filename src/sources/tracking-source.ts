import type { IncomingHttpHeaders } from 'node:http';
import type { ShipmentStatus, TrackingScan } from '../model/shipment';

/**
 * The tracking-source port: what the pipeline needs of a carrier-tracking service (EasyPost today), nothing of how
 * it is called. Implementations live in `src/sources/<provider>/`; only the composition root names them.
 */

/** One tracker's current state, normalized: the parcel as the carrier reports it. */
export interface TrackingUpdate {
  /** The provider's name, carried into events as their data source. */
  readonly provider: string;
  readonly trackerId: string;
  readonly trackingCode: string;
  readonly carrier: string | null;
  readonly service: string | null;
  readonly status: ShipmentStatus;
  readonly statusDetail: string | null;
  /** UTC instants, oldest first, one per distinct scan. */
  readonly scans: readonly TrackingScan[];
  readonly shippedAt: Date | null;
  readonly deliveredAt: Date | null;
  readonly carrierEstimatedDeliveryAt: Date | null;
  readonly publicUrl: string | null;
  /** The provider's last change to this tracker: an update older than the stored one is a late duplicate. */
  readonly updatedAt: Date;
  readonly destinationCountry: string | null;
  readonly originCountry: string | null;
}

/** What a verified tracking webhook delivery means to the pipeline. */
export type TrackingWebhookVerdict =
  | { readonly kind: 'rejected'; readonly status: 401 | 400 | 413; readonly reason: string }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'updated'; readonly update: TrackingUpdate };

export interface TrackingSource {
  readonly name: string;
  /**
   * Every tracker changed at or after the cursor (null: since `since`), in any order. The cursor is opaque to the
   * pipeline: it stores `cursorAfter`'s value once the updates are committed.
   */
  changed(cursor: string | null, since: Date, signal: AbortSignal): AsyncGenerator<TrackingUpdate>;
  /** The cursor after seeing `update`; never earlier than `cursor`. */
  cursorAfter(cursor: string | null, update: TrackingUpdate): string;
  /** True when cursor `a` is at or past `b` (a stale process must not move the stored cursor back). */
  notBehind(a: string, b: string): boolean;
  /**
   * Starts following a code (or finds the tracker that already does) and returns its current state. Null when the
   * source is read-only (a dry run: creating a tracker is billable) and nothing follows the code yet.
   */
  follow(trackingCode: string, carrier: string | null): Promise<TrackingUpdate | null>;
  /** The current state of a tracker already followed. */
  current(trackerId: string): Promise<TrackingUpdate>;
  /** Verifies a webhook delivery before parsing it; null when no webhook secret is configured. */
  readonly webhook: { readonly path: string; verify(rawBody: Buffer, headers: IncomingHttpHeaders): TrackingWebhookVerdict } | null;
  /** One cheap read proving credentials, for `doctor` and readiness; throws with a plain reason. */
  check(signal: AbortSignal): Promise<{ readonly detail: string }>;
}
