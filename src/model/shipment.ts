/** EasyPost's tracker statuses, which we use as the normalized carrier status for every source. */
export const SHIPMENT_STATUSES = [
  'unknown', 'pre_transit', 'in_transit', 'out_for_delivery', 'delivered', 'available_for_pickup',
  'return_to_sender', 'failure', 'cancelled', 'error',
] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export interface TrackingScan {
  readonly at: Date;
  readonly status: ShipmentStatus;
  readonly statusDetail: string | null;
  readonly message: string | null;
  readonly city: string | null;
  readonly region: string | null;
  readonly country: string | null;
}

/** One parcel: a tracking code on a fulfillment of an order, as the carrier reports it. */
export interface Shipment {
  /** `${carrier}:${trackingCode}:${orderId}`: carriers recycle codes, so the order is part of the key. */
  readonly key: string;
  readonly orderId: string;
  readonly orderName: string;
  readonly fulfillmentId: string;
  readonly customerEmail: string | null;
  readonly trackingCode: string;
  readonly carrier: string | null;
  readonly service: string | null;
  readonly trackingUrl: string | null;
  readonly status: ShipmentStatus;
  readonly statusDetail: string | null;
  readonly carrierEstimatedDeliveryAt: Date | null;
  readonly promisedDeliveryAt: Date | null;
  readonly shippedAt: Date | null;
  readonly deliveredAt: Date | null;
  readonly destinationCountry: string | null;
  readonly originCountry: string | null;
  readonly scans: readonly TrackingScan[];
  /** 1-based position among the order's parcels, and how many there are. */
  readonly index: number;
  readonly count: number;
}
