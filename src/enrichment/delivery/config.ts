import { z } from 'zod';

export const RISK_LEVELS = ['none', 'low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
const level = z.enum(RISK_LEVELS);

export const EXCEPTION_KINDS = [
  'address', 'weather', 'damaged', 'lost', 'refused', 'customs', 'held', 'delivery_failed', 'returned',
] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

const positive = z.number().positive();
const zoneName = z.string().min(1);

/**
 * Every delivery-risk and prediction setting with its default; config/delivery.yaml repeats the defaults with
 * the reason for each. Missing sections parse to their defaults.
 */
export const deliveryConfigSchema = z.object({
  timeZones: z.object({
    default: zoneName.default('UTC'),
    byCountry: z.record(z.string().length(2), zoneName).default({
      BR: 'America/Sao_Paulo', GB: 'Europe/London', US: 'America/New_York',
    }),
    /** Keyed `CC-REGION` (ISO 3166-2 style), for countries spanning several zones. */
    byRegion: z.record(z.string(), zoneName).default({
      'BR-AM': 'America/Manaus', 'BR-MT': 'America/Cuiaba', 'BR-MS': 'America/Campo_Grande', 'BR-RO': 'America/Porto_Velho',
      'BR-RR': 'America/Boa_Vista', 'BR-AC': 'America/Rio_Branco',
      'US-CA': 'America/Los_Angeles', 'US-WA': 'America/Los_Angeles', 'US-OR': 'America/Los_Angeles', 'US-NV': 'America/Los_Angeles',
      'US-AZ': 'America/Phoenix', 'US-CO': 'America/Denver', 'US-UT': 'America/Denver', 'US-TX': 'America/Chicago',
      'US-IL': 'America/Chicago', 'US-HI': 'Pacific/Honolulu', 'US-AK': 'America/Anchorage',
    }),
  }).prefault({}),
  rules: z.object({
    stalledFulfillment: z.object({
      enabled: z.boolean().default(true),
      businessHours: positive.default(72),
      level: level.default('low'),
    }).prefault({}),
    labelNotPickedUp: z.object({
      enabled: z.boolean().default(true),
      businessDays: positive.default(3),
      level: level.default('medium'),
    }).prefault({}),
    stalledInTransit: z.object({
      enabled: z.boolean().default(true),
      domesticBusinessDays: positive.default(3),
      internationalBusinessDays: positive.default(5),
      level: level.default('medium'),
    }).prefault({}),
    late: z.object({
      enabled: z.boolean().default(true),
      graceHours: z.number().min(0).default(8),
      level: level.default('high'),
    }).prefault({}),
    /** Not delivered this many hours before the promised day ends: the warning a day ahead that a late parcel always gives. */
    promiseDue: z.object({
      enabled: z.boolean().default(true),
      hoursBefore: positive.default(24),
      level: level.default('medium'),
    }).prefault({}),
    carrierDateSlipped: z.object({
      enabled: z.boolean().default(true),
      minSlipHours: positive.default(24),
      level: level.default('low'),
      /** Used instead when the new carrier date is past the store's promise. */
      pastPromiseLevel: level.default('medium'),
    }).prefault({}),
    exceptions: z.object({
      enabled: z.boolean().default(true),
      levels: z.object({
        address: level.default('medium'),
        weather: level.default('low'),
        damaged: level.default('high'),
        lost: level.default('high'),
        refused: level.default('high'),
        customs: level.default('medium'),
        held: level.default('medium'),
        delivery_failed: level.default('medium'),
        returned: level.default('high'),
      }).prefault({}),
    }).prefault({}),
    predictedLate: z.object({
      enabled: z.boolean().default(true),
      /** lateRiskScore at or above which the parcel is flagged (tuned on a calibration split: npm run eval:delivery). */
      threshold: z.number().gt(0).max(1).default(0.99),
      level: level.default('medium'),
    }).prefault({}),
  }).prefault({}),
  prediction: z.object({
    /** Histogram range in business days; longer transits share one overflow bin. */
    maxBusinessDays: z.number().int().positive().default(60),
    binsPerDay: z.number().int().positive().default(4),
    /** Older deliveries weigh half as much every this many days, so the model follows seasons and strikes. */
    halfLifeDays: positive.default(60),
    /** A group with fewer (decayed) deliveries than this is thin and backs off to a coarser one. */
    minObservations: positive.default(30),
    /** The quantile reported as latestLikelyAt. */
    latestQuantile: z.number().gt(0.5).lt(1).default(0.9),
    /** Edges (business days of promised transit) of the promise bands used as a lane proxy. */
    promiseBandEdges: z.array(positive).default([3, 5, 8, 12, 17, 25]),
  }).prefault({}),
});

export type DeliveryConfig = z.output<typeof deliveryConfigSchema>;
export type PredictionSettings = DeliveryConfig['prediction'];

export const defaultDeliveryConfig = (): DeliveryConfig => deliveryConfigSchema.parse({});
