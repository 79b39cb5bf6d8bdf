import Keyv from 'keyv';
import KeyvSqlite from '@keyv/sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeKeyv, encodeKeyv } from './keyv-codec';

/**
 * The one durable key-value store behind cursors, customer aggregates, the outbox and the rejects log.
 * A SQLite file by default (created on first run); a redis:// or postgres:// URL selects those adapters.
 */
export interface StateStore {
  get<T>(key: string): Promise<T | undefined>;
  getMany<T>(keys: readonly string[]): Promise<Array<T | undefined>>;
  set(key: string, value: unknown): Promise<void>;
  setMany(entries: ReadonlyArray<readonly [string, unknown]>): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Keys are prefixed here rather than by keyv's namespace option, whose handling differs between adapters (the
 * PostgreSQL adapter's bulk reads ignore it): one daemon's state never sees another's on a shared server.
 */
class KeyvStateStore implements StateStore {
  constructor(protected readonly keyv: Keyv, private readonly prefix: string) {}

  protected key(key: string): string {
    return `${this.prefix}:${key}`;
  }

  async get<T>(key: string): Promise<T | undefined> {
    return (await this.keyv.get<T>(this.key(key))) ?? undefined;
  }

  async getMany<T>(keys: readonly string[]): Promise<Array<T | undefined>> {
    if (keys.length === 0) return [];
    const values = await this.keyv.getMany<T>(keys.map((key) => this.key(key)));
    return values.map((value) => value ?? undefined);
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.keyv.set(this.key(key), value);
  }

  async setMany(entries: ReadonlyArray<readonly [string, unknown]>): Promise<void> {
    if (entries.length === 0) return;
    await this.keyv.setMany(entries.map(([key, value]) => ({ key: this.key(key), value })));
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.keyv.deleteMany(keys.map((key) => this.key(key)));
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}

const SQLITE_TABLE = 'keyv';
const SQLITE_ON_CONFLICT = 'ON CONFLICT(key) DO UPDATE SET value = excluded.value';
const SQLITE_UPSERT_JSON = `INSERT INTO ${SQLITE_TABLE} (key, value)
  SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?) WHERE true ${SQLITE_ON_CONFLICT}`;
/** SQLite binds at most 32,766 parameters per statement (the default since 3.32); two per row. */
const SQLITE_MAX_BOUND_ROWS = 16_000;

/**
 * Keyv has no setMany for SQLite and falls back to one INSERT (one transaction) per entry; a page of a backfill
 * writes hundreds. Here a page is one statement, so one transaction, in keyv's own stored format: rows bound as
 * parameters, or beyond the parameter cap, one JSON array that SQLite unpacks (which costs an extra round of
 * escaping and parsing every value).
 */
class SqliteStateStore extends KeyvStateStore {
  constructor(keyv: Keyv, prefix: string, private readonly sqlite: KeyvSqlite) {
    super(keyv, prefix);
  }

  override async setMany(entries: ReadonlyArray<readonly [string, unknown]>): Promise<void> {
    if (entries.length === 0) return;
    if (entries.length > SQLITE_MAX_BOUND_ROWS) {
      const rows = entries.map(([key, value]) => [this.key(key), encodeKeyv({ value })]);
      await this.sqlite.query(SQLITE_UPSERT_JSON, JSON.stringify(rows));
      return;
    }
    const bound: string[] = [];
    for (const [key, value] of entries) bound.push(this.key(key), encodeKeyv({ value }));
    const rows = `(?, ?)${', (?, ?)'.repeat(entries.length - 1)}`;
    await this.sqlite.query(`INSERT INTO ${SQLITE_TABLE} (key, value) VALUES ${rows} ${SQLITE_ON_CONFLICT}`, bound);
  }
}

/** Opens the store named by `url`: `sqlite://path`, `redis://…`, `postgres://…` (or postgresql://). */
export async function openStateStore(url: string, namespace = 'shipsignal'): Promise<StateStore> {
  const adapter = await adapterFor(url);
  // throwOnErrors: a failed write must fail the step (so the cursor stays put), never pass silently.
  const keyv = new Keyv({ store: adapter, useKeyPrefix: false, throwOnErrors: true, serialize: encodeKeyv, deserialize: decodeKeyv });
  keyv.on('error', () => undefined); // surfaced through the rejected promises of each call instead
  return adapter instanceof KeyvSqlite ? new SqliteStateStore(keyv, namespace, adapter) : new KeyvStateStore(keyv, namespace);
}

async function adapterFor(url: string): Promise<Keyv['store']> {
  if (url.startsWith('sqlite://')) {
    const path = url.slice('sqlite://'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: 10_000, table: SQLITE_TABLE });
    // WAL with NORMAL sync: a commit is durable against a process crash (what the outbox needs) without an fsync
    // per write; only a power loss can drop the last transactions, and every source re-reads from its cursor.
    await sqlite.query('PRAGMA journal_mode=WAL');
    await sqlite.query('PRAGMA synchronous=NORMAL');
    return sqlite;
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const { default: KeyvRedis } = await import('@keyv/redis');
    return new KeyvRedis(url);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { default: KeyvPostgres } = await import('@keyv/postgres');
    return new KeyvPostgres({ uri: url });
  }
  throw new Error(`unsupported state URL scheme in ${url.split(':')[0]}:// (allowed: sqlite://, redis://, postgres://)`);
}
