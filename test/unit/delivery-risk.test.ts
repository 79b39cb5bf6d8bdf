import { DateTime } from 'luxon';
import type { Shipment, ShipmentStatus, TrackingScan } from '../../src/model/shipment';
import {
  assessDeliveryRisk, defaultDeliveryConfig, type DeliveryPrediction, type OrderSubject, type RiskAssessment,
} from '../../src/enrichment/delivery';

const at = (iso: string, zone = 'America/New_York'): Date => DateTime.fromISO(iso, { zone }).toJSDate();
const config = defaultDeliveryConfig();

function shipment(over: Partial<Shipment> = {}): Shipment {
  return {
    key: 'usps:EZ1:o1', orderId: 'o1', orderName: '#1001', fulfillmentId: 'f1', customerEmail: 'a@b.co',
    trackingCode: 'EZ1', carrier: 'USPS', service: 'Priority', trackingUrl: null, status: 'in_transit',
    statusDetail: null, carrierEstimatedDeliveryAt: null, promisedDeliveryAt: null, shippedAt: at('2024-03-04T09:00'),
    deliveredAt: null, destinationCountry: 'US', originCountry: 'US', scans: [], index: 1, count: 1, ...over,
  };
}

function scan(iso: string, status: ShipmentStatus = 'in_transit', message: string | null = null, statusDetail: string | null = null): TrackingScan {
  return { at: at(iso), status, statusDetail, message, city: null, region: null, country: 'US' };
}

function order(over: Partial<OrderSubject> = {}): OrderSubject {
  return {
    kind: 'order', orderId: 'o1', placedAt: at('2024-03-04T09:00'), fulfillmentStatus: 'unfulfilled', cancelled: false,
    promisedDeliveryAt: null, destinationCountry: 'US', destinationRegion: null, ...over,
  };
}

const assessShipment = (s: Shipment, now: Date, previous: RiskAssessment | null = null, prediction: DeliveryPrediction | null = null) =>
  assessDeliveryRisk({ subject: { kind: 'shipment', shipment: s, destinationRegion: null }, previous, prediction }, config, now);
const assessOrder = (o: OrderSubject, now: Date, previous: RiskAssessment | null = null) =>
  assessDeliveryRisk({ subject: o, previous, prediction: null }, config, now);
const codes = (a: RiskAssessment) => a.reasons.map((r) => r.code);

describe('stalled in fulfillment', () => {
  it('fires exactly at 72 business hours', () => {
    expect(codes(assessOrder(order(), at('2024-03-07T08:59')))).toEqual([]);
    const fired = assessOrder(order(), at('2024-03-07T09:00'));
    expect(codes(fired)).toEqual(['stalled_fulfillment']);
    expect(fired.level).toBe('low');
  });

  it('does not count the weekend or a public holiday (Memorial Day)', () => {
    const placed = order({ placedAt: at('2024-03-07T09:00') });
    expect(codes(assessOrder(placed, at('2024-03-12T08:59')))).toEqual([]);
    expect(codes(assessOrder(placed, at('2024-03-12T09:00')))).toEqual(['stalled_fulfillment']);
    const beforeHoliday = order({ placedAt: at('2024-05-23T09:00') });
    expect(codes(assessOrder(beforeHoliday, at('2024-05-29T08:59')))).toEqual([]);
    expect(codes(assessOrder(beforeHoliday, at('2024-05-29T09:00')))).toEqual(['stalled_fulfillment']);
  });

  it('counts in the destination zone: a Friday-evening order in São Paulo is Saturday in UTC', () => {
    const brConfig = { ...config, rules: { ...config.rules, stalledFulfillment: { ...config.rules.stalledFulfillment, businessHours: 2.5 } } };
    const placedAt = at('2024-03-01T22:00', 'America/Sao_Paulo');
    const assess = (subject: OrderSubject, now: Date) => assessDeliveryRisk({ subject, previous: null, prediction: null }, brConfig, now);
    const inBrazil = order({ placedAt, destinationCountry: 'BR' });
    // Sunday 23:59 in São Paulo is Monday 02:59 UTC: counted in UTC, Monday's first hours would already be business time.
    const sundayNight = at('2024-03-03T23:59', 'America/Sao_Paulo');
    expect(codes(assess(inBrazil, sundayNight))).toEqual([]);
    expect(codes(assess(order({ placedAt, destinationCountry: null }), sundayNight))).toEqual(['stalled_fulfillment']);
    expect(codes(assess(inBrazil, at('2024-03-04T00:29', 'America/Sao_Paulo')))).toEqual([]);
    expect(codes(assess(inBrazil, at('2024-03-04T00:30', 'America/Sao_Paulo')))).toEqual(['stalled_fulfillment']);
  });

  it('stays quiet for fulfilled and cancelled orders', () => {
    expect(assessOrder(order({ fulfillmentStatus: 'fulfilled' }), at('2024-04-01T09:00')).level).toBe('none');
    expect(assessOrder(order({ cancelled: true }), at('2024-04-01T09:00')).level).toBe('none');
  });
});

