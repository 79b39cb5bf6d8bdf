import { DurableLog } from '../../src/state/durable-log';
import { logBatchKey, logTailKey } from '../../src/state/keys';
import { BACKENDS, freshNamespace, sleep, storesPerTest } from './backends';

/**
 * The StateStore contract on each backend: what several processes sharing one state rely on. Several stores opened
 * on the same URL are what several processes look like to the server (for SQLite: separate connections to one file).
 */
describe.each(BACKENDS)('state contract on %s', (backend, urlOf) => {
  const { open } = storesPerTest(urlOf);

  it('commits appends, entries and deletes together, readable by the plain get path', async () => {
    const store = await open();
    await store.set('gone', 1);
    await store.commit({ appends: [{ log: 'a', items: [1, 2] }, { log: 'a', items: [3] }, { log: 'b', items: [':x'] }], entries: [['k', { v: ':colon' }], ['k', 'last']], deletes: ['gone'] });
    expect(await store.getMany([logTailKey('a'), logBatchKey('a', 0), logBatchKey('a', 1), logTailKey('b'), logBatchKey('b', 0), 'k', 'gone']))
      .toEqual([2, [1, 2], [3], 1, [':x'], 'last', undefined]);
    await store.commit({ appends: [{ log: 'a', items: [4] }] });
    expect(await store.get(logBatchKey('a', 2))).toEqual([4]);
  });

  it('leaves nothing of a commit holding a value that cannot be encoded', async () => {
    const store = await open();
    await store.set('keep', 'before');
    await expect(store.commit({ appends: [{ log: 'a', items: [1] }], entries: [['keep', 'after'], ['bad', { n: BigInt(1) }]], deletes: ['keep'] })).rejects.toThrow();
    expect(await store.getMany([logTailKey('a'), logBatchKey('a', 0), 'keep', 'bad'])).toEqual([undefined, undefined, 'before', undefined]);
  });

  it('leaves nothing of a commit that fails part-way (the second log\'s tail is corrupt)', async () => {
    const store = await open();
    await store.set('keep', 'before');
    await store.set(logTailKey('z'), 'not a number');
    await expect(store.commit({ appends: [{ log: 'a', items: [1] }, { log: 'z', items: [2] }], entries: [['keep', 'after']], deletes: ['keep'] })).rejects.toThrow(/corrupt tail/);
    expect(await store.getMany([logTailKey('a'), logBatchKey('a', 0), logBatchKey('z', 0), 'keep'])).toEqual([undefined, undefined, undefined, 'before']);
  });

  if (backend === 'postgres') {
    it('rolls back a commit the server refuses after its first statements ran', async () => {
      const store = await open();
      await store.set('keep', 'before');
      const tooLong = 'k'.repeat(300); // keyv's table holds keys of at most 255 characters
      await expect(store.commit({ appends: [{ log: 'a', items: [1] }], entries: [[tooLong, 1]], deletes: ['keep'] })).rejects.toThrow();
      expect(await store.getMany([logTailKey('a'), 'keep'])).toEqual([undefined, 'before']);
    });
  }

  it('gives every batch of concurrent appenders on separate connections its own slot, densely, none lost', async () => {
    const writers = await Promise.all([open(), open(), open(), open()]);
    const perWriter = 25;
    await Promise.all(writers.map(async (store, w) => {
      const log = new DurableLog<string>(store, 'shared');
      for (let i = 0; i < perWriter; i += 1) await log.append([`w${w}-${i}`, `w${w}-${i}-second`]);
    }));
    const reader = new DurableLog<string>(await open(), 'shared');
    const batches = await reader.peek(Number.MAX_SAFE_INTEGER);
    expect(batches.map((batch) => batch.seq)).toEqual(Array.from({ length: 4 * perWriter }, (_, i) => i));
    const firsts = batches.map((batch) => batch.items[0]).sort();
    const expected = writers.flatMap((_, w) => Array.from({ length: perWriter }, (_, i) => `w${w}-${i}`)).sort();
    expect(firsts).toEqual(expected);
    expect(batches.every((batch) => batch.items[1] === `${batch.items[0]}-second`)).toBe(true);
  });

  it('sees what another connection appended without being told (no cached tail)', async () => {
    const consumer = new DurableLog<number>(await open(), 'seen');
    const producer = new DurableLog<number>(await open(), 'seen');
    await consumer.append([1]);
    expect((await consumer.peek(10)).map((b) => b.items)).toEqual([[1]]);
    await producer.append([2]);
    expect((await consumer.peek(10)).map((b) => b.items)).toEqual([[1], [2]]);
    await consumer.ack(0);
    expect(await new DurableLog<number>(await open(), 'seen').depth()).toEqual({ batches: 1 });
  });

  it('releases a whole log in a commit that also writes what replaces it; later appends continue the sequence', async () => {
    const store = await open();
    const log = new DurableLog<number>(store, 'journal');
    for (const n of [1, 2, 3]) await log.append([n]);
    const released = await log.releaseAllFor();
    await store.commit({ deletes: released.deletes, entries: [...released.entries, ['folded', 6]] });
    expect(await log.depth()).toEqual({ batches: 0 });
    expect(await store.get('journal:batch:0')).toBeUndefined();
    expect(await store.get('folded')).toBe(6);
    await log.append([4]);
    expect(await log.peek(10)).toEqual([{ seq: 3, items: [4] }]);
    expect(await new DurableLog<number>(store, 'empty').releaseAllFor()).toEqual({ entries: [], deletes: [] });
  });

  it('adds exactly under contention and the counter reads back through get', async () => {
    const stores = await Promise.all([open(), open(), open()]);
    const results = await Promise.all(stores.flatMap((store) => Array.from({ length: 40 }, () => store.increment('counter'))));
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(await stores[0].increment('counter', 5)).toBe(125);
    expect(await stores[1].get('counter')).toBe(125);
    await expect(stores[0].increment('counter', 0.5)).rejects.toThrow(/integer/);
  });

  it('grants a lease to one holder at a time; only the holder frees it', async () => {
    const [a, b, c] = await Promise.all([open(), open(), open()]);
    const granted = await Promise.all([a.acquireLease('job', 'A', 10_000), b.acquireLease('job', 'B', 10_000), c.acquireLease('job', 'C', 10_000)]);
    expect(granted.filter(Boolean)).toHaveLength(1);
    const winner = ['A', 'B', 'C'][granted.indexOf(true)];
    const loser = winner === 'A' ? 'B' : 'A';
    await b.releaseLease('job', loser);
    expect(await c.acquireLease('job', loser, 10_000)).toBe(false);
    expect(await a.acquireLease('job', winner, 10_000)).toBe(true); // re-acquiring one's own lease renews it
    await a.releaseLease('job', winner);
    expect(await c.acquireLease('job', loser, 10_000)).toBe(true);
  });

  it('lets another holder take a lease its holder never released once the ttl has passed, and renewal keeps it', async () => {
    const [crashed, other] = await Promise.all([open(), open()]);
    // Margins of 300-400 ms either side, so a loaded machine's late timers do not decide the outcome.
    expect(await crashed.acquireLease('job', 'crashed', 1_000)).toBe(true);
    await sleep(600);
    expect(await crashed.acquireLease('job', 'crashed', 1_000)).toBe(true); // renewed: 1,000 ms from now
    await sleep(600);
    expect(await other.acquireLease('job', 'other', 1_000)).toBe(false); // 1,200 ms after the first grant, still held
    await sleep(700);
    expect(await other.acquireLease('job', 'other', 1_000)).toBe(true); // the holder "crashed": no renewal, no release
    expect(await crashed.acquireLease('job', 'crashed', 1_000)).toBe(false);
  });

  it('keeps namespaces apart: keys, logs, counters and leases', async () => {
    const [one, two] = await Promise.all([open(freshNamespace()), open(freshNamespace())]);
    await one.set('cursor', 'one');
    await one.commit({ appends: [{ log: 'outbox', items: ['one'] }] });
    await two.commit({ appends: [{ log: 'outbox', items: ['two'] }] });
    await one.increment('n', 3);
    expect(await two.get('cursor')).toBeUndefined();
    expect(await two.increment('n')).toBe(1);
    expect((await new DurableLog<string>(two, 'outbox').peek(10)).map((b) => b.items)).toEqual([['two']]);
    expect((await new DurableLog<string>(one, 'outbox').peek(10)).map((b) => b.items)).toEqual([['one']]);
    expect(await one.acquireLease('sync', 'holder-one', 10_000)).toBe(true);
    expect(await two.acquireLease('sync', 'holder-two', 10_000)).toBe(true);
  });
});
