import type { PrecisionRecall } from './segments-metrics';
import type { CheckpointScores, EvaluationOptions, SegmentsEvaluation } from './segments-evaluate';
import { monthOf, type ReplayResult } from './segments-replay';
import type { AtRiskRule } from './segments-tuning';

const f3 = (x: number): string => (Number.isNaN(x) ? '-' : x.toFixed(3));
const f1 = (x: number): string => (Number.isNaN(x) ? '-' : x.toFixed(1));
const pr = (x: PrecisionRecall): string => `${Number.isNaN(x.precision) ? '-' : x.precision.toFixed(2)}/${x.recall.toFixed(2)}`;
const pad = (s: string, n: number): string => s.padStart(n);
const rule = (r: AtRiskRule): string =>
  `gapMultiple ${r.gapMultiple}, minDays ${r.minDays}, churnRiskAtLeast ${r.churnRiskAtLeast ?? 'off'}`;
const sameRule = (a: AtRiskRule, b: AtRiskRule): boolean =>
  a.gapMultiple === b.gapMultiple && a.minDays === b.minDays && a.churnRiskAtLeast === b.churnRiskAtLeast;

function scoreLine(s: CheckpointScores): string {
  return [
    s.label.padEnd(12), pad(String(s.customers), 5), pad(f3(s.churnRate), 5), '|',
    pad(f3(s.auc), 5), pad(f3(s.aucBaseline), 6), pad(f3(s.aucRecency), 5), pad(f3(s.aucOrders), 5), '|',
    pad(f3(s.brier), 5), pad(f3(s.brierBaseline), 6), pad(f3(s.brierBaseRate), 5), '|',
    pad(pr(s.atRiskOrLapsed), 9), pad(pr(s.tunedRule), 9), pad(pr(s.noOrderRule), 9), '|',
    pad(f1(s.nextOrderMae), 5), pad(f1(s.nextOrderNoneMae), 5), pad(f1(s.nextOrderMaeRepeat), 6), pad(f1(s.ownGapMaeRepeat), 6),
  ].join(' ');
}

const f4 = (x: number): string => x.toFixed(4);
const versus = (ours: number, theirs: number, better: (a: number, b: number) => boolean): string =>
  f4(ours) === f4(theirs) ? 'ties' : better(ours, theirs) ? 'beats' : 'does NOT beat';

/** Where the churn model does and does not beat the logistic baseline, in words (4 decimals, so a tie says so). */
function verdict(scores: readonly CheckpointScores[]): string[] {
  return scores.map((s) => {
    if (Number.isNaN(s.aucBaseline)) return `${s.label}: no baseline (too little history to train it)`;
    const auc = versus(s.auc, s.aucBaseline, (a, b) => a > b);
    const brier = versus(s.brier, s.brierBaseline, (a, b) => a < b);
    return `${s.label}: churn model ${auc} the logistic baseline on AUC (${f4(s.auc)} vs ${f4(s.aucBaseline)}), ${brier} it on Brier (${f4(s.brier)} vs ${f4(s.brierBaseline)})`;
  });
}

