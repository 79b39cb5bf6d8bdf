import { prepareUnit } from './commit-plan';
import { logBatchKey, logTailKey } from './keys';
import type { CommitUnit, StateStore } from './port';

/**
 * Reads through to a real store, keeps every write in memory. `dry-run` computes exactly what a sync would queue,
 * from the real cursors and aggregates, without changing them: commits, counters and leases stay in the overlay
 * too (a lease is always granted: a dry run changes nothing another process could collide with).
 */
export class OverlayStore implements StateStore {
  private readonly written = new Map<string, unknown>();
  private readonly deleted = new Set<string>();

  /** `base` null: an empty state (a dry run before the first sync), so no file or database is ever created. */
  constructor(private readonly base: StateStore | null) {}

  async get<T>(key: string): Promise<T | undefined> {
    return (await this.getMany<T>([key]))[0];
  }

  async getMany<T>(keys: readonly string[]): Promise<Array<T | undefined>> {
    const missing = keys.filter((key) => !this.written.has(key) && !this.deleted.has(key));
    const fromBase = this.base && missing.length > 0 ? await this.base.getMany<T>(missing) : missing.map(() => undefined);
    const baseValues = new Map(missing.map((key, i) => [key, fromBase[i]]));
    return keys.map((key) => (this.deleted.has(key) ? undefined : this.written.has(key) ? (this.written.get(key) as T) : baseValues.get(key)));
  }

  async set(key: string, value: unknown): Promise<void> {
    this.deleted.delete(key);
    this.written.set(key, structuredClone(value));
  }

  async setMany(entries: ReadonlyArray<readonly [string, unknown]>): Promise<void> {
    for (const [key, value] of entries) await this.set(key, value);
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      this.written.delete(key);
      this.deleted.add(key);
    }
  }

  /** The same order as every backend: deletes, entries, then each batch in its log's next slot. */
  async commit(unit: CommitUnit): Promise<void> {
    prepareUnit(unit); // fails on a value the real store could not encode, as the real commit would
    await this.delete(unit.deletes ?? []);
    await this.setMany(unit.entries ?? []);
    for (const { log, items } of unit.appends ?? []) {
      if (items.length === 0) continue;
      const tail = (await this.get<number>(logTailKey(log))) ?? 0;
      await this.setMany([[logBatchKey(log, tail), items], [logTailKey(log), tail + 1]]);
    }
  }

  async increment(key: string, by = 1): Promise<number> {
    const value = ((await this.get<number>(key)) ?? 0) + by;
    await this.set(key, value);
    return value;
  }

  async acquireLease(_name: string, _holder: string, _ttlMs: number): Promise<boolean> {
    return true;
  }

  async releaseLease(_name: string, _holder: string): Promise<void> {}

  async close(): Promise<void> {
    await this.base?.close();
  }
}
