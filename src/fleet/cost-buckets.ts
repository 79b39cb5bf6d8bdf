import type { Redis } from 'ioredis';
import type { BucketStatus, SharedCostBucket, SharedCostBucketsFor } from '../sources/shared-bucket';
import { fleetKeys } from '../state/keys';

/**
 * A shop's cost bucket in Redis, shared by every worker reading that shop: its last known level, when, its size and
 * refill rate (a hash). Points are taken before a query goes out, so two workers never spend the same points; an
 * answer gives back what the shop did not charge and can only lower the level to what the shop reported. The
 * refill is computed on Redis's clock, so workers' clocks do not matter; a worker that died after taking points
 * only leaves the level low until the refill covers it. Before the shop's first answer nothing is known: queries
 * go out unpaced and the shop's own THROTTLED answer (retried by the client) is the bound, as for one process.
 */
const KEEP_MS = 10 * 60_000; // an idle shop's bucket has refilled long before; its key expires on its own

const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;
/** The level now: the stored level refilled since it was stored, capped at the size. Needs s = HMGET avail at max rate. */
const LEVEL = `local level = math.min(tonumber(s[3]), tonumber(s[1]) + math.max(0, now - tonumber(s[2])) * tonumber(s[4]) / 1000)`;

/** ARGV: cost. Returns 0 (taken) or the ms until the bucket holds `cost`. */
const TAKE = `${NOW}
local s = redis.call('HMGET', KEYS[1], 'avail', 'at', 'max', 'rate')
if not s[1] then return 0 end
${LEVEL}
local cost = tonumber(ARGV[1])
if level >= cost then
  redis.call('HSET', KEYS[1], 'avail', tostring(level - cost), 'at', now)
  redis.call('PEXPIRE', KEYS[1], ${KEEP_MS})
  return 0
end
return math.max(1, math.ceil((cost - level) * 1000 / tonumber(s[4])))`;

/** ARGV: taken, charged (-1: nothing), reported level, size, rate. */
const SETTLE = `${NOW}
local s = redis.call('HMGET', KEYS[1], 'avail', 'at', 'max', 'rate')
local reported, size, rate = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local settled = reported
if s[1] then
  ${LEVEL}
  settled = math.min(size, level + tonumber(ARGV[1]) - math.max(0, tonumber(ARGV[2])), reported)
end
redis.call('HSET', KEYS[1], 'avail', tostring(settled), 'at', now, 'max', size, 'rate', rate)
redis.call('PEXPIRE', KEYS[1], ${KEEP_MS})
return 1`;

export function redisCostBuckets(redis: Redis, fleet: string): SharedCostBucketsFor {
  return (shop: string): SharedCostBucket => {
    const key = fleetKeys.costBucket(fleet, shop);
    return {
      async take(cost: number): Promise<number> {
        return Number(await redis.eval(TAKE, 1, key, String(Math.max(0, cost))));
      },
      async settle(taken: number, charged: number | null, reported: BucketStatus): Promise<void> {
        const args = [taken, charged ?? -1, reported.currentlyAvailable, reported.maximumAvailable, reported.restoreRate];
        await redis.eval(SETTLE, 1, key, ...args.map(String));
      },
    };
  };
}
