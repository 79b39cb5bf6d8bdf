import { defaultDeliveryConfig } from '../../src/enrichment/delivery';
import type { RiskCode } from '../../src/enrichment/delivery/types';
import { firstAlarm, scoreAlarms, timeSplit, tuneThreshold, undeliveredDayAhead } from '../../src/eval/delivery-alarms';
import type { ParcelOutcome } from '../../src/eval/delivery-replay';
import { nextCheckAt, pendingCheckAt } from '../../src/pipeline/shipment-advance';
import type { OrderPart, TrackingPart } from '../../src/state/shipments';

const H = 3_600_000;
const T = Date.parse('2018-03-01T00:00:00Z');

/** A parcel bought at `bought` h, delivered at `delivered` h, promised (deadline) at `deadline` h, first flag at `flag` h. */
function parcel(id: string, bought: number, delivered: number, deadline: number, flag: [number, RiskCode] | null,
  records: Array<[number, number]> = [], other: [number, RiskCode] | null = null): ParcelOutcome {
  return {
    timeline: {
      orderId: id, purchasedAt: new Date(T + bought * H), handedOffAt: new Date(T + (bought + 1) * H),
      deliveredAt: new Date(T + delivered * H), promisedAt: new Date(T + deadline * H), customerState: null, sellerState: null,
    },
    atHandoff: null, atPurchase: null,
    deadline: new Date(T + deadline * H),
    firstFlagAt: flag ? new Date(T + flag[0] * H) : null,
    firstFlagCode: flag ? flag[1] : null,
    firstOtherFlag: other ? { at: T + other[0] * H, code: other[1] } : null,
    scoreRecords: records.map(([h, s]) => [T + h * H, s] as const),
  };
}

describe('delivery alarm precision', () => {
  // Deadline at 100 h for all; late = delivered after it.
  const set = [
    parcel('A late, alarmed 2 days ahead', 0, 130, 100, [52, 'predicted_late']),
    parcel('B late, alarmed 12 h ahead', 0, 130, 100, [88, 'predicted_late']),
    parcel('C on time, false alarm', 0, 90, 100, [40, 'predicted_late']),
    parcel('D on time, false alarm by another rule', 0, 95, 100, [70, 'label_not_picked_up']),
    parcel('E late, flagged only after the deadline', 0, 150, 100, [109, 'late_vs_promise']),
    parcel('F on time, flagged after delivery', 0, 60, 100, [80, 'predicted_late']),
  ];

  it('counts alarms raised while the parcel could still be on time, and their precision by rule', () => {
    const s = scoreAlarms(set);
    expect(s).toMatchObject({ parcels: 6, late: 3, alarms: 4, lateAlarmed: 2, precision: 0.5 });
    expect(s.recallDayAhead).toBeCloseTo(1 / 3);
    expect(s.falseAlarmRate).toBeCloseTo(2 / 3);
    expect(s.byRule).toEqual({
      predicted_late: { alarms: 3, late: 2, precision: 2 / 3 },
      label_not_picked_up: { alarms: 1, late: 0, precision: 0 },
    });
  });

  it('gives the day-ahead reference: every parcel undelivered 24 h before its deadline', () => {
    // A, B, E are late; C (delivered 90 h) is undelivered at 76 h; D (95 h) too; F (60 h) is not.
    expect(undeliveredDayAhead(set)).toEqual({ alarms: 5, late: 3, precision: 0.6 });
  });

  it('replays any predicted-late threshold from the score records, the other rule winning a tie', () => {
    const p = parcel('p', 0, 130, 100, null, [[10, 0.3], [20, 0.6], [30, 0.8]], [30, 'label_not_picked_up']);
    expect(firstAlarm(p, 0.5)).toEqual({ at: T + 20 * H, code: 'predicted_late' });
    expect(firstAlarm(p, 0.25)).toEqual({ at: T + 10 * H, code: 'predicted_late' });
    expect(firstAlarm(p, 0.7)).toEqual({ at: T + 30 * H, code: 'label_not_picked_up' });
    expect(firstAlarm(p, 0.5, false)).toEqual({ at: T + 30 * H, code: 'label_not_picked_up' });
    expect(firstAlarm(parcel('q', 0, 1, 100, null, [[0, 0.2]]), 0.5)).toBeNull();
  });

  it('tunes on parcels delivered before the split and scores parcels bought after it: no parcel is in both', () => {
    const many = Array.from({ length: 50 }, (_, i) =>
      parcel(`p${i}`, i * 24, i * 24 + 60 + (i % 5) * 30, i * 24 + 100, null, [[i * 24 + 10, [0.1, 0.4, 0.6, 0.7, 0.8][i % 5] ?? 0]]));
    const { calibration, scored, splitAt } = timeSplit(many, 0.4);
    expect(calibration.length).toBeGreaterThan(0);
    expect(scored.length).toBe(20);
    expect(calibration.every((o) => o.timeline.deliveredAt.getTime() < splitAt)).toBe(true);
    expect(scored.every((o) => o.timeline.purchasedAt.getTime() >= splitAt)).toBe(true);
    const ids = new Set(scored.map((o) => o.timeline.orderId));
    expect(calibration.some((o) => ids.has(o.timeline.orderId))).toBe(false);
    // Late parcels score 0.6-0.8, on-time ones 0.1 or 0.4: the lowest threshold above 0.4 alarms exactly the late ones.
    const choice = tuneThreshold(calibration, 0.9);
    expect(choice.metRecall).toBe(true);
    expect(choice.threshold).toBe(0.45);
    expect(choice.frontier.find((f) => f.threshold === 0.45)?.scores).toMatchObject({ precision: 1, recallDayAhead: 1 });
    // Asking more recall than any threshold gives keeps the highest-recall one and says so.
    expect(tuneThreshold(calibration.filter((o) => o.scoreRecords[0]?.[1] !== 0.8), 1.1).metRecall).toBe(false);
  });
});

