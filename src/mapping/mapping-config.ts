import { z } from 'zod';
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
      })
      .strict()
      .prefault({}),
    events: z
      .object({
        lifecycleSegmentChanged: event('Lifecycle Segment Changed', true),
        placedOrder: event('Placed Order', false),
        orderedProduct: event('Ordered Product', false),
        cancelledOrder: event('Cancelled Order', false),
        refundedOrder: event('Refunded Order', false),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type MappingConfig = z.output<typeof mappingConfigSchema>;
