import { z } from 'zod';

/**
 * The schema of `config/trust.yaml`: when a customer's trust is fragile (reasons and defaults in the file's comments
 * and the README). Distinct from churn-based `at_risk`: this is about how the last experience went, not whether the
 * customer will buy again.
 */
const reasonHandle = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'a return reason handle: lower-case letters, digits, - and _');

export const trustConfigSchema = z
  .object({
    trust: z
      .object({
        /** An open delivery issue on any live parcel. */
        openDeliveryIssue: z.object({ enabled: z.boolean().default(true) }).strict().prefault({}),
        /** A parcel reported damaged or lost, returned to sender or failed, within `windowDays` of now. */
        damagedOrLostParcel: z
          .object({
            enabled: z.boolean().default(true),
            windowDays: z.number().int().min(1).max(365).default(60),
            statusDetails: z.array(z.string().min(1)).min(1).default(['damaged', 'lost']),
          })
          .strict()
          .prefault({}),
        /** A return requested for a defect within `windowDays` of now (declined or canceled returns included: the defect stands). */
        defectReturn: z
          .object({
            enabled: z.boolean().default(true),
            windowDays: z.number().int().min(1).max(365).default(90),
            reasons: z.array(reasonHandle).min(1).default(['defective', 'damaged', 'not-as-described', 'wrong-item', 'arrived-late']),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type TrustConfig = z.output<typeof trustConfigSchema>['trust'];

/** The defaults, for callers built without a config directory (tests, one-shot tools). */
export const DEFAULT_TRUST: TrustConfig = trustConfigSchema.parse({}).trust;
