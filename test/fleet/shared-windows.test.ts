import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { open, seal } from '../../src/fleet/sealed';
import { redisWindows } from '../../src/fleet/windows';
import { SharedPacer } from '../../src/sinks/klaviyo/shared-pacer';
import { OutOfBudgetError } from '../../src/sinks/pacing';
import { TEST_REDIS } from '../helpers/fleet';

/**
 * The fleet's two small mechanisms: sealed store secrets (AES-256-GCM bound to their row), and an account's rate
 * windows shared through Redis by pacers of different workers (here two pacers on two connections, as two processes).
 */
describe('sealed store secrets', () => {
  const key = randomBytes(32);
  it('opens only with the same key and the same store', () => {
    const sealed = seal(key, 'fleet/a', { KLAVIYO_API_KEY: 'pk_secret_value' });
    expect(sealed).not.toContain('pk_secret_value');
    expect(open(key, 'fleet/a', sealed)).toEqual({ KLAVIYO_API_KEY: 'pk_secret_value' });
    expect(() => open(key, 'fleet/b', sealed)).toThrow(/cannot be opened/);
    expect(() => open(randomBytes(32), 'fleet/a', sealed)).toThrow(/cannot be opened/);
    const [v, iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body, 'base64');
    flipped[0] ^= 1;
    expect(() => open(key, 'fleet/a', [v, iv, tag, flipped.toString('base64')].join('.'))).toThrow(/cannot be opened/);
  });
});

describe('an account\'s rate windows shared by two workers', () => {
  const fleet = `tw${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const connections = [new Redis(TEST_REDIS), new Redis(TEST_REDIS)];
  afterAll(async () => {
    const keys = await connections[0].keys(`${fleet}:*`);
    if (keys.length > 0) await connections[0].del(...keys);
    connections.forEach((redis) => redis.disconnect());
  });

  it('carry the worker\'s budget wait (SHIPSIGNAL_WORKER_MAX_BUDGET_WAIT_MS) to the sink, or leave it to the sink', () => {
    expect(redisWindows(connections[0], fleet, 1_234)('acct-1').maxWaitMs).toBe(1_234);
    expect(redisWindows(connections[0], fleet)('acct-1').maxWaitMs).toBeUndefined();
  });

  const pacer = (redis: Redis, maxWaitMs: number) => new SharedPacer({
    endpoint: 'bulkCreateEvents', limit: { burst: 3, steady: 5 }, marginMs: 0, windows: redisWindows(redis, fleet)('acct-1'), maxWaitMs, slotTtlMs: 10_000,
  });

  it('lets the two together start no more than the burst in a second, and puts a long wait back as OutOfBudgetError', async () => {
    const [a, b] = [pacer(connections[0], 2_000), pacer(connections[1], 2_000)];
    const started: number[] = [];
    const send = async (p: SharedPacer) => {
      const id = await p.acquire();
      if (id === null) throw new Error('aborted');
      started.push(Date.now());
      p.finish(id);
    };
    // Four requests across the two: the fourth must wait for the first answer to be a second old.
    await Promise.all([send(a), send(b), send(a), send(b)]);
    started.sort((x, y) => x - y);
    expect(started[3] - started[0]).toBeGreaterThanOrEqual(950);
    // Five answered within the minute: the steady window is spent for ~a minute, longer than either may wait.
    await send(a);
    await expect(b.acquire()).rejects.toBeInstanceOf(OutOfBudgetError);
    // A request of a delivery already under way waits instead (a delivery is acknowledged whole, so one put back
    // would be sent again from its start): asked when the wait is known, and aborted here after 300 ms.
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    let asked = 0;
    await expect(b.acquire(abort.signal, () => (asked += 1) > 0)).resolves.toBeNull();
    expect(asked).toBeGreaterThan(0);
    // Another account is untouched by this one's spent budget.
    const other = new SharedPacer({ endpoint: 'bulkCreateEvents', limit: { burst: 3, steady: 5 }, marginMs: 0, windows: redisWindows(connections[1], fleet)('acct-2'), maxWaitMs: 0, slotTtlMs: 10_000 });
    expect(await other.acquire()).not.toBeNull();
  }, 20_000);
});
