import { minorDigits } from '../../model/money';
import type { LifecycleConfig } from './config';
import { DAY_MS, type PurchaseHistory } from './history';
import type { RfmScores } from './types';

/** 1 plus the number of lower bounds reached. */
function band(value: number, lowerBounds: readonly number[]): number {
  return 1 + lowerBounds.filter((bound) => value >= bound).length;
}

/**
 * Fixed bands rather than store quintiles, so a score means the same thing from the first customer on and does
 * not shift when other customers buy.
 */
export function rfmScores(history: PurchaseHistory, at: number, currency: string, config: LifecycleConfig): RfmScores {
  const last = history.orderTimes[history.orderTimes.length - 1];
  const recency = last === undefined
    ? 1
    : 5 - config.rfm.recencyDays.filter((bound) => (at - last) / DAY_MS > bound).length;
  const lastYear = history.orderTimes.filter((t) => at - t <= 365 * DAY_MS).length;
  return {
    recency,
    frequency: band(lastYear, config.rfm.frequencyOrders),
    monetary: band(history.totalSpentMinor / 10 ** minorDigits(currency), config.rfm.monetaryMajor),
  };
}
