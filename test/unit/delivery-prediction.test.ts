import { DateTime } from 'luxon';
import type { Shipment } from '../../src/model/shipment';
import {
  addBusinessDays, createTransitModel, defaultDeliveryConfig, predictDelivery, recordDelivery, type TransitModel,
} from '../../src/enrichment/delivery';

const SP = { zone: 'America/Sao_Paulo', country: 'BR' };
const at = (iso: string): Date => DateTime.fromISO(iso, { zone: SP.zone }).toJSDate();
const noLane = { destinationRegion: null, originRegion: null };

function parcel(over: Partial<Shipment> = {}): Shipment {
  return {
    key: 'c:1:o', orderId: 'o', orderName: 'o', fulfillmentId: 'f', customerEmail: null, trackingCode: '1', carrier: 'correios',
    service: null, trackingUrl: null, status: 'in_transit', statusDetail: null, carrierEstimatedDeliveryAt: null,
    promisedDeliveryAt: null, shippedAt: at('2024-06-03T10:00'), deliveredAt: null, destinationCountry: 'BR',
    originCountry: 'BR', scans: [], index: 1, count: 1, ...over,
  };
}

/** `count` deliveries of `days` business days each, to `region`, shipped on Mondays in April-May 2024. */
function learn(model: TransitModel, count: number, days: number, region: string | null): TransitModel {
  let m = model;
  for (let i = 0; i < count; i++) {
    const shippedAt = at(`2024-04-01T10:00`);
    const shifted = new Date(shippedAt.getTime() + (i % 7) * 7 * 86_400_000);
    m = recordDelivery(m, {
      carrier: 'correios', service: null, destinationCountry: 'BR', destinationRegion: region, originRegion: null,
      shippedAt: shifted, deliveredAt: addBusinessDays(shifted, days, SP), promisedDeliveryAt: null,
    });
  }
  return m;
}

const now = at('2024-06-03T10:00');
const businessDays = (from: Date, to: Date) => {
  let days = 0;
  while (addBusinessDays(from, days + 0.01, SP) <= to) days += 0.01;
  return Math.round(days * 10) / 10;
};

describe('predictDelivery without history', () => {
  const empty = createTransitModel();
  it('uses the carrier estimate, then the promise, then gives up', () => {
    expect(predictDelivery(empty, parcel({ carrierEstimatedDeliveryAt: at('2024-06-06T00:00') }), now)?.confidence).toBe('carrier_only');
    const promised = predictDelivery(empty, parcel({ promisedDeliveryAt: at('2024-06-10T00:00') }), now);
    expect(promised?.confidence).toBe('promise_only');
    expect(promised?.latestLikelyAt).toEqual(at('2024-06-11T00:00'));
    expect(promised?.lateRiskScore).toBeNull();
    expect(predictDelivery(empty, parcel(), now)).toBeNull();
  });
});

