import { SEGMENTS, type Segment } from '../model/customer';
import { fitBaseline, baselineFeatures, predictBaseline, type PurchaseLog, type TrainingPlan } from './segments-baseline';
import { baseRateBrier, brier, meanAbsoluteError, precisionRecall, reliabilityByDecile, rocAuc, type PrecisionRecall, type ReliabilityBin } from './segments-metrics';
import { monthOf, ownMedianGapForecast, type CheckpointObservation, type ReplayResult } from './segments-replay';
import {
  flagsAtRisk, restrictedErrorDays, splitByCustomer, tuneThresholds, windowObserved, type AtRiskRule, type FlagRow, type Tuned,
} from './segments-tuning';

const DAY_MS = 86_400_000;

export interface EvaluationOptions {
  /** Checkpoints from this instant are pooled into one more row (the model has a few months of history by then). */
  readonly pooledFrom: number;
  /** Next-order window W (days) of the restricted error. */
  readonly windowDays: number;
  readonly plan: TrainingPlan;
  /** The at_risk thresholds the replay ran with (config/lifecycle.yaml). */
  readonly configuredRule: AtRiskRule;
}

/** One customer at one checkpoint, with everything each score needs. */
export interface EvalRow {
  readonly customerKey: string;
  readonly obs: CheckpointObservation;
  readonly flag: FlagRow;
  /** The logistic baseline's P(churn); null when it had too little to learn from at this checkpoint. */
  readonly baselineRisk: number | null;
}

export interface CheckpointScores {
  readonly label: string;
  readonly customers: number;
  readonly churnRate: number;
  readonly auc: number;
  readonly aucBaseline: number;
  readonly aucRecency: number;
  readonly aucOrders: number;
  readonly brier: number;
  readonly brierBaseline: number;
  readonly brierBaseRate: number;
  /** The replay's own segments (with hysteresis), with the configured thresholds. */
  readonly atRiskOrLapsed: PrecisionRecall;
  /** The tuned thresholds on a first assessment (no hysteresis). */
  readonly tunedRule: PrecisionRecall;
  readonly noOrderRule: PrecisionRecall;
  /** Restricted next-order error (days) over every customer; NaN when the window is not fully observed. */
  readonly nextOrderMae: number;
  readonly nextOrderNoneMae: number;
  /** The same, for customers with two or more past purchases, beside the own-median-gap rule (never before now). */
  readonly nextOrderMaeRepeat: number;
  readonly ownGapMaeRepeat: number;
  readonly nextOrderRows: number;
  readonly segments: Readonly<Record<Segment, number>>;
}

export interface SegmentsEvaluation {
  readonly tuned: Tuned;
  readonly calibrationCustomers: number;
  readonly scoredCustomers: number;
  readonly checkpoints: readonly CheckpointScores[];
  readonly pooled: readonly CheckpointScores[];
  readonly reliability: { readonly model: ReliabilityBin[]; readonly baseline: ReliabilityBin[]; readonly rows: number };
  readonly refitPerThousand: { readonly min: number; readonly max: number; readonly months: readonly string[] };
}

export function evalRows(result: ReplayResult, logs: ReadonlyMap<string, PurchaseLog>, plan: TrainingPlan): EvalRow[] {
  const models = new Map<number, ReturnType<typeof fitBaseline>>();
  return result.observations.map((obs) => {
    const at = obs.checkpoint.getTime();
    if (!models.has(at)) models.set(at, fitBaseline(logs.values(), at, plan));
    const model = models.get(at) ?? null;
    const log = logs.get(obs.customerKey);
    const features = log === undefined ? null : baselineFeatures(log, at);
    const last = obs.pastPurchases[obs.pastPurchases.length - 1];
    return {
      customerKey: obs.customerKey,
      obs,
      flag: {
        recencyDays: (at - last) / DAY_MS,
        gapDays: obs.assessment.usualGapDays ?? 0,
        churnRisk: obs.assessment.churnRisk ?? 0,
        churned: obs.churned,
      },
      baselineRisk: model === null || features === null ? null : predictBaseline(model, features),
    };
  });
}

const risksOrNull = (rows: readonly EvalRow[]): number[] | null =>
  rows.every((r) => r.baselineRisk !== null) ? rows.map((r) => r.baselineRisk as number) : null;

