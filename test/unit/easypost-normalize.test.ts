import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { nextTrackerCursor } from '../../src/sources/easypost/cursor';
import { normalizeTracker, type TrackerSnapshot } from '../../src/sources/easypost/snapshot';
import { RecordRejection } from '../../src/util/errors';

type Json = Record<string, unknown>;
const fixture = (name: string): Json => JSON.parse(readFileSync(join(__dirname, '../../specs/easypost', name), 'utf8')) as Json;

describe('normalizeTracker', () => {
  test('maps the official retrieve fixture', () => {
    const s = normalizeTracker(fixture('trackers-retrieve.json'));
    expect(s).toMatchObject({
      trackerId: 'trk_9135862729734d96ad2f9ed0f0565a27',
      mode: 'test',
      trackingCode: 'EZ1000000001',
      carrier: 'USPS',
      service: 'First-Class Package Service',
      status: 'pre_transit',
      statusRecognized: true,
      statusDetail: 'status_update',
      shippedAt: null,
      deliveredAt: null,
      // "CHARLESTON SC, 29401" names no country: unknown, not guessed.
      destinationCountry: null,
      warnings: [],
    });
    expect(s.updatedAt.toISOString()).toBe('2025-05-09T20:40:17.000Z');
    expect(s.scans.map((scan) => [scan.at.toISOString(), scan.message, scan.city, scan.region])).toEqual([
      ['2025-04-09T20:40:17.000Z', 'Pre-Shipment Info Sent to USPS', null, null],
      ['2025-04-10T09:17:17.000Z', 'Shipping Label Created', 'HOUSTON', 'TX'],
    ]);
  });

  test('sorts the webhook fixture\'s out-of-order scans and reads delivery, signature and origin', () => {
    const s = normalizeTracker((fixture('tracking-webhook.json') as { result: unknown }).result);
    expect(s.status).toBe('delivered');
    expect(s.signedBy).toBe('John Tester');
    const times = s.scans.map((scan) => scan.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(s.deliveredAt?.toISOString()).toBe('2014-11-19T10:51:54.000Z');
    // The fixture dates its DELIVERED scan before the others; sorted, it is also the first scan past pre-transit.
    expect(s.shippedAt?.toISOString()).toBe('2014-11-19T10:51:54.000Z');
    expect(s.scans[1].message).toBe('BILLING INFORMATION RECEIVED');
    expect(s.originCountry).toBe('US');
    expect(s.carrierEstimatedDeliveryAt?.toISOString()).toBe('2014-11-27T00:00:00.000Z');
  });

  test('flags statuses outside EasyPost\'s list and drops unparseable scan times', () => {
    const raw = fixture('trackers-retrieve.json');
    const details = raw.tracking_details as Json[];
    const s = normalizeTracker({
      ...raw,
      status: 'teleported',
      tracking_details: [...details, { ...details[0], datetime: 'yesterday' }, { ...details[1], status: 'lost_in_space', datetime: '2025-04-11T00:00:00+02:00' }],
    });
    expect(s.status).toBe('unknown');
    expect(s.statusRecognized).toBe(false);
    expect(s.scans).toHaveLength(3);
    expect(s.scans[2]).toMatchObject({ status: 'unknown', at: new Date('2025-04-10T22:00:00Z') });
    expect(s.warnings).toEqual([
      'unrecognized status "teleported"',
      'scan dropped: unparseable datetime "yesterday"',
      'unrecognized status "lost_in_space"',
    ]);
  });

  test('rejects what is not a tracker', () => {
    expect(() => normalizeTracker({ id: 'evt_1', object: 'Event' })).toThrow(RecordRejection);
    expect(() => normalizeTracker(null)).toThrow(RecordRejection);
  });

  test('shuffled and repeated scans normalize to the same sorted, distinct list', () => {
    const raw = (fixture('event-body.json') as { result: Json }).result;
    const details = raw.tracking_details as Json[];
    const reference = normalizeTracker(raw).scans;
    fc.assert(fc.property(fc.shuffledSubarray(details, { minLength: details.length }), fc.array(fc.nat({ max: details.length - 1 }), { maxLength: 10 }),
      (shuffled, repeats) => {
        const noisy = [...shuffled, ...repeats.map((i) => details[i])];
        expect(normalizeTracker({ ...raw, tracking_details: noisy }).scans).toEqual(reference);
      }));
  });
});

describe('nextTrackerCursor', () => {
  const at = (ms: number) => ({ updatedAt: new Date(ms) }) as TrackerSnapshot;

  test('never moves backwards and always covers the snapshot', () => {
    fc.assert(fc.property(fc.option(fc.integer({ min: 0, max: 2e12 })), fc.integer({ min: 0, max: 2e12 }), (cursor, updated) => {
      const next = nextTrackerCursor(cursor === null ? null : new Date(cursor), at(updated));
      expect(next.getTime()).toBe(Math.max(cursor ?? 0, updated));
    }));
  });

  test('is order-independent over a batch', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 2e12 }), { minLength: 1 }), (times) => {
      const forward = times.reduce<Date | null>((c, t) => nextTrackerCursor(c, at(t)), null);
      const backward = [...times].reverse().reduce<Date | null>((c, t) => nextTrackerCursor(c, at(t)), null);
      expect(forward).toEqual(backward);
      expect(forward?.getTime()).toBe(Math.max(...times));
    }));
  });
});
