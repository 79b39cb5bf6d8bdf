import fc from 'fast-check';
import type { MetricEvent, ProfileIdentity, ProfilePatch, PropertyValue } from '../../src/model/records';
import { ObjectSerializer } from 'klaviyo-api';
import { bulkEventEntry, bulkEventGroup, eventsBulkCreateJob, profileImportJob, profileResource } from '../../src/sinks/klaviyo/payloads';
import { eventEntryText, eventsBodyText, groupFramingBytes, profileResourceText, profilesBodyText } from '../../src/sinks/klaviyo/wire';

/**
 * Bulk bodies are written as JSON text without the SDK's serializer (wire.ts); these hold them equal, as parsed JSON,
 * to what the serializer makes of the SDK models built from the same records, and the planner's sizes equal to the
 * serializer's sizes.
 */
const viaSdk = (model: unknown, type: string): unknown => JSON.parse(JSON.stringify(ObjectSerializer.serialize(model, type)));
const wireBytes = (model: unknown, type: string): number => Buffer.byteLength(JSON.stringify(ObjectSerializer.serialize(model, type)), 'utf8');
const text = fc.string({ unit: 'binary', maxLength: 40 });
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const identity: fc.Arbitrary<ProfileIdentity> = fc.record({ email: nullable(text), phoneNumber: nullable(text), externalId: nullable(text) });
const value: fc.Arbitrary<PropertyValue> = fc.oneof(
  text, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 3 }),
);
const properties = fc.dictionary(text, value, { maxKeys: 6 });

const event: fc.Arbitrary<MetricEvent> = fc.record({
  kind: fc.constant('event' as const), metric: text, identity,
  time: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
  uniqueId: text, value: nullable(fc.double({ noNaN: true, noDefaultInfinity: true })), valueCurrency: nullable(text),
  properties, backfill: fc.boolean(),
});
const patch: fc.Arbitrary<ProfilePatch> = fc.record({
  kind: fc.constant('profile' as const), identity, firstName: nullable(text), lastName: nullable(text), properties,
  unset: fc.array(text, { maxLength: 3 }),
}, { requiredKeys: ['kind', 'identity', 'firstName', 'lastName', 'properties'] });

test('an event entry is written as the SDK serializer writes it', () => {
  fc.assert(fc.property(event, (e) => {
    const text = eventEntryText(e);
    expect(JSON.parse(text)).toEqual(viaSdk(bulkEventEntry(e), 'BaseEventCreateQueryBulkEntryResourceObject'));
    expect(Buffer.byteLength(text, 'utf8')).toBe(wireBytes(bulkEventEntry(e), 'BaseEventCreateQueryBulkEntryResourceObject'));
  }), { numRuns: 300 });
});

test('a profile resource is written as the SDK serializer writes it', () => {
  fc.assert(fc.property(patch, (p) => {
    const text = profileResourceText(p);
    expect(JSON.parse(text)).toEqual(viaSdk(profileResource(p), 'ProfileUpsertQueryResourceObject'));
    expect(Buffer.byteLength(text, 'utf8')).toBe(wireBytes(profileResource(p), 'ProfileUpsertQueryResourceObject'));
  }), { numRuns: 300 });
});

test('whole bulk bodies are written as the SDK serializer writes them, groups and profiles in order', () => {
  const grouped = fc.array(fc.record({ identity, backfill: fc.boolean(), events: fc.array(event, { minLength: 1, maxLength: 3 }) }), { maxLength: 4 });
  fc.assert(fc.property(grouped, (groups) => {
    const text = eventsBodyText(groups.map((g) => ({ identity: g.identity, backfill: g.backfill, texts: g.events.map(eventEntryText) }))).text;
    const model = eventsBulkCreateJob(groups.map((g) => bulkEventGroup(g.identity, g.backfill, g.events.map(bulkEventEntry))));
    expect(JSON.parse(text)).toEqual(viaSdk(model, 'EventsBulkCreateJob'));
  }), { numRuns: 200 });
  fc.assert(fc.property(fc.array(patch, { maxLength: 4 }), (patches) => {
    const text = profilesBodyText(patches.map(profileResourceText)).text;
    expect(JSON.parse(text)).toEqual(viaSdk(profileImportJob(patches.map(profileResource)), 'ProfileImportJobCreateQuery'));
  }), { numRuns: 200 });
});

test('event group framing sizes match the SDK serializer', () => {
  fc.assert(fc.property(identity, fc.boolean(), (who, backfill) => {
    expect(groupFramingBytes(who, backfill)).toBe(wireBytes(bulkEventGroup(who, backfill, []), 'EventsBulkCreateQueryResourceObject'));
  }), { numRuns: 300 });
});
