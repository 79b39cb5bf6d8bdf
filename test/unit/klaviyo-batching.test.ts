import fc from 'fast-check';
import type { MetricEvent, ProfilePatch, SinkRecord } from '../../src/model/records';
import {
  type BatchOptions, type Plan, eventsBody, mergePatches, planEvents, planProfiles, profilesBody, splitRecords,
} from '../../src/sinks/klaviyo/batching';
import { DOCUMENTED_PAYLOAD_LIMITS } from '../../src/sinks/klaviyo/limits';

const email = (i: number) => `c${i}@example.com`;
const ev = (i: number, who: number, extra: Partial<MetricEvent> = {}): MetricEvent => ({
  kind: 'event', metric: 'Placed Order', identity: { email: email(who), phoneNumber: null, externalId: null },
  time: new Date(Date.UTC(2025, 0, 1, 0, 0, i % 60)), uniqueId: `o-${i}`, value: i, valueCurrency: 'USD',
  properties: { OrderId: String(i) }, backfill: false, ...extra,
});
const patch = (who: number, properties: ProfilePatch['properties'] = {}): ProfilePatch => ({
  kind: 'profile', identity: { email: email(who), phoneNumber: null, externalId: null }, firstName: null, lastName: null, properties,
});

const documented: BatchOptions = { payload: DOCUMENTED_PAYLOAD_LIMITS, bulkThreshold: 10 };

function plan(records: readonly SinkRecord[], options: BatchOptions): { plans: Plan[]; rejected: number[] } {
  const split = splitRecords(records, options.payload);
  return {
    plans: [...planProfiles(split.profiles, options), ...planEvents(split.events, options)],
    rejected: split.rejected.map((r) => r.index),
  };
}

/** The size of a bulk plan's body as sent (klaviyo-wire.test.ts holds that text equal to the SDK's): the planner's running sum must match it exactly. */
function actualBytes(p: Plan): number | null {
  if (p.endpoint === 'bulkCreateEvents') return Buffer.byteLength(eventsBody(p.groups).text, 'utf8');
  if (p.endpoint === 'bulkImportProfiles') return Buffer.byteLength(profilesBody(p.profiles).text, 'utf8');
  return null;
}

function indicesOf(p: Plan): number[] {
  switch (p.endpoint) {
    case 'createEvent': case 'profileImport': return [...p.item.indices];
    case 'bulkCreateEvents': return p.groups.flatMap((g) => g.events.flatMap((e) => e.indices));
    case 'bulkImportProfiles': return p.profiles.flatMap((x) => x.indices);
  }
}

