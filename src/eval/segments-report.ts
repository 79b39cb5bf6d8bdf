import { SEGMENTS, type Segment } from '../model/customer';
import { baseRateBrier, brier, meanAbsoluteError, precisionRecall, reliabilityByDecile, rocAuc, type PrecisionRecall } from './segments-metrics';
import { monthOf, ownMedianGapForecast, type CheckpointObservation, type ReplayResult } from './segments-replay';

const DAY_MS = 86_400_000;

export interface CheckpointScores {
  readonly label: string;
  readonly customers: number;
  readonly churnRate: number;
  readonly auc: number;
  readonly aucRecency: number;
  readonly aucOrders: number;
  readonly brier: number;
  readonly brierBaseRate: number;
  readonly atRisk: PrecisionRecall;
  readonly atRiskOrLapsed: PrecisionRecall;
  readonly noOrder60d: PrecisionRecall;
  /** Customers with two or more past purchases who bought again: where the own-median-gap rule applies. */
  readonly maeNextOrder: number;
  readonly maeOwnMedianGap: number;
  /** The same rule, but never forecasting a date before the checkpoint (as our forecast never does). */
  readonly maeOwnMedianGapClamped: number;
  readonly maeCount: number;
  /** Every customer who bought again, one-order customers included. */
  readonly maeNextOrderAll: number;
  readonly segments: Readonly<Record<Segment, number>>;
}

export function scoreCheckpoint(label: string, rows: readonly CheckpointObservation[]): CheckpointScores {
  const labels = rows.map((r) => r.churned);
  const risks = rows.map((r) => r.assessment.churnRisk ?? 0);
  const recency = rows.map((r) => (r.checkpoint.getTime() - r.pastPurchases[r.pastPurchases.length - 1]) / DAY_MS);
  const mae: number[] = [];
  const maeBaseline: number[] = [];
  const maeClamped: number[] = [];
  const maeAll: number[] = [];
  for (const r of rows) {
    if (r.nextPurchaseAt === null || r.assessment.expectedNextOrderAt === null) continue;
    const error = (r.assessment.expectedNextOrderAt.getTime() - r.nextPurchaseAt) / DAY_MS;
    maeAll.push(error);
    const baseline = ownMedianGapForecast(r.pastPurchases);
    if (baseline === null) continue;
    mae.push(error);
    maeBaseline.push((baseline - r.nextPurchaseAt) / DAY_MS);
    maeClamped.push((Math.max(baseline, r.checkpoint.getTime()) - r.nextPurchaseAt) / DAY_MS);
  }
  const segments = Object.fromEntries(SEGMENTS.map((s) => [s, 0])) as Record<Segment, number>;
  for (const r of rows) segments[r.assessment.segment] += 1;
  return {
    label,
    customers: rows.length,
    churnRate: labels.filter(Boolean).length / rows.length,
    auc: rocAuc(risks, labels),
    aucRecency: rocAuc(recency, labels),
    aucOrders: rocAuc(rows.map((r) => -r.pastPurchases.length), labels),
    brier: brier(risks, labels),
    brierBaseRate: baseRateBrier(labels),
    atRisk: precisionRecall(rows.map((r) => r.assessment.segment === 'at_risk'), labels),
    atRiskOrLapsed: precisionRecall(rows.map((r) => r.assessment.segment === 'at_risk' || r.assessment.segment === 'lapsed'), labels),
    noOrder60d: precisionRecall(recency.map((d) => d >= 60), labels),
    maeNextOrder: meanAbsoluteError(mae),
    maeOwnMedianGap: meanAbsoluteError(maeBaseline),
    maeOwnMedianGapClamped: meanAbsoluteError(maeClamped),
    maeCount: mae.length,
    maeNextOrderAll: meanAbsoluteError(maeAll),
    segments,
  };
}

const f3 = (x: number): string => (Number.isNaN(x) ? '  -  ' : x.toFixed(3));
const f1 = (x: number): string => (Number.isNaN(x) ? '  -  ' : x.toFixed(1));
const pr = (x: PrecisionRecall): string => `${x.precision.toFixed(2)}/${x.recall.toFixed(2)}`;
const pad = (s: string, n: number): string => s.padStart(n);

