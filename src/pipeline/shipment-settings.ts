import { z } from 'zod';

/** The schema of `config/shipments.yaml`; a missing file means the defaults. */
export const shipmentSettingsSchema = z
  .object({
    shipments: z
      .object({
        reviewRequestDelayDays: z.number().min(0).max(365).default(7),
      })
      .strict()
      .prefault({}),
  })
  .strict();
