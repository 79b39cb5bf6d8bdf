import type { CustomerAggregate, Segment } from '../../model/customer';
import { predictChurn, priorChurn, usableModel, type ChurnModelParams } from './churn-model';
import type { LifecycleConfig } from './config';
import { churnFeatures, usualGap, type UsualGap } from './features';
import { DAY_MS, purchaseHistory, type PurchaseHistory } from './history';
import { storeTypicalGap, topSpendCutoffMinor, type StoreStats } from './store-stats';

/** Everything about a customer that does not move with the clock, computed once per evaluation. */
export interface CustomerProfile {
  readonly customer: CustomerAggregate;
  readonly history: PurchaseHistory;
  readonly gap: UsualGap;
  readonly model: ChurnModelParams | null;
  readonly lastOrderAt: number | null;
  readonly atRiskDays: number;
  readonly lapsedDays: number;
  readonly topSpendCutoffMinor: number | null;
}

export function customerProfile(customer: CustomerAggregate, stats: StoreStats, config: LifecycleConfig): CustomerProfile {
  const history = purchaseHistory(customer);
  const gap = usualGap(history, storeTypicalGap(stats, config), config);
  return {
    customer,
    history,
    gap,
    model: usableModel(stats, config),
    lastOrderAt: history.orderTimes[history.orderTimes.length - 1] ?? null,
    atRiskDays: Math.max(config.atRisk.minDays, config.atRisk.gapMultiple * gap.days),
    lapsedDays: Math.max(config.lapsed.minDays, config.lapsed.gapMultiple * gap.days),
    topSpendCutoffMinor: topSpendCutoffMinor(stats, config),
  };
}

export function recencyDays(profile: CustomerProfile, at: number): number | null {
  return profile.lastOrderAt === null ? null : Math.max(0, (at - profile.lastOrderAt) / DAY_MS);
}

/** P(no purchase within the horizon) at instant `at`; null for customers who never bought. */
export function churnRiskAt(profile: CustomerProfile, at: number, config: LifecycleConfig): number | null {
  const recency = recencyDays(profile, at);
  if (recency === null) return null;
  if (profile.model === null) return priorChurn(recency, profile.gap.days, config.horizonDays);
  return predictChurn(profile.model, churnFeatures(profile.history, at, profile.gap.days, profile.customer.currency));
}

/**
 * VIP when any enabled rule holds. Spend thresholds have hysteresis: a VIP stays one until spend falls below the
 * threshold × (1 − margin), so a small refund or a moving top-10% cut-off does not flip them back and forth.
 */
export function isVip(profile: CustomerProfile, announced: Segment | null, config: LifecycleConfig): boolean {
  const { minOrders, minSpentMinor } = config.vip;
  const spend = profile.history.totalSpentMinor;
  const keep = announced === 'vip' ? 1 - config.hysteresis.margin : 1;
  if (minOrders !== null && profile.history.ordersCount >= minOrders) return true;
  if (minSpentMinor !== null && spend >= minSpentMinor * keep) return true;
  const cutoff = profile.topSpendCutoffMinor;
  return cutoff !== null && spend >= cutoff * keep;
}

/**
 * The segment at instant `at`, given the segment last announced. Entering at_risk or lapsed takes the full
 * threshold; leaving them (when store statistics or the model move, since time alone only deepens them) takes
 * falling below threshold × (1 − margin), so customers do not flip from one day to the next.
 */
export function segmentAt(profile: CustomerProfile, at: number, announced: Segment | null, config: LifecycleConfig): Segment {
  const recency = recencyDays(profile, at);
  if (recency === null) return 'no_purchase';
  const margin = config.hysteresis.margin;
  const wasLapsed = announced === 'lapsed';
  const wasAtRisk = wasLapsed || announced === 'at_risk';
  if (recency >= profile.lapsedDays * (wasLapsed ? 1 - margin : 1)) return 'lapsed';
  if (recency >= profile.atRiskDays * (wasAtRisk ? 1 - margin : 1)) return 'at_risk';
  const riskThreshold = config.atRisk.churnRiskAtLeast;
  // A fresh buyer is never "at risk" on the model alone: the gap rule's minimum applies to it too.
  if (riskThreshold !== null && recency >= config.atRisk.minDays) {
    const risk = churnRiskAt(profile, at, config);
    if (risk !== null && risk >= riskThreshold - (wasAtRisk ? margin : 0)) return 'at_risk';
  }
  if (isVip(profile, announced, config)) return 'vip';
  return profile.history.occasions.length >= 2 ? 'repeat' : 'first_time';
}

/**
 * The first instant after `from` at which the segment, with no new order and `current` announced, differs from
 * `current`; null when it never will (lapsed is final without a new order). Without the churn-risk rule the
 * segment can only change where a day threshold is crossed, so those instants are probed; with it, the search
 * also steps a day at a time (the model's risk is smooth in time). The change is then bisected to the millisecond.
 */
export function nextSegmentChange(
  profile: CustomerProfile,
  from: number,
  current: Segment,
  config: LifecycleConfig,
): number | null {
  const last = profile.lastOrderAt;
  if (last === null || current === 'lapsed') return null;
  const changed = (at: number): boolean => segmentAt(profile, at, current, config) !== current;
  // One millisecond past each threshold, so float rounding in the day arithmetic cannot hide a change.
  const crossing = (days: number): number => last + Math.ceil(days * DAY_MS) + 1;
  const limit = Math.min(Math.max(crossing(profile.lapsedDays), from + 1), from + config.reviewHorizonDays * DAY_MS);
  const keep = 1 - config.hysteresis.margin;
  // The probes in ascending order: the few threshold crossings (and the limit), merged with one a day when the
  // churn rule is on. Merged as they are walked rather than listed and sorted: this runs for every customer an
  // assessment touches, and the walk usually stops after a few probes of a year of days.
  const thresholds = [profile.atRiskDays, profile.atRiskDays * keep, profile.lapsedDays * keep].map(crossing);
  thresholds.push(limit);
  thresholds.sort((a, b) => a - b);
  const daily = config.atRisk.churnRiskAtLeast !== null;
  let nextDay = from + DAY_MS;
  let t = 0;
  let low = from;
  let high: number | null = null;
  for (;;) {
    while (t < thresholds.length && (thresholds[t] <= from || thresholds[t] > limit)) t += 1;
    const dayLeft = daily && nextDay < limit;
    if (t >= thresholds.length && !dayLeft) break;
    let probe: number;
    if (dayLeft && (t >= thresholds.length || nextDay <= thresholds[t])) {
      probe = nextDay;
      nextDay += DAY_MS;
    } else {
      probe = thresholds[t];
      t += 1;
    }
    if (changed(probe)) {
      high = probe;
      break;
    }
    low = probe;
  }
  if (high === null) return null;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (changed(mid)) high = mid;
    else low = mid;
  }
  return high;
}