export function formatReport(result: ReplayResult, pooledFrom: Date): string {
  const byCheckpoint = new Map<number, CheckpointObservation[]>();
  for (const o of result.observations) {
    const list = byCheckpoint.get(o.checkpoint.getTime()) ?? [];
    list.push(o);
    byCheckpoint.set(o.checkpoint.getTime(), list);
  }
  const scores = [...byCheckpoint.entries()].map(([at, rows]) => scoreCheckpoint(monthOf(at + DAY_MS), rows));
  const late = result.observations.filter((o) => o.checkpoint >= pooledFrom);
  scores.push(scoreCheckpoint(`from ${monthOf(pooledFrom.getTime() + DAY_MS)}`, late));
  scores.push(scoreCheckpoint('all', result.observations));

  const lines: string[] = [];
  lines.push('checkpoint   cust churn |   AUC  rec.AUC ord.AUC |  Brier  base | at_risk P/R  risk+lapsed P/R  60d-rule P/R | next-order MAE d (n) own-gap rule raw/clamped | all-cust MAE');
  for (const s of scores) {
    lines.push([
      s.label.padEnd(11), pad(String(s.customers), 6), pad(f3(s.churnRate), 5), '|',
      pad(f3(s.auc), 6), pad(f3(s.aucRecency), 7), pad(f3(s.aucOrders), 7), '|',
      pad(f3(s.brier), 6), pad(f3(s.brierBaseRate), 5), '|',
      pad(pr(s.atRisk), 11), pad(pr(s.atRiskOrLapsed), 16), pad(pr(s.noOrder60d), 13), '|',
      pad(`${f1(s.maeNextOrder)} (${s.maeCount})`, 19), pad(`${f1(s.maeOwnMedianGap)}/${f1(s.maeOwnMedianGapClamped)}`, 25), '|', pad(f1(s.maeNextOrderAll), 12),
    ].join(' '));
  }
  lines.push('', 'segment sizes at each checkpoint');
  lines.push(`checkpoint  ${['first_time', 'repeat', 'vip', 'at_risk', 'lapsed', 'no_purchase'].map((x) => pad(x, 11)).join(' ')}`);
  for (const s of scores.slice(0, -2)) {
    lines.push(`${s.label.padEnd(11)} ${(['first_time', 'repeat', 'vip', 'at_risk', 'lapsed', 'no_purchase'] as const).map((x) => pad(String(s.segments[x]), 11)).join(' ')}`);
  }

  const risks = late.map((o) => o.assessment.churnRisk ?? 0);
  lines.push('', `reliability of churn_risk by decile (checkpoints from ${monthOf(pooledFrom.getTime() + DAY_MS)})`);
  lines.push('decile      n  mean predicted  observed churn');
  reliabilityByDecile(risks, late.map((o) => o.churned)).forEach((bin, d) => {
    lines.push(`${pad(String(d + 1), 6)} ${pad(String(bin.count), 6)} ${pad(f3(bin.meanPredicted), 15)} ${pad(f3(bin.observed), 15)}`);
  });

  lines.push('', 'segment changes per 1,000 customers per month (by cause: order / time / refit re-evaluation)');
  const months = [...result.customersByMonth.keys()].sort();
  for (const month of months) {
    const base = Math.max(1, result.customersByMonth.get(month) ?? 0);
    const inMonth = result.changes.filter((c) => monthOf(c.at) === month);
    const count = (cause: string) => inMonth.filter((c) => c.cause === cause).length;
    const per = (n: number) => f1((1000 * n) / base);
    lines.push(`${month}  customers ${pad(String(base), 5)}  total ${pad(per(inMonth.length), 6)}  order ${pad(per(count('order')), 6)}  time ${pad(per(count('time')), 6)}  refit ${pad(per(count('refit')), 6)}`);
  }
  lines.push('', `churn model fits: ${result.fits}`);
  return lines.join('\n');
}