export function formatReport(result: ReplayResult, evaluation: SegmentsEvaluation, options: EvaluationOptions): string {
  const { tuned } = evaluation;
  const lines: string[] = [];
  lines.push(`Split by customer (hash of the customer key): thresholds tuned on ${evaluation.calibrationCustomers} calibration customers; ` +
    `every score below is on the other ${evaluation.scoredCustomers} customers.`);
  lines.push(`Tuned on calibration (${tuned.rows} customer-checkpoints, best Youden's J = recall − false-positive rate of at_risk+lapsed as a churn flag): ${rule(tuned.rule)} ` +
    `(Youden's J ${f3(tuned.ruleJ)}); "no order in N days" tuned the same way: N = ${tuned.noOrderDays} (J ${f3(tuned.noOrderJ)}).`);
  lines.push(sameRule(tuned.rule, options.configuredRule)
    ? 'config/lifecycle.yaml holds the tuned values, so the replay\'s segments below use them.'
    : `config/lifecycle.yaml keeps ${rule(options.configuredRule)}, not the tuned values: the segs column is the replay with the config, the tuned column the tuned rule.`);
  lines.push('');
  lines.push(`AUC / Brier: model = shipsignal churn_risk, logit = logistic baseline (5 features, trained on checkpoints whose ${options.plan.horizonDays}-day horizon ended before), rec./ord. = days since last order / order count alone; base = base-rate forecast.`);
  lines.push(`P/R of a churn flag: segs = the replay's at_risk+lapsed, tuned = tuned rule without hysteresis, Nd = no order in ${tuned.noOrderDays} days.`);
  lines.push(`next-order error (days), restricted to W = ${options.windowDays} days (waits capped at W; no purchase = wait ≥ W), every customer: ours / "not within W"; customers with 2+ purchases: ours / own median gap (never before now).`);
  lines.push('checkpoint    cust churn | model logit  rec.  ord. | model logit  base |      segs     tuned        Nd |  ours  none  ours2 owngap');
  for (const s of evaluation.checkpoints) lines.push(scoreLine(s));
  for (const s of evaluation.pooled) lines.push(scoreLine(s));
  lines.push('', 'churn model against the logistic baseline');
  lines.push(...verdict([...evaluation.checkpoints, ...evaluation.pooled]));

  lines.push('', 'segment sizes at each checkpoint (scored customers)');
  const names = ['first_time', 'repeat', 'vip', 'at_risk', 'lapsed', 'no_purchase'] as const;
  lines.push(`checkpoint  ${names.map((x) => pad(x, 11)).join(' ')}`);
  for (const s of evaluation.checkpoints) lines.push(`${s.label.padEnd(11)} ${names.map((x) => pad(String(s.segments[x]), 11)).join(' ')}`);

  const { model, baseline, rows } = evaluation.reliability;
  lines.push('', `reliability by decile of predicted churn (scored customers, checkpoints from ${monthOf(options.pooledFrom + 86_400_000)}, ${rows} rows)`);
  lines.push('decile |     n  model mean  observed |  logit mean  observed');
  model.forEach((bin, d) => {
    const b = baseline[d];
    lines.push(`${pad(String(d + 1), 6)} | ${pad(String(bin.count), 5)} ${pad(f3(bin.meanPredicted), 11)} ${pad(f3(bin.observed), 9)} | ` +
      `${pad(b === undefined ? '-' : f3(b.meanPredicted), 11)} ${pad(b === undefined ? '-' : f3(b.observed), 9)}`);
  });

  lines.push('', 'segment changes per 1,000 customers per month, all customers (by cause: order / time / refit re-evaluation)');
  for (const month of [...result.customersByMonth.keys()].sort()) {
    const base = Math.max(1, result.customersByMonth.get(month) ?? 0);
    const inMonth = result.changes.filter((c) => monthOf(c.at) === month);
    const count = (cause: string) => inMonth.filter((c) => c.cause === cause).length;
    const per = (n: number) => f1((1000 * n) / base);
    lines.push(`${month}  customers ${pad(String(base), 5)}  total ${pad(per(inMonth.length), 6)}  order ${pad(per(count('order')), 6)}  time ${pad(per(count('time')), 6)}  refit ${pad(per(count('refit')), 6)}`);
  }
  const refit = evaluation.refitPerThousand;
  lines.push(`refit re-evaluations changed ${f1(refit.min)}-${f1(refit.max)} segments per 1,000 customers a month over the whole months ` +
    `${refit.months[0] ?? '-'} … ${refit.months.at(-1) ?? '-'}`);
  lines.push(`churn model fits: ${result.fits}; first store model at ${result.firstFitAt === null ? 'never' : new Date(result.firstFitAt).toISOString().slice(0, 10)}`);
  return lines.join('\n');
}
