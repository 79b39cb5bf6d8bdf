import { mean, sampleStandardDeviation } from 'simple-statistics';
import type { CustomerAggregate } from '../../model/customer';
import type { LifecycleConfig } from './config';
import { FEATURE_NAMES, churnFeatures, usualGap } from './features';
import { DAY_MS, purchaseHistory } from './history';
import { fitLogistic, sigmoid } from './logistic';
import { mulberry32 } from '../../util/prng';
import type { ChurnModelParams } from './churn-params';
import { storeTypicalGap, type StoreStats } from './store-stats';

export type { ChurnModelParams };

/** The stored model, if it still matches the code's features and the configured horizon. */
export function usableModel(stats: StoreStats, config: LifecycleConfig): ChurnModelParams | null {
  const model = stats.churnModel;
  if (model === null || model.horizonDays !== config.horizonDays) return null;
  const same = model.featureNames.length === FEATURE_NAMES.length && model.featureNames.every((n, i) => n === FEATURE_NAMES[i]);
  return same ? model : null;
}

export function standardize(model: ChurnModelParams, features: readonly number[]): number[] {
  return features.map((x, i) => (x - model.means[i]) / model.scales[i]);
}

export function predictChurn(model: ChurnModelParams, features: readonly number[]): number {
  const z = standardize(model, features).reduce((s, x, i) => s + x * model.weights[i], model.intercept);
  return sigmoid(z);
}

/**
 * Before the store has history, churn is reasoned rather than learned: a customer buys at the rate of their usual
 * gap while still active, and the longer they are overdue the less likely they are still active.
 */
export function priorChurn(recencyDays: number, gapDays: number, horizonDays: number): number {
  const stillActive = 1 / (1 + (recencyDays / (2 * gapDays)) ** 2);
  const buysIfActive = 1 - Math.exp(-horizonDays / gapDays);
  return 1 - stillActive * buysIfActive;
}

export interface FitContext {
  readonly now: Date;
  /** Supplies the store's typical gap, as evaluation will see it. */
  readonly stats: StoreStats;
}

/**
 * Learns P(no purchase within the horizon) from the store's own customers. Each customer yields one example per
 * past checkpoint (spaced `checkpointSpacingDays`, each with its whole horizon before `now`), built only from orders
 * placed before that checkpoint; the outcome is whether they ordered within the horizon after it. A reservoir
 * sample bounds memory, so customers may be streamed from state. Null when there is too little to learn from.
 */
export async function fitChurnModel(
  customers: Iterable<CustomerAggregate> | AsyncIterable<CustomerAggregate>,
  config: LifecycleConfig,
  context: FitContext,
): Promise<ChurnModelParams | null> {
  const horizonMs = config.horizonDays * DAY_MS;
  const nowMs = context.now.getTime();
  const checkpoints = Array.from(
    { length: config.model.checkpoints },
    (_, k) => nowMs - horizonMs - k * config.model.checkpointSpacingDays * DAY_MS,
  );
  const typical = storeTypicalGap(context.stats, config);
  // Seeded (util/prng), so the same history always yields the same model.
  const random = mulberry32(0x5eed);
  const rows: number[][] = [];
  const labels: number[] = [];
  let seen = 0;
  for await (const customer of customers) {
    const full = purchaseHistory(customer, nowMs);
    if (full.ordersCount === 0) continue;
    for (const checkpoint of checkpoints) {
      const history = purchaseHistory(customer, checkpoint);
      if (history.ordersCount === 0) continue;
      const gap = usualGap(history, typical, config);
      const row = churnFeatures(history, checkpoint, gap.days, customer.currency);
      const churned = full.orderTimes.some((t) => t >= checkpoint && t < checkpoint + horizonMs) ? 0 : 1;
      seen += 1;
      if (rows.length < config.model.maxExamples) {
        rows.push(row);
        labels.push(churned);
      } else {
        const slot = Math.floor(random() * seen);
        if (slot < config.model.maxExamples) {
          rows[slot] = row;
          labels[slot] = churned;
        }
      }
    }
  }
  const positives = labels.reduce((s, y) => s + y, 0);
  if (rows.length < config.model.minExamples || positives === 0 || positives === rows.length) return null;
  const means = FEATURE_NAMES.map((_, j) => mean(rows.map((r) => r[j])));
  // A constant feature (e.g. nobody has orders in the last 90 days) gets scale 1 so it standardizes to zero.
  const scales = FEATURE_NAMES.map((_, j) => sampleStandardDeviation(rows.map((r) => r[j])) || 1);
  const standardized = rows.map((r) => r.map((x, j) => (x - means[j]) / scales[j]));
  const fit = fitLogistic(standardized, labels, config.model.l2);
  return {
    version: 1,
    horizonDays: config.horizonDays,
    featureNames: [...FEATURE_NAMES],
    means,
    scales,
    weights: fit.weights,
    intercept: fit.intercept,
    fittedAt: context.now.toISOString(),
    examples: rows.length,
    baseRate: positives / rows.length,
  };
}

/** Whether a fit is due: never attempted, last attempt older than refitEveryDays, or the stored model no longer fits the config. */
export function needsRefit(stats: StoreStats, now: Date, config: LifecycleConfig): boolean {
  const checked = stats.churnModelCheckedAt;
  if (checked === null) return true;
  if (stats.churnModel !== null && usableModel(stats, config) === null) return true;
  return now.getTime() - Date.parse(checked) >= config.model.refitEveryDays * DAY_MS;
}

/**
 * Fits and stores the churn model. A failed fit (too little history) keeps any earlier model and records the
 * attempt. Customers' segments may move with the new model and with drifting store statistics, so callers
 * re-evaluate customers after a refit.
 */
export async function refitChurnModel(
  stats: StoreStats,
  customers: Iterable<CustomerAggregate> | AsyncIterable<CustomerAggregate>,
  now: Date,
  config: LifecycleConfig,
): Promise<StoreStats> {
  const model = await fitChurnModel(customers, config, { now, stats });
  const kept = usableModel(stats, config);
  return { ...stats, churnModel: model ?? kept, churnModelCheckedAt: now.toISOString() };
}