describe('predictDelivery with history', () => {
  const model = learn(learn(learn(createTransitModel(), 80, 2, 'SP'), 80, 10, 'RJ'), 5, 20, 'AM');

  it('uses the region\'s own history when it is rich enough', () => {
    const sp = predictDelivery(model, parcel(), now, { destinationRegion: 'SP', originRegion: null });
    expect(sp?.confidence).toBe('learned');
    expect(sp?.group).toBe('c:correios|r:BR-SP');
    expect(businessDays(now, sp?.mostLikelyAt as Date)).toBeCloseTo(2, 0);
    const rj = predictDelivery(model, parcel(), now, { destinationRegion: 'RJ', originRegion: null });
    expect(businessDays(now, rj?.mostLikelyAt as Date)).toBeCloseTo(10, 0);
    expect(sp?.basis).toContain('to BR-SP');
  });

  it('backs off from a thin region to the country', () => {
    const am = predictDelivery(model, parcel(), now, { destinationRegion: 'AM', originRegion: null });
    expect(am?.group).toBe('c:correios|r:BR');
    expect(am?.confidence).toBe('learned');
    const latest = businessDays(now, am?.latestLikelyAt as Date);
    expect(latest).toBeGreaterThanOrEqual(10);
  });

  it('backs off to another carrier\'s store-wide history, and says when even that is thin', () => {
    const otherCarrier = predictDelivery(model, parcel({ carrier: 'jadlog' }), now, noLane);
    expect(otherCarrier?.group).toBe('*');
    const thin = learn(createTransitModel(), 5, 3, null);
    const prediction = predictDelivery(thin, parcel(), now, noLane);
    expect(prediction?.confidence).toBe('thin_history');
    expect(prediction?.basis).toMatch(/^thin history: only \d+ recent deliveries/);
  });

  it('forgets: history a year old is thin', () => {
    const later = at('2025-06-02T10:00');
    const old = predictDelivery(model, parcel({ shippedAt: later }), later, { destinationRegion: 'SP', originRegion: null });
    expect(old?.confidence).toBe('thin_history');
  });

  it('conditions on the time already in transit and scores the risk of missing the promise', () => {
    const promise = { promisedDeliveryAt: at('2024-06-07T00:00') };
    const lane = { destinationRegion: 'RJ', originRegion: null };
    const fresh = predictDelivery(model, parcel(promise), now, lane);
    expect(fresh?.lateRiskScore).toBeGreaterThan(0.95);
    const sp = predictDelivery(model, parcel(promise), now, { destinationRegion: 'SP', originRegion: null });
    expect(sp?.lateRiskScore).toBeLessThan(0.05);
    const stillMoving = at('2024-06-07T12:00');
    const overdue = predictDelivery(model, parcel({ promisedDeliveryAt: at('2024-06-20T00:00') }), stillMoving, { destinationRegion: 'SP', originRegion: null });
    expect(overdue?.mostLikelyAt.getTime()).toBeGreaterThanOrEqual(stillMoving.getTime());
    expect(overdue?.lateRiskScore).toBe(1);
    expect(overdue?.basis).toContain('longer than almost all');
  });

  it('bounds the carrier estimate by history and never promises before it', () => {
    const lane = { destinationRegion: 'SP', originRegion: null };
    const plausible = predictDelivery(model, parcel({ carrierEstimatedDeliveryAt: at('2024-06-05T12:00') }), now, lane);
    expect(plausible?.mostLikelyAt).toEqual(at('2024-06-05T12:00'));
    const far = predictDelivery(model, parcel({ carrierEstimatedDeliveryAt: at('2024-07-30T00:00') }), now, lane);
    expect(far?.mostLikelyAt.getTime()).toBeLessThan(at('2024-06-10T00:00').getTime());
    expect(far?.latestLikelyAt).toEqual(at('2024-07-31T00:00'));
  });

  it('assumes hand-off now for a parcel not yet shipped', () => {
    const unshipped = predictDelivery(model, parcel({ shippedAt: null, status: 'pre_transit' }), now, { destinationRegion: 'SP', originRegion: null });
    expect(unshipped?.basis).toContain('hand-off is assumed now');
  });
});

describe('the model as state', () => {
  it('round-trips through JSON with identical predictions', () => {
    const model = learn(createTransitModel(), 40, 4, 'SP');
    const copy = JSON.parse(JSON.stringify(model)) as TransitModel;
    const lane = { destinationRegion: 'SP', originRegion: null };
    expect(predictDelivery(copy, parcel(), now, lane)).toEqual(predictDelivery(model, parcel(), now, lane));
    expect(JSON.stringify(model).length).toBeLessThan(20_000);
  });

  it('ignores a delivery recorded before its hand-off and keeps the bins layout from the config', () => {
    const model = createTransitModel({ ...defaultDeliveryConfig(), prediction: { ...defaultDeliveryConfig().prediction, binsPerDay: 2 } });
    const same = recordDelivery(model, {
      carrier: 'x', service: null, destinationCountry: 'BR', destinationRegion: null, originRegion: null,
      shippedAt: at('2024-06-03T10:00'), deliveredAt: at('2024-06-02T10:00'), promisedDeliveryAt: null,
    });
    expect(same).toBe(model);
    const one = learn(model, 1, 1, null);
    expect(one.groups['*']?.weights.length).toBe(60 * 2 + 1);
  });
});
