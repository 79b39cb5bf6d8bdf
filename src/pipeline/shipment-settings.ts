import { z } from 'zod';

/** The schema of `config/shipments.yaml`; a missing file means the defaults (reasons in the file's comments). */
export const shipmentSettingsSchema = z
  .object({
    shipments: z
      .object({
        reviewRequestDelayDays: z.number().min(0).max(365).default(7),
        pendingHorizonDays: z.number().int().min(7).max(365).default(30),
        trackingHorizonDays: z.number().int().min(7).max(365).default(60),
        holdShareWarningPercent: z.number().gt(0).max(100).default(20),
      })
      .strict()
      .prefault({}),
  })
  .strict();
