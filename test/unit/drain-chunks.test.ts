import type { MetricEvent, ProfilePatch, SinkRecord } from '../../src/model/records';
import { chunkFill, chunkSizes, partitionPatches, type FieldsInFlight } from '../../src/pipeline/drain-chunks';

const patch = (email: string, properties: Record<string, string>): ProfilePatch => ({
  kind: 'profile', identity: { email, phoneNumber: null, externalId: null }, firstName: null, lastName: null, properties,
});
const event = (email: string, id: string): MetricEvent => ({
  kind: 'event', metric: 'Shipment Delivered', identity: { email, phoneNumber: null, externalId: null }, time: new Date(0),
  uniqueId: id, value: null, valueCurrency: null, properties: {}, backfill: true,
});
const batch = (seq: number, items: SinkRecord[]) => ({ seq, items });
const profiles = (from: number, count: number) => Array.from({ length: count }, (_, i) => patch(`c${from + i}@x.test`, { ss_a: 'v' }));

describe('chunkSizes', () => {
  it('Klaviyo\'s maxima: 10,000-record chunks, the first one bulk event request while producing', () => {
    expect(chunkSizes()).toEqual({ chunk: 10_000, first: 1_000, maxProfiles: 10_000 });
    expect(chunkSizes({ events: 1_000, profiles: 10_000 })).toEqual(chunkSizes());
  });

  it('an account with smaller requests gets chunks of ten of its event requests or one of its imports, not 10,000 records', () => {
    expect(chunkSizes({ events: 5, profiles: 50 })).toEqual({ chunk: 50, first: 5, maxProfiles: 50 });
    expect(chunkSizes({ events: 100, profiles: 10_000 })).toEqual({ chunk: 10_000, first: 100, maxProfiles: 10_000 });
  });
});

describe('chunkFill', () => {
  it('counts a profile patched twice once, so the chunk keeps taking batches', () => {
    const batches = [batch(0, profiles(0, 6)), batch(1, profiles(0, 6)), batch(2, profiles(6, 4))];
    expect(chunkFill(batches, 10, 10)).toEqual({ take: 3, full: true });
  });

  it('stops before the batch that would take it past the profiles of one import', () => {
    const batches = [batch(0, profiles(0, 6)), batch(1, profiles(6, 6)), batch(2, profiles(12, 6))];
    expect(chunkFill(batches, 10, 10)).toEqual({ take: 1, full: true });
  });

  it('lets events overshoot by the last batch, and takes at least one batch', () => {
    const events = (n: number, tag: string) => Array.from({ length: n }, (_, i) => event(`c${i}@x.test`, `${tag}${i}`));
    expect(chunkFill([batch(0, events(6, 'a')), batch(1, events(6, 'b')), batch(2, events(6, 'c'))], 10, 10)).toEqual({ take: 2, full: true });
    expect(chunkFill([batch(0, profiles(0, 25))], 10, 10)).toEqual({ take: 1, full: true });
  });

  it('is not full below both bounds', () => {
    expect(chunkFill([batch(0, profiles(0, 4)), batch(1, profiles(4, 4))], 10, 10)).toEqual({ take: 2, full: false });
  });
});

describe('partitionPatches', () => {
  const inFlight = (entries: Record<string, string[]>, name: string): FieldsInFlight<string> =>
    ({ fields: new Map(Object.entries(entries)), applied: name });

  it('holds every patch of a profile with a field in flight, and nothing else', () => {
    const earlier = inFlight({ 'e:a@x.test': ['ss_a'], 'e:b@x.test': ['ss_b'] }, 'earlier');
    const records = [patch('a@x.test', { ss_a: '2' }), patch('b@x.test', { ss_a: '2' }), patch('a@x.test', { ss_c: '2' })];
    const split = partitionPatches(records, [earlier]);
    // a's ss_c patch shares no field with the earlier delivery, but a later a-patch of ss_a and ss_c together could
    // be overtaken by it: a profile's patches stay together.
    expect(split.held).toEqual([records[0], records[2]]);
    expect(split.free).toEqual([records[1]]);
    expect(split.waitFor).toEqual([earlier]);
    expect([...split.heldFields]).toEqual([['e:a@x.test', ['ss_a', 'ss_c']]]);
    expect([...split.freeFields]).toEqual([['e:b@x.test', ['ss_a']]]);
  });

  it('waits for every earlier delivery sharing a field, once each', () => {
    const first = inFlight({ 'e:a@x.test': ['ss_a'] }, 'first');
    const second = inFlight({ 'e:a@x.test': ['ss_b'], 'e:c@x.test': ['ss_a'] }, 'second');
    const third = inFlight({ 'e:d@x.test': ['ss_a'] }, 'third');
    const split = partitionPatches([patch('a@x.test', { ss_a: '1', ss_b: '1' }), patch('c@x.test', { ss_a: '1' })], [first, second, third]);
    expect(split.free).toEqual([]);
    expect(split.waitFor.map((entry) => entry.applied).sort()).toEqual(['first', 'second']);
  });
});
