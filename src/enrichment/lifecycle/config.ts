import { z } from 'zod';

/**
 * Lifecycle rules and their defaults. Every default is argued in RULES.md and config/lifecycle.yaml; the defaults
 * were chosen by replaying the Online Retail histories (npm run eval:segments), not by taste.
 */
const nullablePositive = z.number().positive().nullable();

export const lifecycleConfigSchema = z.object({
  /** Churn means "no purchase within this many days". */
  horizonDays: z.number().int().positive().default(90),
  vip: z
    .object({
      /** Null switches a rule off; a customer is VIP when any remaining rule holds. */
      minOrders: z.number().int().positive().nullable().default(10),
      minSpentMinor: z.number().int().positive().nullable().default(null),
      topPercent: z.number().positive().max(100).nullable().default(10),
      /** Below this many buying customers a percentile says nothing, so the top-X% rule waits. */
      minCustomersForTopPercent: z.number().int().positive().default(50),
    })
    .prefault({}),
  atRisk: z
    .object({
      /** Days since the last order, as a multiple of the customer's usual gap. */
      gapMultiple: z.number().positive().default(1.5),
      /** Never at risk sooner than this, however frequent the customer. */
      minDays: z.number().nonnegative().default(30),
      /** Also at risk when the modelled churn risk reaches this (after minDays); null: gap rule only. */
      churnRiskAtLeast: nullablePositive.default(0.55),
    })
    .prefault({}),
  lapsed: z
    .object({
      gapMultiple: z.number().positive().default(4),
      minDays: z.number().nonnegative().default(180),
    })
    .prefault({}),
  hysteresis: z
    .object({
      /** A segment entered at threshold T is left only below T × (1 − margin) (risk: below p − margin). */
      margin: z.number().min(0).max(0.9).default(0.1),
    })
    .prefault({}),
  gaps: z
    .object({
      /** Usual gap before the store has enough repeat customers to have a typical one. */
      priorGapDays: z.number().positive().default(60),
      /** Repeat customers needed before the store's typical first-to-second-order gap replaces the prior. */
      minRepeatCustomers: z.number().int().positive().default(30),
      /** The customer's median gap is blended with the store's typical gap as if the store had this many gaps. */
      shrinkWeight: z.number().nonnegative().default(1),
    })
    .prefault({}),
  rfm: z
    .object({
      /** Upper bounds (days since last order) for R = 5, 4, 3, 2; beyond the last, R = 1. */
      recencyDays: z.array(z.number().positive()).length(4).default([7, 30, 90, 180]),
      /** Lower bounds (orders in the last 365 days) for F = 2, 3, 4, 5. */
      frequencyOrders: z.array(z.number().int().positive()).length(4).default([2, 3, 5, 10]),
      /** Lower bounds (lifetime net spend, major units of the store currency) for M = 2, 3, 4, 5. */
      monetaryMajor: z.array(z.number().positive()).length(4).default([100, 300, 1000, 3000]),
    })
    .prefault({}),
  model: z
    .object({
      /** Refit the churn model when it is older than this. */
      refitEveryDays: z.number().positive().default(7),
      /** Past checkpoints used for training, spaced this many days apart, each with a fully observed horizon. */
      checkpointSpacingDays: z.number().positive().default(30),
      checkpoints: z.number().int().positive().default(6),
      /** Training examples kept (reservoir sample): bounds memory whatever the store size. */
      maxExamples: z.number().int().positive().default(50_000),
      /** Fewer examples than this (or only one outcome) and the prior model stays. */
      minExamples: z.number().int().positive().default(200),
      /** L2 penalty on standardized weights; keeps small stores from overfitting. */
      l2: z.number().nonnegative().default(1),
    })
    .prefault({}),
  /** How far ahead nextReviewAt is searched; a segment that would change later is reviewed then anyway. */
  reviewHorizonDays: z.number().int().positive().default(1095),
});

export type LifecycleConfig = z.infer<typeof lifecycleConfigSchema>;

export const DEFAULT_LIFECYCLE_CONFIG: LifecycleConfig = lifecycleConfigSchema.parse({});
