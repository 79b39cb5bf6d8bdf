import type { Shipment } from '../model/shipment';
import { endOfLocalDay } from '../enrichment/delivery/business-time';
import { RISK_LEVELS, type DeliveryConfig, type RiskLevel } from '../enrichment/delivery/config';
import { assessDeliveryRisk } from '../enrichment/delivery/risk';
import { createTransitModel, predictDelivery, recordDelivery, type LaneContext } from '../enrichment/delivery/transit-model';
import type { DeliveryPrediction, PredictionConfidence, RiskAssessment, RiskCode } from '../enrichment/delivery/types';
import { OLIST_ZONE, type OlistTimeline } from './delivery-olist';

/**
 * Replays real order timelines in time order through the production prediction and risk code. The model learns
 * a delivery only once it has happened, so every decision sees the past alone.
 */
export interface ReplayOptions {
  /** How often each open parcel is re-assessed, as a polling daemon would. */
  readonly stepHours: number;
  /** The level at which an assessment counts as a flag (an alert a merchant would see). */
  readonly flagLevel: RiskLevel;
}

export const DEFAULT_REPLAY: ReplayOptions = { stepHours: 6, flagLevel: 'medium' };

/** What happened to one parcel during the replay. */
export interface ParcelOutcome {
  readonly timeline: OlistTimeline;
  readonly atHandoff: DeliveryPrediction | null;
  readonly atPurchase: DeliveryPrediction | null;
  /** The end of the promised local day: delivered after it means late. */
  readonly deadline: Date;
  readonly firstFlagAt: Date | null;
  readonly firstFlagCode: RiskCode | null;
  /** The first flag from any rule but predicted_late (which depends on the threshold being tuned). */
  readonly firstOtherFlag: { readonly at: number; readonly code: RiskCode } | null;
  /**
   * Each new high of the learned lateRiskScore (at, score), in time order, up to the first other flag: the first
   * instant the score reaches a threshold θ is the first record ≥ θ, so any θ can be replayed without a rerun.
   */
  readonly scoreRecords: ReadonlyArray<readonly [number, number]>;
}

const CARRIER = 'olist';
const COUNTRY = 'BR';
const HOUR_MS = 3_600_000;

function laneOf(t: OlistTimeline): LaneContext {
  return { destinationRegion: t.customerState, originRegion: t.customerState ? t.sellerState : null };
}

function shipmentAt(t: OlistTimeline, now: Date): Shipment {
  const shipped = now >= t.handedOffAt;
  return {
    key: `${CARRIER}:${t.orderId}:${t.orderId}`, orderId: t.orderId, orderName: t.orderId, fulfillmentId: t.orderId,
    customerEmail: null, trackingCode: t.orderId, carrier: CARRIER, service: null, trackingUrl: null,
    status: shipped ? 'in_transit' : 'pre_transit', statusDetail: null, carrierEstimatedDeliveryAt: null,
    promisedDeliveryAt: t.promisedAt, shippedAt: shipped ? t.handedOffAt : null, deliveredAt: null,
    destinationCountry: COUNTRY, originCountry: COUNTRY, scans: [], index: 1, count: 1,
  };
}

type Event =
  | { readonly at: number; readonly kind: 'learn'; readonly index: number }
  | { readonly at: number; readonly kind: 'decide'; readonly index: number; readonly handoff: boolean; readonly purchase: boolean };

function buildEvents(timelines: readonly OlistTimeline[], options: ReplayOptions, config: DeliveryConfig): Event[] {
  const events: Event[] = [];
  const step = options.stepHours * HOUR_MS;
  const dueBefore = config.rules.promiseDue.enabled ? config.rules.promiseDue.hoursBefore * HOUR_MS : null;
  timelines.forEach((t, index) => {
    const start = t.purchasedAt.getTime();
    const handoff = t.handedOffAt.getTime();
    const end = t.deliveredAt.getTime();
    events.push({ at: end, kind: 'learn', index });
    for (let at = start; at < end; at += step) {
      if (at !== handoff) events.push({ at, kind: 'decide', index, handoff: false, purchase: at === start });
    }
    if (handoff < end) events.push({ at: handoff, kind: 'decide', index, handoff: true, purchase: false });
    // The daemon re-checks a parcel the instant a time rule crosses its threshold (nextCheckAt); so does the replay.
    const due = dueBefore === null ? null : endOfLocalDay(t.promisedAt, OLIST_ZONE).getTime() - dueBefore;
    if (due !== null && due > start && due < end && (due - start) % step !== 0 && due !== handoff) {
      events.push({ at: due, kind: 'decide', index, handoff: false, purchase: false });
    }
  });
  // Deliveries learned at an instant precede decisions at that instant: they are then in the past.
  return events.sort((a, b) => a.at - b.at || (a.kind === 'learn' ? -1 : 0) - (b.kind === 'learn' ? -1 : 0));
}

