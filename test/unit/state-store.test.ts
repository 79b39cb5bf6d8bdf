import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CustomerAggregate } from '../../src/model/customer';
import { CustomerRepository } from '../../src/state/customers';
import { Outbox } from '../../src/state/outbox';
import { OverlayStore } from '../../src/state/overlay-store';
import { openStateStore, type StateStore } from '../../src/state/store';

/**
 * The state layer on each supported backend. Redis and PostgreSQL run on their standard local ports here and in
 * CI; elsewhere point SHIPSIGNAL_TEST_REDIS_URL / SHIPSIGNAL_TEST_POSTGRES_URL at yours.
 */
const BACKENDS: Array<[string, () => string]> = [
  ['sqlite', () => `sqlite://${join(mkdtempSync(join(tmpdir(), 'shipsignal-state-')), 'state.sqlite')}`],
  ['redis', () => process.env.SHIPSIGNAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'],
  ['postgres', () => process.env.SHIPSIGNAL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'],
];

const customer = (key: string): CustomerAggregate => ({
  key, email: key, phone: null, firstName: 'Ana', lastName: null, currency: 'BRL',
  orders: [{ orderId: 'o1', placedAt: '2024-01-01T00:00:00.000Z', netMinor: 1000, cancelled: false }],
  segment: 'first_time', segmentSince: '2024-01-01T00:00:00.000Z', pushedHash: null, nextReviewAt: null,
});

describe.each(BACKENDS)('state on %s', (_, url) => {
  let store: StateStore;
  let namespace: string;

  beforeAll(async () => {
    namespace = `test-${randomUUID()}`;
    store = await openStateStore(url(), namespace);
  });

  afterAll(() => store?.close());

  it('round-trips customers in pages and lists them through the key index', async () => {
    const repo = new CustomerRepository(store);
    const keys = Array.from({ length: 30 }, (_, i) => `c${i}@example.com`);
    await repo.indexNew(keys);
    await repo.saveMany(keys.map(customer));
    const found = await repo.getMany(['c3@example.com', 'missing@example.com']);
    expect([...found.keys()]).toEqual(['c3@example.com']);
    const all: string[] = [];
    for await (const chunk of repo.all(7)) all.push(...chunk.map((c) => c.key));
    expect(all).toEqual(keys);
  });

  it('keeps each outbox lane in order across reopen, and acks free it', async () => {
    const outbox = new Outbox(store);
    const at = new Date('2024-02-03T04:05:06.000Z');
    const identity = { email: 'a@b.co', phoneNumber: null, externalId: null };
    const event = (uniqueId: string) => ({ kind: 'event' as const, metric: 'M', identity, time: at, uniqueId, value: null, valueCurrency: null, properties: {}, backfill: false });
    await outbox.append([event('u1'), { kind: 'profile', identity, firstName: null, lastName: null, properties: { ss_x: 1 } }]);
    await outbox.append([event('u2')]);
    const reopened = new Outbox(store);
    const events = await reopened.peek('events', 10);
    expect(events.map((b) => b.items.map((r) => r.kind === 'event' && r.uniqueId))).toEqual([['u1'], ['u2']]);
    const first = events[0].items[0];
    expect(first.kind === 'event' && first.time).toEqual(at);
    expect((await reopened.peek('profiles', 10)).map((b) => b.items.map((r) => r.kind))).toEqual([['profile']]);
    expect(await reopened.depth()).toEqual({ batches: 3 });
    await reopened.ack('events', events[0].seq);
    expect(await new Outbox(store).depth()).toEqual({ batches: 2 });
  });

  it('lets dry-run compute on an overlay without writing through', async () => {
    await store.set('k', { v: 1 });
    const overlay = new OverlayStore(store);
    await overlay.set('k', { v: 2 });
    await overlay.delete(['k2']);
    expect(await overlay.get('k')).toEqual({ v: 2 });
    expect(await store.get('k')).toEqual({ v: 1 });
  });
});
