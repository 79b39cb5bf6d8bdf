import { lifecycleConfigSchema } from '../../src/enrichment/lifecycle/config';
import { fitLogistic } from '../../src/enrichment/lifecycle/logistic';
import { baselineFeatures, fitBaseline, predictBaseline, purchaseLogs, trainingCheckpoints, type TrainingPlan } from '../../src/eval/segments-baseline';
import { evalRows, evaluateSegments, type EvalRow, type EvaluationOptions } from '../../src/eval/segments-evaluate';
import { replaySegments } from '../../src/eval/segments-replay';
import { flagsAtRisk, restrictedErrorDays, splitByCustomer, splitSide, tuneThresholds, windowObserved, youdenJ } from '../../src/eval/segments-tuning';
import type { Order } from '../../src/model/order';
import { DAY, T0, order } from './lifecycle-fixtures';

describe('logistic fit (the baseline reuses the daemon\'s IRLS)', () => {
  it('recovers the closed-form MLE on a two-group set: intercept logit(1/4), slope logit(3/4) − logit(1/4)', () => {
    // x = 0: 1 of 4 churned; x = 1: 3 of 4. The unpenalized MLE fits each group's rate exactly.
    const rows = [[0], [0], [0], [0], [1], [1], [1], [1]];
    const labels = [1, 0, 0, 0, 1, 1, 1, 0];
    const fit = fitLogistic(rows, labels, 0);
    expect(fit.intercept).toBeCloseTo(-Math.log(3), 8);
    expect(fit.weights[0]).toBeCloseTo(2 * Math.log(3), 8);
  });

  it('computes the five baseline features by hand', () => {
    const log = { times: [T0, T0 + 10 * DAY, T0 + 40 * DAY], amountsMinor: [1000, 3000, 5000] };
    const f = baselineFeatures(log, T0 + 20 * DAY) as number[];
    expect(f[0]).toBeCloseTo(Math.log1p(10));
    expect(f[1]).toBeCloseTo(Math.log1p(2));
    expect(f[2]).toBeCloseTo(Math.log1p(20));
    expect(f[3]).toBeCloseTo(Math.log1p(40));
    expect(f[4]).toBeCloseTo(Math.log1p(10) * Math.log1p(2));
    expect(baselineFeatures(log, T0)).toBeNull();
  });

  it('trains only on checkpoints whose horizon ended before the scored instant: later orders change nothing', () => {
    const plan: TrainingPlan = { horizonDays: 90, checkpoints: 3, spacingDays: 30, l2: 1e-6 };
    const at = T0 + 400 * DAY;
    expect(trainingCheckpoints(at, plan)).toEqual([at - 90 * DAY, at - 120 * DAY, at - 150 * DAY]);
    const orders: Order[] = [];
    for (let i = 0; i < 120; i++) {
      const gap = 10 + (i % 9) * 15;
      const stop = i % 3 === 0 ? 500 : 150 + (i % 7) * 30;
      for (let day = i % 17, k = 0; day < stop; day += gap, k++) orders.push(order(`${i}-${k}`, day, 1000 + i * 10, { email: `c${i}@example.com` }));
    }
    const model = fitBaseline(purchaseLogs(orders).values(), at, plan);
    const future = orders.filter((o) => o.createdAt.getTime() < at);
    const same = fitBaseline(purchaseLogs(future).values(), at, plan);
    expect(model).not.toBeNull();
    expect(same).toEqual(model);
    const risk = predictBaseline(model!, baselineFeatures(purchaseLogs(orders).get('c0@example.com')!, at)!);
    expect(risk).toBeGreaterThan(0);
    expect(risk).toBeLessThan(1);
  });
});

describe('next-order censoring', () => {
  const cp = T0;
  it('scores a checkpoint only when its whole window lies inside the data', () => {
    expect(windowObserved(cp, cp + 90 * DAY, 90)).toBe(true);
    expect(windowObserved(cp, cp + 90 * DAY - 1, 90)).toBe(false);
  });
  it('caps forecast and real waits at W, a customer who never came back waiting at least W', () => {
    expect(restrictedErrorDays(cp, cp + 10 * DAY, null, 90)).toBeCloseTo(80);
    expect(restrictedErrorDays(cp, cp + 100 * DAY, cp + 95 * DAY, 90)).toBe(0);
    expect(restrictedErrorDays(cp, cp + 20 * DAY, cp + 30 * DAY, 90)).toBeCloseTo(10);
    expect(restrictedErrorDays(cp, Number.POSITIVE_INFINITY, cp + 30 * DAY, 90)).toBeCloseTo(60);
    // A forecast already in the past counts as "now".
    expect(restrictedErrorDays(cp, cp - 5 * DAY, cp + 3 * DAY, 90)).toBeCloseTo(3);
  });
});

