import { mean, wilcoxonRankSum } from 'simple-statistics';

/**
 * Scores for the segments evaluation. AUC comes from simple-statistics' Wilcoxon rank sum, which already
 * averages tied ranks (order counts and day counts tie a lot), so AUC = (R₊ − n₊(n₊+1)/2) / (n₊ n₋).
 */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number {
  const positives = scores.filter((_, i) => labels[i]);
  const negatives = scores.filter((_, i) => !labels[i]);
  if (positives.length === 0 || negatives.length === 0) return Number.NaN;
  const rankSum = wilcoxonRankSum(positives, negatives);
  return (rankSum - (positives.length * (positives.length + 1)) / 2) / (positives.length * negatives.length);
}

export function brier(probabilities: readonly number[], labels: readonly boolean[]): number {
  return mean(probabilities.map((p, i) => (p - (labels[i] ? 1 : 0)) ** 2));
}

/** The Brier score of always predicting the observed base rate: what a useful model must beat. */
export function baseRateBrier(labels: readonly boolean[]): number {
  const rate = labels.filter(Boolean).length / labels.length;
  return rate * (1 - rate);
}

export interface PrecisionRecall {
  readonly precision: number;
  readonly recall: number;
  readonly flagged: number;
}

export function precisionRecall(flags: readonly boolean[], labels: readonly boolean[]): PrecisionRecall {
  let truePositives = 0;
  let flagged = 0;
  let positives = 0;
  flags.forEach((flag, i) => {
    if (flag) flagged += 1;
    if (labels[i]) positives += 1;
    if (flag && labels[i]) truePositives += 1;
  });
  return { precision: flagged === 0 ? Number.NaN : truePositives / flagged, recall: positives === 0 ? Number.NaN : truePositives / positives, flagged };
}

export interface ReliabilityBin {
  readonly count: number;
  readonly meanPredicted: number;
  readonly observed: number;
}

/** Deciles of predicted probability: a calibrated model's observed rate tracks its mean prediction in each. */
export function reliabilityByDecile(probabilities: readonly number[], labels: readonly boolean[]): ReliabilityBin[] {
  const order = probabilities.map((p, i) => [p, labels[i] ? 1 : 0] as const).sort((a, b) => a[0] - b[0]);
  return Array.from({ length: 10 }, (_, d) => {
    const slice = order.slice(Math.floor((d * order.length) / 10), Math.floor(((d + 1) * order.length) / 10));
    return {
      count: slice.length,
      meanPredicted: slice.length === 0 ? Number.NaN : mean(slice.map((x) => x[0])),
      observed: slice.length === 0 ? Number.NaN : mean(slice.map((x) => x[1])),
    };
  });
}

export function meanAbsoluteError(errors: readonly number[]): number {
  return errors.length === 0 ? Number.NaN : mean(errors.map(Math.abs));
}
