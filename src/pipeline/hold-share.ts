import { holdShareWarning, type HoldCounts, type HoldShareWarning } from '../enrichment/delivery/holds';
import { StoreStatsRepository } from '../state/repositories';
import { ShipmentRepository } from '../state/shipments';
import type { StateStore } from '../state/store';
import type { PipelineContext } from './context';

export interface HoldShare {
  readonly counts: HoldCounts;
  /** Buying customers (the lifecycle statistics' count), the share's denominator. */
  readonly customers: number;
  readonly warning: HoldShareWarning | null;
}

/** Two small reads, whatever the store's size: both values are kept incrementally by the pipeline's writes. */
export async function readHoldShare(store: StateStore, thresholdPercent: number): Promise<HoldShare> {
  const [counts, stats] = await Promise.all([
    new ShipmentRepository(store).holdCounts(),
    new StoreStatsRepository(store).get(),
  ]);
  const customers = stats.buyingCustomers;
  return { counts, customers, warning: holdShareWarning(counts, customers, thresholdPercent) };
}

/**
 * After a sync: the warning when the held share is implausible, logged when it appears or its figures change, and
 * one line when it clears. `previous` is the message last reported (the caller keeps it), null when none.
 */
export async function reviewHoldShare(context: PipelineContext, previous: string | null): Promise<HoldShareWarning | null> {
  const { warning } = await readHoldShare(context.store, context.settings.shipments.holdShareWarningPercent);
  if (warning && warning.message !== previous) {
    context.logger.warn('implausible share of customers held from promotions', {
      held: warning.held, customers: warning.customers, percent: warning.percent, thresholdPercent: warning.thresholdPercent,
      rules: Object.fromEntries(warning.rules.map((r) => [r.rule, r.customers])), detail: warning.message,
    });
  } else if (!warning && previous !== null) {
    context.logger.info('share of customers held from promotions back under the warning threshold');
  }
  return warning;
}
