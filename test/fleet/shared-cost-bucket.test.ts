import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisCostBuckets } from '../../src/fleet/cost-buckets';
import { generateStore, startShopifySandbox, type ShopifySandbox } from '../../src/sandbox/shopify';
import { ShopifyGraphqlClient } from '../../src/sources/shopify/client';
import type { SharedCostBucket } from '../../src/sources/shared-bucket';
import { TEST_REDIS } from '../helpers/fleet';

/**
 * Issue 18: a shop's cost bucket is shared by the workers reading it. Two clients of one shop (two Redis
 * connections, as two worker processes), each sending its queries one after another as a job does: with the shared
 * bucket the shop never answers THROTTLED; without it (each client pacing on the levels it was told, the
 * single-process rule) the same load is throttled, which is what makes the first half able to fail.
 */
const QUERY = '{ orders(first: 48) { nodes { id } } }'; // 2 + 48 points requested and charged (50)
const PER_CLIENT = 12;
const LIMITS = { maximumAvailable: 200, restoreRate: 200 };

describe('a shop\'s cost bucket shared by two workers', () => {
  const fleet = `tb${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const connections = [new Redis(TEST_REDIS), new Redis(TEST_REDIS)];
  let sandbox: ShopifySandbox;

  beforeEach(async () => {
    sandbox = await startShopifySandbox({ store: generateStore({ orders: 100, seed: 7, start: new Date('2025-06-01T00:00:00Z'), spanDays: 60 }), throttle: LIMITS });
  });
  afterEach(() => sandbox.close());
  afterAll(async () => {
    const keys = await connections[0].keys(`${fleet}:*`);
    if (keys.length > 0) await connections[0].del(...keys);
    connections.forEach((redis) => redis.disconnect());
  });

  const client = (costBucket?: SharedCostBucket) => new ShopifyGraphqlClient({
    storeDomain: sandbox.shopDomain, accessToken: sandbox.accessToken, baseUrl: sandbox.url, timeoutMs: 10_000,
    backoff: { baseMs: 50, maxMs: 2_000, maxAttempts: 20 }, ...(costBucket ? { costBucket } : {}),
  });

  /** Both clients' queries, each client's one after another; the sandbox's log of what it answered. */
  async function run(clients: readonly ShopifyGraphqlClient[]) {
    const started = Date.now();
    await Promise.all(clients.map(async (c) => {
      for (let i = 0; i < PER_CLIENT; i++) await c.query(QUERY);
    }));
    const log = sandbox.requests().filter((request) => request.path.endsWith('/graphql.json'));
    return { ms: Date.now() - started, ok: log.filter((r) => r.outcome === 'ok').length, throttled: log.filter((r) => r.outcome === 'throttled').length };
  }

  it('never overspends the shop\'s bucket, and paces at its rate', async () => {
    const shop = `shop-${randomBytes(4).toString('hex')}`;
    const shared = await run(connections.map((redis) => client(redisCostBuckets(redis, fleet)(shop))));
    expect(shared.ok).toBe(2 * PER_CLIENT);
    expect(shared.throttled).toBe(0);
    // Paced at the shop's rate, not slower: 2 × 12 × 50 points less the full bucket, at 200 points a second.
    const floorMs = ((2 * PER_CLIENT * 50 - LIMITS.maximumAvailable) / LIMITS.restoreRate) * 1000;
    expect(shared.ms).toBeGreaterThanOrEqual(floorMs * 0.9);
    expect(shared.ms).toBeLessThan(floorMs * 2);

    // Another shop's bucket is its own: the spent one does not hold it back.
    expect(await redisCostBuckets(connections[1], fleet)(`${shop}-other`).take(50)).toBe(0);
  }, 30_000);

  it('without the shared bucket the same two clients are throttled (the control)', async () => {
    const alone = await run([client(), client()]);
    expect(alone.ok).toBe(2 * PER_CLIENT);
    expect(alone.throttled).toBeGreaterThan(0);
  }, 30_000);
});
