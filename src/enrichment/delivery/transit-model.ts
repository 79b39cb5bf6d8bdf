import type { Shipment } from '../../model/shipment';
import { addBusinessDays, businessDaysBetween, endOfLocalDay, type BusinessCalendar } from './business-time';
import { defaultDeliveryConfig, type DeliveryConfig } from './config';
import { addSample, cdf, effectiveCount, emptyHistogram, quantile, type DecayedHistogram } from './histogram';
import type { DeliveryPrediction } from './types';
import { destinationCalendar } from './zones';

/**
 * The store's own transit history: hand-off → delivery in destination business days, one decayed histogram per
 * group, from (carrier, service, lane) down to the whole store. Plain JSON, meant for the state store.
 */
export interface TransitModel {
  readonly version: 1;
  readonly settings: Pick<DeliveryConfig, 'prediction' | 'timeZones'>;
  readonly groups: Readonly<Record<string, DecayedHistogram>>;
  readonly deliveriesRecorded: number;
}

/** Where a parcel goes, beyond what the Shipment carries. */
export interface LaneContext {
  /** Destination region (state, province); also picks the time zone in multi-zone countries. */
  readonly destinationRegion: string | null;
  /** Where it leaves from (warehouse or seller region), when the store has several. */
  readonly originRegion: string | null;
}

export interface TransitObservation extends LaneContext {
  readonly carrier: string | null;
  readonly service: string | null;
  readonly destinationCountry: string | null;
  readonly shippedAt: Date;
  readonly deliveredAt: Date;
  readonly promisedDeliveryAt: Date | null;
}

const NO_LANE: LaneContext = { destinationRegion: null, originRegion: null };
/** Survival below this means the parcel is already older than (nearly) every delivery on record. */
const EXHAUSTED = 1e-3;
/** For such a parcel: a week of business days, the horizon after which merchants usually open a claim. */
const OVERDUE_LATEST_DAYS = 5;

export function createTransitModel(config: DeliveryConfig = defaultDeliveryConfig()): TransitModel {
  return { version: 1, settings: { prediction: config.prediction, timeZones: config.timeZones }, groups: {}, deliveriesRecorded: 0 };
}

interface GroupInputs {
  readonly carrier: string | null;
  readonly service: string | null;
  readonly destinationCountry: string | null;
  readonly lane: LaneContext;
  /** Business days from hand-off to the end of the promised day, when a promise exists. */
  readonly promisedTransitDays: number | null;
}

function promiseBand(days: number, edges: readonly number[]): string {
  const upper = edges.find((edge) => days < edge);
  return upper === undefined ? `${edges.at(-1) ?? 0}+` : `<${upper}`;
}

/**
 * Group keys from the most specific to the whole store; a level whose inputs are unknown is skipped. The promise
 * band sits between the region and the country: the store's promised transit already encodes distance and
 * shipping option, so it is the best lane proxy when the region is unknown.
 */
export function groupKeys(inputs: GroupInputs, edges: readonly number[]): string[] {
  const carrier = `c:${(inputs.carrier ?? 'unknown').toLowerCase()}`;
  const country = inputs.destinationCountry?.toUpperCase() ?? null;
  const region = inputs.lane.destinationRegion ? `${country ?? '?'}-${inputs.lane.destinationRegion.toUpperCase()}` : null;
  const keys: string[] = [];
  if (region && (inputs.service || inputs.lane.originRegion)) {
    keys.push(`${carrier}|s:${inputs.service?.toLowerCase() ?? '-'}|r:${inputs.lane.originRegion?.toUpperCase() ?? '-'}>${region}`);
  }
  if (region) keys.push(`${carrier}|r:${region}`);
  if (inputs.promisedTransitDays !== null) {
    keys.push(`${carrier}${country ? `|r:${country}` : ''}|p:${promiseBand(inputs.promisedTransitDays, edges)}`);
  }
  if (country) keys.push(`${carrier}|r:${country}`);
  keys.push(carrier, '*');
  return keys;
}

const calendarOf = (model: TransitModel, country: string | null, lane: LaneContext): BusinessCalendar =>
  destinationCalendar(model.settings, country, lane.destinationRegion);