/** Olist has no tracking scans: a "no scan for N days" rule would fire on every parcel, so the replay leaves it out. */
export function withoutScanRules(config: DeliveryConfig): DeliveryConfig {
  return { ...config, rules: { ...config.rules, stalledInTransit: { ...config.rules.stalledInTransit, enabled: false } } };
}

export function replay(timelines: readonly OlistTimeline[], config: DeliveryConfig, options: ReplayOptions = DEFAULT_REPLAY): ParcelOutcome[] {
  let model = createTransitModel(config);
  const flagRank = RISK_LEVELS.indexOf(options.flagLevel);
  const previous: Array<RiskAssessment | null> = timelines.map(() => null);
  const atHandoff: Array<DeliveryPrediction | null> = timelines.map(() => null);
  const atPurchase: Array<DeliveryPrediction | null> = timelines.map(() => null);
  const firstFlag: Array<{ at: Date; code: RiskCode } | null> = timelines.map(() => null);
  const firstOther: Array<{ at: number; code: RiskCode } | null> = timelines.map(() => null);
  const records: Array<Array<readonly [number, number]>> = timelines.map(() => []);
  const deadlines = timelines.map((t) => endOfLocalDay(t.promisedAt, OLIST_ZONE));

  for (const event of buildEvents(timelines, options, config)) {
    const t = timelines[event.index] as OlistTimeline;
    if (event.kind === 'learn') {
      model = recordDelivery(model, {
        carrier: CARRIER, service: null, destinationCountry: COUNTRY, ...laneOf(t),
        shippedAt: t.handedOffAt, deliveredAt: t.deliveredAt, promisedDeliveryAt: t.promisedAt,
      });
      continue;
    }
    const now = new Date(event.at);
    const shipment = shipmentAt(t, now);
    const prediction = predictDelivery(model, shipment, now, laneOf(t));
    if (event.handoff) atHandoff[event.index] = prediction;
    if (event.purchase) atPurchase[event.index] = prediction;
    const subject = shipment.shippedAt
      ? { kind: 'shipment' as const, shipment, destinationRegion: t.customerState }
      : {
          kind: 'order' as const, orderId: t.orderId, placedAt: t.purchasedAt, fulfillmentStatus: 'unfulfilled' as const,
          cancelled: false, promisedDeliveryAt: t.promisedAt, destinationCountry: COUNTRY, destinationRegion: t.customerState,
        };
    const assessment = assessDeliveryRisk({ subject, previous: previous[event.index] ?? null, prediction }, config, now);
    previous[event.index] = assessment;
    const top = assessment.reasons[0];
    if (!firstFlag[event.index] && top && RISK_LEVELS.indexOf(assessment.level) >= flagRank) {
      firstFlag[event.index] = { at: now, code: top.code };
    }
    if (firstOther[event.index]) continue;
    const other = assessment.reasons.find((r) => r.code !== 'predicted_late' && RISK_LEVELS.indexOf(r.level) >= flagRank);
    if (other) firstOther[event.index] = { at: event.at, code: other.code };
    const own = records[event.index] as Array<readonly [number, number]>;
    const lateRisk = prediction?.confidence === 'learned' ? prediction.lateRiskScore : null;
    if (lateRisk != null && lateRisk > (own.at(-1)?.[1] ?? 0)) own.push([event.at, lateRisk]);
  }
  return timelines.map((timeline, i) => ({
    timeline,
    atHandoff: atHandoff[i] ?? null,
    atPurchase: atPurchase[i] ?? null,
    deadline: deadlines[i] as Date,
    firstFlagAt: firstFlag[i]?.at ?? null,
    firstFlagCode: firstFlag[i]?.code ?? null,
    firstOtherFlag: firstOther[i] ?? null,
    scoreRecords: records[i] ?? [],
  }));
}

