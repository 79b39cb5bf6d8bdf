import { mean, sampleStandardDeviation } from 'simple-statistics';
import { fitLogistic, sigmoid } from '../enrichment/lifecycle/logistic';
import type { Order } from '../model/order';

/**
 * The bar the churn model must clear: a plain logistic regression on five textbook features (log recency, log
 * frequency, log tenure, log spend, log recency × log frequency), trained like the model on earlier checkpoints
 * whose whole horizon was observed before the checkpoint it scores. It reuses the daemon's Newton/IRLS fit
 * (`fitLogistic`, tested on a hand-computable set in lifecycle-eval.test.ts) rather than a second copy of it.
 */
const DAY_MS = 86_400_000;

/** A customer's non-cancelled purchases, ascending by time. */
export interface PurchaseLog {
  readonly times: readonly number[];
  readonly amountsMinor: readonly number[];
}

export function purchaseLogs(orders: readonly Order[]): Map<string, PurchaseLog> {
  const logs = new Map<string, { times: number[]; amountsMinor: number[] }>();
  const sorted = [...orders].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  for (const order of sorted) {
    if (order.email === null || order.cancelledAt !== null) continue;
    const log = logs.get(order.email) ?? { times: [], amountsMinor: [] };
    log.times.push(order.createdAt.getTime());
    log.amountsMinor.push(order.currentTotal.minor);
    logs.set(order.email, log);
  }
  return logs;
}

export const BASELINE_FEATURES = ['log_recency', 'log_frequency', 'log_tenure', 'log_spend', 'log_recency_x_log_frequency'] as const;

/** Features from purchases strictly before `at`; null when the customer had not bought by then. */
export function baselineFeatures(log: PurchaseLog, at: number): number[] | null {
  let count = 0;
  let spendMinor = 0;
  while (count < log.times.length && log.times[count] < at) {
    spendMinor += log.amountsMinor[count];
    count += 1;
  }
  if (count === 0) return null;
  const recency = Math.log1p((at - log.times[count - 1]) / DAY_MS);
  const frequency = Math.log1p(count);
  return [recency, frequency, Math.log1p((at - log.times[0]) / DAY_MS), Math.log1p(spendMinor / 100), recency * frequency];
}

/** No purchase in [at, at + horizon). */
export function churnedAfter(log: PurchaseLog, at: number, horizonMs: number): boolean {
  return !log.times.some((t) => t >= at && t < at + horizonMs);
}

export interface BaselineModel {
  readonly means: readonly number[];
  readonly scales: readonly number[];
  readonly weights: readonly number[];
  readonly intercept: number;
  readonly examples: number;
}

export interface TrainingPlan {
  readonly horizonDays: number;
  /** Training checkpoints: at − horizon − k × spacing, k = 0 … count − 1 (the churn model's own schedule). */
  readonly checkpoints: number;
  readonly spacingDays: number;
  /** Ridge penalty on standardized weights; tiny, only to keep a constant column from making the Hessian singular. */
  readonly l2: number;
}

/** The instants whose horizon ends by `at`: the only labels a model scoring `at` may learn from. */
export function trainingCheckpoints(at: number, plan: TrainingPlan): number[] {
  return Array.from({ length: plan.checkpoints }, (_, k) => at - (plan.horizonDays + k * plan.spacingDays) * DAY_MS);
}

/** Fits the baseline for scoring at `at`; null with fewer than 50 examples or one outcome only. */
export function fitBaseline(logs: Iterable<PurchaseLog>, at: number, plan: TrainingPlan): BaselineModel | null {
  const horizonMs = plan.horizonDays * DAY_MS;
  const rows: number[][] = [];
  const labels: number[] = [];
  const points = trainingCheckpoints(at, plan);
  for (const log of logs) {
    for (const point of points) {
      const features = baselineFeatures(log, point);
      if (features === null) continue;
      rows.push(features);
      labels.push(churnedAfter(log, point, horizonMs) ? 1 : 0);
    }
  }
  const positives = labels.reduce((s, y) => s + y, 0);
  if (rows.length < 50 || positives === 0 || positives === rows.length) return null;
  const means = BASELINE_FEATURES.map((_, j) => mean(rows.map((r) => r[j])));
  const scales = BASELINE_FEATURES.map((_, j) => sampleStandardDeviation(rows.map((r) => r[j])) || 1);
  const fit = fitLogistic(rows.map((r) => r.map((x, j) => (x - means[j]) / scales[j])), labels, plan.l2);
  return { means, scales, weights: fit.weights, intercept: fit.intercept, examples: rows.length };
}

export function predictBaseline(model: BaselineModel, features: readonly number[]): number {
  return sigmoid(features.reduce((z, x, j) => z + ((x - model.means[j]) / model.scales[j]) * model.weights[j], model.intercept));
}