describe('batching', () => {
  test('2,500 events and 12,000 profiles take the minimum number of bulk requests', () => {
    const records: SinkRecord[] = [
      ...Array.from({ length: 2500 }, (_, i) => ev(i, i % 700)),
      ...Array.from({ length: 12000 }, (_, i) => patch(i, { Segment: 'repeat', Orders: i })),
    ];
    const { plans } = plan(records, documented);
    expect(plans.filter((p) => p.endpoint === 'bulkCreateEvents')).toHaveLength(Math.ceil(2500 / 1000));
    expect(plans.filter((p) => p.endpoint === 'bulkImportProfiles')).toHaveLength(Math.ceil(12000 / 10000));
    for (const p of plans) expect(actualBytes(p)).toBe('bytes' in p ? p.bytes : null);
  });

  test('a handful of records use the single endpoints', () => {
    const { plans } = plan([ev(1, 1), ev(2, 2), patch(3)], documented);
    expect(plans.map((p) => p.endpoint).sort()).toEqual(['createEvent', 'createEvent', 'profileImport']);
  });

  test('patches for one profile are coalesced, later keys win, a later null name does not erase', () => {
    const first: ProfilePatch = { ...patch(1, { A: 1, B: 1 }), firstName: 'Ann' };
    const second: ProfilePatch = { ...patch(1, { B: 2, C: null }), identity: { email: email(1), phoneNumber: '+15005550006', externalId: null } };
    const split = splitRecords([first, ev(0, 9), second], DOCUMENTED_PAYLOAD_LIMITS);
    expect(split.profiles).toHaveLength(1);
    expect(split.profiles[0].indices).toEqual([0, 2]);
    expect(split.profiles[0].patch).toEqual(mergePatches(first, second));
    expect(split.profiles[0].patch).toMatchObject({ firstName: 'Ann', properties: { A: 1, B: 2, C: null } });
    expect(split.profiles[0].patch.identity.phoneNumber).toBe('+15005550006');
  });

  test('an oversize profile is rejected alone; a record without identifier is rejected; replays ride along', () => {
    const huge = patch(1, { Blob: 'x'.repeat(101 * 1024) });
    const anonymous: MetricEvent = { ...ev(5, 5), identity: { email: null, phoneNumber: null, externalId: null } };
    const split = splitRecords([huge, patch(2), anonymous, ev(7, 7), ev(7, 7)], DOCUMENTED_PAYLOAD_LIMITS);
    expect(split.rejected.map((r) => r.index).sort()).toEqual([0, 2]);
    expect(split.rejected.find((r) => r.index === 0)?.reason).toMatch(/exceeds Klaviyo's 102400-byte limit/);
    expect(split.profiles.map((p) => p.indices)).toEqual([[1]]);
    expect(split.events.map((e) => e.indices)).toEqual([[3, 4]]);
  });

  test('property: every record planned exactly once, each request within count and byte limits, sizes exact', () => {
    const small: BatchOptions = {
      payload: { maxEventsPerBulk: 7, maxProfilesPerBulk: 5, maxRequestBytes: 3_000, maxProfileBytes: 1_500 },
      bulkThreshold: 3,
    };
    const record = fc.oneof(
      fc.record({ kind: fc.constant('event' as const), who: fc.nat(6), pad: fc.nat(2_900), backfill: fc.boolean(), id: fc.nat(40) }),
      fc.record({ kind: fc.constant('profile' as const), who: fc.nat(12), pad: fc.nat(1_600) }),
    );
    fc.assert(fc.property(fc.array(record, { maxLength: 60 }), (specs) => {
      const records: SinkRecord[] = specs.map((s) => (s.kind === 'event'
        ? ev(s.id, s.who, { backfill: s.backfill, properties: { Pad: 'p'.repeat(s.pad) } })
        : patch(s.who, { Pad: 'q'.repeat(s.pad) })));
      const { plans, rejected } = plan(records, small);
      const seen = [...rejected, ...plans.flatMap(indicesOf)].sort((a, b) => a - b);
      expect(seen).toEqual(records.map((_, i) => i));
      for (const p of plans) {
        const bytes = actualBytes(p);
        if (bytes === null) continue;
        expect(bytes).toBe('bytes' in p ? p.bytes : -1);
        expect(bytes).toBeLessThanOrEqual(small.payload.maxRequestBytes);
        if (p.endpoint === 'bulkCreateEvents') {
          expect(p.groups.reduce((n, g) => n + g.events.length, 0)).toBeLessThanOrEqual(small.payload.maxEventsPerBulk);
        } else if (p.endpoint === 'bulkImportProfiles') {
          expect(p.profiles.length).toBeLessThanOrEqual(small.payload.maxProfilesPerBulk);
        }
      }
    }), { numRuns: 200 });
  });
});

test('an event too large for any request is rejected before sending; one that fits alone travels alone', () => {
  const tight = { ...DOCUMENTED_PAYLOAD_LIMITS, maxRequestBytes: 2_000 };
  const split = splitRecords([ev(1, 1, { properties: { Pad: 'x'.repeat(2_000) } }), ev(2, 1, { properties: { Pad: 'y'.repeat(1_500) } })], tight);
  expect(split.rejected.map((r) => r.index)).toEqual([0]);
  const plans = planEvents([...split.events, ...split.events.map((e) => ({ ...e, indices: [9] }))], { payload: tight, bulkThreshold: 1 });
  expect(plans).toHaveLength(2);
});
