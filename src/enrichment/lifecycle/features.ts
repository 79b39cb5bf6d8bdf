import { medianSorted } from 'simple-statistics';
import { minorDigits } from '../../model/money';
import type { LifecycleConfig } from './config';
import { DAY_MS, type PurchaseHistory } from './history';
import type { TypicalGap } from './store-stats';

export type GapBasis = 'own_history' | 'store_typical' | 'default_prior';

export interface UsualGap {
  readonly days: number;
  readonly basis: GapBasis;
}

/**
 * The customer's own median gap between shopping occasions, shrunk toward the store's typical gap when the
 * customer has few gaps (one gap is weak evidence); the store's typical gap for one-occasion customers.
 */
export function usualGap(history: PurchaseHistory, typical: TypicalGap, config: LifecycleConfig): UsualGap {
  const gaps = history.gapsDays;
  if (gaps.length === 0) {
    return { days: typical.days, basis: typical.basis === 'store' ? 'store_typical' : 'default_prior' };
  }
  const own = medianSorted([...gaps].sort((a, b) => a - b));
  const weight = config.gaps.shrinkWeight;
  return { days: (gaps.length * own + weight * typical.days) / (gaps.length + weight), basis: 'own_history' };
}

/** The churn model's inputs; names are stored with the fitted weights so a changed feature set refits. */
export const FEATURE_NAMES = [
  'log_recency_days',
  'log_occasions',
  'log_spend',
  'log_tenure_days',
  'log_overdue_ratio',
  'log_orders_last_90d',
  'log_orders_last_365d',
  'one_occasion',
  'log_usual_gap_days',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Features of a history as seen at instant `at` (ms); the history must hold only orders placed before `at`. */
export function churnFeatures(history: PurchaseHistory, at: number, gapDays: number, currency: string): number[] {
  const last = history.orderTimes[history.orderTimes.length - 1];
  const first = history.orderTimes[0];
  const recency = Math.max(0, (at - last) / DAY_MS);
  const tenure = Math.max(0, (at - first) / DAY_MS);
  let last90 = 0;
  let last365 = 0;
  for (const time of history.occasions) {
    const age = (at - time) / DAY_MS;
    if (age <= 90) last90 += 1;
    if (age <= 365) last365 += 1;
  }
  return [
    Math.log1p(recency),
    Math.log1p(history.occasions.length),
    Math.log1p(history.totalSpentMinor / 10 ** minorDigits(currency)),
    Math.log1p(tenure),
    Math.log1p(recency / gapDays),
    Math.log1p(last90),
    Math.log1p(last365),
    history.occasions.length === 1 ? 1 : 0,
    Math.log1p(gapDays),
  ];
}