function promisedDays(promise: Date | null, from: Date, calendar: BusinessCalendar): number | null {
  return promise ? businessDaysBetween(from, endOfLocalDay(promise, calendar.zone), calendar) : null;
}

/** Adds one completed delivery to every group it belongs to. Deliveries before their hand-off are ignored. */
export function recordDelivery(model: TransitModel, observation: TransitObservation): TransitModel {
  const draft = new TransitModelDraft(model);
  draft.record(observation);
  return draft.model;
}

type OwnedHistogram = { weights: number[]; total: number; asOfMs: number };

/**
 * A model extended delivery after delivery (a page of a backfill holds hundreds): each group's bins are copied on
 * its first change, not on every delivery, and the model it started from is never modified.
 */
export class TransitModelDraft {
  private readonly groups: Record<string, DecayedHistogram>;
  private readonly owned = new Set<string>();
  private recorded = 0;
  private current: TransitModel;

  constructor(private readonly base: TransitModel) {
    this.groups = { ...base.groups };
    this.current = base;
  }

  /** The model with every delivery recorded so far; the same object as the base until one is. */
  get model(): TransitModel {
    return this.current;
  }

  record(observation: TransitObservation): void {
    if (observation.deliveredAt < observation.shippedAt) return;
    const model = this.base;
    const layout = model.settings.prediction;
    const calendar = calendarOf(model, observation.destinationCountry, observation);
    const transit = businessDaysBetween(observation.shippedAt, observation.deliveredAt, calendar);
    const keys = groupKeys({
      carrier: observation.carrier,
      service: observation.service,
      destinationCountry: observation.destinationCountry,
      lane: observation,
      promisedTransitDays: promisedDays(observation.promisedDeliveryAt, observation.shippedAt, calendar),
    }, layout.promiseBandEdges);
    const at = observation.deliveredAt.getTime();
    for (const key of keys) addSample(this.own(key, at), transit, at, layout);
    this.recorded += 1;
    this.current = { ...model, groups: this.groups, deliveriesRecorded: model.deliveriesRecorded + this.recorded };
  }

  private own(key: string, at: number): OwnedHistogram {
    const existing = this.groups[key];
    if (existing && this.owned.has(key)) return existing as OwnedHistogram;
    const layout = this.base.settings.prediction;
    const source = existing ?? emptyHistogram(layout, at);
    const copy: OwnedHistogram = { weights: [...source.weights], total: source.total, asOfMs: source.asOfMs };
    this.groups[key] = copy;
    this.owned.add(key);
    return copy;
  }
}

interface ChosenGroup {
  readonly key: string;
  readonly histogram: DecayedHistogram;
  readonly count: number;
  readonly thin: boolean;
}

function chooseGroup(model: TransitModel, keys: readonly string[], nowMs: number): ChosenGroup | null {
  const layout = model.settings.prediction;
  let richest: ChosenGroup | null = null;
  for (const key of keys) {
    const histogram = model.groups[key];
    if (!histogram) continue;
    const count = effectiveCount(histogram, nowMs, layout);
    if (count >= layout.minObservations) return { key, histogram, count, thin: false };
    if (count > 0 && (!richest || count > richest.count)) richest = { key, histogram, count, thin: true };
  }
  return richest;
}

function describeGroup(key: string): string {
  if (key === '*') return 'all the store\'s deliveries';
  return key.split('|').map((part) => {
    const [kind, value] = [part.slice(0, 1), part.slice(2)];
    return kind === 'c' ? `carrier ${value}` : kind === 's' ? `service ${value}` : kind === 'r' ? `to ${value}` : `promise band ${value} business days`;
  }).join(', ');
}

const minDate = (a: Date, b: Date): Date => (a < b ? a : b);
const maxDate = (a: Date, b: Date): Date => (a > b ? a : b);

/**
 * When the parcel will most likely arrive and by when it almost surely will, from the store's history for its
 * group conditioned on the time already spent in transit, combined with the carrier's estimate (trusted unless
 * history finds it implausible) and the store's promise (for lateRiskScore). Null when nothing at all is known.
 */