export interface DeliveryScores {
  readonly parcels: number;
  readonly promiseMaeDays: number;
  readonly maeAtHandoffDays: number;
  readonly maeAtPurchaseDays: number;
  /** Share delivered by latestLikelyAt as predicted at hand-off. */
  readonly latestLikelyMet: number;
  /** Mean days from latestLikelyAt to the end of the promised day (positive: our date is earlier). */
  readonly latestBeforePromiseDays: number;
  readonly late: number;
  /** Late parcels flagged before the end of the promised day. */
  readonly lateFlaggedShare: number;
  readonly lateFlaggedDayAheadShare: number;
  readonly medianHoursAhead: number;
  readonly falseAlarmShare: number;
  readonly confidenceAtHandoff: Readonly<Partial<Record<PredictionConfidence, number>>>;
  readonly firstFlagCodes: Readonly<Partial<Record<RiskCode, number>>>;
}

const DAY_MS = 86_400_000;
const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const median = (xs: readonly number[]): number => {
  if (!xs.length) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const share = (count: number, of: number): number => (of ? count / of : Number.NaN);

export function score(outcomes: readonly ParcelOutcome[]): DeliveryScores {
  const withHandoff = outcomes.filter((o) => o.atHandoff);
  const withPurchase = outcomes.filter((o) => o.atPurchase);
  const late = outcomes.filter((o) => o.timeline.deliveredAt > o.deadline);
  const onTime = outcomes.filter((o) => o.timeline.deliveredAt <= o.deadline);
  const flaggedLate = late.filter((o) => o.firstFlagAt && o.firstFlagAt < o.deadline);
  const hoursAhead = flaggedLate.map((o) => (o.deadline.getTime() - (o.firstFlagAt as Date).getTime()) / HOUR_MS);
  const confidence: Partial<Record<PredictionConfidence, number>> = {};
  for (const o of withHandoff) {
    const c = (o.atHandoff as DeliveryPrediction).confidence;
    confidence[c] = (confidence[c] ?? 0) + 1;
  }
  const codes: Partial<Record<RiskCode, number>> = {};
  for (const o of outcomes) if (o.firstFlagCode) codes[o.firstFlagCode] = (codes[o.firstFlagCode] ?? 0) + 1;
  const days = (a: Date, b: Date): number => (a.getTime() - b.getTime()) / DAY_MS;
  return {
    parcels: outcomes.length,
    promiseMaeDays: mean(outcomes.map((o) => Math.abs(days(o.timeline.promisedAt, o.timeline.deliveredAt)))),
    maeAtHandoffDays: mean(withHandoff.map((o) => Math.abs(days((o.atHandoff as DeliveryPrediction).mostLikelyAt, o.timeline.deliveredAt)))),
    maeAtPurchaseDays: mean(withPurchase.map((o) => Math.abs(days((o.atPurchase as DeliveryPrediction).mostLikelyAt, o.timeline.deliveredAt)))),
    latestLikelyMet: share(withHandoff.filter((o) => o.timeline.deliveredAt <= (o.atHandoff as DeliveryPrediction).latestLikelyAt).length, withHandoff.length),
    latestBeforePromiseDays: mean(withHandoff.map((o) => days(o.deadline, (o.atHandoff as DeliveryPrediction).latestLikelyAt))),
    late: late.length,
    lateFlaggedShare: share(flaggedLate.length, late.length),
    lateFlaggedDayAheadShare: share(hoursAhead.filter((h) => h >= 24).length, late.length),
    medianHoursAhead: median(hoursAhead),
    falseAlarmShare: share(onTime.filter((o) => o.firstFlagAt && o.firstFlagAt < o.timeline.deliveredAt).length, onTime.length),
    confidenceAtHandoff: confidence,
    firstFlagCodes: codes,
  };
}
