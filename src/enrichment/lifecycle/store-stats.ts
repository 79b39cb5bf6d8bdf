import type { CustomerAggregate } from '../../model/customer';
import type { ChurnModelParams } from './churn-params';
import type { LifecycleConfig } from './config';
import { addToHistogram, emptyHistogram, histogramQuantile, topFractionEdge, type LogHistogram } from './histogram';
import { purchaseHistory } from './history';

/**
 * Store-wide statistics, updated incrementally as customers change and kept as one JSON value in state.
 * Histograms rather than lists so the value stays a few kilobytes for any number of customers.
 */
export interface StoreStats {
  readonly version: 1;
  /** Customers with at least one non-cancelled order. */
  readonly buyingCustomers: number;
  /** Lifetime net spend (minor units) per buying customer: the "top X% by spend" VIP rule. */
  readonly spendMinor: LogHistogram;
  /** Days from first to second shopping occasion per repeat customer: the usual gap of one-order customers. */
  readonly firstGapDays: LogHistogram;
  /** Null until enough history exists to fit; the prior model is used meanwhile. */
  readonly churnModel: ChurnModelParams | null;
  /** Last fit attempt, successful or not, so a store too young to fit is not refitted on every page. */
  readonly churnModelCheckedAt: string | null;
}

/** 10% wide buckets: VIP cut-offs and typical gaps within 5%, a few hundred buckets at most. */
const BUCKET_BASE = 1.1;

export function createStoreStats(): StoreStats {
  return {
    version: 1,
    buyingCustomers: 0,
    spendMinor: emptyHistogram(BUCKET_BASE),
    firstGapDays: emptyHistogram(BUCKET_BASE),
    churnModel: null,
    churnModelCheckedAt: null,
  };
}

interface Contribution {
  readonly spendMinor: number | null;
  readonly firstGapDays: number | null;
}

function contributionOf(customer: CustomerAggregate | null): Contribution {
  if (customer === null) return { spendMinor: null, firstGapDays: null };
  const history = purchaseHistory(customer);
  if (history.ordersCount === 0) return { spendMinor: null, firstGapDays: null };
  return { spendMinor: history.totalSpentMinor, firstGapDays: history.gapsDays[0] ?? null };
}

/**
 * Replaces a customer's contribution: `before` is the aggregate as it was when last counted (null if never),
 * `after` as it is now. Because contributions are recomputed from the aggregates, replays change nothing.
 */
export function updateStoreStats(stats: StoreStats, before: CustomerAggregate | null, after: CustomerAggregate): StoreStats {
  const old = contributionOf(before);
  const next = contributionOf(after);
  if (old.spendMinor === next.spendMinor && old.firstGapDays === next.firstGapDays) return stats;
  let { buyingCustomers, spendMinor, firstGapDays } = stats;
  if (old.spendMinor !== null) {
    buyingCustomers -= 1;
    spendMinor = addToHistogram(spendMinor, old.spendMinor, -1);
  }
  if (next.spendMinor !== null) {
    buyingCustomers += 1;
    spendMinor = addToHistogram(spendMinor, next.spendMinor, 1);
  }
  if (old.firstGapDays !== null) firstGapDays = addToHistogram(firstGapDays, old.firstGapDays, -1);
  if (next.firstGapDays !== null) firstGapDays = addToHistogram(firstGapDays, next.firstGapDays, 1);
  return { ...stats, buyingCustomers, spendMinor, firstGapDays };
}

export interface TypicalGap {
  readonly days: number;
  readonly basis: 'store' | 'prior';
}

/** The store's median first-to-second-order gap once enough customers have come back; the configured prior before. */
export function storeTypicalGap(stats: StoreStats, config: LifecycleConfig): TypicalGap {
  if (stats.firstGapDays.total >= config.gaps.minRepeatCustomers) {
    const median = histogramQuantile(stats.firstGapDays, 0.5);
    if (median !== null && median > 0) return { days: median, basis: 'store' };
  }
  return { days: config.gaps.priorGapDays, basis: 'prior' };
}

/** Lifetime spend (minor units) from which a customer is in the store's top `topPercent`; null when not yet meaningful. */
export function topSpendCutoffMinor(stats: StoreStats, config: LifecycleConfig): number | null {
  const percent = config.vip.topPercent;
  if (percent === null || stats.buyingCustomers < config.vip.minCustomersForTopPercent) return null;
  const edge = topFractionEdge(stats.spendMinor, percent / 100);
  return edge === null ? null : Math.ceil(edge);
}