export function scoreRows(label: string, rows: readonly EvalRow[], tuned: Tuned, options: EvaluationOptions, dataEnd: number): CheckpointScores {
  const labels = rows.map((r) => r.obs.churned);
  const risks = rows.map((r) => r.flag.churnRisk);
  const baseline = risksOrNull(rows);
  const observed = rows.filter((r) => windowObserved(r.obs.checkpoint.getTime(), dataEnd, options.windowDays));
  const all: number[] = [];
  const none: number[] = [];
  const repeat: number[] = [];
  const ownGap: number[] = [];
  for (const r of observed) {
    const at = r.obs.checkpoint.getTime();
    const forecast = r.obs.assessment.expectedNextOrderAt?.getTime() ?? null;
    if (forecast === null) continue;
    const error = restrictedErrorDays(at, forecast, r.obs.nextPurchaseAt, options.windowDays);
    all.push(error);
    none.push(restrictedErrorDays(at, Number.POSITIVE_INFINITY, r.obs.nextPurchaseAt, options.windowDays));
    const own = ownMedianGapForecast(r.obs.pastPurchases);
    if (own === null) continue;
    repeat.push(error);
    ownGap.push(restrictedErrorDays(at, Math.max(own, at), r.obs.nextPurchaseAt, options.windowDays));
  }
  const segments = Object.fromEntries(SEGMENTS.map((s) => [s, 0])) as Record<Segment, number>;
  for (const r of rows) segments[r.obs.assessment.segment] += 1;
  const nan = Number.NaN;
  return {
    label,
    customers: rows.length,
    churnRate: labels.filter(Boolean).length / rows.length,
    auc: rocAuc(risks, labels),
    aucBaseline: baseline === null ? nan : rocAuc(baseline, labels),
    aucRecency: rocAuc(rows.map((r) => r.flag.recencyDays), labels),
    aucOrders: rocAuc(rows.map((r) => -r.obs.pastPurchases.length), labels),
    brier: brier(risks, labels),
    brierBaseline: baseline === null ? nan : brier(baseline, labels),
    brierBaseRate: baseRateBrier(labels),
    atRiskOrLapsed: precisionRecall(rows.map((r) => r.obs.assessment.segment === 'at_risk' || r.obs.assessment.segment === 'lapsed'), labels),
    tunedRule: precisionRecall(rows.map((r) => flagsAtRisk(r.flag, tuned.rule)), labels),
    noOrderRule: precisionRecall(rows.map((r) => r.flag.recencyDays >= tuned.noOrderDays), labels),
    nextOrderMae: observed.length === rows.length ? meanAbsoluteError(all) : nan,
    nextOrderNoneMae: observed.length === rows.length ? meanAbsoluteError(none) : nan,
    nextOrderMaeRepeat: observed.length === rows.length ? meanAbsoluteError(repeat) : nan,
    ownGapMaeRepeat: observed.length === rows.length ? meanAbsoluteError(ownGap) : nan,
    nextOrderRows: all.length,
    segments,
  };
}

/** Changes caused by refit re-evaluations, per 1,000 customers, over the whole months (first and last are partial). */
function refitRange(result: ReplayResult): SegmentsEvaluation['refitPerThousand'] {
  const months = [...result.customersByMonth.keys()].sort().slice(1, -1);
  const rates = months.map((month) => {
    const n = result.changes.filter((c) => c.cause === 'refit' && monthOf(c.at) === month).length;
    return (1000 * n) / Math.max(1, result.customersByMonth.get(month) ?? 0);
  });
  return { min: Math.min(...rates), max: Math.max(...rates), months };
}

/**
 * Tunes on the calibration customers only, then scores the other customers at every checkpoint and pooled. The
 * tuning receives nothing but calibration rows (tested: changing a scored row's outcome cannot change it).
 */
export function evaluateSegments(
  result: ReplayResult,
  rows: readonly EvalRow[],
  options: EvaluationOptions,
  tune: (calibration: readonly EvalRow[]) => Tuned = (calibration) => tuneThresholds(calibration.map((r) => r.flag)),
): SegmentsEvaluation {
  const { calibration, scored } = splitByCustomer(rows);
  const tuned = tune(calibration);
  const byCheckpoint = new Map<number, EvalRow[]>();
  for (const r of scored) {
    const list = byCheckpoint.get(r.obs.checkpoint.getTime()) ?? [];
    list.push(r);
    byCheckpoint.set(r.obs.checkpoint.getTime(), list);
  }
  const score = (label: string, subset: readonly EvalRow[]) => scoreRows(label, subset, tuned, options, result.dataEnd);
  const checkpoints = [...byCheckpoint.entries()].sort((a, b) => a[0] - b[0]).map(([at, subset]) => score(monthOf(at + DAY_MS), subset));
  const late = scored.filter((r) => r.obs.checkpoint.getTime() >= options.pooledFrom);
  const pooled = [score(`from ${monthOf(options.pooledFrom + DAY_MS)}`, late), score('all', scored)];
  const lateLabels = late.map((r) => r.obs.churned);
  const lateBaseline = risksOrNull(late);
  return {
    tuned,
    calibrationCustomers: new Set(calibration.map((r) => r.customerKey)).size,
    scoredCustomers: new Set(scored.map((r) => r.customerKey)).size,
    checkpoints,
    pooled,
    reliability: {
      model: reliabilityByDecile(late.map((r) => r.flag.churnRisk), lateLabels),
      baseline: lateBaseline === null ? [] : reliabilityByDecile(lateBaseline, lateLabels),
      rows: late.length,
    },
    refitPerThousand: refitRange(result),
  };
}
