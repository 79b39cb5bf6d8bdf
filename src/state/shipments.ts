import type { ShipmentStatus, TrackingScan } from '../model/shipment';
import type { RiskAssessment, PredictionConfidence } from '../enrichment/delivery/types';
import type { TransitModel } from '../enrichment/delivery/transit-model';
import { emptyHoldCounts, type HoldCounts } from '../enrichment/delivery/holds';
import { HOLD_COUNTS_KEY, TRANSIT_MODEL_KEY, deliveryProfileKey, orderParcelsKey, shipmentKey, trackingCodeKey } from './keys';
import type { StateStore } from './port';

/** A scan as stored: instants as ISO strings so the JSON state store round-trips it unchanged. */
export type StoredScan = Omit<TrackingScan, 'at'> & { readonly at: string };

export interface StoredItem {
  readonly name: string;
  readonly sku: string | null;
  readonly quantity: number;
  /** Decimal unit price in the order currency. */
  readonly price: number;
  /** The store's product id (recommendations, category rules); absent in state written before it was kept. */
  readonly productId?: string | null;
}

/** What the order says about a parcel; refreshed from every order page that carries it. */
export interface OrderPart {
  readonly key: string;
  readonly orderId: string;
  readonly orderName: string;
  readonly orderPlacedAt: string;
  readonly fulfillmentId: string;
  /** When the fulfillment was created: an issue first seen on a parcel handed over before the live window is history. */
  readonly fulfilledAt: string;
  readonly customerEmail: string;
  readonly customerPhone: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly trackingCode: string;
  readonly promisedDeliveryAt: string | null;
  readonly destinationRegion: string | null;
  /** The tracking page shows the city and checks a lookup's postal code; absent in state written before. */
  readonly destinationCity?: string | null;
  readonly destinationPostalCode?: string | null;
  readonly index: number;
  readonly count: number;
  readonly items: readonly StoredItem[];
  readonly value: number;
  readonly currency: string;
}

/**
 * What the carrier (through a tracking source) or, without one, the store's fulfillment says about the parcel.
 * `kind` drives the rules (a store reports no scans in between, so stall rules do not apply); `provider` only names
 * where the facts came from (the events' `DataSource`).
 */
export interface TrackingPart {
  readonly kind: 'carrier' | 'store';
  readonly provider: string;
  readonly trackerId: string | null;
  /** The tracker's `updated_at`: a snapshot older than this is a late duplicate and is ignored. */
  readonly trackerUpdatedAt: string | null;
  readonly carrier: string | null;
  readonly service: string | null;
  readonly trackingUrl: string | null;
  readonly status: ShipmentStatus;
  readonly statusDetail: string | null;
  readonly carrierEstimatedDeliveryAt: string | null;
  readonly shippedAt: string | null;
  readonly deliveredAt: string | null;
  readonly destinationCountry: string | null;
  readonly originCountry: string | null;
  readonly scans: readonly StoredScan[];
}

export interface StoredPrediction {
  readonly mostLikelyAt: string;
  readonly latestLikelyAt: string;
  readonly confidence: PredictionConfidence;
  readonly lateRiskScore: number | null;
}

/** What has been announced to Klaviyo about the parcel, and when to look at it again. */
export interface AnnouncedPart {
  readonly announcedStatus: ShipmentStatus | null;
  /** Time of the scan behind the last status event; scans at or before it never cause another. */
  readonly announcedAt: string | null;
  readonly risk: RiskAssessment | null;
  /** Delivery issues opened so far: the ordinal is the issue events' id, so a replay keeps its id. */
  readonly issues: number;
  /** False when the open (or last) issue was announced as history, so its resolution is history too. */
  readonly issueLive: boolean;
  readonly prediction: StoredPrediction | null;
  readonly deliveryRecorded: boolean;
  readonly nextCheckAt: string | null;
}

export type ShipmentState = OrderPart & TrackingPart & AnnouncedPart;

/** Per tracking code: the EasyPost tracker (created once) and every shipment carrying the code. */
export interface TrackingCodeEntry {
  readonly trackerId: string | null;
  readonly shipmentKeys: readonly string[];
}

/** Per order number: the order's id and every parcel (and pending parcel) it has had. */
export interface OrderParcelsEntry {
  readonly orderId: string;
  readonly shipmentKeys: readonly string[];
}

/** Per customer: their parcels, the hash of the delivery properties last queued for Klaviyo, and the hold counted. */
export interface DeliveryProfileState {
  readonly shipmentKeys: readonly string[];
  readonly pushedHash: string | null;
  /**
   * The rule holding the customer from promotions as counted in `HOLD_COUNTS_KEY`, null when not held. Absent in
   * state written before the counts existed: read as null, so such a customer is counted from their next change.
   */
  readonly hold?: string | null;
}

/** Re-exported from the one module of state keys, for callers written before it. */
export { orderParcelsKey } from './keys';
export { HOLD_COUNTS_KEY, TRACKERS_CURSOR_KEY, TRANSIT_MODEL_KEY, deliveryProfileKey, shipmentKey, trackingCodeKey } from './keys';

/**
 * An order with no fulfillment yet is followed as a parcel of its own, so the stalled-fulfillment rule reuses the
 * shipment machinery; it has no tracking code and retires (status `cancelled`) once the order ships or is cancelled.
 */
const PENDING_PREFIX = 'pending:';
export const pendingKeyOf = (orderId: string): string => `${PENDING_PREFIX}${orderId}`;
export const isPendingKey = (key: string): boolean => key.startsWith(PENDING_PREFIX);
/** A pending parcel whose order shipped or was cancelled: it no longer describes the customer. */
export const isRetired = (shipment: ShipmentState): boolean => isPendingKey(shipment.key) && shipment.status === 'cancelled';

export const shipmentEntry = (shipment: ShipmentState): readonly [string, ShipmentState] => [shipmentKey(shipment.key), shipment];

/** Typed reads of the shipment state; writes go through one `setMany` in the pipeline. */
export class ShipmentRepository {
  constructor(private readonly store: StateStore) {}

  async shipments(keys: readonly string[]): Promise<Map<string, ShipmentState>> {
    return this.read<ShipmentState>([...new Set(keys)], shipmentKey);
  }

  async trackingCodes(codes: readonly string[]): Promise<Map<string, TrackingCodeEntry>> {
    return this.read<TrackingCodeEntry>([...new Set(codes)], trackingCodeKey);
  }

  async orderParcels(orderNames: readonly string[]): Promise<Map<string, OrderParcelsEntry>> {
    return this.read<OrderParcelsEntry>(orderNames, orderParcelsKey);
  }

  async profiles(emails: readonly string[]): Promise<Map<string, DeliveryProfileState>> {
    return this.read<DeliveryProfileState>([...new Set(emails)], deliveryProfileKey);
  }

  async holdCounts(): Promise<HoldCounts> {
    return (await this.store.get<HoldCounts>(HOLD_COUNTS_KEY)) ?? emptyHoldCounts();
  }

  async transitModel(): Promise<TransitModel | null> {
    return (await this.store.get<TransitModel>(TRANSIT_MODEL_KEY)) ?? null;
  }

  private async read<T>(ids: readonly string[], keyOf: (id: string) => string): Promise<Map<string, T>> {
    const found = await this.store.getMany<T>(ids.map(keyOf));
    const byId = new Map<string, T>();
    ids.forEach((id, i) => {
      const value = found[i];
      if (value !== undefined) byId.set(id, value);
    });
    return byId;
  }
}