describe('label never picked up', () => {
  const label = shipment({ status: 'pre_transit', shippedAt: at('2024-03-01T10:00', 'Europe/London'), destinationCountry: 'GB', originCountry: 'GB' });
  it('fires after 3 business days in pre_transit, skipping the weekend', () => {
    expect(codes(assessShipment(label, at('2024-03-06T09:59', 'Europe/London')))).toEqual([]);
    const fired = assessShipment(label, at('2024-03-06T10:00', 'Europe/London'));
    expect(codes(fired)).toEqual(['label_not_picked_up']);
    expect(fired.level).toBe('medium');
  });
  it('does not apply once the carrier has the parcel', () => {
    expect(codes(assessShipment({ ...label, status: 'in_transit', scans: [scan('2024-03-05T10:00')] }, at('2024-03-06T10:00', 'Europe/London')))).toEqual([]);
  });
});

describe('stalled in transit', () => {
  const moving = shipment({ scans: [scan('2024-03-01T12:00'), scan('2024-03-04T12:00')] });
  it('fires after 3 business days without a scan domestically', () => {
    expect(codes(assessShipment(moving, at('2024-03-07T11:59')))).toEqual([]);
    expect(codes(assessShipment(moving, at('2024-03-07T12:00')))).toEqual(['stalled_in_transit']);
  });
  it('waits 5 business days for an international parcel, across the DST change', () => {
    const abroad = { ...moving, originCountry: 'GB' };
    expect(codes(assessShipment(abroad, at('2024-03-11T11:59')))).toEqual([]);
    expect(codes(assessShipment(abroad, at('2024-03-11T12:00')))).toEqual(['stalled_in_transit']);
  });
});

describe('late', () => {
  const promised = shipment({ promisedDeliveryAt: at('2024-03-05T00:00'), scans: [scan('2024-03-05T08:00')] });
  it('fires only after the promised day has ended plus 8 hours of grace', () => {
    const deadline = at('2024-03-06T08:00');
    expect(codes(assessShipment(promised, deadline))).toEqual(['promise_due']);
    const late = assessShipment(promised, new Date(deadline.getTime() + 1));
    expect(codes(late)).toEqual(['late_vs_promise', 'promise_due']);
    expect(late.level).toBe('high');
  });
  it('also fires against the carrier\'s own date', () => {
    const s = shipment({ carrierEstimatedDeliveryAt: at('2024-03-05T00:00'), scans: [scan('2024-03-05T08:00')] });
    expect(codes(assessShipment(s, at('2024-03-06T08:01')))).toEqual(['late_vs_carrier']);
  });
  it('applies to orders that never shipped', () => {
    expect(codes(assessOrder(order({ promisedDeliveryAt: at('2024-03-05T00:00'), placedAt: at('2024-03-04T12:00') }), at('2024-03-06T08:01'))))
      .toEqual(['late_vs_promise', 'promise_due']);
  });
});

