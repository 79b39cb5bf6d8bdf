import type { EventCreateQueryV2, EventsBulkCreateJob } from 'klaviyo-api';
import { type KlaviyoSandbox, startKlaviyoSandbox } from '../../src/sandbox/klaviyo';
import { failure, sdkFor } from './klaviyo-client';

let sandbox: KlaviyoSandbox;
beforeAll(async () => {
  sandbox = await startKlaviyoSandbox({ rateLimits: 'off' });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

function placedOrder(overrides: Partial<EventCreateQueryV2['data']['attributes']> = {}): EventCreateQueryV2 {
  return {
    data: {
      type: 'event',
      attributes: {
        metric: { data: { type: 'metric', attributes: { name: 'Placed Order' } } },
        profile: { data: { type: 'profile', attributes: { email: 'Ann@Example.com', externalId: 'cust-42' } } },
        properties: { OrderId: '1001', ItemNames: ['Tea'] },
        time: new Date('2025-01-02T03:04:05.678Z'),
        value: 99.5,
        valueCurrency: 'USD',
        uniqueId: 'order-1001',
        ...overrides,
      },
    },
  };
}

function bulk(events: number, email = 'bulk@example.com'): EventsBulkCreateJob {
  return {
    data: {
      type: 'event-bulk-create-job',
      attributes: {
        eventsBulkCreate: {
          data: [{
            type: 'event-bulk-create',
            attributes: {
              backfill: true,
              profile: { data: { type: 'profile', attributes: { email } } },
              events: {
                data: Array.from({ length: events }, (_, i) => ({
                  type: 'event' as const,
                  attributes: {
                    metric: { data: { type: 'metric' as const, attributes: { name: 'Ordered Product' } } },
                    properties: { OrderId: '1001', SKU: `SKU-${i}` },
                    uniqueId: `1001-${i}`,
                    value: 10,
                    time: new Date('2025-01-02T03:04:05Z'),
                  },
                })),
              },
            },
          }],
        },
      },
    },
  };
}

describe('Klaviyo sandbox: events through the official SDK', () => {
  it('accepts a valid event with 202 and no body, and records it with its profile', async () => {
    const { events } = sdkFor(sandbox);
    const result = await events.createEvent(placedOrder());
    expect(result.response.status).toBe(202);
    expect(result.response.data).toBe('');

    const [event] = sandbox.events();
    expect(event).toMatchObject({
      metric: 'Placed Order', properties: { OrderId: '1001', ItemNames: ['Tea'] }, time: '2025-01-02T03:04:05.000Z',
      value: 99.5, valueCurrency: 'USD', uniqueId: 'order-1001', backfill: false,
      profile: { email: 'ann@example.com', externalId: 'cust-42', phoneNumber: null },
    });
    expect(sandbox.profiles()).toEqual([expect.objectContaining({ id: event.profileId, email: 'ann@example.com' })]);
  });

  it('accepts bulk events, keeping backfill and attaching them to one upserted profile', async () => {
    const { events } = sdkFor(sandbox);
    const result = await events.bulkCreateEvents(bulk(3));
    expect(result.response.status).toBe(202);
    // Accepted, not yet applied: a bulk event job is processed after its 202, like Klaviyo's.
    expect(sandbox.events()).toHaveLength(0);
    expect(sandbox.stats().pendingEventJobs).toBe(1);
    await sandbox.idle();
    const stored = sandbox.events();
    expect(stored.map((e) => e.uniqueId)).toEqual(['1001-0', '1001-1', '1001-2']);
    expect(stored.every((e) => e.backfill && e.via === 'bulk_create_events')).toBe(true);
    expect(sandbox.profiles()).toHaveLength(1);
  });

  it('accepts replays with 202 but stores them once, counting the drops (per profile and metric)', async () => {
    const { events } = sdkFor(sandbox);
    await events.createEvent(placedOrder());
    await events.createEvent(placedOrder({ value: 1 }));
    // Same unique_id under another metric is a different event.
    await events.createEvent(placedOrder({ metric: { data: { type: 'metric', attributes: { name: 'Fulfilled Order' } } } }));
    expect(sandbox.events().map((e) => [e.metric, e.value])).toEqual([['Placed Order', 99.5], ['Fulfilled Order', 99.5]]);
    expect(sandbox.stats().duplicatesDropped).toBe(1);
  });

  it('without unique_id dedupes on the time truncated to the second', async () => {
    const { events } = sdkFor(sandbox);
    await events.createEvent(placedOrder({ uniqueId: undefined, time: new Date('2025-01-02T03:04:05.100Z') }));
    await events.createEvent(placedOrder({ uniqueId: undefined, time: new Date('2025-01-02T03:04:05.900Z') }));
    await events.createEvent(placedOrder({ uniqueId: undefined, time: new Date('2025-01-02T03:04:06.000Z') }));
    expect(sandbox.events()).toHaveLength(2);
    expect(sandbox.stats().duplicatesDropped).toBe(1);
  });

  it('rejects a missing metric with 400 and a JSON:API pointer, and stores nothing', async () => {
    const { events } = sdkFor(sandbox);
    const body = placedOrder();
    const { metric: _omitted, ...withoutMetric } = body.data.attributes;
    const result = await failure(events.createEvent({ data: { ...body.data, attributes: withoutMetric } } as unknown as EventCreateQueryV2));
    expect(result.status).toBe(400);
    expect(result.errors).toEqual([expect.objectContaining({
      status: 400, code: 'invalid', source: { pointer: '/data/attributes/metric' },
    })]);
    expect(sandbox.events()).toHaveLength(0);
    expect(sandbox.profiles()).toHaveLength(0);
    expect(sandbox.validationFailures()).toHaveLength(1);
  });

  it.each([
    ['a phone number not in E.164', { profile: { data: { type: 'profile' as const, attributes: { phoneNumber: '555-0100' } } } },
      '/data/attributes/profile/data/attributes/phone_number'],
    ['a metric name of 128 characters', { metric: { data: { type: 'metric' as const, attributes: { name: 'x'.repeat(128) } } } },
      '/data/attributes/metric/data/attributes/name'],
    ['a time before 1990', { time: new Date('1989-12-31T00:00:00Z') }, '/data/attributes/time'],
    ['a time more than a year ahead', { time: new Date(Date.now() + 370 * 86_400_000) }, '/data/attributes/time'],
    ['401 event properties', { properties: Object.fromEntries(Array.from({ length: 401 }, (_, i) => [`p${i}`, i])) },
      '/data/attributes/properties'],
    ['a profile without identifiers', { profile: { data: { type: 'profile' as const, attributes: { firstName: 'Ann' } } } },
      '/data/attributes/profile/data/attributes'],
  ])('rejects %s with 400 at the right pointer', async (_name, overrides, pointer) => {
    const result = await failure(sdkFor(sandbox).events.createEvent(placedOrder(overrides)));
    expect(result.status).toBe(400);
    expect(result.errors.map((e) => e.source?.pointer)).toContain(pointer);
    expect(sandbox.events()).toHaveLength(0);
  });

  it('accepts 1,000 bulk events and rejects 1,001', async () => {
    const { events } = sdkFor(sandbox);
    await events.bulkCreateEvents(bulk(1000));
    await sandbox.idle();
    expect(sandbox.events()).toHaveLength(1000);
    const result = await failure(events.bulkCreateEvents(bulk(1001, 'other@example.com')));
    expect(result.status).toBe(400);
    expect(result.errors[0].source?.pointer).toBe('/data/attributes/events-bulk-create/data');
    await sandbox.idle();
    expect(sandbox.events()).toHaveLength(1000);
  });

  it('rejects a bulk request that repeats a unique_id for one profile and metric, applying none of it', async () => {
    const body = bulk(2);
    const entry = body.data.attributes.eventsBulkCreate.data[0];
    entry.attributes.events.data[1].attributes.uniqueId = '1001-0';
    const result = await failure(sdkFor(sandbox).events.bulkCreateEvents(body));
    expect(result.status).toBe(400);
    expect(result.errors[0].source?.pointer).toBe('/data/attributes/events-bulk-create/data/0/attributes/events/data/1/attributes/unique_id');
    expect(sandbox.events()).toHaveLength(0);
  });

  it('answers 401 to a wrong key and records the request', async () => {
    const result = await failure(sdkFor(sandbox, { apiKey: 'pk_wrong' }).events.createEvent(placedOrder()));
    expect(result.status).toBe(401);
    expect(result.errors[0].code).toBe('authentication_failed');
    expect(sandbox.requests()).toEqual([expect.objectContaining({ operation: 'create_event', status: 401 })]);
    expect(sandbox.events()).toHaveLength(0);
  });
});
