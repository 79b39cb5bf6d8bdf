import type { Segment } from '../../model/customer';
import type { GapBasis } from './features';

/**
 * The contract between lifecycle enrichment and the rest of shipsignal. Everything here is computed by pure
 * functions from a CustomerAggregate, the store-wide statistics and the clock.
 */
export interface RfmScores {
  /** 1-5 each; 5 is best (most recent, most frequent, highest spend). */
  readonly recency: number;
  readonly frequency: number;
  readonly monetary: number;
}

export interface LifecycleAssessment {
  readonly segment: Segment;
  readonly rfm: RfmScores;
  readonly ordersCount: number;
  /** Net of refunds and cancellations, minor units of the customer's currency. */
  readonly totalSpentMinor: number;
  readonly averageOrderValueMinor: number;
  readonly firstOrderAt: Date | null;
  readonly lastOrderAt: Date | null;
  readonly daysSinceLastOrder: number | null;
  /** The customer's usual gap between orders in days, or the store's typical gap for one-order customers. */
  readonly usualGapDays: number | null;
  /** Probability (0-1) of no purchase within the configured horizon. */
  readonly churnRisk: number | null;
  readonly churnRiskReasons: readonly string[];
  readonly expectedNextOrderAt: Date | null;
  /**
   * The next instant at which, with no new order, this assessment's segment would change; null when it never will.
   * The scheduler re-evaluates the customer then, so time-driven segment changes need no full scan.
   */
  readonly nextReviewAt: Date | null;
  /** Whether the VIP rules hold, even when a more urgent segment (at_risk, lapsed) is the one announced. */
  readonly vip: boolean;
  /** Where usualGapDays comes from: thin histories fall back to the store's typical gap, then to the configured prior. */
  readonly usualGapBasis: GapBasis | null;
  /** 'store_model' once the churn model has been fitted on this store's history; 'prior' before. */
  readonly modelBasis: 'store_model' | 'prior' | null;
}