describe('promise due', () => {
  // Promised for 5 March (New York): the day ends at 6 March 00:00 local, so 24 h before is 5 March 00:00.
  const promised = shipment({ promisedDeliveryAt: at('2024-03-05T00:00'), scans: [scan('2024-03-04T10:00')] });
  it('fires when the promised day begins with the parcel still undelivered, at medium, and not a millisecond before', () => {
    const start = at('2024-03-05T00:00');
    expect(codes(assessShipment(promised, new Date(start.getTime() - 1)))).toEqual([]);
    const due = assessShipment(promised, start);
    expect(codes(due)).toEqual(['promise_due']);
    expect(due.level).toBe('medium');
    expect(due.reasons[0]?.text).toContain('2024-03-05');
  });
  it('applies to unshipped orders, never to delivered parcels, and can be switched off or moved', () => {
    const now = at('2024-03-05T10:00');
    expect(codes(assessOrder(order({ promisedDeliveryAt: at('2024-03-05T00:00') }), now))).toContain('promise_due');
    expect(codes(assessShipment({ ...promised, status: 'delivered', deliveredAt: at('2024-03-05T09:00') }, now))).toEqual([]);
    const off = { ...config, rules: { ...config.rules, promiseDue: { ...config.rules.promiseDue, enabled: false } } };
    const input = { subject: { kind: 'shipment' as const, shipment: promised, destinationRegion: null }, previous: null, prediction: null };
    expect(codes(assessDeliveryRisk(input, off, now))).toEqual([]);
    const early = { ...config, rules: { ...config.rules, promiseDue: { ...config.rules.promiseDue, hoursBefore: 48 } } };
    expect(codes(assessDeliveryRisk(input, early, at('2024-03-04T00:00')))).toEqual(['promise_due']);
    expect(codes(assessDeliveryRisk(input, early, at('2024-03-03T23:59')))).toEqual([]);
  });
});

describe('carrier date slipped', () => {
  const base = shipment({ carrierEstimatedDeliveryAt: at('2024-03-08T00:00'), scans: [scan('2024-03-05T08:00')] });
  const now = at('2024-03-05T09:00');
  it('remembers the first estimate and fires on a slip of a whole day', () => {
    const first = assessShipment(base, now);
    expect(first.firstCarrierEstimateAt).toBe(at('2024-03-08T00:00').toISOString());
    const almost = assessShipment({ ...base, carrierEstimatedDeliveryAt: at('2024-03-08T23:00') }, now, first);
    expect(codes(almost)).toEqual([]);
    const slipped = assessShipment({ ...base, carrierEstimatedDeliveryAt: at('2024-03-09T00:00') }, now, almost);
    expect(codes(slipped)).toEqual(['carrier_date_slipped']);
    expect(slipped.level).toBe('low');
    expect(slipped.firstCarrierEstimateAt).toBe(first.firstCarrierEstimateAt);
  });
  it('is medium once the new date is past the promise', () => {
    const first = assessShipment({ ...base, promisedDeliveryAt: at('2024-03-08T00:00') }, now);
    const slipped = assessShipment({ ...base, promisedDeliveryAt: at('2024-03-08T00:00'), carrierEstimatedDeliveryAt: at('2024-03-09T00:00') }, now, first);
    expect(slipped.level).toBe('medium');
  });
});

