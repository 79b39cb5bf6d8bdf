/**
 * A fixed-bin histogram of transit times with exponential forgetting: compact (one number per bin), serializable
 * as plain JSON, and updated in O(bins) per delivery. Bin i holds values in [i/binsPerDay, (i+1)/binsPerDay);
 * the last bin holds everything at or beyond maxDays.
 */
export interface HistogramLayout {
  readonly maxBusinessDays: number;
  readonly binsPerDay: number;
  readonly halfLifeDays: number;
}

export interface DecayedHistogram {
  /** Weights as of `asOfMs`; older observations have been scaled down by their age. */
  readonly weights: readonly number[];
  readonly total: number;
  readonly asOfMs: number;
}

const DAY_MS = 86_400_000;

const binCount = (layout: HistogramLayout): number => layout.maxBusinessDays * layout.binsPerDay + 1;

export const emptyHistogram = (layout: HistogramLayout, asOfMs: number): DecayedHistogram =>
  ({ weights: new Array<number>(binCount(layout)).fill(0), total: 0, asOfMs });

const decay = (ageMs: number, layout: HistogramLayout): number => 0.5 ** (ageMs / (layout.halfLifeDays * DAY_MS));

/**
 * Adds one observation seen at `atMs` to a histogram the caller owns (no copy of the bins per observation); an
 * observation older than the histogram counts for its age.
 */
export function addSample(histogram: { weights: number[]; total: number; asOfMs: number }, value: number, atMs: number, layout: HistogramLayout): void {
  const bins = binCount(layout);
  const index = Math.min(bins - 1, Math.max(0, Math.floor(value * layout.binsPerDay)));
  const asOfMs = Math.max(atMs, histogram.asOfMs);
  if (asOfMs !== histogram.asOfMs) {
    const scale = decay(asOfMs - histogram.asOfMs, layout);
    const { weights } = histogram;
    for (let i = 0; i < weights.length; i++) weights[i] *= scale;
    histogram.total *= scale;
    histogram.asOfMs = asOfMs;
  }
  const added = decay(asOfMs - atMs, layout);
  histogram.weights[index] = (histogram.weights[index] ?? 0) + added;
  histogram.total += added;
}

/** How many observations the histogram is worth at `nowMs`, after forgetting. */
export const effectiveCount = (histogram: DecayedHistogram, nowMs: number, layout: HistogramLayout): number =>
  histogram.total * decay(Math.max(0, nowMs - histogram.asOfMs), layout);

/** Share of the weight at or below `value`, interpolating linearly inside a bin. */
export function cdf(histogram: DecayedHistogram, value: number, layout: HistogramLayout): number {
  if (histogram.total <= 0) return 0;
  if (value >= layout.maxBusinessDays) return value > layout.maxBusinessDays ? 1 : 1 - (histogram.weights.at(-1) ?? 0) / histogram.total;
  const position = Math.max(0, value * layout.binsPerDay);
  const whole = Math.floor(position);
  let below = 0;
  for (let i = 0; i < whole; i++) below += histogram.weights[i] ?? 0;
  below += (histogram.weights[whole] ?? 0) * (position - whole);
  return Math.min(1, below / histogram.total);
}

/** The value below which a share `p` of the weight lies; values in the overflow bin report maxDays. */
export function quantile(histogram: DecayedHistogram, p: number, layout: HistogramLayout): number {
  const target = Math.min(1, Math.max(0, p)) * histogram.total;
  let cumulative = 0;
  const last = histogram.weights.length - 1;
  for (let i = 0; i < last; i++) {
    const w = histogram.weights[i] ?? 0;
    if (w > 0 && cumulative + w >= target) return (i + (target - cumulative) / w) / layout.binsPerDay;
    cumulative += w;
  }
  return layout.maxBusinessDays;
}
