/**
 * Threshold tuning for the segments evaluation, on an explicit calibration split, and the censoring rule for
 * next-order dates.
 *
 * Split: by customer (a hash of the customer key), not by time. The churn model changes a lot over the first
 * months (it starts on the prior and has one or two training checkpoints in 2011-04), so thresholds tuned on the
 * early checkpoints would be tuned for a model that no longer exists by 2011-07, and a time split would leave the
 * early checkpoints unreported out of sample. With a customer split every checkpoint is scored on customers the
 * tuning never saw. What it cannot remove: both halves live through the same months (a shared seasonal shock).
 */
export type SplitSide = 'calibration' | 'scored';

/** FNV-1a: a stable, dependency-free hash, so the split is the same on every run and machine. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The top bit: FNV's multiplications mix it well, while its lowest bit is only the parity of the characters' lowest bits. */
export const splitSide = (customerKey: string): SplitSide => (fnv1a(customerKey) >>> 31 === 0 ? 'calibration' : 'scored');

export function splitByCustomer<T extends { readonly customerKey: string }>(rows: readonly T[]): { calibration: T[]; scored: T[] } {
  const calibration: T[] = [];
  const scored: T[] = [];
  for (const row of rows) (splitSide(row.customerKey) === 'calibration' ? calibration : scored).push(row);
  return { calibration, scored };
}

/** What the at_risk/lapsed rules need of one customer at one checkpoint. */
export interface FlagRow {
  readonly recencyDays: number;
  readonly gapDays: number;
  readonly churnRisk: number;
  readonly churned: boolean;
}

export interface AtRiskRule {
  readonly gapMultiple: number;
  readonly minDays: number;
  readonly churnRiskAtLeast: number | null;
}

/**
 * at_risk or lapsed, as segmentAt decides on a first assessment (no hysteresis). Lapsed needs at least the at_risk
 * days (180 d ≥ minDays, 4× ≥ gapMultiple on the grid), so the union is the at_risk condition alone.
 */
export function flagsAtRisk(row: FlagRow, rule: AtRiskRule): boolean {
  if (row.recencyDays >= Math.max(rule.minDays, rule.gapMultiple * row.gapDays)) return true;
  return rule.churnRiskAtLeast !== null && row.recencyDays >= rule.minDays && row.churnRisk >= rule.churnRiskAtLeast;
}

/**
 * Youden's J = recall − false-positive rate. Not F1: with churn near 50%, flagging everyone already scores F1 0.67,
 * so F1 rewards flagging nearly everyone; J is 0 for any flag that ignores the customer, whatever the base rate.
 */
export function youdenJ(flags: readonly boolean[], labels: readonly boolean[]): number {
  let tp = 0;
  let fp = 0;
  let positives = 0;
  flags.forEach((f, i) => {
    if (labels[i]) positives += 1;
    if (f && labels[i]) tp += 1;
    if (f && !labels[i]) fp += 1;
  });
  const negatives = labels.length - positives;
  return (positives === 0 ? 0 : tp / positives) - (negatives === 0 ? 0 : fp / negatives);
}

export const GRID = {
  gapMultiple: [1, 1.25, 1.5, 2, 2.5, 3],
  minDays: [14, 30, 45, 60, 90],
  churnRiskAtLeast: [null, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8],
  noOrderDays: [30, 45, 60, 75, 90, 105, 120, 150, 180],
} as const;

export interface Tuned {
  readonly rule: AtRiskRule;
  readonly ruleJ: number;
  /** The "no order in N days" baseline, tuned on the same rows so it is as fair a bar as the rule. */
  readonly noOrderDays: number;
  readonly noOrderJ: number;
  readonly rows: number;
}

/** Grid search for the best Youden's J of at_risk ∪ lapsed as a churn flag; ties keep the earlier grid point. */
export function tuneThresholds(rows: readonly FlagRow[]): Tuned {
  const labels = rows.map((r) => r.churned);
  let best: { rule: AtRiskRule; score: number } | null = null;
  for (const gapMultiple of GRID.gapMultiple) {
    for (const minDays of GRID.minDays) {
      for (const churnRiskAtLeast of GRID.churnRiskAtLeast) {
        const rule = { gapMultiple, minDays, churnRiskAtLeast };
        const score = youdenJ(rows.map((r) => flagsAtRisk(r, rule)), labels);
        if (best === null || score > best.score) best = { rule, score };
      }
    }
  }
  let days: { n: number; score: number } | null = null;
  for (const n of GRID.noOrderDays) {
    const score = youdenJ(rows.map((r) => r.recencyDays >= n), labels);
    if (days === null || score > days.score) days = { n, score };
  }
  if (best === null || days === null) throw new Error('empty grid');
  return { rule: best.rule, ruleJ: best.score, noOrderDays: days.n, noOrderJ: days.score, rows: rows.length };
}

const DAY_MS = 86_400_000;

/**
 * Censoring rule for next-order dates. A checkpoint is scored only if its whole window W lies inside the data
 * (checkpoint + W ≤ the last order in the file): then "no purchase seen" means "none within W", for certain.
 */
export const windowObserved = (checkpoint: number, dataEnd: number, windowDays: number): boolean =>
  checkpoint + windowDays * DAY_MS <= dataEnd;

/**
 * Restricted absolute error, in days: both the forecast wait and the real wait are capped at W, and a customer
 * who never came back has a real wait ≥ W. Every customer counts (not only those who bought again), and every
 * checkpoint is judged on the same W, so a late checkpoint is not rewarded for seeing only short waits.
 */
export function restrictedErrorDays(checkpoint: number, forecastAt: number, nextPurchaseAt: number | null, windowDays: number): number {
  const cap = (at: number | null): number => (at === null ? windowDays : Math.min(windowDays, Math.max(0, (at - checkpoint) / DAY_MS)));
  return Math.abs(cap(forecastAt) - cap(nextPurchaseAt));
}