describe('carrier exceptions', () => {
  const now = at('2024-03-05T09:00');
  const cases: Array<[Partial<Shipment>, string, string]> = [
    [{ statusDetail: 'weather_delay' }, 'exception_weather', 'low'],
    [{ statusDetail: 'address_correction' }, 'exception_address', 'medium'],
    [{ status: 'return_to_sender' }, 'exception_returned', 'high'],
    [{ status: 'failure', statusDetail: 'lost' }, 'exception_lost', 'high'],
    [{ status: 'failure' }, 'exception_delivery_failed', 'medium'],
    [{ scans: [scan('2024-03-05T08:00', 'in_transit', 'Held at customs pending import duty')] }, 'exception_customs', 'medium'],
    [{ scans: [scan('2024-03-05T08:00', 'in_transit', 'Package damaged in transit')] }, 'exception_damaged', 'high'],
    [{ scans: [scan('2024-03-05T08:00', 'in_transit', 'Refused by recipient')] }, 'exception_refused', 'high'],
  ];
  it.each(cases)('%j → %s (%s)', (over, code, level) => {
    const a = assessShipment(shipment({ scans: [scan('2024-03-05T08:00')], ...over }), now);
    expect(codes(a)).toEqual([code]);
    expect(a.level).toBe(level);
  });
  it('reads nothing into ordinary scans', () => {
    expect(assessShipment(shipment({ scans: [scan('2024-03-05T08:00', 'in_transit', 'Departed USPS facility')] }), now).level).toBe('none');
  });
});

describe('predicted late', () => {
  const prediction = (lateRiskScore: number): DeliveryPrediction => ({
    mostLikelyAt: at('2024-03-08T12:00'), latestLikelyAt: at('2024-03-09T12:00'), confidence: 'learned', basis: 'test', lateRiskScore, group: '*',
  });
  const s = shipment({ scans: [scan('2024-03-05T08:00')] });
  it('fires at the threshold and not below', () => {
    expect(codes(assessShipment(s, at('2024-03-05T09:00'), null, prediction(0.98)))).toEqual([]);
    const fired = assessShipment(s, at('2024-03-05T09:00'), null, prediction(0.99));
    expect(codes(fired)).toEqual(['predicted_late']);
    expect(fired.reasons[0]?.text).toContain('99%');
  });
});

describe('one open issue per parcel', () => {
  it('opens once, changes when the top reason changes, resolves when the parcel moves again', () => {
    const stalled = shipment({ scans: [scan('2024-03-04T12:00')] });
    const opened = assessShipment(stalled, at('2024-03-07T12:00'));
    expect(opened.transition).toBe('opened');
    expect(opened.openIssue).toEqual({ code: 'stalled_in_transit', openedAt: at('2024-03-07T12:00').toISOString() });

    const still = assessShipment(stalled, at('2024-03-08T12:00'), opened);
    expect(still.transition).toBeNull();
    expect(still.openIssue).toEqual(opened.openIssue);

    const lost = assessShipment({ ...stalled, statusDetail: 'lost' }, at('2024-03-08T13:00'), still);
    expect(lost.transition).toBe('changed');
    expect(lost.level).toBe('high');
    expect(lost.openIssue).toEqual({ code: 'exception_lost', openedAt: opened.openIssue?.openedAt });

    const moving = assessShipment({ ...stalled, scans: [...stalled.scans, scan('2024-03-08T14:00')] }, at('2024-03-08T15:00'), lost);
    expect(moving.transition).toBe('resolved');
    expect(moving.openIssue).toBeNull();
    expect(moving.level).toBe('none');

    const quiet = assessShipment({ ...stalled, scans: [...stalled.scans, scan('2024-03-08T14:00')] }, at('2024-03-08T16:00'), moving);
    expect(quiet.transition).toBeNull();
  });

  it('resolves on delivery even when the parcel was late', () => {
    const late = shipment({ promisedDeliveryAt: at('2024-03-05T00:00'), scans: [scan('2024-03-05T08:00')] });
    const opened = assessShipment(late, at('2024-03-07T12:00'));
    expect(opened.transition).toBe('opened');
    const delivered = assessShipment({ ...late, status: 'delivered', deliveredAt: at('2024-03-07T13:00') }, at('2024-03-07T14:00'), opened);
    expect(delivered.transition).toBe('resolved');
  });

  it('survives a JSON round trip of the previous assessment', () => {
    const stalled = shipment({ scans: [scan('2024-03-04T12:00')] });
    const opened = JSON.parse(JSON.stringify(assessShipment(stalled, at('2024-03-07T12:00')))) as RiskAssessment;
    expect(assessShipment(stalled, at('2024-03-08T12:00'), opened).transition).toBeNull();
  });
});
