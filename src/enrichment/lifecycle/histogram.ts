import { memoByValue } from '../../util/memo';

/**
 * A log-bucket histogram: each bucket spans a factor `base`, so a few hundred buckets cover any amount with a
 * relative error under (base − 1). Compact enough to live in one JSON state value, and exactly reversible, so a
 * customer's old contribution can be removed when their aggregate changes.
 */
export interface LogHistogram {
  readonly base: number;
  /** Bucket index → count; bucket i holds values in [base^i, base^(i+1)). */
  readonly counts: Readonly<Record<string, number>>;
  /** Values below 1 (zero spend, sub-day gaps). */
  readonly belowOne: number;
  readonly total: number;
}

export function emptyHistogram(base: number): LogHistogram {
  return { base, counts: {}, belowOne: 0, total: 0 };
}

export function bucketOf(histogram: LogHistogram, value: number): number | null {
  if (value < 1) return null;
  // The epsilon keeps exact powers of the base in their own bucket despite floating-point logs.
  return Math.floor(Math.log(value) / Math.log(histogram.base) + 1e-9);
}

export function lowerEdge(histogram: LogHistogram, bucket: number): number {
  return histogram.base ** bucket;
}

export function addToHistogram(histogram: LogHistogram, value: number, weight: 1 | -1): LogHistogram {
  const bucket = bucketOf(histogram, value);
  if (bucket === null) {
    return { ...histogram, belowOne: histogram.belowOne + weight, total: histogram.total + weight };
  }
  const key = String(bucket);
  const counts: Record<string, number> = { ...histogram.counts };
  const next = (counts[key] ?? 0) + weight;
  if (next === 0) delete counts[key];
  else counts[key] = next;
  return { ...histogram, counts, total: histogram.total + weight };
}

/** Histograms are never modified (additions return a new one), so each one's sorted buckets are computed once. */
const sortedBuckets = memoByValue((histogram: LogHistogram): readonly number[] => Object.keys(histogram.counts).map(Number).sort((a, b) => a - b));

/** The q-quantile (0-1), as the geometric middle of its bucket; null when empty. */
export function histogramQuantile(histogram: LogHistogram, q: number): number | null {
  if (histogram.total <= 0) return null;
  const target = q * histogram.total;
  let seen = histogram.belowOne;
  if (seen >= target && histogram.belowOne > 0) return 0;
  for (const bucket of sortedBuckets(histogram)) {
    seen += histogram.counts[String(bucket)];
    if (seen >= target) return histogram.base ** (bucket + 0.5);
  }
  return null;
}

/**
 * The smallest bucket edge E such that the values ≥ E are at most `fraction` of the total: "top X%" without
 * ever admitting more than X%. Null when even the top bucket alone is too large a share.
 */
export function topFractionEdge(histogram: LogHistogram, fraction: number): number | null {
  const allowed = fraction * histogram.total;
  let above = 0;
  let edge: number | null = null;
  const buckets = sortedBuckets(histogram);
  for (let i = buckets.length - 1; i >= 0; i--) {
    const bucket = buckets[i];
    above += histogram.counts[String(bucket)];
    if (above > allowed) break;
    edge = lowerEdge(histogram, bucket);
  }
  return edge;
}