describe('the daemon re-checks a parcel when its promised day begins', () => {
  const order: OrderPart = {
    key: 'usps:EZ1:o1', orderId: 'o1', orderName: '#1', orderPlacedAt: '2024-03-01T14:00:00.000Z', fulfillmentId: 'f1',
    fulfilledAt: '2024-03-01T15:00:00.000Z', customerEmail: 'a@b.co', customerPhone: null, firstName: null, lastName: null,
    trackingCode: 'EZ1', promisedDeliveryAt: '2024-03-08T05:00:00.000Z', destinationRegion: null, index: 1, count: 1, items: [],
    value: 0, currency: 'USD',
  };
  const tracking: TrackingPart = {
    kind: 'carrier', provider: 'easypost', trackerId: null, trackerUpdatedAt: null, carrier: 'USPS', service: null, trackingUrl: null,
    status: 'in_transit', statusDetail: null, carrierEstimatedDeliveryAt: null, shippedAt: '2024-03-07T14:00:00.000Z',
    deliveredAt: null, destinationCountry: 'US', originCountry: 'US', scans: [],
  };
  it('schedules the instant promise_due fires (a minute past it), before the daily fallback', () => {
    const config = defaultDeliveryConfig();
    // Promised 8 March, New York: the day starts at 05:00 UTC; the daily fallback from 7 March 20:00 would be 8 March 20:00.
    const next = nextCheckAt(order, tracking, config, new Date('2024-03-07T20:00:00.000Z'));
    expect(next?.toISOString()).toBe('2024-03-08T05:01:00.000Z');
    const pending = pendingCheckAt({ ...order, key: 'pending:o1' }, { ...tracking, status: 'unknown', shippedAt: null }, config, new Date('2024-03-07T20:00:00.000Z'), 30);
    expect(pending?.toISOString()).toBe('2024-03-08T05:01:00.000Z');
  });
});