describe('threshold tuning on the calibration customers', () => {
  it('flags at_risk ∪ lapsed by the gap rule or the risk clause after minDays, and scores by Youden\'s J', () => {
    const rule = { gapMultiple: 2, minDays: 30, churnRiskAtLeast: 0.6 };
    expect(flagsAtRisk({ recencyDays: 41, gapDays: 20, churnRisk: 0, churned: true }, rule)).toBe(true);
    expect(flagsAtRisk({ recencyDays: 39, gapDays: 20, churnRisk: 0.59, churned: true }, rule)).toBe(false);
    expect(flagsAtRisk({ recencyDays: 30, gapDays: 20, churnRisk: 0.6, churned: true }, rule)).toBe(true);
    expect(flagsAtRisk({ recencyDays: 29, gapDays: 20, churnRisk: 0.99, churned: true }, rule)).toBe(false);
    expect(youdenJ([true, true, true, true], [true, false, true, false])).toBe(0);
    expect(youdenJ([true, false, false, true], [true, false, true, false])).toBe(0);
    expect(youdenJ([true, false, true, false], [true, false, true, false])).toBe(1);
  });

  it('never sees a scored row: the tuner gets calibration customers only, and scored outcomes cannot move it', async () => {
    const orders: Order[] = [];
    for (let i = 0; i < 160; i++) {
      const gap = 8 + (i % 6) * 12;
      const stop = i % 2 === 0 ? 330 : 60 + (i % 9) * 25;
      for (let day = i % 11, k = 0; day < stop; day += gap, k++) orders.push(order(`${i}-${k}`, day, 2000, { email: `c${i}@example.com` }));
    }
    orders.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    const config = lifecycleConfigSchema.parse({});
    const checkpoints = [new Date(T0 + 150 * DAY), new Date(T0 + 200 * DAY)];
    const result = await replaySegments(orders, checkpoints, config);
    const options: EvaluationOptions = {
      pooledFrom: checkpoints[1].getTime(), windowDays: 90,
      plan: { horizonDays: 90, checkpoints: 2, spacingDays: 30, l2: 1e-6 },
      configuredRule: { gapMultiple: 1.5, minDays: 30, churnRiskAtLeast: 0.55 },
    };
    const rows = evalRows(result, purchaseLogs(orders), options.plan);
    const { calibration, scored } = splitByCustomer(rows);
    expect(calibration.length).toBeGreaterThan(50);
    expect(scored.length).toBeGreaterThan(50);

    let seen: readonly EvalRow[] = [];
    const evaluation = evaluateSegments(result, rows, options, (given) => {
      seen = given;
      return tuneThresholds(given.map((r) => r.flag));
    });
    expect(seen.length).toBe(calibration.length);
    expect(seen.every((r) => splitSide(r.customerKey) === 'calibration')).toBe(true);
    const scoredKeys = new Set(scored.map((r) => r.customerKey));
    expect(seen.some((r) => scoredKeys.has(r.customerKey))).toBe(false);
    expect(evaluation.checkpoints.reduce((n, s) => n + s.customers, 0)).toBe(scored.length);

    // Inverting every scored outcome leaves the tuned thresholds as they were; inverting calibration outcomes does not.
    const invert = (r: EvalRow): EvalRow => ({ ...r, obs: { ...r.obs, churned: !r.obs.churned }, flag: { ...r.flag, churned: !r.flag.churned } });
    const scoredFlipped = rows.map((r) => (splitSide(r.customerKey) === 'scored' ? invert(r) : r));
    expect(evaluateSegments(result, scoredFlipped, options).tuned).toEqual(evaluation.tuned);
    const calibrationFlipped = rows.map((r) => (splitSide(r.customerKey) === 'calibration' ? invert(r) : r));
    expect(evaluateSegments(result, calibrationFlipped, options).tuned).not.toEqual(evaluation.tuned);
  });
});
