import sqlite3 from 'sqlite3';

export interface SqliteRow {
  readonly key: string;
  readonly value: string;
}

/**
 * One native connection to the state file, for what keyv cannot say: transactions. Statements on one connection
 * share its transaction, so every use goes through `exclusive`: a caller's BEGIN ... COMMIT never takes in another
 * caller's statements. Other connections (keyv's, another process's) wait on SQLite's own lock (busy timeout).
 */
export class SqliteConnection {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly db: sqlite3.Database) {}

  static open(path: string, busyTimeoutMs: number): Promise<SqliteConnection> {
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(path, (error) => {
        if (error) return reject(error);
        db.configure('busyTimeout', busyTimeoutMs);
        resolve(new SqliteConnection(db));
      });
    });
  }

  /** Runs `work` with the connection to itself; queued behind every earlier caller. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.queue.then(work, work);
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  all<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, params, (error: Error | null, rows: R[]) => (error ? reject(error) : resolve(rows)));
    });
  }

  /** Resolves with the number of rows the statement changed. */
  run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params, function done(this: sqlite3.RunResult, error: Error | null) {
        if (error) reject(error);
        else resolve(this.changes);
      });
    });
  }

  /** `work` inside BEGIN IMMEDIATE ... COMMIT (the write lock taken up front, so it cannot fail half-way on a lock). */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.run('BEGIN IMMEDIATE');
      try {
        const result = await work();
        await this.run('COMMIT');
        return result;
      } catch (error) {
        await this.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  close(): Promise<void> {
    return this.exclusive(() => new Promise<void>((resolve, reject) => this.db.close((error) => (error ? reject(error) : resolve()))));
  }
}
