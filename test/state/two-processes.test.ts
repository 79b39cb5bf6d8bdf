import { DurableLog } from '../../src/state/durable-log';
import { withLease } from '../../src/state/leases';
import { openStateStore } from '../../src/state/store';
import { BACKENDS, freshNamespace } from './backends';
import { exited, forkStateChild, nextMessage } from './state-child';

const isText = (expected: string) => (message: unknown): message is string => message === expected;

/** What `shipsignal run` beside `shipsignal sync` looks like to the state: two OS processes on one store. */
describe.each(BACKENDS)('two processes on %s', (_backend, urlOf) => {
  it('append to one log at the same time: every batch present exactly once, sequence numbers dense', async () => {
    const url = urlOf();
    const namespace = freshNamespace();
    const perChild = 60;
    const children = ['p0', 'p1'].map((name) => forkStateChild(`
      const { openStateStore } = require(state + '/store.js');
      const { DurableLog } = require(state + '/durable-log.js');
      const store = await openStateStore(process.env.URL, { namespace: process.env.NS });
      const log = new DurableLog(store, 'outbox');
      send('ready');
      await new Promise((go) => process.once('message', go));
      for (let i = 0; i < ${perChild}; i += 1) await log.append(['${name}-' + i]);
      await store.close();
      send('done');
    `, { URL: url, NS: namespace }));
    await Promise.all(children.map((child) => nextMessage(child, isText('ready'))));
    children.forEach((child) => child.send('go'));
    await Promise.all(children.map((child) => nextMessage(child, isText('done'))));
    expect(await Promise.all(children.map(exited))).toEqual([0, 0]);

    const store = await openStateStore(url, { namespace });
    try {
      const batches = await new DurableLog<string>(store, 'outbox').peek(Number.MAX_SAFE_INTEGER);
      expect(batches.map((batch) => batch.seq)).toEqual(Array.from({ length: 2 * perChild }, (_, i) => i));
      const expected = ['p0', 'p1'].flatMap((name) => Array.from({ length: perChild }, (_, i) => `${name}-${i}`));
      expect(batches.map((batch) => batch.items[0]).sort()).toEqual(expected.sort());
    } finally {
      await store.close();
    }
  });

  it('a process killed while holding a lease: another takes over once the ttl has run out', async () => {
    const url = urlOf();
    const namespace = freshNamespace();
    const ttlMs = 1_500;
    const child = forkStateChild(`
      const { openStateStore } = require(state + '/store.js');
      const { withLease } = require(state + '/leases.js');
      const store = await openStateStore(process.env.URL, { namespace: process.env.NS });
      await withLease(store, 'sync', { ttlMs: ${ttlMs}, wait: 'skip' }, async () => {
        send('holding');
        await new Promise(() => setInterval(() => undefined, 1_000)); // works until killed, renewing its lease
      });
    `, { URL: url, NS: namespace });
    await nextMessage(child, isText('holding'));
    const store = await openStateStore(url, { namespace });
    try {
      // Alive and renewing, its lease outlives the ttl.
      await new Promise((resolve) => setTimeout(resolve, ttlMs * 1.5));
      expect(await withLease(store, 'sync', { ttlMs, wait: 'skip' }, async () => 'stolen')).toEqual({ ran: false });
      child.kill('SIGKILL');
      await exited(child);
      const killedAt = Date.now();
      const outcome = await withLease(store, 'sync', { ttlMs, wait: { timeoutMs: ttlMs * 4 } }, async () => Date.now() - killedAt);
      expect(outcome.ran).toBe(true);
      expect(outcome.ran && outcome.value).toBeLessThanOrEqual(ttlMs + 1_200);
    } finally {
      child.kill('SIGKILL');
      await store.close();
    }
  });
});
