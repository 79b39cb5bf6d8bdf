import { backoffMs, newHolderId, withLease } from '../../src/state/leases';
import type { StateStore } from '../../src/state/store';
import { BACKENDS, sleep, storesPerTest } from './backends';

/** withLease over each backend: exclusivity, waiting, renewal while the work runs, loss, and release. */
describe.each(BACKENDS)('withLease on %s', (_backend, urlOf) => {
  const { open } = storesPerTest(urlOf);

  it('runs one of two contenders that skip, and frees the lease afterwards', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    let running = 0;
    let overlapped = false;
    const work = async () => {
      running += 1;
      overlapped ||= running > 1;
      await sleep(200);
      running -= 1;
      return 'done';
    };
    const outcomes = await Promise.all([withLease(a, 'sync', { ttlMs: 5_000, wait: 'skip' }, work), withLease(b, 'sync', { ttlMs: 5_000, wait: 'skip' }, work)]);
    expect(outcomes.filter((o) => o.ran)).toEqual([{ ran: true, value: 'done' }]);
    expect(overlapped).toBe(false);
    expect(await withLease(b, 'sync', { ttlMs: 5_000, wait: 'skip' }, async () => 1)).toEqual({ ran: true, value: 1 });
  });

  it('lets a waiter run once the holder is done, one after the other', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const order: string[] = [];
    const job = (name: string) => async () => {
      order.push(`${name} start`);
      await sleep(150);
      order.push(`${name} end`);
    };
    const first = withLease(a, 'sync', { ttlMs: 5_000, wait: 'skip' }, job('a'));
    await sleep(20);
    const second = withLease(b, 'sync', { ttlMs: 5_000, wait: { timeoutMs: 5_000 } }, job('b'));
    expect((await Promise.all([first, second])).map((o) => o.ran)).toEqual([true, true]);
    expect(order).toEqual(['a start', 'a end', 'b start', 'b end']);
  });

  it('renews the lease while the work outlasts its ttl, so no one else takes it', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const outcome = withLease(a, 'sync', { ttlMs: 600, wait: 'skip' }, async (lost) => {
      await sleep(1_800); // three ttls
      return lost.aborted;
    });
    await sleep(1_300);
    expect(await b.acquireLease('sync', 'intruder', 600)).toBe(false);
    expect(await outcome).toEqual({ ran: true, value: false });
  });

  it('gives up waiting at the timeout, or when its signal aborts', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    expect(await a.acquireLease('sync', 'crashed-holder', 60_000)).toBe(true);
    const started = Date.now();
    expect(await withLease(b, 'sync', { ttlMs: 1_000, wait: { timeoutMs: 300 } }, async () => 1)).toEqual({ ran: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const waiting = withLease(b, 'sync', { ttlMs: 1_000, wait: { timeoutMs: 60_000 }, signal: stop.signal }, async () => 1);
    expect(await waiting).toEqual({ ran: false });
  });

  it('takes over a lease whose holder crashed once its ttl runs out', async () => {
    const [crashed, other] = await Promise.all([open(), open()]);
    expect(await crashed.acquireLease('sync', newHolderId(), 400)).toBe(true); // never renewed, never released
    const started = Date.now();
    expect(await withLease(other, 'sync', { ttlMs: 1_000, wait: { timeoutMs: 5_000 } }, async () => 'took over')).toEqual({ ran: true, value: 'took over' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('aborts `lost` when a renewal fails', async () => {
    const store = await open();
    let calls = 0;
    const failing: StateStore = Object.assign(Object.create(store) as StateStore, {
      acquireLease: (name: string, holder: string, ttlMs: number) => (++calls === 1 ? store.acquireLease(name, holder, ttlMs) : Promise.resolve(false)),
    });
    const outcome = await withLease(failing, 'sync', { ttlMs: 150, wait: 'skip' }, (lost) => new Promise<boolean>((resolve) => {
      lost.addEventListener('abort', () => resolve(true));
      setTimeout(() => resolve(false), 1_000);
    }));
    expect(outcome).toEqual({ ran: true, value: true });
  });
});

test('holder ids are unique per acquisition and name the host and process', () => {
  const ids = new Set(Array.from({ length: 100 }, newHolderId));
  expect(ids.size).toBe(100);
  expect([...ids][0]).toContain(`:${process.pid}:`);
});

test('waiting backs off from 20 ms to at most 200 ms, never past the deadline', () => {
  expect([0, 1, 2, 5, 9].map((attempt) => backoffMs(attempt, 10_000))).toEqual([20, 40, 80, 200, 200]);
  expect(backoffMs(4, 30)).toBe(30);
});
