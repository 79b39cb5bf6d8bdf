import type { RiskCode } from '../enrichment/delivery/types';
import type { ParcelOutcome } from './delivery-replay';

/**
 * Alarm precision for the delivery evaluation, and the predicted-late threshold tuned on a calibration split.
 *
 * An alarm is a flag raised while the parcel could still be on time: before it was delivered and before its
 * promised day ended (a late_vs_promise flag after the deadline tells the merchant what the customer already
 * knows, so it is not counted as an alarm). Precision = share of alarmed parcels that were late; recall = share of
 * late parcels alarmed at least 24 h before the end of the promised day; false-alarm rate = share of on-time
 * parcels alarmed.
 */
const HOUR_MS = 3_600_000;

export interface Alarm {
  readonly at: number;
  readonly code: RiskCode;
}

/**
 * The first flag with the predicted-late rule at threshold θ: the earlier of the first other rule's flag and the
 * first score record ≥ θ (at the same instant the other rule wins, as in assessDeliveryRisk: predicted_late is
 * pushed last among equal levels). `predictedFlags` false: the rule is off or below the flag level.
 */
export function firstAlarm(outcome: ParcelOutcome, threshold: number, predictedFlags = true): Alarm | null {
  const other = outcome.firstOtherFlag;
  const crossing = predictedFlags ? outcome.scoreRecords.find(([, score]) => score >= threshold) : undefined;
  if (crossing && (!other || crossing[0] < other.at)) return { at: crossing[0], code: 'predicted_late' };
  return other ? { at: other.at, code: other.code } : null;
}

export interface RuleAlarms {
  readonly alarms: number;
  readonly late: number;
  readonly precision: number;
}

export interface AlarmScores {
  readonly parcels: number;
  readonly late: number;
  readonly alarms: number;
  readonly lateAlarmed: number;
  readonly precision: number;
  /** Late parcels alarmed ≥ 24 h before the end of the promised day. */
  readonly recallDayAhead: number;
  readonly falseAlarmRate: number;
  readonly byRule: Readonly<Partial<Record<RiskCode, RuleAlarms>>>;
}

const share = (n: number, of: number): number => (of === 0 ? Number.NaN : n / of);

/** Scores the alarms `alarmOf` gives each parcel (by default, the replay's own first flag). */
export function scoreAlarms(
  outcomes: readonly ParcelOutcome[],
  alarmOf: (o: ParcelOutcome) => Alarm | null = (o) => (o.firstFlagAt && o.firstFlagCode ? { at: o.firstFlagAt.getTime(), code: o.firstFlagCode } : null),
): AlarmScores {
  let late = 0;
  let alarms = 0;
  let lateAlarmed = 0;
  let dayAhead = 0;
  let onTimeAlarmed = 0;
  const byRule: Partial<Record<RiskCode, { alarms: number; late: number }>> = {};
  for (const o of outcomes) {
    const deadline = o.deadline.getTime();
    const delivered = o.timeline.deliveredAt.getTime();
    const isLate = delivered > deadline;
    if (isLate) late += 1;
    const alarm = alarmOf(o);
    if (!alarm || alarm.at >= Math.min(delivered, deadline)) continue;
    alarms += 1;
    const rule = (byRule[alarm.code] ??= { alarms: 0, late: 0 });
    rule.alarms += 1;
    if (isLate) {
      lateAlarmed += 1;
      rule.late += 1;
      if (deadline - alarm.at >= 24 * HOUR_MS) dayAhead += 1;
    } else onTimeAlarmed += 1;
  }
  const rules: Partial<Record<RiskCode, RuleAlarms>> = {};
  for (const [code, r] of Object.entries(byRule) as Array<[RiskCode, { alarms: number; late: number }]>) {
    rules[code] = { ...r, precision: share(r.late, r.alarms) };
  }
  return {
    parcels: outcomes.length, late, alarms, lateAlarmed,
    precision: share(lateAlarmed, alarms),
    recallDayAhead: share(dayAhead, late),
    falseAlarmRate: share(onTimeAlarmed, outcomes.length - late),
    byRule: rules,
  };
}

/**
 * Time split with a gap: calibration holds parcels delivered before `splitAt`, the scored part parcels bought at
 * or after it; parcels in flight at `splitAt` are in neither. So the tuning could have run at `splitAt`, and no
 * outcome it sees belongs to a scored parcel.
 */
export function timeSplit(outcomes: readonly ParcelOutcome[], scoredShare: number): { calibration: ParcelOutcome[]; scored: ParcelOutcome[]; splitAt: number } {
  const byPurchase = [...outcomes].sort((a, b) => a.timeline.purchasedAt.getTime() - b.timeline.purchasedAt.getTime());
  const first = byPurchase[Math.min(byPurchase.length - 1, Math.floor(byPurchase.length * (1 - scoredShare)))];
  const splitAt = first ? first.timeline.purchasedAt.getTime() : Number.POSITIVE_INFINITY;
  return {
    calibration: byPurchase.filter((o) => o.timeline.deliveredAt.getTime() < splitAt),
    scored: byPurchase.filter((o) => o.timeline.purchasedAt.getTime() >= splitAt),
    splitAt,
  };
}

export const THRESHOLDS = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99] as const;

export interface ThresholdChoice {
  readonly threshold: number;
  /** Whether some threshold met the recall target on calibration; if none did, the highest-recall one is kept. */
  readonly metRecall: boolean;
  readonly frontier: ReadonlyArray<{ readonly threshold: number; readonly scores: AlarmScores }>;
}

/** The most precise threshold whose day-ahead recall on `calibration` is at least `minRecall`. */
export function tuneThreshold(calibration: readonly ParcelOutcome[], minRecall: number, predictedFlags = true): ThresholdChoice {
  const frontier = THRESHOLDS.map((threshold) => ({ threshold, scores: scoreAlarms(calibration, (o) => firstAlarm(o, threshold, predictedFlags)) }));
  const meeting = frontier.filter((f) => f.scores.recallDayAhead >= minRecall);
  const pick = meeting.length > 0
    ? meeting.reduce((a, b) => (b.scores.precision > a.scores.precision ? b : a))
    : frontier.reduce((a, b) => (b.scores.recallDayAhead > a.scores.recallDayAhead ? b : a));
  return { threshold: pick.threshold, metRecall: meeting.length > 0, frontier };
}

/**
 * A reference, not a rule: alarm every parcel still undelivered 24 h before the end of its promised day. It alarms
 * every late parcel a day ahead by construction, so its precision is what "≥ 90% a day ahead" costs when nothing
 * tells two undelivered parcels apart; a rule beats it only by reading something the parcel shows (time in
 * transit here: Olist has no scans).
 */
export function undeliveredDayAhead(outcomes: readonly ParcelOutcome[]): { readonly alarms: number; readonly late: number; readonly precision: number } {
  const alarmed = outcomes.filter((o) => o.timeline.deliveredAt.getTime() > o.deadline.getTime() - 24 * HOUR_MS);
  const late = alarmed.filter((o) => o.timeline.deliveredAt > o.deadline).length;
  return { alarms: alarmed.length, late, precision: share(late, alarmed.length) };
}
