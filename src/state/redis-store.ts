import KeyvRedis from '@keyv/redis';
import { createClient } from '@redis/client';
import { assertIncrement, encodeValue, isEmptyUnit, prepareUnit } from './commit-plan';
import { leaseKey } from './keys';
import { KeyvStateStore, assertLease } from './keyv-store';
import type { CommitUnit } from './port';

type RedisClient = ReturnType<typeof createClient>;

/**
 * One commit is one Lua script, which Redis runs with nothing else in between. A script that fails half-way keeps
 * the writes it made (Redis has no rollback), so every check (each tail) runs before the first write. Keys are
 * built inside the script (a batch's slot is known only there): fine on one Redis server, not on a cluster.
 * ARGV: prefix, #appends, #entries, #deletes, then (log, batch)…, (key, value)…, key….
 */
const COMMIT_SCRIPT = `
local p = ARGV[1]
local a, e, d = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local tails, order = {}, {}
for n = 0, a - 1 do
  local log = ARGV[5 + 2 * n]
  if tails[log] == nil then
    local raw = redis.call('GET', p .. log .. ':tail')
    local t = 0
    if raw then
      local ok, decoded = pcall(cjson.decode, raw)
      t = ok and type(decoded) == 'table' and decoded.value or nil
      if type(t) ~= 'number' or t < 0 or t % 1 ~= 0 then
        return redis.error_reply('state log "' .. log .. '" has a corrupt tail; refusing to append')
      end
    end
    tails[log] = t
    order[#order + 1] = log
  end
end
local i = 5 + 2 * a
for n = 0, d - 1 do redis.call('DEL', p .. ARGV[i + 2 * e + n]) end
for n = 0, e - 1 do redis.call('SET', p .. ARGV[i + 2 * n], ARGV[i + 2 * n + 1]) end
for n = 0, a - 1 do
  local log = ARGV[5 + 2 * n]
  redis.call('SET', p .. log .. ':batch:' .. string.format('%d', tails[log]), ARGV[6 + 2 * n])
  tails[log] = tails[log] + 1
end
for _, log in ipairs(order) do redis.call('SET', p .. log .. ':tail', '{"value":' .. string.format('%d', tails[log]) .. '}') end
return 1
`;

const INCREMENT_SCRIPT = `
local raw = redis.call('GET', KEYS[1])
local v = 0
if raw then
  local ok, decoded = pcall(cjson.decode, raw)
  v = ok and type(decoded) == 'table' and decoded.value or nil
  if type(v) ~= 'number' or v % 1 ~= 0 then return redis.error_reply('state counter holds a value that is not an integer') end
end
v = v + tonumber(ARGV[1])
redis.call('SET', KEYS[1], '{"value":' .. string.format('%d', v) .. '}')
return v
`;

/** Free, expired (Redis drops it at its PX) or ours: take it and (re)set its expiry, on the server's clock. */
const ACQUIRE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`;

/** Redis: plain reads and writes through keyv, on the same client that runs the atomic scripts. */
class RedisStateStore extends KeyvStateStore {
  /** The raw key prefix: the adapter's own (`keyv::`) then ours, exactly as keyv writes plain values. */
  private readonly raw: string;

  constructor(adapter: KeyvRedis<unknown>, namespace: string, private readonly client: RedisClient) {
    super(adapter, namespace);
    this.raw = adapter.createKeyPrefix(this.key(''), adapter.namespace);
  }

  async commit(unit: CommitUnit): Promise<void> {
    const prepared = prepareUnit(unit);
    if (isEmptyUnit(prepared)) return;
    const args = [this.raw, String(prepared.batches.length), String(prepared.entries.length), String(prepared.deletes.length)];
    for (const batch of prepared.batches) args.push(batch.log, batch.encoded);
    for (const [key, value] of prepared.entries) args.push(key, value);
    args.push(...prepared.deletes);
    await this.client.eval(COMMIT_SCRIPT, { keys: [], arguments: args });
  }

  async increment(key: string, by = 1): Promise<number> {
    assertIncrement(key, by);
    return Number(await this.client.eval(INCREMENT_SCRIPT, { keys: [this.raw + key], arguments: [String(by)] }));
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    assertLease(name, holder, ttlMs);
    const won = await this.client.eval(ACQUIRE_SCRIPT, { keys: [this.raw + leaseKey(name)], arguments: [encodeValue(holder), String(ttlMs)] });
    return Number(won) === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.client.eval(RELEASE_SCRIPT, { keys: [this.raw + leaseKey(name)], arguments: [encodeValue(holder)] });
  }
}

export async function openRedisStore(url: string, namespace: string): Promise<RedisStateStore> {
  const client = createClient({ url });
  client.on('error', () => undefined); // surfaced through the rejected promises of each call instead
  await client.connect();
  const adapter = new KeyvRedis<unknown>(client as unknown as ConstructorParameters<typeof KeyvRedis>[0]);
  return new RedisStateStore(adapter, namespace, client);
}
