import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReviewIndex } from '../../src/state/review-index';
import { openStateStore, type CommitUnit, type StateStore } from '../../src/state/store';

/** Counts what each call writes, so a test can tell appended pieces from rewritten buckets. */
class CountingStore implements StateStore {
  written = 0;
  constructor(private readonly inner: StateStore) {}
  get<T>(key: string) { return this.inner.get<T>(key); }
  getMany<T>(keys: readonly string[]) { return this.inner.getMany<T>(keys); }
  set(key: string, value: unknown) { this.written += JSON.stringify(value).length; return this.inner.set(key, value); }
  setMany(entries: ReadonlyArray<readonly [string, unknown]>) {
    for (const [, value] of entries) this.written += JSON.stringify(value).length;
    return this.inner.setMany(entries);
  }
  delete(keys: readonly string[]) { return this.inner.delete(keys); }
  commit(unit: CommitUnit) {
    for (const [, value] of unit.entries ?? []) this.written += JSON.stringify(value).length;
    for (const { items } of unit.appends ?? []) this.written += JSON.stringify(items).length;
    return this.inner.commit(unit);
  }
  increment(key: string, by?: number) { return this.inner.increment(key, by); }
  acquireLease(name: string, holder: string, ttlMs: number) { return this.inner.acquireLease(name, holder, ttlMs); }
  releaseLease(name: string, holder: string) { return this.inner.releaseLease(name, holder); }
  close() { return this.inner.close(); }
}

let store: CountingStore;
beforeEach(async () => {
  store = new CountingStore(await openStateStore(`sqlite://${join(mkdtempSync(join(tmpdir(), 'review-index-')), 'state.sqlite')}`));
});
afterEach(() => store.close());

const day = (d: number) => new Date(Date.UTC(2026, 0, d, 12));

test('due returns every key scheduled up to now across pages, once, and done frees past days only', async () => {
  const index = new ReviewIndex(store);
  await index.schedule([{ key: 'a', at: day(3) }, { key: 'b', at: day(5) }]);
  await index.schedule([{ key: 'c', at: day(3) }, { key: 'a', at: day(3) }, { key: 'd', at: day(9) }]);
  expect((await index.due(day(5))).sort()).toEqual(['a', 'b', 'c']);
  await index.done(day(5));
  // Day 5 is today: it stays until tomorrow; days 3 and 4 are gone.
  expect((await index.due(day(5))).sort()).toEqual(['b']);
  expect((await index.due(day(10))).sort()).toEqual(['b', 'd']);
  await index.done(day(11));
  expect(await index.due(day(11))).toEqual([]);
});

test('an entry earlier than the cursor moves it back so it is still read', async () => {
  const index = new ReviewIndex(store);
  await index.schedule([{ key: 'late', at: day(20) }]);
  await index.schedule([{ key: 'early', at: day(2) }]);
  expect(await index.due(day(2))).toEqual(['early']);
});

test('scheduling a page writes that page, not the whole bucket it joins', async () => {
  const index = new ReviewIndex(store);
  const page = (p: number) => Array.from({ length: 500 }, (_, i) => ({ key: `customer-${p}-${i}@example.com`, at: day(7) }));
  await index.schedule(page(0));
  const first = store.written;
  for (let p = 1; p < 20; p++) await index.schedule(page(p));
  const perPage = (store.written - first) / 19;
  expect(perPage).toBeLessThan(first * 1.1);
  expect(await index.due(day(7))).toHaveLength(20 * 500);
});

test('buckets stored whole by an earlier version are still read and freed', async () => {
  await store.set('review:2026-01-03', ['legacy']);
  await store.set('review:cursor', '2026-01-03');
  const index = new ReviewIndex(store);
  await index.schedule([{ key: 'new', at: day(3) }]);
  expect((await index.due(day(3))).sort()).toEqual(['legacy', 'new']);
  await index.done(day(4));
  expect(await store.get('review:2026-01-03')).toBeUndefined();
});

test('two writers scheduling the same day at once on separate connections lose no piece', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'review-index-')), 'state.sqlite');
  const [a, b] = await Promise.all([openStateStore(`sqlite://${path}`), openStateStore(`sqlite://${path}`)]);
  try {
    const page = (writer: string, p: number) => Array.from({ length: 20 }, (_, i) => ({ key: `${writer}-${p}-${i}`, at: day(7) }));
    await Promise.all([a, b].map(async (store, w) => {
      const index = new ReviewIndex(store);
      for (let p = 0; p < 15; p++) await index.schedule(page(`w${w}`, p));
    }));
    expect(await new ReviewIndex(a).due(day(7))).toHaveLength(2 * 15 * 20);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('scheduling is one unit a caller commits with the rest of its step, and the overdue move the cursor back', async () => {
  const index = new ReviewIndex(store);
  await index.schedule([{ key: 'x', at: day(10) }]);
  await index.done(day(10));
  const unit = await index.scheduleUnit([{ key: 'overdue', at: day(4) }, { key: 'later', at: day(12) }]);
  expect(await index.due(day(12))).toEqual(['x']); // nothing written until the caller commits
  await store.commit({ ...unit, entries: [...(unit.entries ?? []), ['cursor:shopify:orders', 'c']] });
  expect((await index.due(day(12))).sort()).toEqual(['later', 'overdue', 'x']);
  await store.commit(await index.doneUnit(day(13)));
  expect(await index.due(day(13))).toEqual([]);
});

test('pieces written by the version before day logs are still read and freed', async () => {
  await store.setMany([['review:2026-01-03:0', ['piece-a']], ['review:2026-01-03:1', ['piece-b']], ['review:2026-01-03:n', 2], ['review:cursor', '2026-01-03']]);
  const index = new ReviewIndex(store);
  await index.schedule([{ key: 'new', at: day(3) }]);
  expect((await index.due(day(3))).sort()).toEqual(['new', 'piece-a', 'piece-b']);
  await index.done(day(4));
  expect(await store.getMany(['review:2026-01-03:0', 'review:2026-01-03:n', 'review:2026-01-03:batch:0', 'review:2026-01-03:tail'])).toEqual([undefined, undefined, undefined, undefined]);
});
