import type { CustomerAggregate } from '../../model/customer';

export const DAY_MS = 86_400_000;

/** Orders less than a day apart are one shopping occasion (a split basket, a forgotten item), not a new visit. */
const SAME_OCCASION_MS = DAY_MS;

/** A customer's purchases reduced to what every lifecycle figure needs, as of a given instant. */
export interface PurchaseHistory {
  /** Non-cancelled orders placed before the instant. */
  readonly ordersCount: number;
  readonly totalSpentMinor: number;
  readonly cancelledCount: number;
  /** Start of each shopping occasion, ms, ascending. */
  readonly occasions: readonly number[];
  /** Non-cancelled order times, ms, ascending. */
  readonly orderTimes: readonly number[];
  /** Days between consecutive occasions. */
  readonly gapsDays: readonly number[];
}

/** `before` (ms, exclusive) lets training and evaluation look at a past checkpoint without look-ahead. */
export function purchaseHistory(customer: CustomerAggregate, before: number = Number.POSITIVE_INFINITY): PurchaseHistory {
  const orderTimes: number[] = [];
  let totalSpentMinor = 0;
  let cancelledCount = 0;
  for (const order of customer.orders) {
    const at = Date.parse(order.placedAt);
    if (at >= before) continue;
    if (order.cancelled) {
      cancelledCount += 1;
      continue;
    }
    orderTimes.push(at);
    totalSpentMinor += order.netMinor;
  }
  orderTimes.sort((a, b) => a - b);
  const occasions: number[] = [];
  for (const at of orderTimes) {
    if (occasions.length === 0 || at - occasions[occasions.length - 1] >= SAME_OCCASION_MS) occasions.push(at);
  }
  const gapsDays = occasions.slice(1).map((at, i) => (at - occasions[i]) / DAY_MS);
  return { ordersCount: orderTimes.length, totalSpentMinor, cancelledCount, occasions, orderTimes, gapsDays };
}
