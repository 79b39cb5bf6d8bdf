import KeyvPostgres from '@keyv/postgres';
import { Pool, type PoolClient } from 'pg';
import { assertIncrement, isEmptyUnit, parseCounter, parseTail, prepareUnit, rowsFor } from './commit-plan';
import { logTailKey } from './keys';
import { KeyvStateStore, assertLease } from './keyv-store';
import type { CommitUnit } from './port';

/** The table keyv's PostgreSQL adapter creates (public.keyv), created here too since either pool may come first. */
const TABLE = 'public.keyv';
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${TABLE}(key VARCHAR(255) PRIMARY KEY, value TEXT )`;
const CREATE_LEASES = 'CREATE TABLE IF NOT EXISTS public.shipsignal_leases(name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL)';
/** Deadlock and serialization failures: PostgreSQL aborted one side of a race; running it again is correct. */
const RETRYABLE = new Set(['40P01', '40001']);
/** Concurrent CREATE ... IF NOT EXISTS can still collide in the catalog; the table then exists. */
const ALREADY_THERE = new Set(['23505', '42P07']);

const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;

/**
 * PostgreSQL: plain reads and writes through keyv, the atomic half through a pool of our own (`pg`), one
 * transaction per commit. Each appended log's tail row is locked (`INSERT … ON CONFLICT DO UPDATE … RETURNING`,
 * in sorted order, so two commits cannot wait on each other) for the rest of the transaction: two processes
 * appending at once take turns on that row and never share a slot.
 */
/**
 * keyv's PostgreSQL adapter keeps one pool per process and ends it on any adapter's disconnect: with two stores open
 * in one process (two tenants), closing one would break the other. Its pool is ended when the last store closes.
 */
let openKeyvAdapters = 0;

class PostgresStateStore extends KeyvStateStore {
  constructor(adapter: KeyvPostgres, namespace: string, private readonly pool: Pool, private readonly release: () => Promise<void>) {
    super(adapter, namespace);
  }

  async commit(unit: CommitUnit): Promise<void> {
    const prepared = prepareUnit(unit);
    if (isEmptyUnit(prepared)) return;
    await this.transaction(async (client) => {
      const tails = new Map<string, number>();
      if (prepared.logs.length > 0) {
        const keys = prepared.logs.map((log) => this.key(logTailKey(log)));
        // The no-op update takes the row lock and returns what is stored; an absent tail is created at 0, locked.
        const locked = await client.query<{ key: string; value: string }>(
          `INSERT INTO ${TABLE} (key, value) SELECT k, '{"value":0}' FROM UNNEST($1::text[]) AS k
           ON CONFLICT (key) DO UPDATE SET value = ${TABLE}.value RETURNING key, value`,
          [keys],
        );
        const byKey = new Map(locked.rows.map((row) => [row.key, row.value]));
        for (const log of prepared.logs) tails.set(log, parseTail(log, byKey.get(this.key(logTailKey(log)))));
      }
      if (prepared.deletes.length > 0) {
        await client.query(`DELETE FROM ${TABLE} WHERE key = ANY($1::text[])`, [prepared.deletes.map((key) => this.key(key)).sort()]);
      }
      // Rows in key order: two commits upserting overlapping keys lock them in the same order.
      const rows = rowsFor(prepared, tails).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      await client.query(
        `INSERT INTO ${TABLE} (key, value) SELECT * FROM UNNEST($1::text[], $2::text[])
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [rows.map(([key]) => this.key(key)), rows.map(([, value]) => value)],
      );
    });
  }

  async increment(key: string, by = 1): Promise<number> {
    assertIncrement(key, by);
    // Row-locked read-add-write in one statement; the stored text stays keyv's `{"value":n}`.
    const result = await this.pool.query<{ value: string }>(
      `INSERT INTO ${TABLE} (key, value) VALUES ($1, '{"value":' || $2::bigint || '}')
       ON CONFLICT (key) DO UPDATE SET value = '{"value":' || ((${TABLE}.value::json ->> 'value')::bigint + $2::bigint) || '}'
       RETURNING value`,
      [this.key(key), by],
    );
    return parseCounter(key, result.rows[0]?.value);
  }

  /** Expiry is judged on the server's clock (`now()`), the one clock every process shares. */
  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    assertLease(name, holder, ttlMs);
    const result = await this.pool.query(
      `INSERT INTO public.shipsignal_leases (name, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE shipsignal_leases.expires_at <= now() OR shipsignal_leases.holder = excluded.holder`,
      [this.key(name), holder, ttlMs],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.pool.query('DELETE FROM public.shipsignal_leases WHERE name = $1 AND holder = $2', [this.key(name), holder]);
  }

  private async transaction(work: (client: PoolClient) => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await work(client);
        await client.query('COMMIT');
        return;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (!RETRYABLE.has(codeOf(error) ?? '') || attempt >= 5) throw error;
      } finally {
        client.release();
      }
    }
  }

  private closed = false;
  override async close(): Promise<void> {
    // Closing twice must not release the shared pool twice (another store may still use it).
    if (this.closed) return;
    this.closed = true;
    await this.release();
    openKeyvAdapters -= 1;
    if (openKeyvAdapters === 0) await super.close();
  }
}

/**
 * One pool per database per process, shared by every store opened on it: a fleet worker holds many stores at once,
 * and a pool each (with its idle connections) would exhaust the server's connections long before its CPU. The
 * tables are created once per pool; the pool ends when the last store on it closes.
 */
interface SharedPool {
  readonly pool: Pool;
  readonly ready: Promise<void>;
  users: number;
}
const pools = new Map<string, SharedPool>();

function takePool(url: string): SharedPool {
  let shared = pools.get(url);
  if (!shared) {
    const pool = new Pool({ connectionString: url, max: 10 });
    pool.on('error', () => undefined); // an idle client's error; the next query reports it
    const ready = (async () => {
      for (const ddl of [CREATE_TABLE, CREATE_LEASES]) {
        await pool.query(ddl).catch((error: unknown) => {
          if (!ALREADY_THERE.has(codeOf(error) ?? '')) throw error;
        });
      }
    })();
    const created: SharedPool = { pool, ready, users: 0 };
    // A pool that could not create the tables is not kept: the next open tries afresh.
    ready.catch(() => pools.get(url) === created && pools.delete(url));
    pools.set(url, created);
    shared = created;
  }
  shared.users += 1;
  return shared;
}

async function releasePool(url: string, shared: SharedPool): Promise<void> {
  shared.users -= 1;
  if (shared.users > 0) return;
  if (pools.get(url) === shared) pools.delete(url);
  await shared.pool.end();
}

export async function openPostgresStore(url: string, namespace: string): Promise<PostgresStateStore> {
  const shared = takePool(url);
  try {
    await shared.ready;
  } catch (error) {
    await releasePool(url, shared);
    throw error;
  }
  openKeyvAdapters += 1;
  return new PostgresStateStore(new KeyvPostgres({ uri: url }), namespace, shared.pool, () => releasePool(url, shared));
}
