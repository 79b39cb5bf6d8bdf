import { ObjectSerializer } from 'klaviyo-api';
import type { MetricEvent, ProfilePatch } from '../../src/model/records';
import {
  bulkEventEntry, bulkEventGroup, eventCreateQuery, eventsBulkCreateJob, profileImportJob, profileResource, profileUpsertQuery,
} from '../../src/sinks/klaviyo/payloads';

/** What axios puts on the wire: the SDK serializer's output, stringified. */
const wire = (model: unknown, type: string): unknown => JSON.parse(JSON.stringify(ObjectSerializer.serialize(model, type)));

const event: MetricEvent = {
  kind: 'event',
  metric: 'Placed Order',
  identity: { email: 'ann@example.com', phoneNumber: null, externalId: 'cust-42' },
  time: new Date('2025-01-02T03:04:05Z'),
  uniqueId: 'shopify:order:1001',
  value: 129.9,
  valueCurrency: 'EUR',
  properties: { OrderId: '1001', ItemNames: ['Mug'], snake_case_kept: true },
  backfill: true,
};

const patch: ProfilePatch = {
  kind: 'profile',
  identity: { email: 'ann@example.com', phoneNumber: '+15005550006', externalId: null },
  firstName: 'Ann',
  lastName: null,
  properties: { Segment: 'vip', RiskScore: 0.3, Churned: null, Tags: ['a', 'b'] },
};

describe('Klaviyo payload builders, as the SDK serializes them', () => {
  test('create event: snake_case wire names, unique_id always, time as ISO, identity without nulls', () => {
    expect(wire(eventCreateQuery(event), 'EventCreateQueryV2')).toEqual({
      data: {
        type: 'event',
        attributes: {
          properties: { OrderId: '1001', ItemNames: ['Mug'], snake_case_kept: true },
          time: '2025-01-02T03:04:05.000Z',
          value: 129.9,
          value_currency: 'EUR',
          unique_id: 'shopify:order:1001',
          backfill: true,
          metric: { data: { type: 'metric', attributes: { name: 'Placed Order' } } },
          profile: { data: { type: 'profile', attributes: { email: 'ann@example.com', external_id: 'cust-42' } } },
        },
      },
    });
  });

  test('an event without value leaves value and currency out rather than sending null', () => {
    const attributes = (wire(eventCreateQuery({ ...event, value: null, valueCurrency: null, backfill: false }),
      'EventCreateQueryV2') as { data: { attributes: Record<string, unknown> } }).data.attributes;
    expect(Object.keys(attributes).sort()).toEqual(['backfill', 'metric', 'profile', 'properties', 'time', 'unique_id']);
    expect(attributes.backfill).toBe(false);
  });

  test('bulk events: grouped under the profile, backfill on group and event', () => {
    const job = eventsBulkCreateJob([bulkEventGroup(event.identity, true, [bulkEventEntry(event)])]);
    expect(wire(job, 'EventsBulkCreateJob')).toEqual({
      data: {
        type: 'event-bulk-create-job',
        attributes: {
          'events-bulk-create': {
            data: [{
              type: 'event-bulk-create',
              attributes: {
                backfill: true,
                profile: { data: { type: 'profile', attributes: { email: 'ann@example.com', external_id: 'cust-42' } } },
                events: {
                  data: [{
                    type: 'event',
                    attributes: {
                      properties: { OrderId: '1001', ItemNames: ['Mug'], snake_case_kept: true },
                      time: '2025-01-02T03:04:05.000Z',
                      value: 129.9,
                      value_currency: 'EUR',
                      backfill: true,
                      metric: { data: { type: 'metric', attributes: { name: 'Placed Order' } } },
                      unique_id: 'shopify:order:1001',
                    },
                  }],
                },
              },
            }],
          },
        },
      },
    });
  });

  test('profile upsert: unknown names left out, null custom properties sent to clear them', () => {
    expect(wire(profileUpsertQuery(patch), 'ProfileUpsertQuery')).toEqual({
      data: {
        type: 'profile',
        attributes: {
          email: 'ann@example.com',
          phone_number: '+15005550006',
          first_name: 'Ann',
          properties: { Segment: 'vip', RiskScore: 0.3, Churned: null, Tags: ['a', 'b'] },
        },
      },
    });
  });

  test('bulk profile import wraps the same profile objects', () => {
    expect(wire(profileImportJob([profileResource(patch)]), 'ProfileImportJobCreateQuery')).toEqual({
      data: {
        type: 'profile-bulk-import-job',
        attributes: { profiles: { data: [wire(profileResource(patch), 'ProfileUpsertQueryResourceObject')] } },
      },
    });
  });
});
