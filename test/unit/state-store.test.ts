import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CustomerAggregate } from '../../src/model/customer';
import { CustomerRepository } from '../../src/state/customers';
import { Outbox } from '../../src/state/outbox';
import { OverlayStore } from '../../src/state/overlay-store';
import { RejectsLog } from '../../src/state/rejects';
import { CursorRepository, StoreStatsRepository, holdsState } from '../../src/state/repositories';
import { openStateStore, mergeUnits, type StateStore } from '../../src/state/store';

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
    store = await openStateStore(url(), { namespace });
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

  it('commits one step in one write: both outbox lanes, the customer index, rejects, stats and the cursor', async () => {
    const outbox = new Outbox(store);
    const customers = new CustomerRepository(store);
    const rejects = new RejectsLog(store);
    const stats = new StoreStatsRepository(store);
    const cursor = new CursorRepository<{ updatedAt: string }>(store, 'step-source');
    const identity = { email: 'step@b.co', phoneNumber: null, externalId: null };
    const before = await outbox.depth();
    const unit = mergeUnits(
      { appends: outbox.appendsFor([{ kind: 'profile', identity, firstName: null, lastName: null, properties: {} }, { kind: 'event', metric: 'M', identity, time: new Date(0), uniqueId: 'step', value: null, valueCurrency: null, properties: {}, backfill: false }]) },
      { appends: [...customers.indexAppendsFor(['step@b.co']), rejects.appendsFor([{ at: 'now', source: 'test', recordId: 'r1', reason: 'bad' }])] },
      { entries: [...customers.entriesFor([customer('step@b.co')]), stats.entry({ ...(await stats.get()), buyingCustomers: 7 }), cursor.entry({ updatedAt: 'u1' })] },
    );
    await store.commit({ ...unit, entries: [...(unit.entries ?? []), ['bad', BigInt(1)]] }).catch(() => undefined);
    expect(await outbox.depth()).toEqual(before); // the failed write left nothing, the cursor included
    expect(await cursor.get()).toBeNull();
    await store.commit(unit);
    expect(await outbox.depth()).toEqual({ batches: before.batches + 2 });
    expect(await cursor.get()).toEqual({ updatedAt: 'u1' });
    expect((await rejects.list(10)).map((r) => r.recordId)).toContain('r1');
    expect((await customers.getMany(['step@b.co'])).size).toBe(1);
    expect((await stats.get()).buyingCustomers).toBe(7);
  });

  it('tells a namespace holding state from an empty one', async () => {
    const empty = await openStateStore(url(), { namespace: `${namespace}-empty` });
    try {
      expect(await holdsState(empty)).toBe(false);
      await new CustomerRepository(empty).indexNew(['x@example.com']);
      expect(await holdsState(empty)).toBe(true);
    } finally {
      await empty.close();
    }
  });

  it('drains an outbox written by the previous version (batch then tail, by plain writes) and appends after it', async () => {
    const ns = `${namespace}-legacy`;
    const legacy = await openStateStore(url(), { namespace: ns });
    try {
      const identity = { email: 'old@b.co', phoneNumber: null, externalId: null };
      const stored = { kind: 'event', metric: 'M', identity, time: '2024-01-01T00:00:00.000Z', uniqueId: 'old', value: null, valueCurrency: null, properties: {}, backfill: false };
      await legacy.set('outbox:batch:0', [stored]);
      await legacy.set('outbox:tail', 1);
      const outbox = new Outbox(legacy);
      await outbox.append([{ ...stored, kind: 'event', time: new Date('2024-01-02T00:00:00.000Z'), uniqueId: 'new' }]);
      const batches = await outbox.peek('events', 10);
      expect(batches.map((b) => [b.seq, b.items.map((r) => r.kind === 'event' && r.uniqueId)])).toEqual([[0, ['old']], [1, ['new']]]);
    } finally {
      await legacy.close();
    }
  });

  it('keeps a dry run\'s commits, counters and leases in the overlay', async () => {
    const overlay = new OverlayStore(store);
    const outbox = new Outbox(overlay);
    const before = await new Outbox(store).depth();
    await outbox.append([{ kind: 'profile', identity: { email: 'dry@b.co', phoneNumber: null, externalId: null }, firstName: null, lastName: null, properties: {} }]);
    expect(await outbox.depth()).toEqual({ batches: before.batches + 1 });
    expect(await new Outbox(store).depth()).toEqual(before);
    expect(await overlay.increment('dry-counter', 2)).toBe(2);
    expect(await store.get('dry-counter')).toBeUndefined();
    expect(await store.acquireLease('dry-lease', 'real-holder', 10_000)).toBe(true);
    expect(await overlay.acquireLease('dry-lease', 'dry-run', 10_000)).toBe(true);
    await overlay.releaseLease('dry-lease', 'dry-run');
    expect(await store.acquireLease('dry-lease', 'someone-else', 10_000)).toBe(false);
    await expect(overlay.commit({ entries: [['x', BigInt(1)]] })).rejects.toThrow();
  });
});
