import { z } from 'zod';
import { DELIVERY_FIELD_NAMES } from './delivery-fields';
import { PROFILE_FIELD_NAMES } from './profile-fields';

/**
 * The schema of `mappings/klaviyo.yaml`: profile property names, metric names and switches. This is the contract
 * marketing builds flows on, so names are validated at start-up and never changed silently.
 */
const metricName = z.string().min(1).max(127, 'Klaviyo metric names must be shorter than 128 characters');
const event = (metric: string, enabled: boolean) =>
  z.object({ metric: metricName.default(metric), enabled: z.boolean().default(enabled) }).strict().prefault({});

export const mappingConfigSchema = z
  .object({
    profile: z
      .object({
        /** Prepended to every property name so our properties sort together and never clash with others'. */
        prefix: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'letters, digits and _ only, starting with a letter').default('ss_'),
        properties: z.record(z.string().regex(/^[A-Za-z0-9_]+$/, 'letters, digits and _ only'), z.enum(PROFILE_FIELD_NAMES)).default({}),
        /** Shipment and delivery-risk properties, sent in their own patch when any of them changes. */
        deliveryProperties: z.record(z.string().regex(/^[A-Za-z0-9_]+$/, 'letters, digits and _ only'), z.enum(DELIVERY_FIELD_NAMES)).default({}),
      })
      .strict()
      .prefault({}),
    events: z
      .object({
        lifecycleSegmentChanged: event('Lifecycle Segment Changed', true),
        /** A customer's replenishable product is due again (time-driven; once per product cycle). */
        replenishmentDue: event('Replenishment Due', true),
        placedOrder: event('Placed Order', false),
        orderedProduct: event('Ordered Product', false),
        cancelledOrder: event('Cancelled Order', false),
        refundedOrder: event('Refunded Order', false),
        shipments: z
          .object({
            created: event('Shipment Created', true),
            inTransit: event('Shipment In Transit', true),
            outForDelivery: event('Shipment Out for Delivery', true),
            availableForPickup: event('Shipment Available for Pickup', true),
            delivered: event('Shipment Delivered', true),
            deliveryFailed: event('Shipment Delivery Failed', true),
            returnedToSender: event('Shipment Returned to Sender', true),
            issueDetected: event('Delivery Issue Detected', true),
            issueResolved: event('Delivery Issue Resolved', true),
          })
          .strict()
          .prefault({}),
        /** The branded tracking page: views (deduplicated per order per hour) and block clicks. */
        trackingPage: z
          .object({
            viewed: event('Viewed Tracking Page', true),
            clicked: event('Clicked Tracking Page Block', true),
          })
          .strict()
          .prefault({}),
        /** Returns and refunds, each once per return (or refund), in causal order. */
        returns: z
          .object({
            requested: event('Return Requested', true),
            approved: event('Return Approved', true),
            declined: event('Return Declined', true),
            inTransit: event('Return Shipment In Transit', true),
            received: event('Return Received', true),
            closed: event('Return Closed', true),
            refundIssued: event('Refund Issued', true),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type MappingConfig = z.output<typeof mappingConfigSchema>;