export function predictDelivery(
  model: TransitModel,
  shipment: Shipment,
  now: Date,
  lane: LaneContext = NO_LANE,
): DeliveryPrediction | null {
  const layout = model.settings.prediction;
  const calendar = calendarOf(model, shipment.destinationCountry, lane);
  const promiseDeadline = shipment.promisedDeliveryAt ? endOfLocalDay(shipment.promisedDeliveryAt, calendar.zone) : null;
  if (shipment.deliveredAt) {
    return {
      mostLikelyAt: shipment.deliveredAt, latestLikelyAt: shipment.deliveredAt, confidence: 'learned', group: null,
      basis: 'delivered', lateRiskScore: promiseDeadline ? (shipment.deliveredAt > promiseDeadline ? 1 : 0) : null,
    };
  }
  const handoff = shipment.shippedAt && shipment.shippedAt <= now ? shipment.shippedAt : now;
  const notShipped = shipment.shippedAt === null ? '; not handed to the carrier yet, so hand-off is assumed now' : '';
  const estimate = shipment.carrierEstimatedDeliveryAt;
  const keys = groupKeys({
    carrier: shipment.carrier, service: shipment.service, destinationCountry: shipment.destinationCountry, lane,
    promisedTransitDays: promiseDeadline ? businessDaysBetween(handoff, promiseDeadline, calendar) : null,
  }, layout.promiseBandEdges);
  const group = chooseGroup(model, keys, now.getTime());

  if (!group) {
    if (estimate) {
      return {
        mostLikelyAt: estimate, latestLikelyAt: endOfLocalDay(estimate, calendar.zone), confidence: 'carrier_only',
        basis: `no delivery history yet; the carrier's estimate${notShipped}`, lateRiskScore: null, group: null,
      };
    }
    if (shipment.promisedDeliveryAt && promiseDeadline) {
      return {
        mostLikelyAt: shipment.promisedDeliveryAt, latestLikelyAt: promiseDeadline, confidence: 'promise_only',
        basis: `no delivery history and no carrier estimate; the store's promise${notShipped}`, lateRiskScore: null, group: null,
      };
    }
    return null;
  }

  const { histogram } = group;
  const elapsed = businessDaysBetween(handoff, now, calendar);
  const survival = 1 - cdf(histogram, elapsed, layout);
  const at = (days: number): Date => addBusinessDays(handoff, days, calendar);
  let mostLikelyAt: Date;
  let latestLikelyAt: Date;
  let basis = `${Math.round(group.count)} recent deliveries (${describeGroup(group.key)})`;
  if (survival < EXHAUSTED) {
    mostLikelyAt = addBusinessDays(now, 1, calendar);
    latestLikelyAt = addBusinessDays(now, OVERDUE_LATEST_DAYS, calendar);
    basis += '; already in transit longer than almost all of them, so the dates are a guess';
  } else {
    const conditional = (p: number): number => quantile(histogram, 1 - survival + p * survival, layout);
    mostLikelyAt = at(Math.max(elapsed, conditional(0.5)));
    latestLikelyAt = at(Math.max(elapsed, conditional(layout.latestQuantile)));
    basis += `, ${survival < 1 ? 'given the time already in transit, ' : ''}median ${conditional(0.5).toFixed(1)} business days after hand-off`;
    if (estimate) {
      mostLikelyAt = minDate(maxDate(estimate, at(conditional(0.1))), latestLikelyAt);
      latestLikelyAt = maxDate(latestLikelyAt, endOfLocalDay(estimate, calendar.zone));
      basis += '; the carrier\'s estimate, bounded by that history';
    }
  }
  if (group.thin) basis = `thin history: only ${basis}`;
  let lateRiskScore: number | null = null;
  if (promiseDeadline) {
    if (now >= promiseDeadline) lateRiskScore = 1;
    // Past every delivery on record: with real history that is a parcel in trouble, with a handful it means nothing.
    else if (survival < EXHAUSTED) lateRiskScore = group.thin ? null : 1;
    else {
      const onTime = cdf(histogram, businessDaysBetween(handoff, promiseDeadline, calendar), layout);
      lateRiskScore = Math.min(1, Math.max(0, (1 - onTime) / survival));
    }
  }
  return {
    mostLikelyAt, latestLikelyAt, confidence: group.thin ? 'thin_history' : 'learned',
    basis: basis + notShipped, lateRiskScore, group: group.key,
  };
}
