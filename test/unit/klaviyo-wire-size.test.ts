import fc from 'fast-check';
import type { MetricEvent, ProfileIdentity, ProfilePatch, PropertyValue } from '../../src/model/records';
import { eventEntryBytes, groupHeaderBytes, profileResourceBytes, wireBytes } from '../../src/sinks/klaviyo/batching';
import { bulkEventEntry, bulkEventGroup, profileResource } from '../../src/sinks/klaviyo/payloads';

/** The planner sizes records without the SDK's serializer; these hold its sizes equal to the serializer's output. */
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

test('event entry sizes match the SDK serializer', () => {
  fc.assert(fc.property(event, (e) => {
    const entry = bulkEventEntry(e);
    expect(eventEntryBytes(entry)).toBe(wireBytes(entry, 'BaseEventCreateQueryBulkEntryResourceObject'));
  }), { numRuns: 300 });
});

test('profile resource sizes match the SDK serializer', () => {
  fc.assert(fc.property(patch, (p) => {
    const resource = profileResource(p);
    expect(profileResourceBytes(resource)).toBe(wireBytes(resource, 'ProfileUpsertQueryResourceObject'));
  }), { numRuns: 300 });
});

test('event group framing sizes match the SDK serializer', () => {
  fc.assert(fc.property(identity, fc.boolean(), (who, backfill) => {
    expect(groupHeaderBytes(who, backfill)).toBe(wireBytes(bulkEventGroup(who, backfill, []), 'EventsBulkCreateQueryResourceObject'));
  }), { numRuns: 300 });
});
