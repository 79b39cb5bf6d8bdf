import type { Redis } from 'ioredis';
import { fleetKeys } from '../state/keys';
import type { SharedWindows, SharedWindowsFor, WindowSnapshot } from '../sinks/pacing';

/**
 * An account's rate windows in Redis, per endpoint: slots in flight (a sorted set scored by their expiry, so a dead
 * worker's slot turns into an answer at its expiry), answer times, a 429 pause and a version. The scripts only keep
 * the state, on Redis's clock; the timing rule is the pacer's (earliestStart), applied by each worker to a snapshot.
 */
const KEEP_MS = 120_000; // past the longest window (60 s) with margin; idle accounts' keys expire on their own

const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: flight, ends, pause, version. Returns now, in flight, pausedUntil, version, then the answer times. */
const SNAPSHOT = `${NOW}
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES')
for i = 1, #expired, 2 do redis.call('ZADD', KEYS[2], expired[i + 1], expired[i]) end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now); redis.call('INCR', KEYS[4]) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - ${KEEP_MS})
local ends = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
local out = { now, redis.call('ZCARD', KEYS[1]), tonumber(redis.call('GET', KEYS[3]) or '0'), tonumber(redis.call('GET', KEYS[4]) or '0') }
for i = 2, #ends, 2 do out[#out + 1] = ends[i] end
return out`;

const TOUCH = `for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ${KEEP_MS}) end`;

/** ARGV: version, slot, ttl. */
const TAKE = `${NOW}
if tonumber(redis.call('GET', KEYS[4]) or '0') ~= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('INCR', KEYS[4])
${TOUCH}
return 1`;

/** ARGV: slot. */
const FINISH = `${NOW}
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], now, ARGV[1])
  redis.call('INCR', KEYS[4])
  ${TOUCH}
end
return 1`;

/** ARGV: ms. */
const PAUSE = `${NOW}
local until_ = now + tonumber(ARGV[1])
if until_ > tonumber(redis.call('GET', KEYS[3]) or '0') then redis.call('SET', KEYS[3], until_) end
redis.call('INCR', KEYS[4])
${TOUCH}
return 1`;

function keysOf(fleet: string, account: string, endpoint: string): string[] {
  const base = fleetKeys.windows(fleet, account, endpoint);
  return [`${base}:flight`, `${base}:ends`, `${base}:pause`, `${base}:version`];
}

export function redisWindows(redis: Redis, fleet: string, maxWaitMs?: number): SharedWindowsFor {
  return (account: string): SharedWindows => ({
    ...(maxWaitMs !== undefined ? { maxWaitMs } : {}),
    async snapshot(endpoint: string): Promise<WindowSnapshot> {
      const raw = (await redis.eval(SNAPSHOT, 4, ...keysOf(fleet, account, endpoint))) as Array<number | string>;
      const [now, inFlight, pausedUntil, version, ...ends] = raw.map(Number);
      return { now, inFlight, pausedUntil, version, ends: ends.sort((a, b) => a - b) };
    },
    async take(endpoint, version, slot, ttlMs) {
      return Number(await redis.eval(TAKE, 4, ...keysOf(fleet, account, endpoint), String(version), slot, String(ttlMs))) === 1;
    },
    async finish(endpoint, slot) {
      await redis.eval(FINISH, 4, ...keysOf(fleet, account, endpoint), slot);
    },
    async pause(endpoint, ms) {
      await redis.eval(PAUSE, 4, ...keysOf(fleet, account, endpoint), String(Math.ceil(ms)));
    },
  });
}
