import KeyvSqlite from '@keyv/sqlite';
import { assertIncrement, decodeValue, encodeValue, isEmptyUnit, parseCounter, parseTail, prepareUnit, rowsFor } from './commit-plan';
import { logTailKey } from './keys';
import { KeyvStateStore, assertLease } from './keyv-store';
import type { CommitUnit } from './port';
import { SqliteConnection, type SqliteRow } from './sqlite-connection';

const TABLE = 'keyv';
/** The table keyv's SQLite adapter creates; created here too, since either connection may come first. */
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${TABLE}(key VARCHAR(255) PRIMARY KEY, value TEXT )`;
const CREATE_LEASES = 'CREATE TABLE IF NOT EXISTS shipsignal_leases(name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL)';
const ON_CONFLICT = 'ON CONFLICT(key) DO UPDATE SET value = excluded.value';
/** SQLite binds at most 32,766 parameters per statement (the default since 3.32); two per row. */
const MAX_BOUND_ROWS = 16_000;
const BUSY_TIMEOUT_MS = 10_000;

/**
 * SQLite: plain reads through keyv, every write through one native connection in `BEGIN IMMEDIATE` transactions,
 * which SQLite serializes across connections and processes on the same file. Keyv has no setMany for SQLite (one
 * INSERT, one transaction, per entry); here a page is one multi-row statement inside one transaction.
 */
class SqliteStateStore extends KeyvStateStore {
  constructor(private readonly adapter: KeyvSqlite, namespace: string, private readonly db: SqliteConnection) {
    super(adapter, namespace);
  }

  /**
   * Many keys in one query on keyv's read connection, as keyv would, but rows are matched to keys through a map:
   * @keyv/sqlite 4 pairs them by a linear search per key, so the thousand customers of a re-assessment chunk cost a
   * million string comparisons (3 % of a backfill's CPU in the profile). Values decode as keyv's own get does.
   */
  override async getMany<T>(keys: readonly string[]): Promise<Array<T | undefined>> {
    if (keys.length === 0) return [];
    const stored = keys.map((key) => this.key(key));
    const rows = (await this.adapter.query(`SELECT key, value FROM ${TABLE} WHERE key IN (SELECT value FROM json_each(?))`, JSON.stringify(stored))) as SqliteRow[];
    const byKey = new Map(rows.map((row) => [row.key, row.value]));
    return stored.map((key) => {
      const text = byKey.get(key);
      return text === undefined || text === null ? undefined : decodeValue<T>(text);
    });
  }

  override setMany(entries: ReadonlyArray<readonly [string, unknown]>): Promise<void> {
    return this.commit({ entries });
  }

  async commit(unit: CommitUnit): Promise<void> {
    const prepared = prepareUnit(unit);
    if (isEmptyUnit(prepared)) return;
    await this.db.transaction(async () => {
      const tails = new Map<string, number>();
      if (prepared.logs.length > 0) {
        const stored = await this.db.all<SqliteRow>(
          `SELECT key, value FROM ${TABLE} WHERE key IN (SELECT value FROM json_each(?))`,
          [JSON.stringify(prepared.logs.map((log) => this.key(logTailKey(log))))],
        );
        const byKey = new Map(stored.map((row) => [row.key, row.value]));
        for (const log of prepared.logs) tails.set(log, parseTail(log, byKey.get(this.key(logTailKey(log)))));
      }
      if (prepared.deletes.length > 0) {
        await this.db.run(`DELETE FROM ${TABLE} WHERE key IN (SELECT value FROM json_each(?))`, [JSON.stringify(prepared.deletes.map((key) => this.key(key)))]);
      }
      await this.upsert(rowsFor(prepared, tails));
    });
  }

  private async upsert(rows: ReadonlyArray<readonly [string, string]>): Promise<void> {
    for (let start = 0; start < rows.length; start += MAX_BOUND_ROWS) {
      const chunk = rows.slice(start, start + MAX_BOUND_ROWS);
      const bound: string[] = [];
      for (const [key, value] of chunk) bound.push(this.key(key), value);
      await this.db.run(`INSERT INTO ${TABLE} (key, value) VALUES (?, ?)${', (?, ?)'.repeat(chunk.length - 1)} ${ON_CONFLICT}`, bound);
    }
  }

  async increment(key: string, by = 1): Promise<number> {
    assertIncrement(key, by);
    return this.db.transaction(async () => {
      const [row] = await this.db.all<SqliteRow>(`SELECT key, value FROM ${TABLE} WHERE key = ?`, [this.key(key)]);
      const value = parseCounter(key, row?.value) + by;
      await this.upsert([[key, encodeValue(value)]]);
      return value;
    });
  }

  /** One statement: SQLite applies it atomically; expiry is judged on this machine's clock, the file's only clock. */
  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    assertLease(name, holder, ttlMs);
    const now = Date.now();
    const changed = await this.db.exclusive(() => this.db.run(
      `INSERT INTO shipsignal_leases (name, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE shipsignal_leases.expires_at <= ? OR shipsignal_leases.holder = excluded.holder`,
      [this.key(name), holder, now + ttlMs, now],
    ));
    return changed > 0;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.exclusive(() => this.db.run('DELETE FROM shipsignal_leases WHERE name = ? AND holder = ?', [this.key(name), holder]));
  }

  override async close(): Promise<void> {
    await this.db.close();
    await super.close();
  }
}

export async function openSqliteStore(path: string, namespace: string): Promise<SqliteStateStore> {
  // Two connections to ':memory:' are two databases: the transactions would not see keyv's data.
  if (path === ':memory:') throw new Error('sqlite://:memory: is not supported: state needs a file (e.g. sqlite://./.state/shipsignal.sqlite)');
  const db = await SqliteConnection.open(path, BUSY_TIMEOUT_MS);
  await whileBusy(() => db.exclusive(async () => {
    // WAL with NORMAL sync: a commit is durable against a process crash (what the outbox needs) without an fsync
    // per write; only a power loss can drop the last transactions, and every source re-reads from its cursor.
    await db.run('PRAGMA journal_mode=WAL');
    await db.run('PRAGMA synchronous=NORMAL');
    await db.run(CREATE_TABLE);
    await db.run(CREATE_LEASES);
  }));
  const adapter = new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: BUSY_TIMEOUT_MS, table: TABLE });
  await whileBusy(() => adapter.query('PRAGMA synchronous=NORMAL'));
  return new SqliteStateStore(adapter, namespace, db);
}

/**
 * Two processes (or two stores of one process) opening the same new file at once: switching it to WAL takes an
 * exclusive lock that SQLite may refuse with SQLITE_BUSY at once rather than through the busy timeout. Retried
 * for up to the busy timeout, so `shipsignal sync` started beside `shipsignal run` never dies at start.
 */
async function whileBusy<T>(work: () => Promise<T>): Promise<T> {
  const until = Date.now() + BUSY_TIMEOUT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const busy = (error as { code?: string }).code === 'SQLITE_BUSY' || /SQLITE_BUSY/.test(String(error));
      if (!busy || Date.now() >= until) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, 10 * attempt)));
    }
  }
}
